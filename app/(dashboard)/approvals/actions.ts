'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { formAction } from '@/lib/http/action';
import type { FormState } from '@/lib/http/form-state';
import { type ApiKeyCreation, createApiKeyInput } from '@/lib/modules/api-keys/schema';
import { decideApprovalForm } from '@/lib/approvals/schema';
import { createApiKey } from '@/lib/modules/api-keys/service';
import { approveRequest, cancelRequest, getApproval, rejectRequest } from '@/lib/approvals/service';

// Thin adapters over lib/approvals/service. Whether the actor may decide (and never their own
// request) is the service's check, not the page's.

const decided = (message: string) => (_result: unknown, approvalId: string) => {
  revalidatePath('/approvals');
  revalidatePath(`/approvals/${approvalId}`);
  revalidatePath('/', 'layout');
  return { message };
};

const approve = formAction(
  { schema: decideApprovalForm, permission: 'approvals:decide', bound: ['Approval request'] },
  (ctx, input, approvalId) => approveRequest(ctx, approvalId, input.note),
  decided('Approved: the action has been carried out.'),
);

const reject = formAction(
  { schema: decideApprovalForm, permission: 'approvals:decide', bound: ['Approval request'] },
  (ctx, input, approvalId) => rejectRequest(ctx, approvalId, input.note),
  decided('Rejected: nothing was changed.'),
);

const cancel = formAction(
  { schema: decideApprovalForm, permission: 'approvals:read', bound: ['Approval request'] },
  (ctx, input, approvalId) => cancelRequest(ctx, approvalId, input.note),
  decided('Your request has been withdrawn.'),
);

/** One form, one button per decision: `intent` is "approve", "reject" or "cancel". */
export async function decideApprovalAction(approvalId: string, prev: FormState, form: FormData): Promise<FormState> {
  const intent = form.get('intent');
  return (intent === 'approve' ? approve : intent === 'reject' ? reject : cancel)(approvalId, prev, form);
}

/**
 * The requester collects an approved platform key: created now, from the approved payload. The form
 * sends nothing: the grants come from the approval (the service ignores anything else).
 */
export const collectPlatformKeyAction = formAction(
  { schema: z.object({}), permission: ['keys:write', 'approvals:read'], bound: ['Approval request'] },
  async (ctx, _input, approvalId) => {
    const approved = await getApproval(ctx, approvalId);
    return createApiKey(ctx, createApiKeyInput.parse(approved.payload), { approvalId });
  },
  // No revalidation here: a refresh of this page would replace the one-time reveal of the secret
  // (the request now reads as collected). The key pages are rendered per request anyway.
  (created): { data: ApiKeyCreation } => ({ data: { created } }),
);
