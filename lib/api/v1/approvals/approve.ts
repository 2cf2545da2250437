import { route } from '@/lib/http/route';
import { Approval, approvalParams, decideApprovalInput } from '@/lib/approvals/schema';
import { approveRequest } from '@/lib/approvals/service';

export const POST = route(
  {
    permission: 'approvals:decide',
    params: approvalParams,
    body: decideApprovalInput,
    response: Approval,
    status: 200,
    summary: "Approve someone else's request and carry the action out (never your own: also not through a second session or your own API key)",
    tags: ['Approvals'],
  },
  ({ ctx, params, body }) => approveRequest(ctx, params.id, body.note),
);
