'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import type { FormState } from '@/components/ui/form-state';
import { action } from '@/lib/http/action';
import { approvalReason } from '@/lib/schemas/approval';
import { requestSigningKeyRotation } from '@/lib/services/signing-key-rotation';

const rotateInput = z.object({ reason: approvalReason });

/** From the UI, rotation is a four-eyes request (the CLI rotates directly). */
export async function requestRotationAction(prev: FormState, form: FormData): Promise<FormState> {
  const reason = form.get('reason');
  const values = { reason: typeof reason === 'string' ? reason : '' };
  const result = await action({ schema: rotateInput, permission: 'settings:write' }, (ctx, input) => requestSigningKeyRotation(ctx, input.reason))(values);
  if (!result.ok) return { nonce: prev.nonce + 1, problem: result.problem, values };
  revalidatePath('/settings/signing-keys');
  revalidatePath('/approvals');
  return { nonce: prev.nonce + 1, message: 'Rotation requested: a second administrator must approve it in Approvals within 72 hours.' };
}
