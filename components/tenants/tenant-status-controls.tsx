'use client';

import { useActionState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button, type ButtonVariant } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Textarea } from '@/components/ui/input';
import { type FormState, fieldError, initialFormState, valueOf } from '@/components/ui/form-state';
import type { TenantStatus } from '@/lib/generated/prisma/enums';

type TenantStatusControlsProps = {
  status: TenantStatus;
  /** The statuses this tenant may move to now (TENANT_TRANSITIONS). */
  transitions: readonly TenantStatus[];
  canArchive: boolean;
  action: (state: FormState, form: FormData) => Promise<FormState>;
};

type Intent = { value: string; label: string; variant: ButtonVariant; confirm?: string };

function intentFor(from: TenantStatus, to: TenantStatus): Intent {
  switch (to) {
    case 'ACTIVE':
      return { value: 'status:ACTIVE', label: from === 'SUSPENDED' ? 'Reactivate' : 'Activate', variant: 'primary' };
    case 'SUSPENDED':
      return { value: 'status:SUSPENDED', label: 'Suspend', variant: 'secondary' };
    case 'OFFBOARDED':
      return {
        value: 'status:OFFBOARDED',
        label: 'Offboard',
        variant: 'danger',
        confirm: 'Offboarding is final: the tenant cannot be reactivated. Continue?',
      };
    default:
      return { value: `status:${to}`, label: to, variant: 'secondary' };
  }
}

/** Status changes need a reason, which goes into the audit trail with the before/after status. */
export function TenantStatusControls({ status, transitions, canArchive, action }: TenantStatusControlsProps) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  const intents = transitions.map((to) => intentFor(status, to));
  if (canArchive) {
    intents.push({
      value: 'archive',
      label: 'Archive',
      variant: 'danger',
      confirm: 'Archiving hides this tenant from lists; its records and audit trail are kept. Continue?',
    });
  }
  if (intents.length === 0) return <p className="text-sm text-slate-600">No status change is possible from here.</p>;

  const reasonError = fieldError(state, 'reason');
  return (
    <form key={state.nonce} action={formAction} className="space-y-3" noValidate>
      {state.problem && !reasonError && (
        <Alert tone="error" title={state.problem.title}>
          {state.problem.detail}
        </Alert>
      )}
      {state.message && <Alert tone="success">{state.message}</Alert>}
      <Field id="status-reason" label="Reason" required error={reasonError} hint="Recorded in the audit trail.">
        <Textarea
          {...describedBy('status-reason', { error: reasonError, hint: true })}
          name="reason"
          rows={2}
          maxLength={500}
          required
          defaultValue={state.problem ? valueOf(state, 'reason') : ''}
        />
      </Field>
      <div className="flex flex-wrap gap-2">
        {intents.map((intent) => (
          <Button
            key={intent.value}
            type="submit"
            name="intent"
            value={intent.value}
            variant={intent.variant}
            size="sm"
            disabled={pending}
            onClick={(e) => {
              if (intent.confirm && !window.confirm(intent.confirm)) e.preventDefault();
            }}
          >
            {intent.label}
          </Button>
        ))}
      </div>
    </form>
  );
}
