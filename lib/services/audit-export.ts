import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { db, transaction, type Tx } from '@/lib/db';
import type { Ctx } from '@/lib/auth/actor';
import { authorize } from '@/lib/authz/guard';
import { record } from '@/lib/audit/record';
import { canonicalEventOf } from '@/lib/audit/row';
import { PLATFORM_CHAIN, ZERO_HASH, chainHashOf, eventHashOf } from '@/lib/audit/chain';
import { type SignedCheckpoint, buildCheckpoint, signCheckpoint } from '@/lib/audit/checkpoint';
import {
  type ExportHeader,
  matchesFilter,
  normaliseFilter,
  serializeEventRecord,
  serializeRecord,
} from '@/lib/audit/export-format';
import { AppError, notFound } from '@/lib/errors';
import { type AuditExportFilter, type AuditExportFormat, auditExportFilter } from '@/lib/schemas/audit-export';
import { getActiveSigner, listPublicKeys } from './signing-keys';

// Checkpoints and the verifiable export (DESIGN.md "Audit event and chain", "Audit export").

const DEFAULT_BATCH_SIZE = 2_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type ChainHead = { lastSeq: number; lastHash: string; baseSeq: number; baseHash: string };
const EMPTY_HEAD: ChainHead = { lastSeq: 0, lastHash: ZERO_HASH, baseSeq: 0, baseHash: ZERO_HASH };

type Signer = Awaited<ReturnType<typeof getActiveSigner>>;

async function signAndStore(tx: Tx, signer: Signer, at: { chain: string; seq: number; hash: string }): Promise<SignedCheckpoint> {
  const checkpoint = signCheckpoint(buildCheckpoint({ ...at, issuedAt: new Date(), kid: signer.kid }), signer.sign);
  await tx.auditCheckpoint.create({
    data: {
      chain: checkpoint.chain,
      seq: BigInt(checkpoint.seq),
      hash: checkpoint.hash,
      issuedAt: new Date(checkpoint.issuedAt),
      kid: checkpoint.kid,
      signature: checkpoint.signature,
    },
  });
  return checkpoint;
}

async function readHead(tx: Tx, chain: string, lock: boolean): Promise<ChainHead> {
  const rows = lock
    ? await tx.$queryRaw<{ last_seq: bigint; last_hash: string; base_seq: bigint; base_hash: string }[]>`
        SELECT last_seq, last_hash, base_seq, base_hash FROM audit_chains WHERE id = ${chain} FOR UPDATE`
    : await tx.$queryRaw<{ last_seq: bigint; last_hash: string; base_seq: bigint; base_hash: string }[]>`
        SELECT last_seq, last_hash, base_seq, base_hash FROM audit_chains WHERE id = ${chain}`;
  const row = rows[0];
  if (!row) return EMPTY_HEAD;
  return { lastSeq: Number(row.last_seq), lastHash: row.last_hash, baseSeq: Number(row.base_seq), baseHash: row.base_hash };
}

/**
 * Signs hash(seq) of a chain (default: its head) with the active signing key and stores the
 * checkpoint. `chain` is the chain id (a tenant id or `platform`); an unknown chain is empty, so its
 * head is seq 0 with 64 zeros. Pass `tx` to issue it inside the caller's transaction.
 */
export async function issueCheckpoint(input: { chain: string; seq?: number; tx?: Tx }): Promise<SignedCheckpoint> {
  // Loaded before any transaction: a query on another pooled connection while holding the chain
  // lock could wait for a connection held by a writer that waits for that lock.
  const signer = await getActiveSigner();
  const run = async (tx: Tx) => {
    const head = await readHead(tx, input.chain, false);
    const seq = input.seq ?? head.lastSeq;
    let hash: string | undefined;
    if (seq === head.lastSeq) hash = head.lastHash;
    else if (seq === head.baseSeq) hash = head.baseHash;
    else if (seq > head.baseSeq && seq < head.lastSeq) {
      const row = await tx.auditEvent.findUnique({ where: { chain_seq: { chain: input.chain, seq: BigInt(seq) } }, select: { hash: true } });
      hash = row?.hash;
    }
    if (hash === undefined) {
      throw new AppError('not_found', `Seq ${seq} is not retained in audit chain ${input.chain} (it holds ${head.baseSeq + 1}..${head.lastSeq}).`);
    }
    return signAndStore(tx, signer, { chain: input.chain, seq, hash });
  };
  return input.tx ? run(input.tx) : transaction(run);
}

