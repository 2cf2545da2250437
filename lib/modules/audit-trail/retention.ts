import { z } from 'zod';
import { db, rawPool, transaction } from '@/lib/core/db';
import type { Ctx } from '@/lib/access/actor';
import { authorize } from '@/lib/access/guard';
import { tenantScope } from '@/lib/access/scope';
import { forgetPartitions } from '@/lib/audit/append';
import { record } from '@/lib/audit/record';
import { AppError, notFound } from '@/lib/core/errors';
import { logger } from '@/lib/core/logger';
import {
  type ChangeRetentionInput,
  MAX_RETENTION_DAYS,
  MIN_RETENTION_DAYS,
  type PurgeOutcome,
  type RetentionDto,
  type SetLegalHoldInput,
} from '@/lib/modules/audit-trail/retention-schema';
import type { ApprovalDto } from '@/lib/approvals/schema';
import { approvalExecutor, requestOrPerform } from '@/lib/approvals/engine';
import { resolveAuditChain } from './export';

// Retention and legal hold. audit_events is partitioned by (chain, UTC month)
// (the audit_partitions migration), and occurredAt never decreases along a chain, so the
// partitions of a chain whose month ended before the tenant's retention cutoff hold exactly a prefix
// of its seqs. A purge — this file is the one path that removes audit rows — drops those whole
// partitions, never single rows, in two steps:
//
//   1. one transaction, under the chain lock: advance the chain's base (baseSeq = the last purged
//      seq, baseHash = its chain hash, which becomes the prevHash of every later export) and append
//      an `audit.purged` event saying what goes and why;
//   2. detach each partition (CONCURRENTLY: readers and writers of the audit log are not blocked)
//      and drop it, with its events' ids (audit_event_ids). Nothing reads below the base after
//      step 1, so a crash between the steps only leaves rows that the next purge drops.
//
// Legal hold blocks every purge of the tenant. Changing the retention period is a sensitive action
// (four-eyes, README "Contracts and four-eyes approvals"); the operator's CLI performs it directly.

const DAY_MS = 86_400_000;

const retentionPayload = z.object({
  tenantId: z.uuid(),
  retentionDays: z.number().int().min(MIN_RETENTION_DAYS).max(MAX_RETENTION_DAYS),
});

export const auditRetentionChange = approvalExecutor('AUDIT_RETENTION_CHANGE', {
  payload: retentionPayload,
  async execute(tx, ctx, { payload, approval }) {
    const before = await tx.tenant.findUnique({ where: { id: payload.tenantId }, select: { retentionDays: true } });
    if (!before) throw notFound('Tenant');
    await tx.tenant.update({ where: { id: payload.tenantId }, data: { retentionDays: payload.retentionDays } });
    await record(tx, ctx, {
      action: 'audit.retention_changed',
      tenantId: payload.tenantId,
      target: { type: 'tenant', id: payload.tenantId },
      data: {
        before: { retentionDays: before.retentionDays },
        after: { retentionDays: payload.retentionDays },
        approvalId: approval?.id ?? null,
        reason: approval?.reason ?? null,
      },
    });
    return { tenantId: payload.tenantId, retentionDays: payload.retentionDays };
  },
});

async function tenantOf(ctx: Ctx, ref: string): Promise<{ id: string; slug: string; legalName: string; retentionDays: number; legalHold: boolean }> {
  const chain = await resolveAuditChain(ctx, ref);
  if (!chain.tenantId) throw new AppError('bad_request', 'The platform chain has no retention period: it is kept.');
  const tenant = await db.tenant.findUnique({ where: { id: chain.tenantId }, select: { id: true, slug: true, legalName: true, retentionDays: true, legalHold: true } });
  if (!tenant) throw notFound('Tenant');
  return tenant;
}

function cutoffOf(retentionDays: number, now: Date): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/** Retention, legal hold and retained range of the tenants in scope, by legal name. */
export async function listRetention(ctx: Ctx, now: Date = new Date()): Promise<RetentionDto[]> {
  authorize(ctx.actor, 'audit:read');
  const tenants = await db.tenant.findMany({
    where: tenantScope(ctx.actor, 'id'),
    orderBy: [{ legalName: 'asc' }, { id: 'asc' }],
    select: { id: true, slug: true, legalName: true, retentionDays: true, legalHold: true },
  });
  const chains = await db.auditChain.findMany({ where: { id: { in: tenants.map((t) => t.id) } }, select: { id: true, baseSeq: true, lastSeq: true } });
  const byId = new Map(chains.map((c) => [c.id, c]));
  return tenants.map((t) => ({
    tenantId: t.id,
    slug: t.slug,
    legalName: t.legalName,
    retentionDays: t.retentionDays,
    legalHold: t.legalHold,
    firstSeq: Number(byId.get(t.id)?.baseSeq ?? 0n) + 1,
    lastSeq: Number(byId.get(t.id)?.lastSeq ?? 0n),
    cutoff: cutoffOf(t.retentionDays, now).toISOString(),
  }));
}

