import { route } from '@/lib/http/route';
import { ApprovalPage, listApprovalsQuery } from '@/lib/approvals/schema';
import { listApprovals } from '@/lib/approvals/service';

export const GET = route(
  {
    permission: 'approvals:read',
    query: listApprovalsQuery,
    response: ApprovalPage,
    summary: 'List four-eyes approval requests (inbox, mine, history)',
    description:
      'Sensitive actions (activating or terminating a contract, changing entitlements, creating a platform API key, retiring a model version, offboarding a tenant, changing audit retention, rotating a signing key) are requests that a *different* person approves within 72 hours. An API key counts as the user who created it.',
    tags: ['Approvals'],
  },
  ({ ctx, query }) => listApprovals(ctx, query),
);
