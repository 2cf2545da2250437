import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { PoolClient } from 'pg';
import { db, rawPool, transaction, withUnboundedStatements, type Tx } from '@/lib/core/db';
import type { Ctx } from '@/lib/access/actor';
import { authorize } from '@/lib/access/guard';
import { inTenantScope } from '@/lib/access/scope';
import { record } from '@/lib/audit/record';
import { canonicalEventOf } from '@/lib/audit/row';
import { PLATFORM_CHAIN, ZERO_HASH, chainHashOf, eventHashOf } from '@/lib/audit/chain';
import { type SignedCheckpoint, buildCheckpoint, signCheckpoint } from '@/lib/audit/checkpoint';
import { type ExportFilter, type ExportHeader, normaliseFilter, serializeEventRecord, serializeRecord } from '@/lib/audit/export-format';
import { AppError, notFound } from '@/lib/core/errors';
import { AUDIT_EXPORT_FORMATS, type AuditExportFilter, type AuditExportFormat, auditExportFilter } from '@/lib/modules/audit-trail/export-schema';
import { EVENT_COLUMNS, SqlParams, type StreamedRow, filterSql, inlineParams, streamEvents } from './query';
import { getActiveSigner } from '@/lib/audit/signer';
import { listPublicKeys } from '@/lib/modules/signing-keys/service';
import { CopyOut } from '@/lib/core/copy-out';

// Checkpoints and the verifiable export (README "Audit events and chains", "Verifiable audit export (NDJSON)").

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
 * Locks the chain's head and records the export's own `audit.exported` event in `tx`: from here the
 * exported range (the first retained seq to the head before this event) is fixed.
 */
async function recordExport(tx: Tx, ctx: Ctx, target: { chain: string; tenantId: string | null }, data: (range: { fromSeq: number; toSeq: number }) => Record<string, unknown>) {
  const head = await readHead(tx, target.chain, true);
  const fromSeq = head.baseSeq + 1;
  const exported = await record(tx, ctx, {
    action: 'audit.exported',
    tenantId: target.tenantId,
    target: { type: 'audit_chain', id: target.chain },
    data: data({ fromSeq, toSeq: head.lastSeq }),
  });
  return { head, fromSeq, exported };
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
      const row = await tx.auditEvent.findFirst({ where: { chain: input.chain, seq: BigInt(seq) }, select: { hash: true } });
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
  const key = ref.toLowerCase();
  let tenant = knownTenants.get(key) ?? null;
  if (!tenant) {
    tenant = await db.tenant.findFirst({ where: UUID.test(ref) ? { id: ref } : { slug: ref.toLowerCase() }, select: { id: true, slug: true } });
    if (tenant) {
      if (knownTenants.size > 10_000) knownTenants.clear();
      knownTenants.set(key, tenant);
    }
  }
  // Scope after the lookup, so the cache is shared by every actor.
  if (!tenant || !inTenantScope(ctx.actor, tenant.id)) throw notFound('Tenant');
  return { chain: tenant.id, tenantId: tenant.id, label: tenant.slug };
}

// Tenant ids and slugs, which never change (a slug is fixed at creation and tenants are archived,
// never deleted): resolving a chain costs no query once seen. A miss is not cached.
const knownTenants = new Map<string, { id: string; slug: string }>();

export type ExportAuditChainInput = {
  ctx: Ctx;
  /** A tenant slug (or id), or `platform`. */
  chain: string;
  out: Writable;
  format?: AuditExportFormat;
  filter?: AuditExportFilter | null;
  /** Rows per keyset statement. Memory does not depend on it: rows are serialised as they arrive. */
  batchSize?: number;
  /** CSV only: count the matching rows first, for `onSealed` (progress). */
  countRows?: boolean;
  /** Called once the range is fixed and audited, before the first byte is written. */
  onSealed?: (info: ExportSealedInfo) => void;
};

export type ExportSealedInfo = {
  chain: string;
  label: string;
  format: AuditExportFormat;
  fromSeq: number;
  toSeq: number;
  /** Data rows the file will have: NDJSON event and omitted records, or CSV rows (null if not counted). */
  rows: number | null;
  /** A file name for downloads: charter-audit-<label>-<from>-<to>.<ext>. */
  fileName: string;
};

