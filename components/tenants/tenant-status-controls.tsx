'use client';

import { Alert } from '@/components/ui/alert';
import { Button, type ButtonVariant } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Textarea } from '@/components/ui/input';
import { ProblemSummary } from '@/components/ui/problem-summary';
import { useForm } from '@/components/ui/use-form';
import type { TenantStatus } from '@/lib/generated/prisma/enums';
import { type FormState, type FormValues, fieldError, valueOf } from '@/lib/http/form-state';
import { archiveTenantForm, changeTenantStatusForm } from '@/lib/modules/tenants/schema';

type TenantStatusControlsProps = {
  status: TenantStatus;
  /** The statuses this tenant may move to now (TENANT_TRANSITIONS). */
  transitions: readonly TenantStatus[];
  canArchive: boolean;
  action: (state: FormState, form: FormData) => Promise<FormState>;
};

/** One button: it sends `status` (the new status) or `intent` ("archive"). */
type Intent = { name: 'status' | 'intent'; value: string; label: string; variant: ButtonVariant; confirm?: string };

function intentFor(from: TenantStatus, to: TenantStatus): Intent {
  switch (to) {
    case 'ACTIVE':
      return { name: 'status', value: 'ACTIVE', label: from === 'SUSPENDED' ? 'Reactivate' : 'Activate', variant: 'primary' };
    case 'SUSPENDED':
      return { name: 'status', value: 'SUSPENDED', label: 'Suspend', variant: 'secondary' };
    case 'OFFBOARDED':
      return {
        name: 'status',
        value: 'OFFBOARDED',
        label: 'Offboard',
        variant: 'danger',
        confirm: 'Offboarding is final: the tenant cannot be reactivated. Continue?',
      };
    default:
      return { name: 'status', value: to, label: to, variant: 'secondary' };
  }
}

/** The schema the server parses the button's submission with: archiving and offboarding take only a reason. */
const schemaFor = (values: FormValues) => (values.intent === 'archive' || values.status === 'OFFBOARDED' ? archiveTenantForm : changeTenantStatusForm);

const LABELS = { reason: 'Reason', status: 'Status' };

/** Status changes need a reason, which goes into the audit trail with the before/after status. */
export function TenantStatusControls({ status, transitions, canArchive, action }: TenantStatusControlsProps) {
  const { state, pending, key, formProps } = useForm(action, schemaFor);
  const intents = transitions.map((to) => intentFor(status, to));
  if (canArchive) {
    intents.push({
      name: 'intent',
      value: 'archive',
      label: 'Archive',
      variant: 'danger',
      confirm: 'Archiving hides this tenant from lists; its records and audit trail are kept. Continue?',
    });
  }
  if (intents.length === 0) return <p className="text-sm text-slate-600">No status change is possible from here.</p>;

  const reasonError = fieldError(state, 'reason');
  return (
    <form key={key} {...formProps} className="space-y-3">
      <ProblemSummary state={state} labels={LABELS} fieldId={(path) => (path === 'reason' ? 'status-reason' : path)} />
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
            name={intent.name}
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
