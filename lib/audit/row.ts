import type { AuditEvent } from '@/lib/generated/prisma/client';
import { type CanonicalEvent, formatTimestamp } from './chain';

/** Rebuilds the canonical event (README "Audit events and chains") from a stored row. */
export function canonicalEventOf(row: AuditEvent): CanonicalEvent {
  return {
    v: 1,
    chain: row.chain,
    seq: Number(row.seq),
    id: row.id,
    occurredAt: formatTimestamp(row.occurredAt),
    actor: { type: row.actorType, id: row.actorId, label: row.actorLabel },
    action: row.action,
    target: { type: row.targetType, id: row.targetId },
    tenantId: row.tenantId,
    ip: row.ip,
    userAgent: row.userAgent,
    requestId: row.requestId,
    data: row.data ?? null,
  };
}
