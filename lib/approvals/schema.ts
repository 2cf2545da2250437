import { z } from 'zod';
import { ApprovalAction, ApprovalStatus } from '@/lib/generated/prisma/enums';
import { approvalReason, blankAsText, pageOf, pageQuery, required, timestamp } from '@/lib/core/schema';

// Four-eyes approval requests (README "Contracts and four-eyes approvals"): a sensitive action requested by one
// person and carried out only when a different person approves it within 72 hours.

export const approvalParams = z.object({ id: z.uuid('must be an approval request id (UUID)') });

/** Which requests a list shows: waiting for me, asked by me, decided/closed, or everything in scope. */
export const APPROVAL_VIEWS = ['inbox', 'mine', 'history', 'all'] as const;
export type ApprovalView = (typeof APPROVAL_VIEWS)[number];

export const listApprovalsQuery = pageQuery.extend({
  view: z.enum(APPROVAL_VIEWS).default('all').meta({
    description:
      '`inbox`: pending requests of others that you may decide; `mine`: your own requests; `history`: decided, expired and cancelled requests; `all`: everything in scope.',
  }),
  status: z.enum(ApprovalStatus).optional(),
  action: z.enum(ApprovalAction).optional(),
  tenantId: z.uuid().optional(),
});
export type ListApprovalsQuery = z.infer<typeof listApprovalsQuery>;

const note = z.string(required).trim().min(3, 'give a reason of at least 3 characters').max(1000);

export const decideApprovalInput = z.object({ note }).meta({ id: 'DecideApprovalInput' });
export type DecideApprovalInput = z.infer<typeof decideApprovalInput>;
export const decideApprovalForm = blankAsText(decideApprovalInput, 'note');

/** What every sensitive request carries besides its action-specific payload. */
export { approvalReason };

/** A four-eyes request that carries nothing but its reason (from the UI: rotating the signing key). */
export const reasonOnlyRequestInput = z.object({ reason: approvalReason });
export const reasonOnlyRequestForm = blankAsText(reasonOnlyRequestInput, 'reason');

const person = z.object({ id: z.uuid(), email: z.string(), name: z.string() });

export const Approval = z
  .object({
    id: z.uuid(),
    action: z.enum(ApprovalAction),
    status: z.enum(ApprovalStatus).meta({ description: 'A pending request past `expiresAt` is EXPIRED and can no longer be approved.' }),
    tenantId: z.uuid().nullable(),
    tenant: z.object({ id: z.uuid(), slug: z.string(), legalName: z.string() }).nullable(),
    target: z.object({ type: z.string(), id: z.string() }),
    summary: z.string(),
    payload: z.unknown().meta({ description: 'The action-specific details, exactly as they will be carried out.' }),
    reason: z.string(),
    requestedBy: person,
    requestedAt: timestamp,
    expiresAt: timestamp,
    decidedBy: person.nullable(),
    decidedAt: timestamp.nullable(),
    decisionNote: z.string().nullable(),
    executedAt: timestamp.nullable().meta({ description: 'When the approved action was carried out (for a platform API key: when the requester collected it).' }),
    result: z.unknown().nullable(),
  })
  .meta({ id: 'Approval' });
export type ApprovalDto = z.infer<typeof Approval>;

export const ApprovalPage = pageOf(Approval).meta({ id: 'ApprovalPage' });
