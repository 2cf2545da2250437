import { z } from 'zod';
import type { Ctx } from '@/lib/access/actor';
import { authorize } from '@/lib/access/guard';
import type { ApprovalDto } from '@/lib/approvals/schema';
import { approvalExecutor, requestApproval } from '@/lib/approvals/engine';
import { rotateSigningKey } from './service';

// Rotating the signing key from the UI is four-eyes (README "Contracts and four-eyes approvals"); the operator's
// CLI rotates directly (`npx charter signing-key rotate`). Either way old keys stay published.

const rotatePayload = z.object({}).strict();

export const signingKeyRotation = approvalExecutor('SIGNING_KEY_ROTATE', {
  payload: rotatePayload,
  execute: async (tx, ctx) => rotateSigningKey(ctx, tx),
});

/** Owners (settings:write) ask; a different administrator approves, and the rotation happens then. */
export async function requestSigningKeyRotation(ctx: Ctx, reason: string): Promise<ApprovalDto> {
  authorize(ctx.actor, 'settings:write');
  return requestApproval(ctx, {
    executor: signingKeyRotation,
    tenantId: null,
    target: { type: 'signing_key', id: 'active' },
    payload: {},
    reason,
    summary: 'Rotate the signing key (the current key is retired and stays published for verification)',
  });
}
