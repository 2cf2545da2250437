'use client';

import { useActionState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { type FormState, fieldError, initialFormState, valueOf } from '@/components/ui/form-state';
import { Input, Textarea } from '@/components/ui/input';
import type { ModelVersionStatus } from '@/lib/generated/prisma/enums';

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

/** The next lifecycle step of a version. Every rule is the server's; this form only shows its answer. */
export function LifecycleControls(props: LifecycleControlsProps) {
  const [state, formAction, pending] = useActionState(props.action, initialFormState);
  return <LifecycleForm key={state.nonce} {...props} state={state} formAction={formAction} pending={pending} />;
}

function LifecycleForm({
  status,
  hasTechDoc,
  earliestDate,
  endOfLife,
  pendingRetirement,
  state,
  formAction,
  pending,
}: LifecycleControlsProps & { state: FormState; formAction: (form: FormData) => void; pending: boolean }) {
  const err = (path: string) => fieldError(state, path);
  const problem = state.problem;
  const showProblem = problem && !(problem.errors?.length && problem.errors.every((e) => e.path === 'reason'));
  return (
    <form action={formAction} className="space-y-3" noValidate>
      {showProblem && (
        <Alert tone="error" title={problem.affectedTenants ? 'Not enough notice for the affected contracts' : problem.title}>
          <p data-testid="lifecycle-problem">{problem.detail}</p>
        </Alert>
      )}
      {state.message && <Alert tone="success">{state.message}</Alert>}

      {status === 'DRAFT' && (
        <>
          <p className="text-sm text-slate-700">
            A draft is visible to platform staff only. Releasing it makes it available to every tenant entitled to its family; its weights digest, size and
            context length are then fixed.
          </p>
          {!hasTechDoc && <Alert tone="warning">Record the technical-documentation digest (EU AI Act Annex XI) before release.</Alert>}
          <Field id="release-note" label="Release note for the audit trail" hint="Optional.">
            <Input {...describedBy('release-note', { hint: true })} name="note" maxLength={1000} defaultValue={valueOf(state, 'note')} />
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
            End of life: <span className="font-mono font-semibold">{endOfLife?.slice(0, 10) ?? '—'}</span>. Retiring needs a second administrator&apos;s approval and
            changes no deployment: Charter has no remote switch.
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