export type ExportAuditChainResult = {
  chain: string;
  /** The tenant slug, or `platform`. */
  label: string;
  format: AuditExportFormat;
  fromSeq: number;
  toSeq: number;
  events: number;
  omitted: number;
  /** The checkpoint that ends a verifiable export (null for CSV, which is not verifiable). */
  checkpoint: SignedCheckpoint | null;
  /** Seq of the `audit.exported` event that records this export (NDJSON: = toSeq, the export's last event). */
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

/**
 * Writes with backpressure: waits for 'drain' when the destination's buffer is full, or (with
 * `slack`) once more than `slack` bytes wait in it — still constant memory, but a fast producer
 * (COPY) and a slow consumer then work at the same time instead of taking turns.
 */
function sinkFor(out: Writable, slack = 0): { write: (chunk: string | Buffer) => Promise<void>; bytes: () => number; close: () => void } {
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
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk, 'utf8') : chunk.length;
      if (!out.write(chunk) && out.writableLength > slack) await once(out, 'drain');
    },
    bytes: () => bytes,
    close: () => out.off('error', onError),
  };
}

const NDJSON_PIECE_BYTES = 256 << 10;
/**
 * How many bytes of an NDJSON export may wait for a busy destination before the reading stops: two
 * pieces. More would not be faster, and pieces that wait long enough to be promoted to V8's old
 * generation pile up there as garbage until a full collection (measured: 4 MB of read-ahead cost
 * ~60 MB of dead Buffers in a CLI export to a file).
 */
const NDJSON_READ_AHEAD_BYTES = 2 * NDJSON_PIECE_BYTES;

/**
 * The NDJSON export's writer: lines are encoded straight into Buffers of `pieceBytes` (a longer
 * line is a piece of its own), and full pieces go to the sink in order, each once the destination
 * has taken the one before. Once more than `readAhead` bytes wait, push() returns a promise for
 * when they no longer do, and the reader stops reading rows until then (streamEvents): the
 * destination, not the export, holds back the database, so however long the export, however large
 * its events, however slow its reader, the process holds at most `readAhead` bytes of it and the
 * rows of one socket read. The line strings and rows die young, and so do the pieces a destination
 * takes at once: nothing of the export lives long enough to reach V8's old generation, where
 * garbage piles up until a full collection.
 */
class NdjsonWriter {
  /** Bytes sent and not yet taken by the destination. */
  pending = 0;
  /** Bytes sent so far. */
  sent = 0;
  private piece: Buffer;
  private used = 0;
  private readonly queue: (Buffer | string)[] = [];
  private writing: Promise<void> | null = null;
  private failure: Error | null = null;
  private waiters: { bytes: number; resolve: () => void; reject: (err: Error) => void }[] = [];
  private backlog: Promise<void> | null = null;

  constructor(
    private readonly sink: ReturnType<typeof sinkFor>,
    private readonly pieceBytes: number,
    private readonly readAhead: number,
  ) {
    this.piece = Buffer.allocUnsafe(pieceBytes);
  }

  /** Adds a line; while more than `readAhead` bytes wait, a promise for when they no longer do. */
  push(line: string): Promise<void> | null {
    const room = this.pieceBytes - this.used;
    // A UTF-16 code unit is at most 3 bytes of UTF-8: most lines need no byte count first.
    const bytes = line.length * 3 <= room ? -1 : Buffer.byteLength(line, 'utf8');
    if (bytes > room) {
      this.flush();
      if (bytes > this.pieceBytes) this.send(line, bytes);
      else this.used += this.piece.write(line, 0, 'utf8');
    } else {
      this.used += this.piece.write(line, this.used, 'utf8');
    }
    if (this.pending <= this.readAhead) return null;
    // One promise for the whole wait: the reader pauses once.
    this.backlog ??= this.below(this.readAhead).finally(() => {
      this.backlog = null;
    });
    return this.backlog;
  }

