import { route } from '@/lib/http/route';
import { Approval, approvalParams, decideApprovalInput } from '@/lib/approvals/schema';
import { rejectRequest } from '@/lib/approvals/service';

export const POST = route(
  {
    permission: 'approvals:decide',
    params: approvalParams,
    body: decideApprovalInput,
    response: Approval,
    status: 200,
    summary: "Reject someone else's request, with a reason",
    tags: ['Approvals'],
  },
  ({ ctx, params, body }) => rejectRequest(ctx, params.id, body.note),
);
