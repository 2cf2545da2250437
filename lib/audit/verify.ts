import { hash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { canonicalize } from '@/lib/core/crypto/jcs';
import { kidOf } from '@/lib/core/crypto/ed25519';
import { type CanonicalEvent, ZERO_HASH, chainHashOf, eventHashOf } from './chain';
import { type SignedCheckpoint, verifyCheckpointSignature } from './checkpoint';
import type { ExportFilter, ExportHeader, ExportKey } from './export-format';

// The offline verifier of README "Verifiable audit export (NDJSON)". Pure: no database, no network.
// It reads the export line by line (constant memory), recomputes every hash from the header's
// prevHash and checks the result against a checkpoint signed by a (preferably pinned) key. Any
// changed, removed, inserted, duplicated or reordered event, a cut file, or a forged checkpoint is
// reported with the first line at fault.

export type PinnedKey = { kid: string; publicKey: string };
export type VerifyOptions = {
  /** Keys obtained out of band (`/api/v1/keys`, the UI). When given, the checkpoint must be signed by one of them. */
  pinnedKeys?: PinnedKey[];
};

export type VerifySuccess = {
  ok: true;
  chain: string;
  fromSeq: number;
  toSeq: number;
  /** Events revealed in full. */
  events: number;
  /** Events outside the export's filter, present only by seq and eventHash. */
  omitted: number;
  /** The key that signed the checkpoint. */
  kid: string;
  /** True when that key came from pinnedKeys rather than from the file's own header. */
  pinned: boolean;
  hash: string;
  checkpointIssuedAt: string;
  exportedAt: string;
  filter: ExportFilter | null;
};
export type VerifyFailure = { ok: false; seq: number | null; line: number; reason: string };
export type VerifyResult = VerifySuccess | VerifyFailure;

const HEX64 = /^[0-9a-f]{64}$/;
const EVENT_PREFIX = Buffer.from('{"event":');
const HASH_INFIX = Buffer.from(',"hash":"');
const EVENT_SUFFIX = Buffer.from('","type":"event"}');
const SEQ_MARKER = Buffer.from('"seq":');

/** The decimal integer at `at` in `bytes` (ended by a comma), or -1. */
function seqAt(bytes: Buffer, at: number): number {
  let value = 0;
  let i = at;
  for (; i < bytes.length && i - at < 16; i++) {
    const b = bytes[i];
    if (b === 0x2c) break;
    if (b < 0x30 || b > 0x39 || (b === 0x30 && i === at && bytes[i + 1] !== 0x2c)) return -1;
    value = value * 10 + (b - 0x30);
  }
  return i > at && bytes[i] === 0x2c ? value : -1;
}
const KID = /^[0-9a-f]{16}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const EVENT_KEYS = ['action', 'actor', 'chain', 'data', 'id', 'ip', 'occurredAt', 'requestId', 'seq', 'target', 'tenantId', 'userAgent', 'v'];
const HEADER_KEYS = ['chain', 'exportedAt', 'exportedBy', 'filter', 'fromSeq', 'keys', 'prevHash', 'toSeq', 'type', 'v'];
const CHECKPOINT_KEYS = ['chain', 'hash', 'issuedAt', 'kid', 'seq', 'signature', 'type', 'v'];

type Json = Record<string, unknown>;

/** A shape problem, reported with the line that has it. */
class Malformed extends Error {}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function expectKeys(obj: Json, keys: readonly string[], what: string): void {
  const actual = Object.keys(obj).sort();
  const extra = actual.filter((k) => !keys.includes(k));
  const missing = keys.filter((k) => !(k in obj));
  if (missing.length) throw new Malformed(`${what} lacks ${missing.join(', ')}`);
  if (extra.length) throw new Malformed(`${what} has unexpected field ${extra.join(', ')}`);
}

function expectSeq(v: unknown, what: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new Malformed(`${what} must be an integer ≥ ${min}`);
  return v;
}

function expectHash(v: unknown, what: string): string {
  if (typeof v !== 'string' || !HEX64.test(v)) throw new Malformed(`${what} must be 64 lowercase hex characters`);
  return v;
}

function expectString(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw new Malformed(`${what} must be a non-empty string`);
  return v;
}

function expectNullableString(v: unknown, what: string): void {
  if (v !== null && typeof v !== 'string') throw new Malformed(`${what} must be a string or null`);
}

function expectTimestamp(v: unknown, what: string): string {
  if (typeof v !== 'string' || !TIMESTAMP.test(v) || Number.isNaN(Date.parse(v))) {
    throw new Malformed(`${what} must be an RFC 3339 UTC timestamp with milliseconds`);
  }
  return v;
}

/** A raw Ed25519 key in canonical base64url and the kid that is its fingerprint. */
function checkKey(kid: unknown, publicKey: unknown, what: string): PinnedKey {
  if (typeof kid !== 'string' || !KID.test(kid)) throw new Malformed(`${what}: kid must be 16 lowercase hex characters`);
  if (typeof publicKey !== 'string' || Buffer.from(publicKey, 'base64url').length !== 32 || Buffer.from(publicKey, 'base64url').toString('base64url') !== publicKey) {
    throw new Malformed(`${what} ${kid}: publicKey must be 32 bytes, base64url without padding`);
  }
  if (kidOf(publicKey) !== kid) throw new Malformed(`${what} ${kid}: kid is not the fingerprint of its public key`);
  return { kid, publicKey };
}

function parseHeader(value: Json): ExportHeader {
  expectKeys(value, HEADER_KEYS, 'header');
  if (value.v !== 1) throw new Malformed(`header: unsupported version ${JSON.stringify(value.v)}`);
  const chain = expectString(value.chain, 'chain');
  const fromSeq = expectSeq(value.fromSeq, 'fromSeq', 1);
  const toSeq = expectSeq(value.toSeq, 'toSeq', fromSeq - 1);
  const prevHash = expectHash(value.prevHash, 'prevHash');
  if (fromSeq === 1 && prevHash !== ZERO_HASH) throw new Malformed('prevHash must be 64 zeros when fromSeq is 1');
  const exportedAt = expectTimestamp(value.exportedAt, 'exportedAt');
  const by = value.exportedBy;
  if (!isObject(by)) throw new Malformed('exportedBy must be an object');
  expectKeys(by, ['id', 'label', 'type'], 'exportedBy');
  expectString(by.type, 'exportedBy.type');
  expectNullableString(by.id, 'exportedBy.id');
  expectNullableString(by.label, 'exportedBy.label');
  if (value.filter !== null && !isObject(value.filter)) throw new Malformed('filter must be an object or null');
  if (!Array.isArray(value.keys)) throw new Malformed('keys must be an array');
  const keys: ExportKey[] = [];
  for (const k of value.keys as unknown[]) {
    if (!isObject(k)) throw new Malformed('each key must be an object');
    expectKeys(k, ['alg', 'kid', 'publicKey'], 'key');
    if (k.alg !== 'Ed25519') throw new Malformed(`key ${String(k.kid)}: alg must be Ed25519`);
    const key = checkKey(k.kid, k.publicKey, 'key');
    if (keys.some((other) => other.kid === key.kid)) throw new Malformed(`key ${key.kid} is listed twice`);
    keys.push({ ...key, alg: 'Ed25519' });
  }
  return {
    type: 'header',
    v: 1,
    chain,
    fromSeq,
    toSeq,
    prevHash,
    exportedAt,
    exportedBy: by as ExportHeader['exportedBy'],
    filter: value.filter ?? null,
    keys,
  };
}

function checkEvent(event: unknown): CanonicalEvent {
  if (!isObject(event)) throw new Malformed('event must be an object');
  expectKeys(event, EVENT_KEYS, 'event');
  if (event.v !== 1) throw new Malformed(`unsupported event version ${JSON.stringify(event.v)}`);
  expectString(event.chain, 'event.chain');
  expectSeq(event.seq, 'event.seq', 1);
  expectString(event.id, 'event.id');
  expectTimestamp(event.occurredAt, 'event.occurredAt');
  expectString(event.action, 'event.action');
  const actor = event.actor;
  if (!isObject(actor)) throw new Malformed('event.actor must be an object');
  expectKeys(actor, ['id', 'label', 'type'], 'event.actor');
  expectString(actor.type, 'event.actor.type');
  expectNullableString(actor.id, 'event.actor.id');
  expectNullableString(actor.label, 'event.actor.label');
  const target = event.target;
  if (!isObject(target)) throw new Malformed('event.target must be an object');
  expectKeys(target, ['id', 'type'], 'event.target');
  expectNullableString(target.type, 'event.target.type');
  expectNullableString(target.id, 'event.target.id');
  for (const f of ['tenantId', 'ip', 'userAgent', 'requestId'] as const) expectNullableString(event[f], `event.${f}`);
  return event as CanonicalEvent;
}

/**
 * The verifier as a state machine over lines, so that a caller may feed it from any source. Each
 * push returns a failure (and the verifier stops there) or null.
 */
export class ExportVerifier {
  private lineNo = 0;
  private header: ExportHeader | null = null;
  private expectedSeq = 0;
  private running = '';
  private events = 0;
  private omitted = 0;
  private result: VerifyResult | null = null;
  /** The event at the header's toSeq: the export's own `audit.exported` event, which seals the header. */
  private sealEvent: CanonicalEvent | null = null;
  private readonly pinned: Map<string, string> | null;

  constructor(options: VerifyOptions = {}) {
    if (options.pinnedKeys) {
      this.pinned = new Map();
      for (const k of options.pinnedKeys) {
        try {
          this.pinned.set(k.kid, checkKey(k.kid, k.publicKey, 'pinned key').publicKey);
        } catch (err) {
          this.result = { ok: false, seq: null, line: 0, reason: (err as Error).message };
        }
      }
    } else {
      this.pinned = null;
    }
  }

  /** Feeds the next line (without its newline). Returns the failure, if this line is where the export fails. */
  push(line: string): VerifyFailure | null {
    if (this.result && !this.result.ok) return this.result;
    this.lineNo += 1;
    if (this.result) return this.fail(null, 'unexpected content after the checkpoint');
    if (line === '') return this.fail(null, 'empty line');
    if (line.endsWith('\r')) return this.fail(null, 'line ends with a carriage return (was the file converted to CRLF?)');

    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return this.fail(null, 'not valid JSON (file truncated or corrupted)');
    }
    if (!isObject(value) || typeof value.type !== 'string') return this.fail(null, 'not a JSON object with a "type"');
    // Every line is the JCS form of its value: a file is byte-for-byte what the exporter wrote.
    if (canonicalize(value) !== line) return this.fail(null, 'not in canonical JSON form (RFC 8785)');

    try {
      if (!this.header) {
        if (value.type !== 'header') return this.fail(null, 'the export does not start with a header');
        this.header = parseHeader(value);
        this.expectedSeq = this.header.fromSeq;
        this.running = this.header.prevHash;
        this.runningRaw = null;
        return null;
      }
      switch (value.type) {
        case 'event':
          return this.onEvent(value);
        case 'omitted':
          return this.onOmitted(value);
        case 'checkpoint':
          return this.onCheckpoint(value);
        case 'header':
          return this.fail(null, 'a second header');
        default:
          return this.fail(null, `unknown record type ${JSON.stringify(value.type)}`);
      }
    } catch (err) {
      if (!(err instanceof Malformed)) throw err;
      return this.fail(null, this.header ? `malformed ${value.type} record: ${err.message}` : `invalid header: ${err.message}`);
    }
  }

  /**
   * Feeds the next line as bytes (without its newline). An event record in the exact shape the
   * exporter writes — `{"event":` + the event's canonical JSON + `,"hash":"<64 hex>","type":"event"}`
   * — takes a fast path: its eventHash is SHA-256 of those raw event bytes, with no JSON
   * canonicalisation. That is sound: the chain commits to SHA-256 of the canonical event, so raw
   * bytes that hash to it are those canonical bytes (anything else breaks the chain, whose end is
   * signed). Every other line, and any line where the chain breaks, goes through push(), which
   * checks everything and words the reason.
   */
  pushBytes(line: Buffer): VerifyFailure | null {
    const header = this.header;
    const n = line.length;
    if (
      header === null ||
      this.result !== null ||
      n < 9 + 2 + 90 ||
      line.compare(EVENT_PREFIX, 0, EVENT_PREFIX.length, 0, EVENT_PREFIX.length) !== 0 ||
      line.compare(HASH_INFIX, 0, HASH_INFIX.length, n - 90, n - 90 + HASH_INFIX.length) !== 0 ||
      line.compare(EVENT_SUFFIX, 0, EVENT_SUFFIX.length, n - EVENT_SUFFIX.length, n) !== 0 ||
      this.expectedSeq >= header.toSeq
    ) {
      // The seal (the last event) is parsed in full, as is everything that is not an event line.
      return this.push(line.toString('utf8'));
    }
    // The checks push() makes on the parsed event, on its canonical bytes: its chain and its seq
    // (keys are sorted: chain comes just before data, and the last "seq": is the top-level one).
    const event = line.subarray(9, n - 90);
    this.chainMarker ??= Buffer.from(`"chain":${JSON.stringify(header.chain)},"data":`);
    if (event.indexOf(this.chainMarker) === -1 || seqAt(event, event.lastIndexOf(SEQ_MARKER) + SEQ_MARKER.length) !== this.expectedSeq) {
      return this.push(line.toString('utf8'));
    }
    const eventHash = hash('sha256', event, 'buffer');
    const running = hash('sha256', Buffer.concat([this.runningBytes(), eventHash], 64), 'hex');
    if (line.toString('latin1', n - 81, n - 17) !== running) return this.push(line.toString('utf8'));
    this.lineNo += 1;
    this.running = running;
    this.runningRaw = null;
    this.events += 1;
    this.expectedSeq += 1;
    return null;
  }

  private runningRaw: Buffer | null = null;
  private chainMarker: Buffer | null = null;

  private runningBytes(): Buffer {
    this.runningRaw ??= Buffer.from(this.running, 'hex');
    return this.runningRaw;
  }

  /** Call at the end of input: the outcome of the whole export. */
  finish(): VerifyResult {
    if (this.result) return this.result;
    if (!this.header) return this.fail(null, 'empty file: no header', true);
    return this.fail(this.expectedSeq - 1, `file is truncated: no checkpoint after seq ${this.expectedSeq - 1}`, true);
  }

  /** Checks that `seq` is the next one; the reasons tell deletion, duplication and reordering apart. */
  private checkSeq(seq: number): VerifyFailure | null {
    const header = this.header as ExportHeader;
    if (seq > header.toSeq && this.expectedSeq > header.toSeq) {
      return this.fail(seq, `beyond the header's toSeq ${header.toSeq} (an event was inserted)`);
    }
    if (seq > this.expectedSeq) {
      return this.fail(this.expectedSeq, `missing (found seq ${seq} instead: an event was deleted or lines were reordered)`);
    }
    if (seq < this.expectedSeq) {
      return this.fail(seq, `duplicated or out of order (expected seq ${this.expectedSeq})`);
    }
    return null;
  }

  private onEvent(value: Json): VerifyFailure | null {
    const header = this.header as ExportHeader;
    expectKeys(value, ['event', 'hash', 'type'], 'event record');
    const event = checkEvent(value.event);
    const hash = expectHash(value.hash, 'hash');
    const seqProblem = this.checkSeq(event.seq);
    if (seqProblem) return seqProblem;
    if (event.chain !== header.chain) return this.fail(event.seq, `event belongs to chain ${event.chain}, not ${header.chain}`);
    this.running = chainHashOf(this.running, eventHashOf(event));
    this.runningRaw = null;
    if (this.running !== hash) return this.fail(event.seq, 'hash mismatch (event changed or reordered)');
    if (event.seq === header.toSeq) this.sealEvent = event;
    this.events += 1;
    this.expectedSeq += 1;
    return null;
  }

  private onOmitted(value: Json): VerifyFailure | null {
    expectKeys(value, ['eventHash', 'seq', 'type'], 'omitted record');
    const seq = expectSeq(value.seq, 'seq', 1);
    const eventHash = expectHash(value.eventHash, 'eventHash');
    const seqProblem = this.checkSeq(seq);
    if (seqProblem) return seqProblem;
    this.running = chainHashOf(this.running, eventHash);
    this.runningRaw = null;
    this.omitted += 1;
    this.expectedSeq += 1;
    return null;
  }

  private onCheckpoint(value: Json): VerifyFailure | null {
    const header = this.header as ExportHeader;
    expectKeys(value, CHECKPOINT_KEYS, 'checkpoint');
    if (value.v !== 1) throw new Malformed(`unsupported checkpoint version ${JSON.stringify(value.v)}`);
    const checkpoint: SignedCheckpoint = {
      v: 1,
      chain: expectString(value.chain, 'chain'),
      seq: expectSeq(value.seq, 'seq'),
      hash: expectHash(value.hash, 'hash'),
      issuedAt: expectTimestamp(value.issuedAt, 'issuedAt'),
      kid: expectString(value.kid, 'kid'),
      signature: expectString(value.signature, 'signature'),
    };
    if (this.expectedSeq <= header.toSeq) {
      const gap = this.expectedSeq === header.toSeq ? `seq ${header.toSeq} is` : `seq ${this.expectedSeq}..${header.toSeq} are`;
      return this.fail(this.expectedSeq, `${gap} missing before the checkpoint (events deleted or file cut)`, true);
    }
    const seq = checkpoint.seq;
    if (checkpoint.chain !== header.chain) return this.fail(seq, `checkpoint is for chain ${checkpoint.chain}, not ${header.chain}`);
    if (seq !== header.toSeq) return this.fail(seq, `checkpoint seq ${seq} does not match the header's toSeq ${header.toSeq}`);
    if (checkpoint.hash !== this.running) {
      return this.fail(seq, 'checkpoint hash does not match the recomputed chain hash (events changed, removed or inserted)');
    }
    const publicKey = this.pinned ? this.pinned.get(checkpoint.kid) : header.keys.find((k) => k.kid === checkpoint.kid)?.publicKey;
    if (!publicKey) {
      return this.fail(seq, `checkpoint signed by unknown key ${checkpoint.kid} (${this.pinned ? 'not among the pinned keys' : 'not in the header'})`);
    }
    if (!verifyCheckpointSignature(checkpoint, publicKey)) return this.fail(seq, `checkpoint signature is invalid for key ${checkpoint.kid}`);
    const unsealed = this.checkSeal(header);
    if (unsealed) return this.fail(seq, unsealed);
    this.result = {
      ok: true,
      chain: header.chain,
      fromSeq: header.fromSeq,
      toSeq: header.toSeq,
      events: this.events,
      omitted: this.omitted,
      kid: checkpoint.kid,
      pinned: this.pinned !== null,
      hash: checkpoint.hash,
      checkpointIssuedAt: checkpoint.issuedAt,
      exportedAt: header.exportedAt,
      filter: header.filter,
    };
    return null;
  }

  /**
   * The header is not hashed into the chain, so Charter's exporter ends every export with the
   * export's own `audit.exported` event (always revealed), whose actor, time and data repeat the
   * header: once the chain and signature hold, that event is authentic, and any difference means
   * the header was changed after the export.
   */
  private checkSeal(header: ExportHeader): string | null {
    const event = this.sealEvent;
    if (!event || event.action !== 'audit.exported' || !isObject(event.data)) {
      return 'the export does not end with its own audit.exported event, so its header is not sealed';
    }
    const data = event.data;
    const differs = (field: string, a: unknown, b: unknown) => (canonicalize(a ?? null) === canonicalize(b ?? null) ? null : field);
    const field =
      differs('chain', data.chain, header.chain) ??
      differs('exportedBy', event.actor, header.exportedBy) ??
      differs('exportedAt', event.occurredAt, header.exportedAt) ??
      differs('fromSeq', data.fromSeq, header.fromSeq) ??
      differs('filter', data.filter, header.filter) ??
      differs(
        'keys',
        data.keys,
        header.keys.map((k) => k.kid),
      ) ??
      differs('format', data.format, 'ndjson');
    return field ? `the header's ${field} differs from the export's own audit.exported event (the header was changed)` : null;
  }

  /** Reasons start with the seq at fault, or the line when no seq applies (unless `bare`). */
  private fail(seq: number | null, message: string, bare = false): VerifyFailure {
    const reason = bare ? message : seq === null ? `line ${this.lineNo}: ${message}` : `seq ${seq}: ${message}`;
    const failure: VerifyFailure = { ok: false, seq, line: this.lineNo, reason };
    this.result = failure;
    return failure;
  }
}