  /** Sends the piece being filled, if any. */
  flush(): void {
    if (this.used === 0) return;
    const piece = this.used === this.pieceBytes ? this.piece : this.piece.subarray(0, this.used);
    this.piece = Buffer.allocUnsafe(this.pieceBytes);
    this.used = 0;
    this.send(piece, piece.length);
  }

  /** Sends a chunk after everything before it. */
  send(chunk: Buffer | string, bytes = typeof chunk === 'string' ? Buffer.byteLength(chunk, 'utf8') : chunk.length): void {
    this.queue.push(chunk);
    this.pending += bytes;
    this.sent += bytes;
    if (this.writing) return;
    this.writing = this.drain();
    // Failures reach the waiters; the promise itself must not be reported as unhandled.
    this.writing.catch(() => {});
  }

  /** Resolves once at most `bytes` wait for the destination; rejects if it failed. */
  below(bytes: number): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.pending <= bytes) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ bytes, resolve, reject }));
  }

  private async drain(): Promise<void> {
    try {
      for (let chunk = this.queue.shift(); chunk !== undefined; chunk = this.queue.shift()) {
        await this.sink.write(chunk);
        this.pending -= typeof chunk === 'string' ? Buffer.byteLength(chunk, 'utf8') : chunk.length;
        this.wake();
      }
    } catch (err) {
      this.failure ??= err instanceof Error ? err : new Error(String(err));
      this.wake();
      throw err;
    } finally {
      this.writing = null;
    }
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) {
      if (this.failure !== null) waiter.reject(this.failure);
      else if (this.pending <= waiter.bytes) waiter.resolve();
      else this.waiters.push(waiter);
    }
  }
}

/** Who may export: people need audit:export; an API key's audit:read scope covers exports (API contract). */
function authorizeExport(ctx: Ctx): void {
  authorize(ctx.actor, ctx.actor.type === 'apiKey' ? 'audit:read' : 'audit:export');
}

/**
 * Streams an export of one chain, of the events matching `filter`:
 *
 * - `ndjson`, the verifiable export (README "Verifiable audit export (NDJSON)"): a header, one record per seq from
 *   the first retained seq to the export's own `audit.exported` event (events outside the filter as
 *   `omitted`), and a fresh checkpoint over that event. The export thus seals itself: its header's
 *   exportedAt, exportedBy, filter, fromSeq and key ids are repeated in that last, hash-chained and
 *   signed event, so a change to the header is detected too (lib/audit/verify.ts).
 * - `csv`, for spreadsheets: the matching events up to the head when the export began, flattened,
 *   streamed by PostgreSQL's COPY (not verifiable; the same export is audited).
 *
 * Memory stays constant, whatever the export's length: NDJSON events are read in keyset batches
 * by seq and each row is serialised into bytes as it arrives (NdjsonWriter), CSV is piped from
 * COPY; both wait for the destination, which holds back the database's socket. The caller owns
 * `out` (this function does not end it).
 */
