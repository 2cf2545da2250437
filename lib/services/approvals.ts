import { randomUUID } from 'node:crypto';
import { db, transaction, type Prisma, type Tx } from '@/lib/db';
import type { Ctx } from '@/lib/auth/actor';
import { authorize, can } from '@/lib/authz/guard';
import { record } from '@/lib/audit/record';
import { AppError, notFound } from '@/lib/errors';
import type { ApprovalAction } from '@/lib/generated/prisma/enums';
import type { ApprovalDto, ListApprovalsQuery } from '@/lib/schemas/approval';
import { type Page, decodeIdCursor, encodeCursor, isUuid } from '@/lib/schemas/common';
import {
  type ApprovalExecution,
  type ApprovalExecutor,
  type ApprovalRow,
  type ApprovalTarget,
  effectiveStatus,
  include,
  loadApproval,
  lockRequest,
  personOf,
  requirePerson,
  scopeWhere,
  toApprovalDto,
} from './approval-engine';
import { APPROVAL_EXECUTORS } from './approval-executors';

// Four-eyes control, the deciding side: approve, reject, cancel and expire requests filed through
// ./approval-engine.ts, and read them. Carrying an approved action out needs its executor, taken
// from the typed table of every action (./approval-executors.ts).

const executors: { readonly [A in ApprovalAction]: ApprovalExecutor<unknown, A> } = APPROVAL_EXECUTORS;

function executorFor(action: ApprovalAction): ApprovalExecutor<unknown> {
  return executors[action];
}


function executionOf(r: { payload: Prisma.JsonValue; tenantId: string | null; targetType: string; targetId: string; id: string; requestedById: string; reason: string }, requestedBy: string, payload: unknown): ApprovalExecution<unknown> {
  return {
    payload,
    tenantId: r.tenantId,
    target: { type: r.targetType, id: r.targetId },
    approval: { id: r.id, requestedById: r.requestedById, requestedBy, reason: r.reason },
  };
}

// ───────────────────────────── deciding ─────────────────────────────

/** The actor that marks lazily expired requests (nobody decided them). */
function expiryCtx(ctx?: Ctx): Ctx {
  return {
    actor: { type: 'system', id: 'charter:approval-expiry', label: 'charter (approval expiry)', tenantId: null, role: null, permissions: new Set() },
    request: ctx?.request ?? { ip: null, userAgent: null, requestId: randomUUID() },
  };
}


async function closeRequest(tx: Tx, ctx: Ctx, row: ApprovalRow, outcome: 'REJECTED' | 'CANCELLED' | 'EXPIRED', decision: { by: string | null; note: string | null }): Promise<void> {
  const executor = executorFor(row.action);
  await tx.approvalRequest.update({
    where: { id: row.id },
    data: { status: outcome, decidedById: decision.by, decidedAt: new Date(), decisionNote: decision.note },
  });
  if (executor.onClosed) {
    const payload = executor.payload.safeParse(row.payload);
    if (payload.success) await executor.onClosed(tx, ctx, { ...executionOf(row, row.requestedBy.email, payload.data), outcome });
  }
  const action = outcome === 'REJECTED' ? 'approval.rejected' : outcome === 'CANCELLED' ? 'approval.cancelled' : 'approval.expired';
  await record(tx, ctx, {
    action,
    tenantId: row.tenantId,
    target: { type: 'approval', id: row.id },
    data: { action: row.action, target: { type: row.targetType, id: row.targetId }, summary: row.summary, requestedBy: row.requestedBy.email, note: decision.note, expiredAt: outcome === 'EXPIRED' ? row.expiresAt.toISOString() : undefined },
  });
}

type Decision = 'approve' | 'reject';

