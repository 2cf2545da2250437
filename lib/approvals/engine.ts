import type { z } from 'zod';
import { db, Prisma, transaction, type Tx } from '@/lib/core/db';
import { type Actor, type Ctx, personOf } from '@/lib/access/actor';
import { charterCtx } from '@/lib/access/system';
import { tenantScope } from '@/lib/access/scope';
import { record } from '@/lib/audit/record';
import { AppError, notFound } from '@/lib/core/errors';
import type { ApprovalAction, ApprovalStatus } from '@/lib/generated/prisma/enums';
import type { ApprovalDto } from '@/lib/approvals/schema';
import { isUuid } from '@/lib/core/schema';

// Four-eyes control, the requesting side. A sensitive action is not carried out by the service
// that receives it: that service calls requestApproval() (or requestOrPerform()) with the action's
// executor, and the action runs — through the same executor — inside the transaction in which a
// *different* person approves (./approvals.ts, which finds the executor in the typed table of
// ./approval-executors.ts). Expiry runs here too, with the executors the caller names.
//
// Who is "a person": a signed-in user, or an API key counted as the user who created it, so neither
// a second session nor a key of the same user can approve that user's request. Keys made by the
// CLI have no human behind them and can neither request nor decide. The CLI itself (system actor)
// is the operator's tool and is not subject to four-eyes: services call performWithoutApproval().
//
// To make an action four-eyes: define its executor with approvalExecutor() in your service module,
// add it to the table in ./approval-executors.ts (the table does not compile without it), and pass
// it to requestApproval() or requestOrPerform(). This file imports no executor, so the services can
// import it while the table imports them.

/** How long a request may wait for a decision. */
export const APPROVAL_TTL_MS = 72 * 3_600_000;
/** How long the requester has to collect the result of an approval that they redeem themselves. */
export const REDEEM_TTL_MS = 72 * 3_600_000;

export type ApprovalTarget = { type: string; id: string };

/** What an executor gets: the payload (validated by its schema) and who asked and approved. */
export type ApprovalExecution<P> = {
  payload: P;
  tenantId: string | null;
  target: ApprovalTarget;
  /** null when the operator's CLI carries the action out directly (no four-eyes). */
  approval: { id: string; requestedById: string; requestedBy: string; reason: string } | null;
};

/**
 * How one approvable action is checked and carried out. The hooks are declared as methods so that
 * an executor of a specific payload fits the table's ApprovalExecutor<unknown>: the engine only
 * ever passes a payload that `payload` has parsed.
 */
export type ApprovalExecutor<P, A extends ApprovalAction = ApprovalAction> = {
  readonly action: A;
  /** Validates the payload when the request is made and again before it is carried out. */
  readonly payload: z.ZodType<P>;
  /**
   * Optional, at request time, in the request's transaction: check preconditions (throw AppError
   * to refuse) and mark the target (e.g. a contract becomes PENDING_APPROVAL).
   */
  prepare?(tx: Tx, ctx: Ctx, execution: ApprovalExecution<P>): Promise<void>;
  /** Carries the action out in the approving transaction; the return value is stored (never a secret). */
  execute(tx: Tx, ctx: Ctx, execution: ApprovalExecution<P>): Promise<unknown>;
  /** Optional: undo prepare() when the request is rejected, cancelled or expires. */
  onClosed?(tx: Tx, ctx: Ctx, execution: ApprovalExecution<P> & { outcome: 'REJECTED' | 'CANCELLED' | 'EXPIRED' }): Promise<void>;
  /**
   * True when approval only authorises and the requester carries the action out later with
   * redeemApproval() (e.g. a platform API key, whose secret only the requester may see).
   */
  readonly redeemedByRequester?: boolean;
};

/** Defines the executor of `action`; the payload type is taken from its schema. */
export function approvalExecutor<P, A extends ApprovalAction>(action: A, executor: Omit<ApprovalExecutor<P, A>, 'action'>): ApprovalExecutor<P, A> {
  return { action, ...executor };
}

// ───────────────────────────── who is asking ─────────────────────────────

export function requirePerson(actor: Actor, doing: string): string {
  const person = personOf(actor);
  if (!person) throw new AppError('forbidden', `Only a person (a user, or an API key created by one) can ${doing}.`);
  return person;
}

