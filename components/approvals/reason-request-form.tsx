'use client';

import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Field, describedBy } from '@/components/ui/field';
import { Textarea } from '@/components/ui/input';
import { ProblemSummary } from '@/components/ui/problem-summary';
import { useForm } from '@/components/ui/use-form';
import { type FormState, fieldError, valueOf } from '@/lib/http/form-state';
import { reasonOnlyRequestForm } from '@/lib/approvals/schema';

type ReasonRequestFormProps = {
  action: (state: FormState, form: FormData) => Promise<FormState>;
  submitLabel: string;
  id: string;
};

/** A four-eyes request that needs nothing but a reason (e.g. rotating the signing key); its action parses reasonOnlyRequestForm. */
export function ReasonRequestForm({ action, submitLabel, id }: ReasonRequestFormProps) {
  const { state, pending, key, formProps } = useForm(action, reasonOnlyRequestForm);
  const reasonError = fieldError(state, 'reason');
  return (
    <form key={key} {...formProps} className="space-y-3">
      <ProblemSummary state={state} labels={{ reason: 'Reason' }} fieldId={() => id} />
      {state.message && <Alert tone="success">{state.message}</Alert>}
      <Field id={id} label="Reason" required error={reasonError} hint="Shown to the approver; recorded in the audit trail.">
        <Textarea
          {...describedBy(id, { error: reasonError, hint: true })}
          name="reason"
          rows={2}
          maxLength={1000}
          required
          defaultValue={state.problem ? valueOf(state, 'reason') : ''}
        />
      </Field>
      <Button type="submit" variant="primary" disabled={pending}>
        {submitLabel}
      </Button>
    </form>
  );
}