async function decide(ctx: Ctx, id: string, decision: Decision, note: string): Promise<ApprovalDto> {
  authorize(ctx.actor, 'approvals:decide');
  const outcome = await transaction(async (tx) => {
    const row = await lockRequest(tx, ctx, id);
    const decider = await requirePerson(tx, ctx.actor, 'decide an approval request');
    if (decider === row.requestedById) {
      // Also reached through a second session or an API key of the requester: both count as them.
      throw new AppError('forbidden', 'You cannot decide your own request: a different administrator must approve or reject it.', { extra: { reason: 'self_approval' } });
    }
    if (row.status !== 'PENDING') throw new AppError('invalid_transition', `This request is already ${row.status.toLowerCase()}.`, { extra: { status: row.status } });
    if (row.expiresAt <= new Date()) {
      // Marked here and committed, then refused below: an expired request can never be approved.
      await closeRequest(tx, expiryCtx(ctx), row, 'EXPIRED', { by: null, note: null });
      return 'expired' as const;
    }
    if (decision === 'reject') {
      await closeRequest(tx, ctx, row, 'REJECTED', { by: decider, note });
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
  if (outcome === 'expired') throw new AppError('invalid_transition', 'This request has expired (72 hours passed without a decision); file a new one.', { extra: { status: 'EXPIRED' } });
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
    const person = await requirePerson(tx, ctx.actor, 'cancel an approval request');
    if (person !== row.requestedById) throw new AppError('forbidden', 'Only the requester can cancel a request; others approve or reject it.');
    if (effectiveStatus(row) !== 'PENDING') throw new AppError('invalid_transition', `This request is already ${effectiveStatus(row).toLowerCase()}.`);
    await closeRequest(tx, ctx, row, 'CANCELLED', { by: person, note });
  });
  return loadApproval(id);
}
/**
 * Marks pending requests past their deadline EXPIRED (and runs their onClosed hooks), audited.
 * Applied lazily before approvals are read, so no scheduler is needed; SKIP LOCKED lets concurrent
 * readers share the work instead of waiting for each other.
 */
export async function expireStaleApprovals(ctx?: Ctx): Promise<number> {
  return transaction(async (tx) => {
    const stale = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM approval_requests WHERE status = 'PENDING' AND expires_at <= now()
      ORDER BY id LIMIT 200 FOR UPDATE SKIP LOCKED`;
    const expiry = expiryCtx(ctx);
    for (const { id } of stale) {
      const row = await tx.approvalRequest.findUniqueOrThrow({ where: { id }, include });
      await closeRequest(tx, expiry, row, 'EXPIRED', { by: null, note: null });
    }
    return stale.length;
  });
}

// ───────────────────────────── reading ─────────────────────────────


/** Newest first, keyset by id (uuid v7). */
export async function listApprovals(ctx: Ctx, query: ListApprovalsQuery): Promise<Page<ApprovalDto>> {
  authorize(ctx.actor, 'approvals:read');
  await expireStaleApprovals(ctx);
  const and: Prisma.ApprovalRequestWhereInput[] = [scopeWhere(ctx.actor)];
  const person = await personOf(db, ctx.actor);
  if (query.view === 'inbox') {
    // Nothing is waiting for someone who may not decide, and never one's own requests.
    if (!can(ctx.actor, 'approvals:decide') || !person) return { data: [], nextCursor: null };
    and.push({ status: 'PENDING', expiresAt: { gt: new Date() }, requestedById: { not: person } });
  } else if (query.view === 'mine') {
    if (!person) return { data: [], nextCursor: null };
    and.push({ requestedById: person });
  } else if (query.view === 'history') {
    and.push({ status: { not: 'PENDING' } });
  }
  if (query.status) and.push({ status: query.status });
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
  const row = isUuid(id) ? await db.approvalRequest.findFirst({ where: { AND: [scopeWhere(ctx.actor), { id }] }, include }) : null;
  if (!row) throw notFound('Approval request');
  return toApprovalDto(row);
}

/** Pending requests waiting for this actor's decision (dashboard badge and notifications). */
export async function countApprovalsAwaiting(ctx: Ctx): Promise<number> {
  if (!can(ctx.actor, 'approvals:decide')) return 0;
  const person = await personOf(db, ctx.actor);
  if (!person) return 0;
  return db.approvalRequest.count({ where: { AND: [scopeWhere(ctx.actor), { status: 'PENDING', expiresAt: { gt: new Date() }, requestedById: { not: person } }] } });
}

/** The pending request for an action on a target, if any (so pages can show "awaiting approval"). */
export async function findPendingApproval(ctx: Ctx, input: { action?: ApprovalAction; target: ApprovalTarget }): Promise<ApprovalDto | null> {
  authorize(ctx.actor, 'approvals:read');
  const row = await db.approvalRequest.findFirst({
    where: { AND: [scopeWhere(ctx.actor), { targetType: input.target.type, targetId: input.target.id, status: 'PENDING', expiresAt: { gt: new Date() } }, input.action ? { action: input.action } : {}] },
    orderBy: { id: 'desc' },
    include,
  });
  return row ? toApprovalDto(row) : null;
}

/** Whether `ctx` may decide this request (UI hint only; decide() enforces it). */
export async function canDecide(ctx: Ctx, approval: Pick<ApprovalDto, 'status' | 'requestedBy'>): Promise<boolean> {
  if (!can(ctx.actor, 'approvals:decide') || approval.status !== 'PENDING') return false;
  const person = await personOf(db, ctx.actor);
  return person !== null && person !== approval.requestedBy.id;
}
