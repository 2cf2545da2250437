'use client';

import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { ProblemSummary } from '@/components/ui/problem-summary';
import { useForm } from '@/components/ui/use-form';
import { type FormState, fieldError, valueOf } from '@/lib/http/form-state';
import { changeRetentionInput, setLegalHoldInput } from '@/lib/modules/audit-trail/retention-schema';

type FormAction = (state: FormState, form: FormData) => Promise<FormState>;

const LABELS = { reason: 'Reason', retentionDays: 'Retention', legalHold: 'Legal hold' };

/** One line under a row's form: what was done, or why not. */
function Outcome({ state, idOf }: { state: FormState; idOf: (path: string) => string }) {
  if (state.message) return <p className="mt-1 max-w-72 text-xs text-emerald-800">{state.message}</p>;
  return <ProblemSummary state={state} labels={LABELS} fieldId={idOf} compact className="mt-1 max-w-72" />;
}

/** Requests a new retention period (four-eyes: another administrator approves), with a reason. */
export function RetentionChange({ slug, retentionDays, action }: { slug: string; retentionDays: number; action: FormAction }) {
  const { state, pending, key, formProps } = useForm(action, changeRetentionInput);
  const idOf = (path: string) => `retention-${slug}-${path}`;
  return (
    <div>
      <form key={key} {...formProps} className="flex items-center gap-2" aria-label={`Change the retention of ${slug}`}>
        <div className="w-20 shrink-0">
          <Input
            id={idOf('retentionDays')}
            name="retentionDays"
            type="number"
            min={183}
            max={3653}
            defaultValue={valueOf(state, 'retentionDays', String(retentionDays))}
            aria-label="Retention in days"
            aria-invalid={fieldError(state, 'retentionDays') ? true : undefined}
          />
        </div>
        <div className="w-36 shrink-0">
          <Input
            id={idOf('reason')}
            name="reason"
            defaultValue={valueOf(state, 'reason')}
            placeholder="Reason"
            aria-label="Reason for the retention change"
            aria-invalid={fieldError(state, 'reason') ? true : undefined}
          />
        </div>
        <Button type="submit" size="sm" disabled={pending} className="whitespace-nowrap">
          Request
        </Button>
      </form>
      <Outcome state={state} idOf={idOf} />
    </div>
  );
}

/** Places or lifts a legal hold, with a reason. */
export function LegalHoldControl({ slug, legalHold, action }: { slug: string; legalHold: boolean; action: FormAction }) {
  const { state, pending, key, formProps } = useForm(action, setLegalHoldInput);
  const idOf = (path: string) => `hold-${slug}-${path}`;
  return (
    <div>
      <form key={key} {...formProps} className="flex items-center gap-2" aria-label={`Legal hold of ${slug}`}>
        <input type="hidden" name="legalHold" value={legalHold ? 'false' : 'true'} />
        <div className="w-36 shrink-0">
          <Input
            id={idOf('reason')}
            name="reason"
            defaultValue={valueOf(state, 'reason')}
            placeholder="Reason"
            aria-label="Reason for the legal hold"
            aria-invalid={fieldError(state, 'reason') ? true : undefined}
          />
        </div>
        <Button type="submit" size="sm" variant={legalHold ? 'secondary' : 'danger'} disabled={pending} className="whitespace-nowrap">
          {legalHold ? 'Lift hold' : 'Place hold'}
        </Button>
      </form>
      <Outcome state={state} idOf={idOf} />
    </div>
  );
}
