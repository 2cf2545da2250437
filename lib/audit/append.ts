import type { Tx } from '@/lib/db';
import { getEnv } from '@/lib/env';
import { sha256Hex } from '@/lib/crypto/hash';
import { canonicalize } from '@/lib/crypto/jcs';
import { type CanonicalEvent, ZERO_HASH, chainHashOf, formatTimestamp } from './chain';

// The one way events enter a chain: record() (one event, inside the caller's transaction) and the
// deployment ingest (a batch) both come through appendToChain. One chain-head lock and one
// multi-row INSERT per call, whatever the batch size.

/** An event before the chain assigns its place: seq, occurredAt and chain come from the head. */
export type PendingEvent = Omit<CanonicalEvent, 'v' | 'chain' | 'seq' | 'occurredAt'>;
export type AppendedEvent = { id: string; chain: string; seq: number; hash: string; eventHash: string; occurredAt: string };

// Partitions known to exist (chain|YYYY-MM), per process: the existence check costs a catalog lookup
// and is needed once per chain and month. Kept on globalThis for the same reason as the key cache.
const holder = globalThis as unknown as { __charterAuditPartitions?: Set<string> };
const knownPartitions = (holder.__charterAuditPartitions ??= new Set());

/** The chain's partition for the UTC month of `at` (migration issue5_audit_partitions), created if missing. */
export async function ensurePartition(tx: Tx, chain: string, at: string): Promise<void> {
  const key = `${chain}|${at.slice(0, 7)}`;
  if (knownPartitions.has(key)) return;
  await tx.$queryRaw`SELECT charter_audit_partition(${chain}, ${at}::timestamptz)`;
  knownPartitions.add(key);
}

/** Forgets cached partitions (after a purge dropped some). */
export function forgetPartitions(chain: string): void {
  for (const key of knownPartitions) if (key.startsWith(`${chain}|`)) knownPartitions.delete(key);
}

/**
 * Locks the chain head (creating an empty chain if needed) until the transaction ends, and returns it.
 * A caller that must look at the chain before appending (the ingest's duplicate check) locks first.
 */
export type LockedHead = { last_seq: bigint; last_hash: string; last_at: Date | null };

export async function lockChain(tx: Tx, chain: string, tenantId: string | null): Promise<LockedHead> {
  const [head] = await tx.$queryRaw<LockedHead[]>`
    INSERT INTO audit_chains (id, tenant_id, last_seq, last_hash, base_seq, base_hash, updated_at)
    VALUES (${chain}, ${tenantId}::uuid, 0, ${ZERO_HASH}, 0, ${ZERO_HASH}, now())
    ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id
    RETURNING last_seq, last_hash, last_at`;
  if (!head) throw new Error(`audit chain ${chain} could not be locked`);
  return head;
}

/**
 * Appends events to one chain inside the caller's transaction (DESIGN.md guarantee 1).
 *
 * The upsert on the chain head takes a row lock that is held until the transaction ends, so writers
 * to one chain queue up and each sees the previous head: seq stays gap-free, and a rolled-back
 * transaction takes its seqs with it. Writers to different chains do not contend.
 *
 * occurredAt never goes below the head's: with several app instances (or a clock stepped back) the
 * wall clock alone could put seq n+1 before seq n, and then a purge of the oldest time partitions
 * would cut a hole in the chain instead of removing a prefix.
 *
 * Whenever the chain's seq reaches a multiple of CHARTER_AUDIT_CHECKPOINT_EVERY, the new head is
 * sealed by a signed checkpoint in the same transaction.
 */
export async function appendToChain(
  tx: Tx,
  input: {
    chain: string;
    tenantId: string | null;
    events: PendingEvent[];
    /** The clock, for tests and imports; default now. */
    at?: Date;
    /** The head as lockChain() returned it in this transaction (saves locking twice). */
    head?: LockedHead;
  },
): Promise<AppendedEvent[]> {
  const { chain, tenantId, events } = input;
  if (events.length === 0) return [];
  const head = input.head ?? (await lockChain(tx, chain, tenantId));

  const now = input.at?.getTime() ?? Date.now();
  const occurredAt = formatTimestamp(new Date(head.last_at && head.last_at.getTime() > now ? head.last_at.getTime() : now));
  await ensurePartition(tx, chain, occurredAt);

  const firstSeq = Number(head.last_seq) + 1;
  let prev = head.last_hash;
  const appended: AppendedEvent[] = [];
  // One JSON array parameter: cheaper to send and to unpack than one array per column.
  const rows: Record<string, unknown>[] = [];
  events.forEach((pending, i) => {
    const event: CanonicalEvent = { v: 1, chain, seq: firstSeq + i, occurredAt, ...pending };
    const eventHash = sha256Hex(canonicalize(event));
    const hash = chainHashOf(prev, eventHash);
    prev = hash;
    rows.push({
      id: event.id,
      seq: event.seq,
      actor_type: event.actor.type,
      actor_id: event.actor.id,
      actor_label: event.actor.label,
      action: event.action,
      target_type: event.target.type,
      target_id: event.target.id,
      ip: event.ip,
      user_agent: event.userAgent,
      request_id: event.requestId,
      data: event.data,
      event_hash: eventHash,
      hash,
    });
    appended.push({ id: event.id, chain, seq: event.seq, hash, eventHash, occurredAt });
  });
  const lastSeq = firstSeq + events.length - 1;

  await tx.$executeRaw`
    WITH appended AS (
      INSERT INTO audit_events (id, chain, seq, occurred_at, actor_type, actor_id, actor_label, action,
        target_type, target_id, tenant_id, ip, user_agent, request_id, data, event_hash, hash)
      SELECT e.id, ${chain}, e.seq, ${occurredAt}::timestamptz, e.actor_type, e.actor_id, e.actor_label, e.action,
        e.target_type, e.target_id, ${tenantId}::uuid, e.ip, e.user_agent, e.request_id, NULLIF(e.data, 'null'::jsonb), e.event_hash, e.hash
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS e(id uuid, seq bigint, actor_type text, actor_id text, actor_label text, action text, target_type text, target_id text,
             ip text, user_agent text, request_id text, data jsonb, event_hash text, hash text)
    )
    UPDATE audit_chains SET last_seq = ${lastSeq}, last_hash = ${prev}, last_at = ${occurredAt}::timestamptz, updated_at = now() WHERE id = ${chain}`;

  const every = getEnv().CHARTER_AUDIT_CHECKPOINT_EVERY;
  if (Math.floor(lastSeq / every) > Math.floor((firstSeq - 1) / every)) {
    // Imported when due: the services import this module (a static import would be circular).
    const { sealChainIn } = await import('@/lib/services/audit-export');
    await sealChainIn(tx, { chain, seq: lastSeq, hash: prev });
  }
  return appended;
}