// ───────────────────────────── DTO ─────────────────────────────

export const include = {
  tenant: { select: { id: true, slug: true, legalName: true } },
  requestedBy: { select: { id: true, email: true, name: true } },
  decidedBy: { select: { id: true, email: true, name: true } },
} satisfies Prisma.ApprovalRequestInclude;

export type ApprovalRow = Prisma.ApprovalRequestGetPayload<{ include: typeof include }>;

/**
 * A pending request past its deadline is EXPIRED, whether or not the maintenance round has marked
 * it so yet: reads compute it, so nothing depends on the round having run.
 */
export function effectiveStatus(r: { status: ApprovalStatus; expiresAt: Date }, now = new Date()): ApprovalStatus {
  return r.status === 'PENDING' && r.expiresAt <= now ? 'EXPIRED' : r.status;
}

/** The rows whose effective status is `status` (the filter form of effectiveStatus). */
export function statusWhere(status: ApprovalStatus, now: Date): Prisma.ApprovalRequestWhereInput {
  if (status === 'PENDING') return { status: 'PENDING', expiresAt: { gt: now } };
  if (status === 'EXPIRED') return { OR: [{ status: 'EXPIRED' }, { status: 'PENDING', expiresAt: { lte: now } }] };
  return { status };
}

export function toApprovalDto(r: ApprovalRow): ApprovalDto {
  return {
    id: r.id,
    action: r.action,
    status: effectiveStatus(r),
    tenantId: r.tenantId,
    tenant: r.tenant,
    target: { type: r.targetType, id: r.targetId },
    summary: r.summary,
    payload: r.payload,
    reason: r.reason,
    requestedBy: r.requestedBy,
    requestedAt: r.requestedAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    decidedBy: r.decidedBy,
    decidedAt: r.decidedAt?.toISOString() ?? null,
    decisionNote: r.decisionNote,
    executedAt: r.executedAt?.toISOString() ?? null,
    result: r.result,
  };
}

export function executionOf(
  r: { payload: Prisma.JsonValue; tenantId: string | null; targetType: string; targetId: string; id: string; requestedById: string; reason: string },
  requestedBy: string,
  payload: unknown,
): ApprovalExecution<unknown> {
  return {
    payload,
    tenantId: r.tenantId,
    target: { type: r.targetType, id: r.targetId },
    approval: { id: r.id, requestedById: r.requestedById, requestedBy, reason: r.reason },
  };
}

// ───────────────────────────── requesting ─────────────────────────────

export type RequestApprovalInput<P> = {
  executor: ApprovalExecutor<P>;
  tenantId: string | null;
  target: ApprovalTarget;
  payload: P;
  reason: string;
  /** One line for the inbox, e.g. "Activate contract C-2026-001 (Nordhavn Bank)". */
  summary: string;
};

/**
 * Files a four-eyes request. The caller has already checked the permission the action itself
 * needs (e.g. contracts:write). At most one request per action and target may be pending.
 */
export async function requestApproval<P>(ctx: Ctx, input: RequestApprovalInput<P>): Promise<ApprovalDto> {
  const { executor } = input;
  const action = executor.action;
  const payload = executor.payload.parse(input.payload);
  // A lapsed request for this action on this target may still hold the mark its prepare() set (a
  // contract frozen in PENDING_APPROVAL): persist its expiry first, as Charter, so its onClosed()
  // lifts the mark. Lapsed requests of other actions are the maintenance round's (they hold no mark
  // that this request depends on, and reads treat them as expired already).
  await expireStaleRequests({ target: input.target }, [executor]);
  const id = await transaction(async (tx) => {
    const requestedById = requirePerson(ctx.actor, 'request a sensitive action');
    // Serialises requests for one target, so two admins cannot file the same request twice.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`approval:${action}:${input.target.type}:${input.target.id}`}))`;
    const open = await tx.approvalRequest.findFirst({
      where: { action, targetType: input.target.type, targetId: input.target.id, status: 'PENDING', expiresAt: { gt: new Date() } },
      select: { id: true },
    });
    if (open) throw new AppError('conflict', 'A request for this action is already waiting for approval.', { extra: { approvalId: open.id } });
    const execution: ApprovalExecution<P> = { payload, tenantId: input.tenantId, target: input.target, approval: null };
    if (executor.prepare) await executor.prepare(tx, ctx, execution);
    const now = new Date();
    const row = await tx.approvalRequest.create({
      data: {
        action,
        tenantId: input.tenantId,
        targetType: input.target.type,
        targetId: input.target.id,
        payload: payload as Prisma.InputJsonValue,
        reason: input.reason,
        summary: input.summary,
        requestedById,
        requestedAt: now,
        expiresAt: new Date(now.getTime() + APPROVAL_TTL_MS),
      },
    });
    await record(tx, ctx, {
      action: 'approval.requested',
      tenantId: input.tenantId,
      target: { type: 'approval', id: row.id },
      data: { action, target: input.target, summary: input.summary, reason: input.reason, payload, expiresAt: row.expiresAt.toISOString() },
    });
    return row.id;
  });
  return loadApproval(id);
}

