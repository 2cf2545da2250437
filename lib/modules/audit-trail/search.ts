import { db, transaction } from '@/lib/core/db';
import type { Ctx } from '@/lib/access/actor';
import { authorize } from '@/lib/access/guard';
import { record } from '@/lib/audit/record';
import { canonicalEventOf } from '@/lib/audit/row';
import type { CanonicalEvent } from '@/lib/audit/chain';
import { type ExportFilter, normaliseFilter } from '@/lib/audit/export-format';
import { notFound } from '@/lib/core/errors';
import { type Page, decodeCursor, encodeCursor, invalidCursor } from '@/lib/core/schema';
import type { AuditExportFilter } from '@/lib/modules/audit-trail/export-schema';
import { logger } from '@/lib/core/logger';
import type { ListAuditEventsQuery } from '@/lib/modules/audit-trail/search-schema';
import { resolveAuditChain } from './export';
import { EVENT_COLUMNS, type EventRow, SqlParams, filterSql, queryEvents } from './query';

export type AuditEventDto = CanonicalEvent & { hash: string; eventHash: string };

/** Denied requests are audited too (README "Audit log"), in their own transaction. */
export async function recordAccessDenied(ctx: Ctx, details: { permission?: string; path?: string; reason: string }): Promise<void> {
  try {
    await transaction((tx) => record(tx, ctx, { action: 'access.denied', tenantId: ctx.actor.tenantId, target: null, data: details }));
  } catch (err) {
    // The request is refused either way; a failure to audit the refusal must still be visible.
    logger.error({ err: err instanceof Error ? err.message : String(err), requestId: ctx.request.requestId }, 'could not audit a denied request');
  }
}

/** The filter part of a search query (everything but scope and paging). */
export function filterOfQuery(query: AuditExportFilter): ExportFilter | null {
  const { action, actionGroup, actorId, actorType, from, to, targetType, targetId, ip, requestId, q } = query;
  return normaliseFilter({ action, actionGroup, actorId, actorType, from, to, targetType, targetId, ip, requestId, q });
}

/** The chain a search is confined to (null: every chain), or `none` when the scope excludes everything. */
async function searchChain(ctx: Ctx, query: { chain?: string; tenantId?: string }): Promise<string | null> {
  let chain: string | null = ctx.actor.tenantId;
  if (query.chain) chain = (await resolveAuditChain(ctx, query.chain)).chain;
  if (query.tenantId) {
    // A tenant's events are exactly its chain; another chain (or tenant scope) has none of them.
    if (chain && chain !== query.tenantId) return 'none';
    chain = query.tenantId;
  }
  return chain;
}

/**
 * Searches the audit trail, newest first. A tenant-scoped actor reads only its own tenant's chain:
 * `chain` naming any other is "not found" (as for the export), and a `tenantId` filter for another
 * tenant simply matches nothing, like the tenant filter of every other list. A platform actor reads
 * every chain unless it names one.
 *
 * Keyset order (occurredAt, chain, seq), descending: unique, and within a chain the same as seq
 * (occurredAt never decreases along a chain), so a page deep in the log costs what the first does;
 * with one chain PostgreSQL reads its newest partitions first and stops. Each event comes back
 * canonical, with its eventHash and chain hash, so a client can check it against an export.
 */
export async function listAuditEvents(ctx: Ctx, query: ListAuditEventsQuery): Promise<Page<AuditEventDto>> {
  authorize(ctx.actor, 'audit:read');
  const chain = await searchChain(ctx, query);
  if (chain === 'none') return { data: [], nextCursor: null };

  const { sql, params } = auditSearchSql(chain, query);
  const rows = await queryEvents(sql, params);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > query.limit && last ? encodeCursor([last.occurredAt.toISOString(), last.chain, last.seq.toString()]) : null;
  return { data: page.map(toAuditEventDto), nextCursor };
}

/** The search's SQL (one more row than a page, to know whether there is a next one). Exported for bench/. */
export function auditSearchSql(chain: string | null, query: ListAuditEventsQuery): { sql: string; params: SqlParams } {
  const params = new SqlParams();
  const where = [filterSql(filterOfQuery(query), params)];
  if (chain) where.unshift(`chain = ${params.add(chain)}`);
  if (query.cursor) {
    const [at, cursorChain, seq] = decodeCursor(query.cursor, 3);
    if (Number.isNaN(new Date(String(at)).getTime()) || typeof cursorChain !== 'string' || !/^\d{1,18}$/.test(String(seq))) throw invalidCursor(query.cursor);
    where.push(`(occurred_at, chain, seq) < (${params.add(String(at))}::timestamptz, ${params.add(cursorChain)}, ${params.add(String(seq))}::bigint)`);
  }
  const sql = `SELECT ${EVENT_COLUMNS} FROM audit_events WHERE ${where.join(' AND ')} ORDER BY occurred_at DESC, chain DESC, seq DESC LIMIT ${query.limit + 1}`;
  return { sql, params };
}

export function toAuditEventDto(row: EventRow): AuditEventDto {
  return { ...canonicalEventOf(row), hash: row.hash, eventHash: row.eventHash };
}

/** One event by chain (a tenant slug or id, or `platform`) and seq; outside the actor's scope it is not found. */
export async function getAuditEvent(ctx: Ctx, chainRef: string, seq: number): Promise<AuditEventDto & { chainLabel: string; firstSeq: number; lastSeq: number }> {
  authorize(ctx.actor, 'audit:read');
  const target = await resolveAuditChain(ctx, chainRef);
  const [rows, head] = await Promise.all([
    queryEvents(`SELECT ${EVENT_COLUMNS} FROM audit_events WHERE chain = $1 AND seq = $2::bigint`, [target.chain, String(seq)]),
    db.auditChain.findUnique({ where: { id: target.chain }, select: { baseSeq: true, lastSeq: true } }),
  ]);
  const row = rows[0];
  if (!row) throw notFound('Audit event');
  return { ...toAuditEventDto(row), chainLabel: target.label, firstSeq: Number(head?.baseSeq ?? 0n) + 1, lastSeq: Number(head?.lastSeq ?? 0n) };
}

/** Newest first, keyset-paginated: the audit trail of one tenant (its own chain). */
export function listTenantAuditEvents(ctx: Ctx, input: { tenantId: string; limit: number; cursor?: string }): Promise<Page<AuditEventDto>> {
  return listAuditEvents(ctx, { chain: input.tenantId, limit: input.limit, cursor: input.cursor });
}