export async function exportAuditChain(input: ExportAuditChainInput): Promise<ExportAuditChainResult> {
  const { ctx } = input;
  authorizeExport(ctx);
  const format = input.format ?? 'ndjson';
  if (!AUDIT_EXPORT_FORMATS.includes(format)) throw new AppError('bad_request', `Unsupported export format ${format}.`);
  const filter = normaliseFilter(input.filter ? auditExportFilter.parse(input.filter) : null);
  const batchSize = input.batchSize ?? DEFAULT_BATCH_SIZE;
  const target = await resolveAuditChain(ctx, input.chain);
  if (format === 'csv') return exportCsv({ ...input, target, filter });
  // Before the transaction: inside it, only `tx` may be used (see issueCheckpoint).
  const signer = await getActiveSigner();
  // Every published key, retired ones included, so that older checkpoints still verify.
  const keys = (await listPublicKeys()).map((k) => ({ kid: k.kid, alg: k.alg, publicKey: k.publicKey }));

  // The connection the events are read on, opened while the seal runs (as for CSV). Released below
  // on every path; a failed connect is reported by the await, not as unhandled.
  const connecting = rawPool().connect();
  connecting.catch(() => {});
  // Fix the range, audit the export and sign the head, atomically. The head row stays locked only
  // for this short transaction, never while streaming, so writers are not held up.
  let sealed: { fromSeq: number; toSeq: number; prevHash: string; checkpoint: SignedCheckpoint; exportEventSeq: number; exportedAt: string };
  try {
    sealed = await transaction(async (tx) => {
      const { head, fromSeq, exported } = await recordExport(tx, ctx, target, (range) => ({
        chain: target.chain,
        format,
        fromSeq: range.fromSeq,
        filter,
        keys: keys.map((k) => k.kid),
      }));
      const checkpoint = await signAndStore(tx, signer, { chain: target.chain, seq: exported.seq, hash: exported.hash });
      const event = await tx.auditEvent.findFirstOrThrow({ where: { chain: target.chain, seq: BigInt(exported.seq) }, select: { occurredAt: true } });
      return { fromSeq, toSeq: exported.seq, prevHash: head.baseHash, checkpoint, exportEventSeq: exported.seq, exportedAt: event.occurredAt.toISOString() };
    });
  } catch (err) {
    await connecting.then(
      (client) => client.release(),
      () => {},
    );
    throw err;
  }

  const info: ExportSealedInfo = {
    chain: target.chain,
    label: target.label,
    format,
    fromSeq: sealed.fromSeq,
    toSeq: sealed.toSeq,
    rows: Math.max(0, sealed.toSeq - sealed.fromSeq + 1),
    fileName: `charter-audit-${target.label}-${sealed.fromSeq}-${sealed.toSeq}.ndjson`,
  };
  const base = { chain: target.chain, label: target.label, format, fromSeq: sealed.fromSeq, toSeq: sealed.toSeq, exportEventSeq: sealed.exportEventSeq };
  const checkpoint = sealed.checkpoint;
  const header: ExportHeader = {
    type: 'header',
    v: 1,
    chain: target.chain,
    fromSeq: sealed.fromSeq,
    toSeq: sealed.toSeq,
    prevHash: sealed.prevHash,
    exportedAt: sealed.exportedAt,
    exportedBy: { type: ctx.actor.type, id: ctx.actor.id, label: ctx.actor.label },
    filter,
    keys,
  };
  const client = await connecting;
  let failure: Error | undefined;
  const sink = sinkFor(input.out);
  let events = 0;
  let omitted = 0;
  let running = sealed.prevHash;
  let firstMismatchSeq: number | null = null;
  const params = new SqlParams();
  const chainParam = params.add(target.chain);
  const afterParam = params.add(0);
  const toParam = params.add(sealed.toSeq);
  // The export's own event is always revealed: it carries the header's seal.
  const revealed = `(${filterSql(filter, params)}) OR seq = ${toParam}::bigint`;
  const sql = `SELECT ${EVENT_COLUMNS}, (${revealed}) AS "revealed" FROM audit_events
    WHERE chain = ${chainParam} AND seq > ${afterParam}::bigint AND seq <= ${toParam}::bigint ORDER BY seq LIMIT ${batchSize}`;
  const writer = new NdjsonWriter(sink, NDJSON_PIECE_BYTES, NDJSON_READ_AHEAD_BYTES);
  let expected = sealed.fromSeq;
  // Serialises each row as it arrives and advances the chain; nothing of the row is kept but its
  // bytes. A busy destination pauses the reading (the promise returned).
  const onRow = (row: StreamedRow): Promise<void> | null => {
    const seq = Number(row.seq);
    if (seq !== expected) throw new AppError('conflict', `Audit chain ${target.label} has no event at seq ${expected}; the export was abandoned.`);
    const event = canonicalEventOf(row);
    let eventHash: string;
    let busy: Promise<void> | null;
    if (row.revealed === true) {
      const serialized = serializeEventRecord(event, row.hash);
      busy = writer.push(serialized.line);
      eventHash = serialized.eventHash;
      events += 1;
    } else {
      // Recomputed from the row rather than taken from event_hash, so a changed row still shows.
      eventHash = eventHashOf(event);
      busy = writer.push(serializeRecord({ type: 'omitted', seq, eventHash }));
      omitted += 1;
    }
    running = chainHashOf(running, eventHash);
    if (running !== row.hash && firstMismatchSeq === null) firstMismatchSeq = seq;
    expected += 1;
    return busy;
  };
  try {
    input.onSealed?.(info);
    writer.send(serializeRecord(header));
    // Each batch is its own statement, so no snapshot is held for the whole export; a slow reader
    // holds a statement back (its socket paused), so they run without the statement timeout.
    await withUnboundedStatements(client, async () => {
      while (expected <= sealed.toSeq) {
        const values = [...params.values];
        values[Number(afterParam.slice(1)) - 1] = String(expected - 1);
        const rows = await streamEvents(client, sql, values, onRow);
        writer.flush();
        if (rows === 0) break;
      }
    });
    if (expected !== sealed.toSeq + 1) {
      throw new AppError('conflict', `Audit chain ${target.label} has no event at seq ${expected}; the export was abandoned.`);
    }
    writer.send(serializeRecord({ type: 'checkpoint', ...checkpoint }));
    await writer.below(0);
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    sink.close();
    // A connection left in the middle of a statement is not reusable: a failure destroys it.
    client.release(failure);
  }
  if (running !== checkpoint.hash && firstMismatchSeq === null) firstMismatchSeq = sealed.toSeq;

  return { ...base, events, omitted, checkpoint, intact: firstMismatchSeq === null, firstMismatchSeq, bytes: sink.bytes() };
}