export type ResolvedAuditChain = { chain: string; tenantId: string | null; label: string };

/**
 * A tenant slug (or id), or `platform`. A tenant-scoped actor reaches only its own tenant's chain:
 * anything else is "not found", never "forbidden", so existence does not leak.
 */
export async function resolveAuditChain(ctx: Ctx, ref: string): Promise<ResolvedAuditChain> {
  if (ref === PLATFORM_CHAIN) {
    if (ctx.actor.tenantId) throw notFound('Audit chain');
    return { chain: PLATFORM_CHAIN, tenantId: null, label: PLATFORM_CHAIN };
  }
  const tenant = await db.tenant.findFirst({
    where: { AND: [ctx.actor.tenantId ? { id: ctx.actor.tenantId } : {}, UUID.test(ref) ? { id: ref } : { slug: ref.toLowerCase() }] },
    select: { id: true, slug: true },
  });
  if (!tenant) throw notFound('Tenant');
  return { chain: tenant.id, tenantId: tenant.id, label: tenant.slug };
}

export type ExportAuditChainInput = {
  ctx: Ctx;
  /** A tenant slug (or id), or `platform`. */
  chain: string;
  out: Writable;
  format?: AuditExportFormat;
  filter?: AuditExportFilter | null;
  /** Rows per database round trip; memory use is bounded by one batch. */
  batchSize?: number;
};

export type ExportAuditChainResult = {
  chain: string;
  /** The tenant slug, or `platform`. */
  label: string;
  fromSeq: number;
  toSeq: number;
  events: number;
  omitted: number;
  checkpoint: SignedCheckpoint;
  /** Seq of the `audit.exported` event that records this export (just after toSeq). */
  exportEventSeq: number;
  /**
   * The exporter recomputes the chain as it streams. False means the stored events no longer hash
   * to the stored chain (tampering below the application); the export is still written, as evidence,
   * and a verifier will reject it at `firstMismatchSeq`.
   */
  intact: boolean;
  firstMismatchSeq: number | null;
  bytes: number;
};

/** Writes with backpressure: waits for 'drain' when the destination's buffer is full. */
function sinkFor(out: Writable): { write: (chunk: string) => Promise<void>; bytes: () => number; close: () => void } {
  let failure: Error | null = null;
  let bytes = 0;
  const onError = (err: Error) => {
    failure ??= err;
  };
  out.on('error', onError);
  return {
    async write(chunk) {
      if (failure) throw failure;
      if (out.destroyed || out.writableEnded) throw new Error('the export destination was closed');
      bytes += Buffer.byteLength(chunk, 'utf8');
      if (!out.write(chunk)) await once(out, 'drain');
    },
    bytes: () => bytes,
    close: () => out.off('error', onError),
  };
}

/**
 * Streams a verifiable export of one chain (DESIGN.md "Audit export"): a header, one record per seq
 * from the first retained seq to the chain head as it was when the export started, and a fresh
 * checkpoint over that head. The export is itself audited (`audit.exported`, appended after the
 * exported range). Memory stays constant: events are read in keyset batches by seq and written with
 * backpressure. The caller owns `out` (this function does not end it).
 */