/**
 * Carries a sensitive action out at once, without four-eyes: only for the operator's CLI (the
 * system actor, README "The CLI"). Runs the same executor, in the caller's transaction.
 */
export async function performWithoutApproval<P>(tx: Tx, ctx: Ctx, input: Omit<RequestApprovalInput<P>, 'reason' | 'summary'>): Promise<unknown> {
  if (ctx.actor.type !== 'system') throw new AppError('forbidden', 'This action needs four-eyes approval.');
  const { executor } = input;
  const execution: ApprovalExecution<P> = { payload: executor.payload.parse(input.payload), tenantId: input.tenantId, target: input.target, approval: null };
  if (executor.prepare) await executor.prepare(tx, ctx, execution);
  return executor.execute(tx, ctx, execution);
}

export type RequestOrPerformResult = { kind: 'requested'; approval: ApprovalDto } | { kind: 'performed'; result: unknown };

/** The CLI (system actor) performs at once; everyone else files a four-eyes request. */
export async function requestOrPerform<P>(ctx: Ctx, input: RequestApprovalInput<P>): Promise<RequestOrPerformResult> {
  if (ctx.actor.type === 'system') {
    const result = await transaction((tx) => performWithoutApproval(tx, ctx, input));
    return { kind: 'performed', result };
  }
  return { kind: 'requested', approval: await requestApproval(ctx, input) };
}

// ───────────────────────────── closing ─────────────────────────────

/** Who marks a request EXPIRED: Charter itself (nobody decided it), never the user who noticed. */
export const expiryCtx = (): Ctx => charterCtx('approval-expiry');

/** Locks a request row for a decision; another tenant's (or a missing) request is not found. */
export async function lockRequest(tx: Tx, ctx: Ctx, id: string): Promise<ApprovalRow> {
  if (!isUuid(id)) throw notFound('Approval request');
  await tx.$queryRaw`SELECT id FROM approval_requests WHERE id = ${id}::uuid FOR UPDATE`;
  const row = await tx.approvalRequest.findFirst({ where: { AND: [tenantScope(ctx.actor), { id }] }, include });
  if (!row) throw notFound('Approval request');
  return row;
}

/** Closes a request as `outcome`, running `executor`'s onClosed (the executor of the row's action). */
export async function closeRequest(
  tx: Tx,
  ctx: Ctx,
  input: { row: ApprovalRow; executor: ApprovalExecutor<unknown>; outcome: 'REJECTED' | 'CANCELLED' | 'EXPIRED'; decision: { by: string | null; note: string | null } },
): Promise<void> {
  const { row, executor, outcome, decision } = input;
  if (executor.action !== row.action) throw new Error(`closing a ${row.action} request with the ${executor.action} executor`);
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
    data: {
      action: row.action,
      target: { type: row.targetType, id: row.targetId },
      summary: row.summary,
      requestedBy: row.requestedBy.email,
      note: decision.note,
      expiredAt: outcome === 'EXPIRED' ? row.expiresAt.toISOString() : undefined,
    },
  });
}

/**
 * For actions approved with `redeemedByRequester`: the requester carries the approved action out,
 * once, within REDEEM_TTL_MS of the approval. Call inside the transaction that performs it.
 * Returns the approved payload, which the caller must use instead of fresh input.
 */
