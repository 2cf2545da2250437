'use server';

import { revalidatePath } from 'next/cache';
import type { FormState } from '@/components/ui/form-state';
import { action, formDataToObject } from '@/lib/http/action';
import { changeRetentionInput, setLegalHoldInput } from '@/lib/schemas/audit-retention';
import { requestRetentionChange, setLegalHold } from '@/lib/services/audit-retention';

// Thin adapters for the retention page: parse the form, one service call through action().

export async function changeRetentionAction(tenantSlug: string, prev: FormState, form: FormData): Promise<FormState> {
  const values = formDataToObject(form);
  const change = action({ schema: changeRetentionInput, permission: 'settings:write' }, (ctx, input) => requestRetentionChange(ctx, tenantSlug, input));
  const result = await change(values as never);
  if (!result.ok) return { nonce: prev.nonce + 1, problem: result.problem, values };
  revalidatePath('/audit/retention');
  const message =
    result.data.kind === 'requested'
      ? 'Requested: another administrator must approve the change (Approvals) within 72 hours.'
      : 'Retention changed.';
  return { nonce: prev.nonce + 1, message };
}

export async function setLegalHoldAction(tenantSlug: string, prev: FormState, form: FormData): Promise<FormState> {
  const values = formDataToObject(form);
  const set = action({ schema: setLegalHoldInput, permission: 'settings:write' }, (ctx, input) => setLegalHold(ctx, tenantSlug, input));
  const result = await set(values as never);
  if (!result.ok) return { nonce: prev.nonce + 1, problem: result.problem, values };
  revalidatePath('/audit/retention');
  return { nonce: prev.nonce + 1, message: result.data.legalHold ? 'Legal hold placed: nothing is purged until it is lifted.' : 'Legal hold lifted.' };
}