// ───────────────────────────── CSV ─────────────────────────────

/** The CSV columns: the canonical event's fields, flattened (actor.type → actorType, …). */
export const CSV_COLUMNS = [
  'chain',
  'seq',
  'id',
  'occurredAt',
  'actorType',
  'actorId',
  'actorLabel',
  'action',
  'targetType',
  'targetId',
  'tenantId',
  'ip',
  'userAgent',
  'requestId',
  'data',
  'eventHash',
  'hash',
] as const;

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a formula; such
 * values get a leading apostrophe (OWASP "CSV injection"). Applied to every free-text column.
 *
 * The test is on the first character's code point (ascii() is the first character's, in UTF-8 too),
 * which costs PostgreSQL much less than comparing left(…, 1) with six strings: these CASEs are a
 * large part of a CSV export's time (bench/audit-csv-export.ts).
 */
const FORMULA_STARTS = ['=', '+', '-', '@', '\t', '\r'].map((c) => c.codePointAt(0)).join(', ');
const safeText = (column: string) => `CASE WHEN ascii(${column}) IN (${FORMULA_STARTS}) THEN '''' || ${column} ELSE ${column} END`;

/**
 * `data` as JSON text, guarded the same way. Of the characters above, JSON text can start only with
 * '-' (a negative number); testing the jsonb value first converts it to text once per row, not twice.
 */
const SAFE_DATA = `CASE WHEN jsonb_typeof(data) <> 'number' THEN data::text WHEN data::numeric < 0 THEN '''' || data::text ELSE data::text END`;

const CSV_SELECT = `chain, seq, id, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), actor_type,
  ${safeText('actor_id')}, ${safeText('actor_label')}, action, ${safeText('target_type')}, ${safeText('target_id')}, tenant_id, ip,
  ${safeText('user_agent')}, ${safeText('request_id')}, ${SAFE_DATA}, event_hash, hash`;

function csvWhere(chain: string, fromSeq: number, toSeq: number, filter: ExportFilter | null, params: SqlParams): string {
  return `chain = ${params.add(chain)} AND seq >= ${params.add(fromSeq)}::bigint AND seq <= ${params.add(toSeq)}::bigint AND ${filterSql(filter, params)}`;
}

