'use client';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Textarea } from '@/components/ui/input';
import { ProblemSummary } from '@/components/ui/problem-summary';
import { useForm } from '@/components/ui/use-form';
import { type FormState, fieldError, valueOf } from '@/lib/http/form-state';
import { decideApprovalForm } from '@/lib/approvals/schema';

type DecisionFormProps = {
  /** approve/reject for a different administrator; cancel for the requester. */
  mode: 'decide' | 'cancel';
  action: (state: FormState, form: FormData) => Promise<FormState>;
};

/** The reason is required and goes into the audit trail with the decision. */
export function DecisionForm({ mode, action }: DecisionFormProps) {
  const { state, pending, key, formProps } = useForm(action, decideApprovalForm);
  const noteError = fieldError(state, 'note');
  const label = mode === 'decide' ? 'Reason for your decision' : 'Reason for withdrawing';
  return (
    <form key={key} {...formProps} className="space-y-3">
      <ProblemSummary state={state} labels={{ note: label }} fieldId={() => 'decision-note'} />
      {state.message && <Alert tone="success">{state.message}</Alert>}
      <Field id="decision-note" label={label} required error={noteError} hint="Recorded in the audit trail.">
        <Textarea
          {...describedBy('decision-note', { error: noteError, hint: true })}
          name="note"
          rows={3}
          maxLength={1000}
          required
          defaultValue={state.problem ? valueOf(state, 'note') : ''}
        />
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
