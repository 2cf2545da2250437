import { db, transaction } from '@/lib/db';
import type { Ctx } from '@/lib/auth/actor';
import { authorize } from '@/lib/authz/guard';
import { record } from '@/lib/audit/record';
import { canonicalEventOf } from '@/lib/audit/row';
import type { CanonicalEvent } from '@/lib/audit/chain';
import { notFound } from '@/lib/errors';
import { type Page, decodeCursor, encodeCursor } from '@/lib/schemas/common';
import { logger } from '@/lib/logger';

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

/** Newest first, keyset-paginated by seq: the audit trail of one tenant (its own chain). */
export async function listTenantAuditEvents(
  ctx: Ctx,
  input: { tenantId: string; limit: number; cursor?: string },
): Promise<Page<AuditEventDto>> {
  authorize(ctx.actor, 'audit:read');
  if (ctx.actor.tenantId && ctx.actor.tenantId !== input.tenantId) throw notFound('Tenant');
  const before = input.cursor ? BigInt(decodeCursor(input.cursor, 1)[0] as string) : undefined;
  const rows = await db.auditEvent.findMany({
    where: { chain: input.tenantId, ...(before !== undefined ? { seq: { lt: before } } : {}) },
    orderBy: { seq: 'desc' },
    take: input.limit + 1,
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    data: page.map((r) => ({ ...canonicalEventOf(r), hash: r.hash, eventHash: r.eventHash })),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.seq.toString()]) : null,
  };
}
