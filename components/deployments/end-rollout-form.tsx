'use client';

import { useId } from 'react';
import { Button } from '@/components/ui/button';
import { FieldError } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { ProblemSummary } from '@/components/ui/problem-summary';
import { useForm } from '@/components/ui/use-form';
import { type FormState, fieldError } from '@/lib/http/form-state';
import { endRolloutInput } from '@/lib/modules/rollouts/schema';

/** Cancel (scheduled) or roll back (in progress / completed) one rollout, with a reason. */
export function EndRolloutForm({ intent, label, action }: { intent: 'cancel' | 'rollback'; label: string; action: (state: FormState, form: FormData) => Promise<FormState> }) {
  const { state, pending, key, formProps } = useForm(action, endRolloutInput);
  // One form per rollout row: the reason's id must be unique on the page.
  const id = `${useId()}-reason`;
  const reasonError = fieldError(state, 'reason');
  return (
    <details className="group" open={Boolean(state.problem)}>
      <summary className="cursor-pointer text-xs font-medium text-brand-700 hover:underline">{label}…</summary>
      <form key={key} {...formProps} className="mt-2 w-64 space-y-2">
        <input type="hidden" name="intent" value={intent} />
        <ProblemSummary state={state} labels={{ reason: 'Reason' }} fieldId={() => id} compact />
        <label className="block text-xs font-medium text-slate-700" htmlFor={id}>
          Reason
        </label>
        <Input
          id={id}
          name="reason"
          maxLength={500}
          required
          className="h-8"
          aria-invalid={reasonError ? true : undefined}
          aria-describedby={reasonError ? `${id}-error` : undefined}
        />
        <FieldError id={id} error={reasonError} />
        <Button type="submit" size="sm" variant={intent === 'rollback' ? 'danger' : 'secondary'} disabled={pending}>
          {pending ? 'Saving…' : label}
        </Button>
      </form>
    </details>
  );
}
