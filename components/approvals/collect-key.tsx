'use client';

import { useRouter } from 'next/navigation';
import { KeyReveal } from '@/components/api-keys/key-reveal';
import { Button } from '@/components/ui/button';
import { ProblemSummary } from '@/components/ui/problem-summary';
import { useForm } from '@/components/ui/use-form';
import type { FormState } from '@/lib/http/form-state';
import type { ApiKeyCreation } from '@/lib/modules/api-keys/schema';

/**
 * An approved platform key is created only when its requester collects it, so that the secret is
 * shown to them alone — never to the approver — and exactly once.
 */
export function CollectKey({ action }: { action: (state: FormState<ApiKeyCreation>, form: FormData) => Promise<FormState<ApiKeyCreation>> }) {
  const router = useRouter();
  // The form has no fields: the grants come from the approved request.
  const { state, pending, formProps } = useForm(action);
  if (state.data && 'created' in state.data) {
    return <KeyReveal secret={state.data.created.key} onDone={() => router.push('/api-keys')} doneLabel="Go to API keys" />;
  }
  return (
    <form {...formProps} className="space-y-3">
      <ProblemSummary state={state} />
      <p className="text-sm text-slate-700">The key is created now, with exactly the approved name, scopes, networks and validity, and shown once.</p>
      <Button type="submit" variant="primary" disabled={pending}>
        Create and show the key
      </Button>
    </form>
  );
}
