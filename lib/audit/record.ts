import { randomUUID } from 'node:crypto';
import type { Tx } from '@/lib/core/db';
import type { RequestMeta } from '@/lib/access/actor';
import type { AuditAction } from './actions';
import { appendToChain } from './append';
import { chainOf, normaliseData } from './chain';

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
 * Appends one event to its chain inside the caller's transaction (the guarantee that every change is audited atomically: if this
 * throws, the caller's change rolls back with it). See appendToChain for the locking.
 */
export async function record(tx: Tx, ctx: AuditContext, input: AuditInput): Promise<RecordedEvent> {
  const [event] = await appendToChain(tx, {
    chain: chainOf(input.tenantId),
    tenantId: input.tenantId,
    events: [
      {
        id: randomUUID(),
        actor: { type: ctx.actor.type, id: ctx.actor.id, label: ctx.actor.label },
        action: input.action,
        target: { type: input.target?.type ?? null, id: input.target?.id ?? null },
        tenantId: input.tenantId,
        ip: ctx.request?.ip ?? null,
        userAgent: ctx.request?.userAgent ?? null,
        requestId: ctx.request?.requestId ?? null,
        data: normaliseData(input.data),
      },
    ],
  });
  if (!event) throw new Error('audit event was not appended');
  return { id: event.id, chain: event.chain, seq: event.seq, hash: event.hash };
}