/**
 * Files the four-eyes request to change a tenant's retention (the CLI performs it at once). Needs
 * settings:write (OWNER); another person with approvals:decide approves it.
 */
export async function requestRetentionChange(
  ctx: Ctx,
  tenantRef: string,
  input: ChangeRetentionInput,
): Promise<{ kind: 'requested'; approval: ApprovalDto } | { kind: 'performed'; result: unknown }> {
  authorize(ctx.actor, 'settings:write');
  const tenant = await tenantOf(ctx, tenantRef);
  if (tenant.retentionDays === input.retentionDays) throw new AppError('invalid_transition', `The retention of ${tenant.slug} is already ${input.retentionDays} days.`);
  return requestOrPerform(ctx, {
    executor: auditRetentionChange,
    tenantId: tenant.id,
    target: { type: 'tenant', id: tenant.id },
    payload: { tenantId: tenant.id, retentionDays: input.retentionDays },
    reason: input.reason,
    summary: `Change the audit retention of ${tenant.legalName} from ${tenant.retentionDays} to ${input.retentionDays} days`,
  });
}

/** Places or lifts a legal hold: no purge touches the tenant's audit log while it holds. */
export async function setLegalHold(ctx: Ctx, tenantRef: string, input: SetLegalHoldInput): Promise<{ tenantId: string; legalHold: boolean }> {
  authorize(ctx.actor, 'settings:write');
  const tenant = await tenantOf(ctx, tenantRef);
  return transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ legal_hold: boolean }[]>`SELECT legal_hold FROM tenants WHERE id = ${tenant.id}::uuid FOR UPDATE`;
    if (row?.legal_hold === input.legalHold) throw new AppError('invalid_transition', `The legal hold of ${tenant.slug} is already ${input.legalHold ? 'on' : 'off'}.`);
    await tx.tenant.update({ where: { id: tenant.id }, data: { legalHold: input.legalHold } });
    await record(tx, ctx, {
      action: 'audit.legal_hold_changed',
      tenantId: tenant.id,
      target: { type: 'tenant', id: tenant.id },
      data: { before: { legalHold: !input.legalHold }, after: { legalHold: input.legalHold }, reason: input.reason },
    });
    return { tenantId: tenant.id, legalHold: input.legalHold };
  });
}

/** The chain's partitions with the first instant after their month, oldest first. */
async function partitionsOf(chain: string): Promise<{ name: string; end: Date }[]> {
  const key = chain.toLowerCase().replace(/[^a-z0-9]/g, '');
  const rows = await db.$queryRaw<{ name: string }[]>`
    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'audit_events'::regclass AND c.relname LIKE ${`audit_events_p_${key}_%`} ORDER BY c.relname`;
  return rows.flatMap((r) => {
    const m = /_(\d{4})(\d{2})$/.exec(r.name);
    return m ? [{ name: r.name, end: new Date(Date.UTC(Number(m[1]), Number(m[2]), 1)) }] : [];
  });
}

/**
 * Purges the audit events of one tenant (or, without `tenant`, of every tenant in scope) that are
 * past retention, in whole months. Audited; refused under legal hold; never below the chain's base.
 */
export async function purgeExpiredAuditEvents(ctx: Ctx, input: { tenant?: string; now?: Date } = {}): Promise<PurgeOutcome[]> {
  authorize(ctx.actor, 'settings:write');
  const now = input.now ?? new Date();
  const tenants = input.tenant
    ? [await tenantOf(ctx, input.tenant)]
    : await db.tenant.findMany({ where: tenantScope(ctx.actor, 'id'), select: { id: true, slug: true, legalName: true, retentionDays: true, legalHold: true } });
  const outcomes: PurgeOutcome[] = [];
  for (const tenant of tenants) outcomes.push(await purgeChain(ctx, tenant, now));
  return outcomes;
}