/**
 * Verifies a whole export. `input` is the file's text, or its lines (e.g. from node:readline, one
 * item per line without the newline) for constant-memory streaming of large files.
 */
export async function verifyExport(input: AsyncIterable<string> | Iterable<string> | string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const verifier = new ExportVerifier(options);
  if (typeof input === 'string') {
    // One final newline ends the last line; anything else (an empty line) is content.
    const lines = input.split('\n');
    if (lines.at(-1) === '') lines.pop();
    for (const line of lines) if (verifier.push(line)) break;
  } else {
    for await (const line of input) if (verifier.push(line)) break;
  }
  return verifier.finish();
}

const MAX_LINE_CHARS = 64 * 1024 * 1024;

/**
 * Verifies an export read as bytes (a file or stdin), in constant memory: lines are split on "\n"
 * only (a stray "\r" stays in its line and is reported) and fed to pushBytes (the fast path).
 * What the CLI uses; the same verdicts as verifyExport over linesOf.
 */
export async function verifyExportStream(chunks: AsyncIterable<Buffer | string>, options: VerifyOptions = {}): Promise<VerifyResult> {
  const verifier = new ExportVerifier(options);
  let pending: Buffer = Buffer.alloc(0);
  for await (const raw of chunks) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, start)) {
      if (verifier.pushBytes(buf.subarray(start, nl))) return verifier.finish();
      start = nl + 1;
    }
    buf = buf.subarray(start);
    // Copied, so that the stream's chunk can be released.
    pending = Buffer.from(buf);
    if (pending.length > MAX_LINE_CHARS) throw new Error(`a line is longer than ${MAX_LINE_CHARS} bytes: not an audit export`);
  }
  if (pending.length) verifier.pushBytes(pending);
  return verifier.finish();
}

/**
 * Splits a byte stream (a file or stdin) into lines on "\n" only, so that a stray "\r" stays in
 * the line and is reported rather than silently taken as a line break (as node:readline would).
 */
export async function* linesOf(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of chunks) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n', start)) {
      yield pending.slice(start, nl);
      start = nl + 1;
    }
    pending = pending.slice(start);
    if (pending.length > MAX_LINE_CHARS) throw new Error(`a line is longer than ${MAX_LINE_CHARS} characters: not an audit export`);
  }
  pending += decoder.end();
  if (pending !== '') yield pending;
}
