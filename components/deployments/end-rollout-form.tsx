'use client';

import { useActionState } from 'react';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { type FormState, fieldError, initialFormState } from '@/components/ui/form-state';
import { Input } from '@/components/ui/input';

/** Cancel (scheduled) or roll back (in progress / completed) one rollout, with a reason. */
export function EndRolloutForm({ intent, label, action }: { intent: 'cancel' | 'rollback'; label: string; action: (state: FormState, form: FormData) => Promise<FormState> }) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  const reasonError = fieldError(state, 'reason');
  return (
    <details className="group" open={Boolean(state.problem)}>
      <summary className="cursor-pointer text-xs font-medium text-brand-700 hover:underline">{label}…</summary>
      <form key={state.nonce} action={formAction} className="mt-2 w-64 space-y-2" noValidate>
        <input type="hidden" name="intent" value={intent} />
        {state.problem && !reasonError && (
          <Alert tone="error">
            <span className="text-xs">{state.problem.detail}</span>
          </Alert>
        )}
        <label className="block text-xs font-medium text-slate-700">
          Reason
          <Input name="reason" maxLength={500} required className="mt-1 h-8" aria-invalid={reasonError ? true : undefined} />
        </label>
        {reasonError && <p className="text-xs text-red-700">{reasonError}</p>}
        <Button type="submit" size="sm" variant={intent === 'rollback' ? 'danger' : 'secondary'} disabled={pending}>
          {pending ? 'Saving…' : label}
        </Button>
      </form>
    </details>
  );
}