export async function redeemApproval<P>(tx: Tx, ctx: Ctx, input: { id: string; executor: ApprovalExecutor<P> }): Promise<P> {
  const row = await lockRequest(tx, ctx, input.id);
  const person = requirePerson(ctx.actor, 'use an approval');
  if (row.action !== input.executor.action) throw notFound('Approval request');
  if (person !== row.requestedById) throw new AppError('forbidden', 'Only the requester can use this approval.');
  if (row.status !== 'APPROVED') throw new AppError('invalid_transition', `This request is ${effectiveStatus(row).toLowerCase()}, not approved.`);
  if (row.executedAt) throw new AppError('invalid_transition', 'This approval has already been used.');
  if (!row.decidedAt || row.decidedAt.getTime() + REDEEM_TTL_MS <= Date.now()) throw new AppError('invalid_transition', 'This approval was not used in time; file a new request.');
  await tx.approvalRequest.update({ where: { id: row.id }, data: { executedAt: new Date() } });
  return input.executor.payload.parse(row.payload);
}

/** Which pending requests past their deadline a call marks (default: all of them). */
export type ApprovalExpiryScope = {
  /** Only these tenants' requests, and the platform's (tenant null) when `platform` is true. */
  tenants?: { ids: string[]; platform: boolean };
  /** Only the requests about this object (a write path about to change it). */
  target?: ApprovalTarget;
};

const EXPIRY_BATCH = 200;

/**
 * Marks pending requests of the executors' actions past their deadline EXPIRED (and runs their
 * onClosed hooks), audited as Charter. ./approvals.ts expireStaleApprovals passes every executor. Run by the maintenance round (lib/runtime/maintenance.ts), and for one target by a write
 * path about to act on it; reads never call it (they compute the effective status). The round skips
 * rows another transaction holds (SKIP LOCKED), so instances share the work; a write path waits for
 * them, so that it sees the request closed.
 */
export async function expireStaleRequests(scope: ApprovalExpiryScope, executors: readonly ApprovalExecutor<unknown>[]): Promise<number> {
  const byAction = new Map<ApprovalAction, ApprovalExecutor<unknown>>(executors.map((x) => [x.action, x]));
  const actions = Prisma.sql`AND action::text = ANY(${[...byAction.keys()]}::text[])`;
  const tenants = scope.tenants ? Prisma.sql`AND (tenant_id = ANY(${scope.tenants.ids}::uuid[]) OR (${scope.tenants.platform} AND tenant_id IS NULL))` : Prisma.empty;
  const target = scope.target ? Prisma.sql`AND target_type = ${scope.target.type} AND target_id = ${scope.target.id}` : Prisma.empty;
  const lock = scope.target ? Prisma.sql`FOR UPDATE` : Prisma.sql`FOR UPDATE SKIP LOCKED`;
  let total = 0;
  for (;;) {
    const expired = await transaction(async (tx) => {
      const stale = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM approval_requests WHERE status = 'PENDING' AND expires_at <= now() ${actions} ${tenants} ${target}
        ORDER BY id LIMIT ${EXPIRY_BATCH} ${lock}`;
      const ctx = expiryCtx();
      for (const { id } of stale) {
        const row = await tx.approvalRequest.findUniqueOrThrow({ where: { id }, include });
        const executor = byAction.get(row.action);
        if (executor) await closeRequest(tx, ctx, { row, executor, outcome: 'EXPIRED', decision: { by: null, note: null } });
      }
      return stale.length;
    });
    total += expired;
    if (expired < EXPIRY_BATCH) return total;
  }
}

/**
 * The targets of `action` whose pending request has passed its deadline but is not marked EXPIRED
 * yet (so their services can read them as the request's closing would leave them).
 */
export async function findLapsedRequestTargets(client: Tx | typeof db, input: { action: ApprovalAction; targetType: string; targetIds?: string[] }): Promise<Set<string>> {
  const rows = await client.approvalRequest.findMany({
    where: {
      action: input.action,
      targetType: input.targetType,
      status: 'PENDING',
      expiresAt: { lte: new Date() },
      ...(input.targetIds ? { targetId: { in: input.targetIds } } : {}),
    },
    select: { targetId: true },
  });
  return new Set(rows.map((r) => r.targetId));
}

export async function loadApproval(id: string): Promise<ApprovalDto> {
  return toApprovalDto(await db.approvalRequest.findUniqueOrThrow({ where: { id }, include }));
}
