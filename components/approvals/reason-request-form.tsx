'use client';

import { useActionState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Textarea } from '@/components/ui/input';
import { type FormState, fieldError, initialFormState, valueOf } from '@/components/ui/form-state';

/** A four-eyes request that needs nothing but a reason (e.g. rotating the signing key). */
export function ReasonRequestForm({ action, submitLabel, id }: { action: (state: FormState, form: FormData) => Promise<FormState>; submitLabel: string; id: string }) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  const reasonError = fieldError(state, 'reason');
  return (
    <form key={state.nonce} action={formAction} className="space-y-3" noValidate>
      {state.problem && !reasonError && (
        <Alert tone="error" title={state.problem.title}>
          {state.problem.detail}
        </Alert>
      )}
      {state.message && <Alert tone="success">{state.message}</Alert>}
      <Field id={id} label="Reason" required error={reasonError} hint="Shown to the approver; recorded in the audit trail.">
        <Textarea {...describedBy(id, { error: reasonError, hint: true })} name="reason" rows={2} maxLength={1000} required defaultValue={state.problem ? valueOf(state, 'reason') : ''} />
      </Field>
      <Button type="submit" variant="primary" disabled={pending}>
        {submitLabel}
      </Button>
    </form>
  );
}
