import { randomUUID } from 'node:crypto';
import type { Tx } from '@/lib/db';
import type { RequestMeta } from '@/lib/auth/actor';
import type { AuditAction } from './actions';
import { type CanonicalEvent, ZERO_HASH, chainHashOf, chainOf, eventHashOf, formatTimestamp, normaliseData } from './chain';

export type AuditActor = {
  type: 'user' | 'apiKey' | 'system' | 'anonymous' | 'deployment';
  id: string | null;
  label: string | null;
};

export type AuditContext = { actor: AuditActor; request: RequestMeta | null };

export type AuditInput = {
  action: AuditAction;
  /** The tenant whose chain receives the event; null for the platform chain. */
  tenantId: string | null;
  target?: { type: string; id: string } | null;
  /** Before/after values or an uploaded payload. Never secrets. */
  data?: unknown;
};

export type RecordedEvent = { id: string; chain: string; seq: number; hash: string };

/**
 * Appends one event to its chain inside the caller's transaction (DESIGN.md guarantee 1: if this
 * throws, the caller's change rolls back with it).
 *
 * The upsert on the chain head takes a row lock that is held until the transaction ends, so writers
 * to one chain queue up and each sees the previous head: seq stays gap-free, and a rolled-back
 * transaction takes its seq with it. Writers to different chains do not contend.
 */
export async function record(tx: Tx, ctx: AuditContext, input: AuditInput): Promise<RecordedEvent> {
  const chain = chainOf(input.tenantId);
  const [head] = await tx.$queryRaw<{ last_seq: bigint; last_hash: string }[]>`
    INSERT INTO audit_chains (id, tenant_id, last_seq, last_hash, base_seq, base_hash, updated_at)
    VALUES (${chain}, ${input.tenantId}::uuid, 0, ${ZERO_HASH}, 0, ${ZERO_HASH}, now())
    ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id
    RETURNING last_seq, last_hash`;
  if (!head) throw new Error(`audit chain ${chain} could not be locked`);

  const event: CanonicalEvent = {
    v: 1,
    chain,
    seq: Number(head.last_seq) + 1,
    id: randomUUID(),
    occurredAt: formatTimestamp(new Date()),
    actor: { type: ctx.actor.type, id: ctx.actor.id, label: ctx.actor.label },
    action: input.action,
    target: { type: input.target?.type ?? null, id: input.target?.id ?? null },
    tenantId: input.tenantId,
    ip: ctx.request?.ip ?? null,
    userAgent: ctx.request?.userAgent ?? null,
    requestId: ctx.request?.requestId ?? null,
    data: normaliseData(input.data),
  };
  const eventHash = eventHashOf(event);
  const hash = chainHashOf(head.last_hash, eventHash);
  const dataJson = event.data === null ? null : JSON.stringify(event.data);

  await tx.$executeRaw`
    WITH appended AS (
      INSERT INTO audit_events (id, chain, seq, occurred_at, actor_type, actor_id, actor_label, action,
        target_type, target_id, tenant_id, ip, user_agent, request_id, data, event_hash, hash)
      VALUES (${event.id}::uuid, ${chain}, ${event.seq}, ${event.occurredAt}::timestamptz, ${event.actor.type},
        ${event.actor.id}, ${event.actor.label}, ${event.action}, ${event.target.type}, ${event.target.id},
        ${event.tenantId}::uuid, ${event.ip}, ${event.userAgent}, ${event.requestId}, ${dataJson}::jsonb,
        ${eventHash}, ${hash})
    )
    UPDATE audit_chains SET last_seq = ${event.seq}, last_hash = ${hash}, updated_at = now() WHERE id = ${chain}`;

  return { id: event.id, chain, seq: event.seq, hash };
}
