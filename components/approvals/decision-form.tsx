'use client';

import { useActionState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Textarea } from '@/components/ui/input';
import { type FormState, fieldError, initialFormState, valueOf } from '@/components/ui/form-state';

type DecisionFormProps = {
  /** approve/reject for a different administrator; cancel for the requester. */
  mode: 'decide' | 'cancel';
  action: (state: FormState, form: FormData) => Promise<FormState>;
};

/** The reason is required and goes into the audit trail with the decision. */
export function DecisionForm({ mode, action }: DecisionFormProps) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  const noteError = fieldError(state, 'note');
  return (
    <form key={state.nonce} action={formAction} className="space-y-3" noValidate>
      {state.problem && !noteError && (
        <Alert tone="error" title={state.problem.title}>
          {state.problem.detail}
        </Alert>
      )}
      {state.message && <Alert tone="success">{state.message}</Alert>}
      <Field id="decision-note" label={mode === 'decide' ? 'Reason for your decision' : 'Reason for withdrawing'} required error={noteError} hint="Recorded in the audit trail.">
        <Textarea {...describedBy('decision-note', { error: noteError, hint: true })} name="note" rows={3} maxLength={1000} required defaultValue={state.problem ? valueOf(state, 'note') : ''} />
      </Field>
      <div className="flex flex-wrap gap-2">
        {mode === 'decide' ? (
          <>
            <Button type="submit" name="intent" value="approve" variant="primary" disabled={pending}>
              Approve
            </Button>
            <Button type="submit" name="intent" value="reject" variant="danger" disabled={pending}>
              Reject
            </Button>
          </>
        ) : (
          <Button type="submit" name="intent" value="cancel" variant="secondary" disabled={pending}>
            Withdraw request
          </Button>
        )}
      </div>
    </form>
  );
}