/** The SQL of a CSV export, with its values inlined (COPY takes no parameters). Exported for the benchmark. */
export function csvCopySql(input: { chain: string; fromSeq: number; toSeq: number; filter: ExportFilter | null }): string {
  const params = new SqlParams();
  const where = csvWhere(input.chain, input.fromSeq, input.toSeq, input.filter, params);
  return inlineParams(`COPY (SELECT ${CSV_SELECT} FROM audit_events WHERE ${where} ORDER BY seq) TO STDOUT WITH (FORMAT csv)`, params);
}

async function countCsvRows(client: PoolClient, chain: string, fromSeq: number, toSeq: number, filter: ExportFilter | null): Promise<number> {
  const params = new SqlParams();
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM audit_events WHERE ${csvWhere(chain, fromSeq, toSeq, filter, params)}`, params.values);
  return Number(rows[0]?.n ?? 0);
}

/**
 * The CSV export: the range is fixed and the export audited in one short transaction (as for NDJSON,
 * minus the signature: a CSV is not verifiable), then COPY streams the rows. The COPY's connection
 * is opened while the seal runs, so streaming starts the moment the seal commits.
 */
async function exportCsv(input: Omit<ExportAuditChainInput, 'filter'> & { target: ResolvedAuditChain; filter: ExportFilter | null }): Promise<ExportAuditChainResult> {
  const { ctx, target, filter } = input;
  const connecting = rawPool().connect();
  // Released below on every path; a failed connect is reported by the await, not as unhandled.
  connecting.catch(() => {});
  let sealed: { fromSeq: number; toSeq: number; exportEventSeq: number };
  try {
    sealed = await transaction(async (tx) => {
      const { head, fromSeq, exported } = await recordExport(tx, ctx, target, (range) => ({ chain: target.chain, format: 'csv', ...range, filter }));
      return { fromSeq, toSeq: head.lastSeq, exportEventSeq: exported.seq };
    });
  } catch (err) {
    await connecting.then(
      (client) => client.release(),
      () => {},
    );
    throw err;
  }
  const client = await connecting;
  let failure: Error | undefined;
  try {
    const info: ExportSealedInfo = {
      chain: target.chain,
      label: target.label,
      format: 'csv',
      fromSeq: sealed.fromSeq,
      toSeq: sealed.toSeq,
      rows: input.countRows ? await countCsvRows(client, target.chain, sealed.fromSeq, sealed.toSeq, filter) : null,
      fileName: `charter-audit-${target.label}-${sealed.fromSeq}-${sealed.toSeq}.csv`,
    };
    input.onSealed?.(info);
    const { rows, bytes } = await withUnboundedStatements(client, () =>
      streamCsv({ client, chain: target.chain, fromSeq: sealed.fromSeq, toSeq: sealed.toSeq, filter, out: input.out }),
    );
    return {
      chain: target.chain,
      label: target.label,
      format: 'csv',
      fromSeq: sealed.fromSeq,
      toSeq: sealed.toSeq,
      exportEventSeq: sealed.exportEventSeq,
      events: rows,
      omitted: 0,
      checkpoint: null,
      intact: true,
      firstMismatchSeq: null,
      bytes,
    };
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    // A connection left in the middle of a COPY is not reusable: a failure destroys it.
    client.release(failure);
  }
}

const CSV_PIECE_BYTES = 1 << 20;
const CSV_SLACK_BYTES = 8 << 20;

/**
 * Pipes COPY … TO STDOUT (CSV) into `out`, after a header line, in 1 MB pieces with up to 8 MB of
 * slack towards the destination (constant memory); PostgreSQL reports the row count.
 */
async function streamCsv(input: {
  client: PoolClient;
  chain: string;
  fromSeq: number;
  toSeq: number;
  filter: ExportFilter | null;
  out: Writable;
}): Promise<{ rows: number; bytes: number }> {
  const sink = sinkFor(input.out, CSV_SLACK_BYTES);
  try {
    await sink.write(`${CSV_COLUMNS.join(',')}\n`);
    const copy = new CopyOut(csvCopySql(input), sink.write, CSV_PIECE_BYTES);
    input.client.query(copy);
    const rows = await copy.done;
    return { rows, bytes: sink.bytes() };
  } finally {
    sink.close();
  }
}
