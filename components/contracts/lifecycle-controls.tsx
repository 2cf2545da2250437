'use client';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Textarea } from '@/components/ui/input';
import { ProblemSummary } from '@/components/ui/problem-summary';
import { Select } from '@/components/ui/select';
import { useForm } from '@/components/ui/use-form';
import type { ContractStatus } from '@/lib/generated/prisma/enums';
import { type FormState, type FormValues, fieldError, valueOf } from '@/lib/http/form-state';
import { requestActivationForm, requestTerminationForm } from '@/lib/modules/contracts/schema';
import { TERMINATION_REASON_OPTIONS } from './labels';

type Props = { status: ContractStatus; action: (state: FormState, form: FormData) => Promise<FormState> };

const schemaFor = (values: FormValues) => (values.intent === 'terminate' ? requestTerminationForm : requestActivationForm);

const LABELS = { reason: 'Reason', terminationReason: 'Termination reason' };

/** Activation of a draft and termination of an active contract: both four-eyes requests with a reason. */
export function LifecycleControls({ status, action }: Props) {
  const { state, pending, key, formProps } = useForm(action, schemaFor);
  const reasonError = fieldError(state, 'reason');
  if (status !== 'DRAFT' && status !== 'ACTIVE') return <p className="text-sm text-slate-600">No further status change is possible.</p>;
  return (
    <form key={key} {...formProps} className="space-y-3">
      <ProblemSummary state={state} labels={LABELS} fieldId={(path) => (path === 'reason' ? 'lifecycle-reason' : path)} />
      {state.message && <Alert tone="success">{state.message}</Alert>}
      <Field id="lifecycle-reason" label="Reason" required error={reasonError} hint="Shown to the approver; recorded in the audit trail.">
        <Textarea
          {...describedBy('lifecycle-reason', { error: reasonError, hint: true })}
          name="reason"
          rows={2}
          maxLength={1000}
          required
          defaultValue={state.problem ? valueOf(state, 'reason') : ''}
        />
      </Field>
      {status === 'ACTIVE' && (
        <Field id="terminationReason" label="Termination reason (DORA register)">
          <Select id="terminationReason" name="terminationReason" defaultValue="OTHER" options={TERMINATION_REASON_OPTIONS} />
        </Field>
      )}
      {status === 'DRAFT' ? (
        <Button type="submit" name="intent" value="activate" variant="primary" disabled={pending}>
          Request activation
        </Button>
      ) : (
        <Button
          type="submit"
          name="intent"
          value="terminate"
          variant="danger"
          disabled={pending}
          onClick={(e) => {
            if (!window.confirm('Request termination of this contract? Deployments keep their bundles and enter their grace period; nothing is shut down.')) e.preventDefault();
          }}
        >
          Request termination
        </Button>
      )}
    </form>
  );
}
