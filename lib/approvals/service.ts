import { db, transaction, type Prisma } from '@/lib/core/db';
import { type Ctx, personOf } from '@/lib/access/actor';
import { authorize, can } from '@/lib/access/guard';
import { tenantScope } from '@/lib/access/scope';
import { record } from '@/lib/audit/record';
import { AppError, notFound } from '@/lib/core/errors';
import type { ApprovalAction } from '@/lib/generated/prisma/enums';
import type { ApprovalDto, ListApprovalsQuery } from '@/lib/approvals/schema';
import { type Page, decodeIdCursor, encodeCursor, isUuid } from '@/lib/core/schema';
import {
  type ApprovalExecutor,
  type ApprovalExpiryScope,
  type ApprovalTarget,
  closeRequest,
  effectiveStatus,
  executionOf,
  expireStaleRequests,
  expiryCtx,
  include,
  loadApproval,
  lockRequest,
  requirePerson,
  statusWhere,
  toApprovalDto,
} from './engine';
import { APPROVAL_EXECUTORS } from './executors';

// Four-eyes control, the deciding side: approve, reject, cancel and expire requests filed through
// ./approval-engine.ts, and read them. Carrying an approved action out needs its executor, taken
// from the typed table of every action (./approval-executors.ts).

const executors: { readonly [A in ApprovalAction]: ApprovalExecutor<unknown, A> } = APPROVAL_EXECUTORS;

function executorFor(action: ApprovalAction): ApprovalExecutor<unknown> {
  return executors[action];
}

// ───────────────────────────── deciding ─────────────────────────────

type Decision = 'approve' | 'reject';

async function decide(ctx: Ctx, id: string, decision: Decision, note: string): Promise<ApprovalDto> {
  authorize(ctx.actor, 'approvals:decide');
  const outcome = await transaction(async (tx) => {
    const row = await lockRequest(tx, ctx, id);
    const decider = requirePerson(ctx.actor, 'decide an approval request');
    if (decider === row.requestedById) {
      // Also reached through a second session or an API key of the requester: both count as them.
      throw new AppError('forbidden', 'You cannot decide your own request: a different administrator must approve or reject it.', { extra: { reason: 'self_approval' } });
    }
    if (row.status !== 'PENDING') throw new AppError('invalid_transition', `This request is already ${row.status.toLowerCase()}.`, { extra: { status: row.status } });
    if (row.expiresAt <= new Date()) {
      // Marked here (as Charter, the only change this transaction makes) and committed, then refused
      // below: an expired request can never be approved.
      await closeRequest(tx, expiryCtx(), { row, executor: executorFor(row.action), outcome: 'EXPIRED', decision: { by: null, note: null } });
      return 'expired' as const;
    }
    if (decision === 'reject') {
      await closeRequest(tx, ctx, { row, executor: executorFor(row.action), outcome: 'REJECTED', decision: { by: decider, note } });
      return 'done' as const;
    }
    const executor = executorFor(row.action);
    const payload = executor.payload.parse(row.payload);
    const result = executor.redeemedByRequester ? null : ((await executor.execute(tx, ctx, executionOf(row, row.requestedBy.email, payload))) ?? null);
    const now = new Date();
    await tx.approvalRequest.update({
      where: { id: row.id },
      data: {
        status: 'APPROVED',
        decidedById: decider,
        decidedAt: now,
        decisionNote: note,
        executedAt: executor.redeemedByRequester ? null : now,
        result: result === null ? undefined : (result as Prisma.InputJsonValue),
      },
    });
    await record(tx, ctx, {
      action: 'approval.approved',
      tenantId: row.tenantId,
      target: { type: 'approval', id: row.id },
      data: { action: row.action, target: { type: row.targetType, id: row.targetId }, summary: row.summary, requestedBy: row.requestedBy.email, note, result },
    });
    return 'done' as const;
  });
  if (outcome === 'expired')
    throw new AppError('invalid_transition', 'This request has expired (72 hours passed without a decision); file a new one.', { extra: { status: 'EXPIRED' } });
  return loadApproval(id);
}

/** Approves a request of someone else and carries the action out in the same transaction. */
export function approveRequest(ctx: Ctx, id: string, note: string): Promise<ApprovalDto> {
  return decide(ctx, id, 'approve', note);
}

export function rejectRequest(ctx: Ctx, id: string, note: string): Promise<ApprovalDto> {
  return decide(ctx, id, 'reject', note);
}

