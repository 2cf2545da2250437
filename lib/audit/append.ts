import { hash as digestOf, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Tx } from '@/lib/core/db';
import { getEnv } from '@/lib/core/env';
import { type CanonicalEvent, ZERO_HASH, canonicalEventParts, formatTimestamp } from './chain';
import { buildCheckpoint, signCheckpoint } from './checkpoint';
import { type CheckpointSigner, getActiveSigner } from './signer';

// The one way events enter a chain: record() (one event, inside the caller's transaction) and the
// deployment ingest (a batch) both come through appendToChain. One chain-head lock and one
// statement per call, whatever the batch size: the events, their ids (audit_event_ids), the new head
// and, when due, the periodic checkpoint.

/**
 * An event before the chain assigns its place: seq, occurredAt and chain come from the head. `data`
 * is given as a value or, by a caller that already has it, as its JCS text (`dataJson`).
 */
export type PendingEvent = Omit<CanonicalEvent, 'v' | 'chain' | 'seq' | 'occurredAt' | 'data'> & ({ data: unknown; dataJson?: undefined } | { data?: undefined; dataJson: string });
export type AppendedEvent = { id: string; chain: string; seq: number; hash: string; eventHash: string; occurredAt: string };

/**
 * The transaction an append runs in: Prisma's (record(), inside a service's transaction) or a
 * node-postgres client's inside lib/core/db pgTransaction (the deployment ingest, a hot path).
 */
export type AuditTx = Tx | pg.PoolClient;

/** Runs one statement in `tx`; `name` makes it a prepared statement on node-postgres connections. */
export async function auditQuery<T>(tx: AuditTx, sql: string, params: unknown[], name?: string): Promise<T[]> {
  if ('$queryRawUnsafe' in tx) return tx.$queryRawUnsafe<T[]>(sql, ...params);
  const result = await tx.query(name ? { name, text: sql, values: params } : { text: sql, values: params });
  return result.rows as T[];
}

// Partitions known to exist (chain|YYYY-MM), per process: the existence check costs a catalog lookup
// and is needed once per chain and month. Kept on globalThis for the same reason as the key cache.
const holder = globalThis as unknown as { __charterAuditPartitions?: Set<string> };
const knownPartitions = (holder.__charterAuditPartitions ??= new Set());

/** The chain's partition for the UTC month of `at` (the audit_partitions migration), created if missing. */
export async function ensurePartition(tx: AuditTx, chain: string, at: string): Promise<void> {
  const key = `${chain}|${at.slice(0, 7)}`;
  if (knownPartitions.has(key)) return;
  await auditQuery(tx, 'SELECT charter_audit_partition($1, $2::timestamptz)', [chain, at]);
  knownPartitions.add(key);
}

/** Forgets cached partitions (after a purge dropped some). */
export function forgetPartitions(chain: string): void {
  for (const key of knownPartitions) if (key.startsWith(`${chain}|`)) knownPartitions.delete(key);
}

/** The chain head as locked for this transaction. */
export type LockedHead = { lastSeq: number; lastHash: string; lastAt: Date | null };

/**
 * Locks the chain head (creating an empty chain if needed) until the transaction ends, and returns it.
 * A caller that must look at the chain before appending (the ingest's duplicate check) locks first.
 */
export async function lockChain(tx: AuditTx, chain: string, tenantId: string | null): Promise<LockedHead> {
  const [head] = await auditQuery<{ last_seq: bigint | string; last_hash: string; last_at: Date | null }>(
    tx,
    `INSERT INTO audit_chains (id, tenant_id, last_seq, last_hash, base_seq, base_hash, updated_at)
     VALUES ($1, $2::uuid, 0, $3, 0, $3, now())
     ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id
     RETURNING last_seq, last_hash, last_at`,
    [chain, tenantId, ZERO_HASH],
    'charter_audit_lock_chain',
  );
  if (!head) throw new Error(`audit chain ${chain} could not be locked`);
  return { lastSeq: Number(head.last_seq), lastHash: head.last_hash, lastAt: head.last_at };
}

