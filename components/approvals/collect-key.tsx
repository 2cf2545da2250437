'use client';

import { useRouter } from 'next/navigation';
import { useActionState } from 'react';
import { KeyReveal } from '@/components/api-keys/key-reveal';
import type { CreateApiKeyState } from '@/components/api-keys/state';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { initialFormState } from '@/components/ui/form-state';

const initial: CreateApiKeyState = initialFormState;

/**
 * An approved platform key is created only when its requester collects it, so that the secret is
 * shown to them alone — never to the approver — and exactly once.
 */
export function CollectKey({ action }: { action: (state: CreateApiKeyState, form: FormData) => Promise<CreateApiKeyState> }) {
  const router = useRouter();
  const [state, formAction, pending] = useActionState(action, initial);
  if (state.created) {
    return <KeyReveal secret={state.created.key} onDone={() => router.push('/api-keys')} doneLabel="Go to API keys" />;
  }
  return (
    <form action={formAction} className="space-y-3">
      {state.problem && (
        <Alert tone="error" title={state.problem.title}>
          {state.problem.detail}
        </Alert>
      )}
      <p className="text-sm text-slate-700">The key is created now, with exactly the approved name, scopes, networks and validity, and shown once.</p>
      <Button type="submit" variant="primary" disabled={pending}>
        Create and show the key
      </Button>
    </form>
  );
}
