import { db, transaction, type Prisma } from '@/lib/db';
import type { Ctx } from '@/lib/auth/actor';
import { authorize } from '@/lib/authz/guard';
import { record } from '@/lib/audit/record';
import { canonicalEventOf } from '@/lib/audit/row';
import type { CanonicalEvent } from '@/lib/audit/chain';
import { type Page, decodeCursor, encodeCursor, invalidCursor, isUuid } from '@/lib/schemas/common';
import { logger } from '@/lib/logger';
import type { ListAuditEventsQuery } from '@/lib/schemas/audit-event';
import { resolveAuditChain } from './audit-export';

export type AuditEventDto = CanonicalEvent & { hash: string; eventHash: string };

/** Denied requests are audited too (DESIGN.md "Audit event"), in their own transaction. */
export async function recordAccessDenied(ctx: Ctx, details: { permission?: string; path?: string; reason: string }): Promise<void> {
  try {
    await transaction((tx) =>
      record(tx, ctx, { action: 'access.denied', tenantId: ctx.actor.tenantId, target: null, data: details }),
    );
  } catch (err) {
    // The request is refused either way; a failure to audit the refusal must still be visible.
    logger.error({ err: err instanceof Error ? err.message : String(err), requestId: ctx.request.requestId }, 'could not audit a denied request');
  }
}

/**
 * Searches the audit trail, newest first. A tenant-scoped actor reads only its own tenant's chain:
 * `chain` naming any other is "not found" (as for the export), and a `tenantId` filter for another
 * tenant simply matches nothing, like the tenant filter of every other list. A platform actor reads
 * every chain unless it names one. Within one chain the order is exact (seq); across chains it is
 * by (occurredAt, id). Each event comes back canonical, with its eventHash and chain hash, so a
 * client can check it against an export or a checkpoint.
 */
export async function listAuditEvents(ctx: Ctx, query: ListAuditEventsQuery): Promise<Page<AuditEventDto>> {
  authorize(ctx.actor, 'audit:read');
  let chain: string | undefined = ctx.actor.tenantId ?? undefined;
  if (query.chain) chain = (await resolveAuditChain(ctx, query.chain)).chain;
  if (query.tenantId) {
    // A tenant's events are exactly its chain; another chain (or tenant scope) has none of them.
    if (chain && chain !== query.tenantId) return { data: [], nextCursor: null };
    chain = query.tenantId;
  }

  const and: Prisma.AuditEventWhereInput[] = [];
  if (chain) and.push({ chain });
  if (query.action) and.push({ action: query.action });
  if (query.actorId) and.push({ actorId: query.actorId });
  if (query.targetType) and.push({ targetType: query.targetType });
  if (query.targetId) and.push({ targetId: query.targetId });
  if (query.from) and.push({ occurredAt: { gte: new Date(query.from) } });
  if (query.to) and.push({ occurredAt: { lt: new Date(query.to) } });

  if (query.cursor && chain) {
    const [seq] = decodeCursor(query.cursor, 1);
    if (!/^\d{1,18}$/.test(String(seq))) throw invalidCursor(query.cursor);
    and.push({ seq: { lt: BigInt(seq as string) } });
  } else if (query.cursor) {
    const [at, id] = decodeCursor(query.cursor, 2);
    const after = new Date(String(at));
    if (Number.isNaN(after.getTime()) || !isUuid(id)) throw invalidCursor(query.cursor);
    and.push({ OR: [{ occurredAt: { lt: after } }, { occurredAt: after, id: { lt: String(id) } }] });
  }
  const rows = await db.auditEvent.findMany({
    where: { AND: and },
    orderBy: chain ? [{ seq: 'desc' }] : [{ occurredAt: 'desc' }, { id: 'desc' }],
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  let nextCursor: string | null = null;
  if (rows.length > query.limit && last) {
    nextCursor = chain ? encodeCursor([last.seq.toString()]) : encodeCursor([last.occurredAt.toISOString(), last.id]);
  }
  return { data: page.map((r) => ({ ...canonicalEventOf(r), hash: r.hash, eventHash: r.eventHash })), nextCursor };
}

/** Newest first, keyset-paginated by seq: the audit trail of one tenant (its own chain). */
export function listTenantAuditEvents(ctx: Ctx, input: { tenantId: string; limit: number; cursor?: string }): Promise<Page<AuditEventDto>> {
  return listAuditEvents(ctx, { chain: input.tenantId, limit: input.limit, cursor: input.cursor });
}