// One statement: the rows, their ids, the new head and, when $21 (kid) is not null, the checkpoint
// sealing it. The rows come as one array literal per column and their data as one JSON array,
// zipped by ROWS FROM: the data is JCS text already, so it is sent without escaping it once more as
// array elements (node-postgres's array escaping was the ingest's largest cost in Node). A second
// insert of an id into the chain fails on audit_event_ids' key, rolling back the whole transaction.
const APPEND_SQL = `
  WITH appended AS (
    INSERT INTO audit_events (id, chain, seq, occurred_at, actor_type, actor_id, actor_label, action,
      target_type, target_id, tenant_id, ip, user_agent, request_id, data, event_hash, hash)
    SELECT e.id, $1, e.seq, $2::timestamptz, e.actor_type, e.actor_id, e.actor_label, e.action,
      e.target_type, e.target_id, $3::uuid, e.ip, e.user_agent, e.request_id, NULLIF(e.data, 'null'::jsonb), e.event_hash, e.hash
    FROM ROWS FROM (unnest($4::uuid[]), unnest($5::bigint[]), unnest($6::text[]), unnest($7::text[]), unnest($8::text[]),
                    unnest($9::text[]), unnest($10::text[]), unnest($11::text[]), unnest($12::text[]), unnest($13::text[]),
                    unnest($14::text[]), jsonb_array_elements($15::jsonb), unnest($16::text[]), unnest($17::text[]))
      AS e(id, seq, actor_type, actor_id, actor_label, action, target_type, target_id, ip, user_agent, request_id, data, event_hash, hash)
  ), ids AS (
    INSERT INTO audit_event_ids (chain, id, seq) SELECT $1, i.id, i.seq FROM unnest($4::uuid[], $5::bigint[]) AS i(id, seq)
  ), head AS (
    UPDATE audit_chains SET last_seq = $18::bigint, last_hash = $19, last_at = $2::timestamptz, updated_at = now() WHERE id = $1
  ), checkpoint AS (
    INSERT INTO audit_checkpoints (id, chain, seq, hash, issued_at, kid, signature)
    SELECT $20::uuid, $1, $18::bigint, $19, $22::timestamptz, $21, $23 WHERE $21::text IS NOT NULL
  )
  SELECT 1 AS ok`;

const ARRAY_SPECIAL = /[\\"]/;

/** A PostgreSQL array literal of texts, escaped as node-postgres escapes array elements. */
function textArray(values: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    out += v === null || v === undefined ? 'NULL' : `"${ARRAY_SPECIAL.test(v) ? v.replace(/[\\"]/g, '\\$&') : v}"`;
  }
  return `${out}}`;
}