export async function exportAuditChain(input: ExportAuditChainInput): Promise<ExportAuditChainResult> {
  const { ctx } = input;
  authorize(ctx.actor, 'audit:export');
  const format = input.format ?? 'ndjson';
  if (format !== 'ndjson') throw new AppError('bad_request', `Unsupported export format ${String(format)}.`);
  const filter = normaliseFilter(input.filter ? auditExportFilter.parse(input.filter) : null);
  const batchSize = input.batchSize ?? DEFAULT_BATCH_SIZE;
  const target = await resolveAuditChain(ctx, input.chain);
  // Before the transaction: inside it, only `tx` may be used (see issueCheckpoint).
  const signer = await getActiveSigner();

  // Fix the range, sign its head and audit the export, atomically. The head row stays locked only
  // for this short transaction, never while streaming, so writers to the chain are not held up.
  const sealed = await transaction(async (tx) => {
    const head = await readHead(tx, target.chain, true);
    const range = { fromSeq: head.baseSeq + 1, toSeq: head.lastSeq, prevHash: head.baseHash };
    const checkpoint = await signAndStore(tx, signer, { chain: target.chain, seq: head.lastSeq, hash: head.lastHash });
    const exported = await record(tx, ctx, {
      action: 'audit.exported',
      tenantId: target.tenantId,
      target: { type: 'audit_chain', id: target.chain },
      data: { chain: target.chain, fromSeq: range.fromSeq, toSeq: range.toSeq, filter, format, checkpoint: { seq: checkpoint.seq, hash: checkpoint.hash, kid: checkpoint.kid } },
    });
    return { ...range, checkpoint, exportEventSeq: exported.seq, exportedAt: new Date() };
  });

  // Every published key, retired ones included, so that older checkpoints still verify.
  const keys = (await listPublicKeys()).map((k) => ({ kid: k.kid, alg: k.alg, publicKey: k.publicKey }));
  const header: ExportHeader = {
    type: 'header',
    v: 1,
    chain: target.chain,
    fromSeq: sealed.fromSeq,
    toSeq: sealed.toSeq,
    prevHash: sealed.prevHash,
    exportedAt: sealed.exportedAt.toISOString(),
    exportedBy: { type: ctx.actor.type, id: ctx.actor.id, label: ctx.actor.label },
    filter,
    keys,
  };

  const sink = sinkFor(input.out);
  let events = 0;
  let omitted = 0;
  let running = sealed.prevHash;
  let firstMismatchSeq: number | null = null;
  try {
    await sink.write(serializeRecord(header));
    const fetchAfter = (after: number) => {
      const batch = db.auditEvent.findMany({
        where: { chain: target.chain, seq: { gt: BigInt(after), lte: BigInt(sealed.toSeq) } },
        orderBy: { seq: 'asc' },
        take: batchSize,
      });
      // A prefetch abandoned by an error below must not become an unhandled rejection.
      batch.catch(() => {});
      return batch;
    };
    let expected = sealed.fromSeq;
    let next = expected <= sealed.toSeq ? fetchAfter(expected - 1) : null;
    while (next) {
      const rows = await next;
      const last = rows.at(-1);
      // Read the next batch while this one is serialised and written.
      next = last && Number(last.seq) < sealed.toSeq ? fetchAfter(Number(last.seq)) : null;
      let chunk = '';
      for (const row of rows) {
        const seq = Number(row.seq);
        if (seq !== expected) throw new AppError('conflict', `Audit chain ${target.label} has no event at seq ${expected}; the export was abandoned.`);
        const event = canonicalEventOf(row);
        let eventHash: string;
        if (matchesFilter(event, filter)) {
          const serialized = serializeEventRecord(event, row.hash);
          chunk += serialized.line;
          eventHash = serialized.eventHash;
          events += 1;
        } else {
          // Recomputed from the row rather than taken from event_hash, so a changed row still shows.
          eventHash = eventHashOf(event);
          chunk += serializeRecord({ type: 'omitted', seq, eventHash });
          omitted += 1;
        }
        running = chainHashOf(running, eventHash);
        if (running !== row.hash && firstMismatchSeq === null) firstMismatchSeq = seq;
        expected += 1;
      }
      if (chunk) await sink.write(chunk);
    }
    if (expected !== sealed.toSeq + 1) {
      throw new AppError('conflict', `Audit chain ${target.label} has no event at seq ${expected}; the export was abandoned.`);
    }
    await sink.write(serializeRecord({ type: 'checkpoint', ...sealed.checkpoint }));
  } finally {
    sink.close();
  }
  if (running !== sealed.checkpoint.hash && firstMismatchSeq === null) firstMismatchSeq = sealed.toSeq;

  return {
    chain: target.chain,
    label: target.label,
    fromSeq: sealed.fromSeq,
    toSeq: sealed.toSeq,
    events,
    omitted,
    checkpoint: sealed.checkpoint,
    exportEventSeq: sealed.exportEventSeq,
    intact: firstMismatchSeq === null,
    firstMismatchSeq,
    bytes: sink.bytes(),
  };
}
