'use server';

import { revalidatePath } from 'next/cache';
import type { CreateApiKeyState } from '@/components/api-keys/state';
import type { FormState } from '@/components/ui/form-state';
import { notFound, toProblem } from '@/lib/errors';
import { action } from '@/lib/http/action';
import { createApiKeyInput } from '@/lib/schemas/api-key';
import { decideApprovalInput } from '@/lib/schemas/approval';
import { uuid } from '@/lib/schemas/common';
import { createApiKey } from '@/lib/services/api-keys';
import { approveRequest, cancelRequest, getApproval, rejectRequest } from '@/lib/services/approvals';

// Thin adapters over lib/services/approvals. Whether the actor may decide (and never their own
// request) is the service's check, not the page's.

const MESSAGES = {
  approve: 'Approved: the action has been carried out.',
  reject: 'Rejected: nothing was changed.',
  cancel: 'Your request has been withdrawn.',
} as const;

export async function decideApprovalAction(approvalId: string, prev: FormState, form: FormData): Promise<FormState> {
  if (!uuid.safeParse(approvalId).success) return { nonce: prev.nonce + 1, problem: toProblem(notFound('Approval request')) };
  const intent = String(form.get('intent') ?? '') as keyof typeof MESSAGES;
  const note = form.get('note');
  const values = { note: typeof note === 'string' ? note : '' };
  const run =
    intent === 'approve'
      ? action({ schema: decideApprovalInput, permission: 'approvals:decide' }, (ctx, input) => approveRequest(ctx, approvalId, input.note))
      : intent === 'reject'
        ? action({ schema: decideApprovalInput, permission: 'approvals:decide' }, (ctx, input) => rejectRequest(ctx, approvalId, input.note))
        : action({ schema: decideApprovalInput, permission: 'approvals:read' }, (ctx, input) => cancelRequest(ctx, approvalId, input.note));
  const result = await run(values);
  if (!result.ok) return { nonce: prev.nonce + 1, problem: result.problem, values };
  revalidatePath('/approvals');
  revalidatePath(`/approvals/${approvalId}`);
  revalidatePath('/', 'layout');
  return { nonce: prev.nonce + 1, message: MESSAGES[intent] ?? MESSAGES.cancel };
}

/** The requester collects an approved platform key: created now, from the approved payload. */
export async function collectPlatformKeyAction(approvalId: string, prev: CreateApiKeyState): Promise<CreateApiKeyState> {
  if (!uuid.safeParse(approvalId).success) return { nonce: prev.nonce + 1, problem: toProblem(notFound('Approval request')) };
  const collect = action({ schema: createApiKeyInput, permission: 'keys:write' }, async (ctx, input) => createApiKey(ctx, input, { approvalId }));
  // The form sends nothing: the grants come from the approval (the service ignores anything else).
  const approved = await action({ schema: uuid, permission: 'approvals:read' }, (ctx, id) => getApproval(ctx, id))(approvalId);
  if (!approved.ok) return { nonce: prev.nonce + 1, problem: approved.problem };
  const result = await collect(approved.data.payload as Parameters<typeof collect>[0]);
  if (!result.ok) return { nonce: prev.nonce + 1, problem: result.problem };
  // No revalidation here: a refresh of this page would replace the one-time reveal of the secret
  // (the request now reads as collected). The key pages are rendered per request anyway.
  return { nonce: prev.nonce + 1, created: result.data };
}
