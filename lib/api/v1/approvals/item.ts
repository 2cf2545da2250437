import { route } from '@/lib/http/route';
import { Approval, approvalParams } from '@/lib/schemas/approval';
import { getApproval } from '@/lib/services/approvals';

export const GET = route(
  { permission: 'approvals:read', params: approvalParams, response: Approval, summary: 'Get an approval request', tags: ['Approvals'] },
  ({ ctx, params }) => getApproval(ctx, params.id),
);
