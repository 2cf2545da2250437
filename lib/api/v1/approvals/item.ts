import { route } from '@/lib/http/route';
import { Approval, approvalParams } from '@/lib/approvals/schema';
import { getApproval } from '@/lib/approvals/service';

export const GET = route({ permission: 'approvals:read', params: approvalParams, response: Approval, summary: 'Get an approval request', tags: ['Approvals'] }, ({ ctx, params }) =>
  getApproval(ctx, params.id),
);
