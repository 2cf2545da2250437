'use client';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { ProblemSummary } from '@/components/ui/problem-summary';
import { type FormControls, useForm } from '@/components/ui/use-form';
import type { ModelVersionStatus } from '@/lib/generated/prisma/enums';
import { type FormState, type FormValues, fieldError, valueOf } from '@/lib/http/form-state';
import { deprecateModelVersionInput, releaseModelVersionForm, retireModelVersionInput } from '@/lib/modules/models/schema';

type LifecycleControlsProps = {
  status: ModelVersionStatus;
  hasTechDoc: boolean;
  /** The earliest deprecation / end-of-life date the affected contracts allow (YYYY-MM-DD). */
  earliestDate: string;
  endOfLife: string | null;
  pendingRetirement: boolean;
  action: (state: FormState, form: FormData) => Promise<FormState>;
};

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** The schema the server parses each step's button with. */
const schemaFor = (values: FormValues) =>
  values.intent === 'release' ? releaseModelVersionForm : values.intent === 'deprecate' ? deprecateModelVersionInput : values.intent === 'retire' ? retireModelVersionInput : null;

const LABELS = { deprecatedAt: 'Deprecated from', endOfLifeAt: 'End of life', reason: 'Reason', note: 'Release note' };

/** The next lifecycle step of a version. Its input is checked with the server's schema; every other rule (notice periods) is the server's. */
export function LifecycleControls(props: LifecycleControlsProps) {
  const form = useForm(props.action, schemaFor);
  return <LifecycleForm key={form.key} {...props} form={form} />;
}

function LifecycleForm({ status, hasTechDoc, earliestDate, endOfLife, pendingRetirement, form: { state, pending, formProps } }: LifecycleControlsProps & { form: FormControls }) {
  const err = (path: string) => fieldError(state, path);
  // The reason field's id differs by step.
  const reasonId = status === 'RELEASED' ? 'deprecate-reason' : 'retire-reason';
  return (
    <form {...formProps} className="space-y-3">
      <ProblemSummary
        state={state}
        labels={LABELS}
        fieldId={(path) => (path === 'reason' ? reasonId : path === 'note' ? 'release-note' : path)}
        title={(problem) => (problem.affectedTenants ? 'Not enough notice for the affected contracts' : undefined)}
        detailTestId="lifecycle-problem"
      />
      {state.message && <Alert tone="success">{state.message}</Alert>}

      {status === 'DRAFT' && (
        <>
          <p className="text-sm text-slate-700">
            A draft is visible to platform staff only. Releasing it makes it available to every tenant entitled to its family; its weights digest, size and context length are then
            fixed.
          </p>
          {!hasTechDoc && <Alert tone="warning">Record the technical-documentation digest (EU AI Act Annex XI) before release.</Alert>}
          <Field id="release-note" label="Release note for the audit trail" hint="Optional." error={err('note')}>
            <Input {...describedBy('release-note', { error: err('note'), hint: true })} name="note" maxLength={1000} defaultValue={valueOf(state, 'note')} />
          </Field>
          <Button type="submit" name="intent" value="release" variant="primary" disabled={pending}>
            {pending ? 'Releasing…' : 'Release version'}
          </Button>
        </>
      )}

      {status === 'RELEASED' && (
        <>
          <p className="text-sm text-slate-700">
            Deprecation needs at least the notice period of every affected active contract: the earliest allowed date is{' '}
            <span className="font-mono font-semibold">{earliestDate}</span>.
          </p>
          <div className="grid gap-3 sm:grid-cols-2">
            <Field id="deprecatedAt" label="Deprecated from" required error={err('deprecatedAt')}>
              <Input
                {...describedBy('deprecatedAt', { error: err('deprecatedAt') })}
                type="date"
                name="deprecatedAt"
                defaultValue={valueOf(state, 'deprecatedAt', earliestDate)}
                required
              />
            </Field>
            <Field id="endOfLifeAt" label="End of life" required error={err('endOfLifeAt')}>
              <Input
                {...describedBy('endOfLifeAt', { error: err('endOfLifeAt') })}
                type="date"
                name="endOfLifeAt"
                defaultValue={valueOf(state, 'endOfLifeAt', addDays(earliestDate, 180))}
                required
              />
            </Field>
          </div>
          <Field id="deprecate-reason" label="Reason" required error={err('reason')} hint="Shown in the audit trail, e.g. “superseded by 4.2.0”.">
            <Textarea {...describedBy('deprecate-reason', { error: err('reason'), hint: true })} name="reason" rows={2} maxLength={1000} defaultValue={valueOf(state, 'reason')} />
          </Field>
          <Button type="submit" name="intent" value="deprecate" variant="secondary" disabled={pending}>
            {pending ? 'Deprecating…' : 'Deprecate version'}
          </Button>
        </>
      )}

      {status === 'DEPRECATED' && (
        <>
          <p className="text-sm text-slate-700">
            End of life: <span className="font-mono font-semibold">{endOfLife?.slice(0, 10) ?? '—'}</span>. Retiring needs a second administrator&apos;s approval and changes no
            deployment: Charter has no remote switch.
          </p>
          {pendingRetirement ? (
            <Alert tone="info">A retirement request is waiting for approval.</Alert>
          ) : (
            <>
              <Field id="retire-reason" label="Reason" required error={err('reason')}>
                <Textarea {...describedBy('retire-reason', { error: err('reason') })} name="reason" rows={2} maxLength={1000} defaultValue={valueOf(state, 'reason')} />
              </Field>
              <Button type="submit" name="intent" value="retire" variant="danger" disabled={pending}>
                {pending ? 'Requesting…' : 'Request retirement'}
              </Button>
            </>
          )}
        </>
      )}

      {status === 'RETIRED' && <p className="text-sm text-slate-700">Retired: unsupported, and no deployment can be pinned to it.</p>}
    </form>
  );
}
