'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { type FormState, fieldError, initialFormState, valueOf } from '@/components/ui/form-state';
import { Input } from '@/components/ui/input';

type FormAction = (state: FormState, form: FormData) => Promise<FormState>;

const FIELD_LABELS: Record<string, string> = { reason: 'Reason:', retentionDays: 'Retention:', legalHold: 'Legal hold:' };

function Outcome({ state }: { state: FormState }) {
  if (state.message) return <p className="mt-1 max-w-72 text-xs text-emerald-800">{state.message}</p>;
  if (!state.problem) return null;
  const fields = state.problem.errors?.map((e) => `${FIELD_LABELS[e.path] ?? e.path} ${e.message}`).join('; ');
  return (
    <p className="mt-1 max-w-72 text-xs text-red-800" role="alert">
      {fields || state.problem.detail}
    </p>
  );
}

/** Requests a new retention period (four-eyes: another administrator approves), with a reason. */
export function RetentionChange({ slug, retentionDays, action }: { slug: string; retentionDays: number; action: FormAction }) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  return (
    <div>
      <form action={formAction} key={state.nonce} className="flex items-center gap-2" aria-label={`Change the retention of ${slug}`}>
        <div className="w-20 shrink-0">
          <Input name="retentionDays" type="number" min={183} max={3653} defaultValue={valueOf(state, 'retentionDays', String(retentionDays))} aria-label="Retention in days" aria-invalid={Boolean(fieldError(state, 'retentionDays'))} />
        </div>
        <div className="w-36 shrink-0">
          <Input name="reason" defaultValue={valueOf(state, 'reason')} placeholder="Reason" aria-label="Reason for the retention change" />
        </div>
        <Button type="submit" size="sm" disabled={pending} className="whitespace-nowrap">
          Request
        </Button>
      </form>
      <Outcome state={state} />
    </div>
  );
}

/** Places or lifts a legal hold, with a reason. */
export function LegalHoldControl({ slug, legalHold, action }: { slug: string; legalHold: boolean; action: FormAction }) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  return (
    <div>
      <form action={formAction} key={state.nonce} className="flex items-center gap-2" aria-label={`Legal hold of ${slug}`}>
        <input type="hidden" name="legalHold" value={legalHold ? 'false' : 'true'} />
        <div className="w-36 shrink-0">
          <Input name="reason" defaultValue={valueOf(state, 'reason')} placeholder="Reason" aria-label="Reason for the legal hold" />
        </div>
        <Button type="submit" size="sm" variant={legalHold ? 'secondary' : 'danger'} disabled={pending} className="whitespace-nowrap">
          {legalHold ? 'Lift hold' : 'Place hold'}
        </Button>
      </form>
      <Outcome state={state} />
    </div>
  );
}