/** A UUID v7 (time-ordered, as Prisma's uuid(7) default gives the other rows of the table). */
function uuidV7(): string {
  const b = randomBytes(16);
  b.writeUIntBE(Date.now(), 0, 6);
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Appends events to one chain inside the caller's transaction (the guarantee that every change is audited atomically).
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
 * sealed by a signed checkpoint in the same statement, signed by `signer` or else by the active
 * key loaded through `tx` (a node-postgres transaction must pass the signer, loaded before it began:
 * a query on another pooled connection while holding the chain lock could starve the pool).
 */
export async function appendToChain(
  tx: AuditTx,
  input: {
    chain: string;
    tenantId: string | null;
    events: PendingEvent[];
    /** The clock, for tests and imports; default now. */
    at?: Date;
    /** The head as lockChain() returned it in this transaction (saves locking twice). */
    head?: LockedHead;
    /** Signs the periodic checkpoint, if one is due. */
    signer?: CheckpointSigner;
  },
): Promise<AppendedEvent[]> {
  const { chain, tenantId, events } = input;
  if (events.length === 0) return [];
  const head = input.head ?? (await lockChain(tx, chain, tenantId));

  const now = input.at?.getTime() ?? Date.now();
  const occurredAt = formatTimestamp(new Date(head.lastAt && head.lastAt.getTime() > now ? head.lastAt.getTime() : now));
  await ensurePartition(tx, chain, occurredAt);

  const n = events.length;
  const firstSeq = head.lastSeq + 1;
  const lastSeq = firstSeq + n - 1;
  const ids: string[] = new Array<string>(n);
  const seqs: number[] = new Array<number>(n);
  const actorTypes: string[] = new Array<string>(n);
  const actorIds: (string | null)[] = new Array<string | null>(n);
  const actorLabels: (string | null)[] = new Array<string | null>(n);
  const actions: string[] = new Array<string>(n);
  const targetTypes: (string | null)[] = new Array<string | null>(n);
  const targetIds: (string | null)[] = new Array<string | null>(n);
  const ips: (string | null)[] = new Array<string | null>(n);
  const userAgents: (string | null)[] = new Array<string | null>(n);
  const requestIds: (string | null)[] = new Array<string | null>(n);
  const datas: string[] = new Array<string>(n);
  const eventHashes: string[] = new Array<string>(n);
  const hashes: string[] = new Array<string>(n);
  const appended: AppendedEvent[] = new Array<AppendedEvent>(n);
  // hash(seq) = SHA-256(hash(seq-1) || eventHash(seq)), the two kept as bytes side by side in `link`.
  const link = Buffer.alloc(64);
  link.write(head.lastHash, 0, 'hex');
  let prevHex = head.lastHash;
  for (let i = 0; i < n; i++) {
    const p = events[i];
    const event: CanonicalEvent = {
      v: 1,
      chain,
      seq: firstSeq + i,
      occurredAt,
      id: p.id,
      actor: p.actor,
      action: p.action,
      target: p.target,
      tenantId: p.tenantId,
      ip: p.ip,
      userAgent: p.userAgent,
      requestId: p.requestId,
      data: p.data ?? null,
    };
    // The row stores JCS(data) as its jsonb: the same value, without a second serialisation.
    const { json, dataJson } = canonicalEventParts(event, p.dataJson);
    const digest = digestOf('sha256', json, 'buffer');
    digest.copy(link, 32);
    const chained = digestOf('sha256', link, 'buffer');
    chained.copy(link, 0);
    prevHex = chained.toString('hex');
    const eventHash = digest.toString('hex');
    ids[i] = event.id;
    seqs[i] = event.seq;
    actorTypes[i] = event.actor.type;
    actorIds[i] = event.actor.id;
    actorLabels[i] = event.actor.label;
    actions[i] = event.action;
    targetTypes[i] = event.target.type;
    targetIds[i] = event.target.id;
    ips[i] = event.ip;
    userAgents[i] = event.userAgent;
    requestIds[i] = event.requestId;
    datas[i] = dataJson;
    eventHashes[i] = eventHash;
    hashes[i] = prevHex;
    appended[i] = { id: event.id, chain, seq: event.seq, hash: prevHex, eventHash, occurredAt };
  }
  const columns = [
    textArray(ids),
    `{${seqs.join(',')}}`,
    textArray(actorTypes),
    textArray(actorIds),
    textArray(actorLabels),
    textArray(actions),
    textArray(targetTypes),
    textArray(targetIds),
    textArray(ips),
    textArray(userAgents),
    textArray(requestIds),
    `[${datas.join(',')}]`,
    `{${eventHashes.join(',')}}`,
    `{${hashes.join(',')}}`,
  ];

  const every = getEnv().CHARTER_AUDIT_CHECKPOINT_EVERY;
  const due = Math.floor(lastSeq / every) > Math.floor((firstSeq - 1) / every);
  const signer = input.signer ?? (due && '$queryRawUnsafe' in tx ? await getActiveSigner(tx) : undefined);
  if (due && !signer) throw new Error('appendToChain on a node-postgres transaction needs the signer for the checkpoint due');
  const checkpoint = due && signer ? signCheckpoint(buildCheckpoint({ chain, seq: lastSeq, hash: prevHex, issuedAt: new Date(), kid: signer.kid }), signer.sign) : null;

  await auditQuery(
    tx,
    APPEND_SQL,
    [chain, occurredAt, tenantId, ...columns, lastSeq, prevHex, checkpoint ? uuidV7() : null, checkpoint?.kid ?? null, checkpoint?.issuedAt ?? null, checkpoint?.signature ?? null],
    'charter_audit_append',
  );
  return appended;
}