async function purgeChain(ctx: Ctx, tenant: { id: string; slug: string; retentionDays: number; legalHold: boolean }, now: Date): Promise<PurgeOutcome> {
  const chain = tenant.id;
  const cutoff = cutoffOf(tenant.retentionDays, now);
  const expired = (await partitionsOf(chain)).filter((p) => p.end.getTime() <= cutoff.getTime());
  const boundary = expired.at(-1)?.end ?? null;

  const outcome = await transaction(async (tx) => {
    // The tenant row and the chain head, locked: legal hold and retention cannot change meanwhile.
    const [row] = await tx.$queryRaw<{ legal_hold: boolean; retention_days: number }[]>`SELECT legal_hold, retention_days FROM tenants WHERE id = ${chain}::uuid FOR UPDATE`;
    const [head] = await tx.$queryRaw<
      { last_seq: bigint; base_seq: bigint; base_hash: string }[]
    >`SELECT last_seq, base_seq, base_hash FROM audit_chains WHERE id = ${chain} FOR UPDATE`;
    const base = { baseSeq: Number(head?.base_seq ?? 0n), baseHash: head?.base_hash ?? '0'.repeat(64) };
    const result = (status: PurgeOutcome['status'], extra: Partial<PurgeOutcome> = {}): PurgeOutcome => ({
      chain,
      label: tenant.slug,
      status,
      removed: null,
      ...base,
      partitions: [],
      ...extra,
    });
    if (row?.legal_hold) return result('legal_hold');
    if (row && row.retention_days !== tenant.retentionDays) throw new AppError('conflict', `The retention of ${tenant.slug} changed during the purge; run it again.`);
    if (!boundary || !head) return result('nothing_to_purge');

    const [last] = await tx.$queryRaw<{ seq: bigint | null; hash: string | null }[]>`
      SELECT seq, hash FROM audit_events WHERE chain = ${chain} AND occurred_at < ${boundary} ORDER BY seq DESC LIMIT 1`;
    const toSeq = last?.seq === null || last?.seq === undefined ? base.baseSeq : Number(last.seq);
    // The purged rows must be exactly seqs ..toSeq: no retained row may lie at or below it.
    const [straddling] = await tx.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM audit_events WHERE chain = ${chain} AND occurred_at >= ${boundary} AND seq <= ${toSeq}`;
    if (Number(straddling?.n ?? 0n) > 0) {
      throw new AppError('conflict', `The audit chain of ${tenant.slug} is not in time order before ${boundary.toISOString()}; it cannot be purged by month.`);
    }
    const partitions = expired.map((p) => p.name);
    if (toSeq <= base.baseSeq) return result('nothing_to_purge', { partitions });

    const newBase = { baseSeq: toSeq, baseHash: last?.hash as string };
    await tx.$executeRaw`UPDATE audit_chains SET base_seq = ${toSeq}, base_hash = ${newBase.baseHash}, updated_at = now() WHERE id = ${chain}`;
    await record(tx, ctx, {
      action: 'audit.purged',
      tenantId: chain,
      target: { type: 'audit_chain', id: chain },
      data: {
        removed: { fromSeq: base.baseSeq + 1, toSeq },
        before: { baseSeq: base.baseSeq, baseHash: base.baseHash },
        after: newBase,
        retentionDays: tenant.retentionDays,
        cutoff: cutoff.toISOString(),
        olderThan: boundary.toISOString(),
        partitions,
      },
    });
    return result('purged', { removed: { fromSeq: base.baseSeq + 1, toSeq }, ...newBase, partitions });
  });

  // Step 2 (also finishes an earlier purge that stopped after step 1).
  if (outcome.status !== 'legal_hold') {
    for (const name of outcome.partitions) await dropPartition(name);
    if (outcome.partitions.length) forgetPartitions(chain);
  }
  return outcome;
}

/** Detaches (without blocking the audit log) and drops one partition; the triggers forbid nothing here. */
async function dropPartition(name: string): Promise<void> {
  if (!/^audit_events_p_[a-z0-9]+_\d{6}$/.test(name)) throw new Error(`not an audit partition: ${name}`);
  const client = await rawPool().connect();
  try {
    const attached = await client.query(`SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass($1) AND inhparent = 'audit_events'::regclass`, [name]);
    if (attached.rowCount) {
      try {
        await client.query(`ALTER TABLE audit_events DETACH PARTITION ${name} CONCURRENTLY`);
      } catch (err) {
        // e.g. an earlier detach interrupted half-way: finish it.
        logger.warn({ partition: name, err: err instanceof Error ? err.message : String(err) }, 'concurrent detach failed; finalizing');
        await client.query(`ALTER TABLE audit_events DETACH PARTITION ${name} FINALIZE`);
      }
    }
    // The ids of its events go with it (audit_event_ids, keyed by id first: one lookup per row).
    if ((await client.query<{ t: string | null }>(`SELECT to_regclass($1) AS t`, [name])).rows[0]?.t) {
      await client.query(`DELETE FROM audit_event_ids i USING ${name} p WHERE i.id = p.id AND i.chain = p.chain`);
    }
    await client.query(`DROP TABLE IF EXISTS ${name}`);
  } finally {
    client.release();
  }
}
