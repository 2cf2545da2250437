import { route } from '@/lib/http/route';
import { Approval, approvalParams, decideApprovalInput } from '@/lib/approvals/schema';
import { cancelRequest } from '@/lib/approvals/service';

export const POST = route(
  {
    permission: 'approvals:read',
    params: approvalParams,
    body: decideApprovalInput,
    response: Approval,
    status: 200,
    summary: 'Withdraw your own pending request',
    tags: ['Approvals'],
  },
  ({ ctx, params, body }) => cancelRequest(ctx, params.id, body.note),
);