/** The requester withdraws their own pending request. */
export async function cancelRequest(ctx: Ctx, id: string, note: string): Promise<ApprovalDto> {
  authorize(ctx.actor, 'approvals:read');
  await transaction(async (tx) => {
    const row = await lockRequest(tx, ctx, id);
    const person = requirePerson(ctx.actor, 'cancel an approval request');
    if (person !== row.requestedById) throw new AppError('forbidden', 'Only the requester can cancel a request; others approve or reject it.');
    if (effectiveStatus(row) !== 'PENDING') throw new AppError('invalid_transition', `This request is already ${effectiveStatus(row).toLowerCase()}.`);
    await closeRequest(tx, ctx, { row, executor: executorFor(row.action), outcome: 'CANCELLED', decision: { by: person, note } });
  });
  return loadApproval(id);
}

/**
 * For actions approved with `redeemedByRequester`: the requester carries the approved action out,
 * once, within REDEEM_TTL_MS of the approval. Call inside the transaction that performs it.
 * Returns the approved payload, which the caller must use instead of fresh input.

/**
 * Marks every pending request past its deadline EXPIRED (and runs its onClosed hook), audited as
 * Charter: the maintenance round's part (lib/runtime/maintenance.ts). See expireStaleRequests.
 */
export function expireStaleApprovals(scope: ApprovalExpiryScope = {}): Promise<number> {
  return expireStaleRequests(scope, Object.values(executors));
}

// ───────────────────────────── reading ─────────────────────────────

/** Newest first, keyset by id (uuid v7). */
export async function listApprovals(ctx: Ctx, query: ListApprovalsQuery): Promise<Page<ApprovalDto>> {
  authorize(ctx.actor, 'approvals:read');
  const now = new Date();
  const and: Prisma.ApprovalRequestWhereInput[] = [tenantScope(ctx.actor)];
  const person = personOf(ctx.actor);
  if (query.view === 'inbox') {
    // Nothing is waiting for someone who may not decide, and never one's own requests.
    if (!can(ctx.actor, 'approvals:decide') || !person) return { data: [], nextCursor: null };
    and.push(statusWhere('PENDING', now), { requestedById: { not: person } });
  } else if (query.view === 'mine') {
    if (!person) return { data: [], nextCursor: null };
    and.push({ requestedById: person });
  } else if (query.view === 'history') {
    and.push({ NOT: statusWhere('PENDING', now) });
  }
  if (query.status) and.push(statusWhere(query.status, now));
  if (query.action) and.push({ action: query.action });
  if (query.tenantId) and.push({ tenantId: query.tenantId });
  if (query.cursor) and.push({ id: { lt: decodeIdCursor(query.cursor) } });
  const rows = await db.approvalRequest.findMany({ where: { AND: and }, orderBy: { id: 'desc' }, take: query.limit + 1, include });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { data: page.map(toApprovalDto), nextCursor: rows.length > query.limit && last ? encodeCursor([last.id]) : null };
}

export async function getApproval(ctx: Ctx, id: string): Promise<ApprovalDto> {
  authorize(ctx.actor, 'approvals:read');
  const row = isUuid(id) ? await db.approvalRequest.findFirst({ where: { AND: [tenantScope(ctx.actor), { id }] }, include }) : null;
  if (!row) throw notFound('Approval request');
  return toApprovalDto(row);
}

/** Pending requests waiting for this actor's decision (dashboard badge and notifications). */
export async function countApprovalsAwaiting(ctx: Ctx): Promise<number> {
  if (!can(ctx.actor, 'approvals:decide')) return 0;
  const person = personOf(ctx.actor);
  if (!person) return 0;
  return db.approvalRequest.count({ where: { AND: [tenantScope(ctx.actor), { status: 'PENDING', expiresAt: { gt: new Date() }, requestedById: { not: person } }] } });
}

/** The pending request for an action on a target, if any (so pages can show "awaiting approval"). */
export async function findPendingApproval(ctx: Ctx, input: { action?: ApprovalAction; target: ApprovalTarget }): Promise<ApprovalDto | null> {
  authorize(ctx.actor, 'approvals:read');
  const row = await db.approvalRequest.findFirst({
    where: {
      AND: [
        tenantScope(ctx.actor),
        { targetType: input.target.type, targetId: input.target.id, status: 'PENDING', expiresAt: { gt: new Date() } },
        input.action ? { action: input.action } : {},
      ],
    },
    orderBy: { id: 'desc' },
    include,
  });
  return row ? toApprovalDto(row) : null;
}

/** Whether `ctx` may decide this request (UI hint only; decide() enforces it). */
export function canDecide(ctx: Ctx, approval: Pick<ApprovalDto, 'status' | 'requestedBy'>): boolean {
  if (!can(ctx.actor, 'approvals:decide') || approval.status !== 'PENDING') return false;
  const person = personOf(ctx.actor);
  return person !== null && person !== approval.requestedBy.id;
}
