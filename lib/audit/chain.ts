import { hash } from 'node:crypto';
import { canonicalize } from '@/lib/core/crypto/jcs';

// The event and hash-chain rules of README "Audit events and chains". This module is pure (no
// database), so the exporter, the offline verifier and the tests all share exactly one definition.

export const PLATFORM_CHAIN = 'platform';
export const ZERO_HASH = '0'.repeat(64);

export type CanonicalEvent = {
  v: 1;
  chain: string;
  seq: number;
  id: string;
  occurredAt: string;
  actor: { type: string; id: string | null; label: string | null };
  action: string;
  target: { type: string | null; id: string | null };
  tenantId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  data: unknown;
};

export function chainOf(tenantId: string | null): string {
  return tenantId ?? PLATFORM_CHAIN;
}

/** eventHash = SHA-256(UTF-8(JCS(event))), lowercase hex. */
export function eventHashOf(event: CanonicalEvent): string {
  return hash('sha256', canonicalEventJson(event), 'hex');
}

/** A JCS string or null: JSON.stringify's escaping is JCS's; lone surrogates are refused, as by canonicalize. */
export function jcsString(value: string | null): string {
  if (value === null) return 'null';
  if (!value.isWellFormed()) throw new Error('Lone surrogate is not allowed');
  return JSON.stringify(value);
}

const isText = (value: unknown): value is string | null => value === null || typeof value === 'string';

/** Exactly `count` own keys and no toJSON (which canonicalize would call). */
function hasKeys(value: object, count: number): boolean {
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  let n = 0;
  for (const key in value) if (Object.hasOwn(value, key)) n++;
  return n === count;
}

/**
 * JCS(event) for the fixed shape of README "Audit events and chains", written field by field in JCS key order; only `data`
 * goes through the generic canonicaliser. Appends hash every event they write (the deployment ingest
 * a thousand per batch), and this is about twice as fast as canonicalising the whole object. Any
 * event off the fixed shape (a missing or extra key, a value of another type) takes the generic path,
 * so the output is always byte-identical to canonicalize(event) (chain.test.ts checks both).
 * `dataJson` is JCS(data), which the append stores as the row's jsonb as it is; a caller that
 * already has it (the ingest writes its uploaded events' JCS directly) passes it as `knownDataJson`,
 * and must pass exactly JCS(data) (audit-ingest.test.ts checks the ingest's against canonicalize).
 */
export function canonicalEventParts(event: CanonicalEvent, knownDataJson?: string): { json: string; dataJson: string } {
  const { actor, target } = event;
  const fixed =
    event.v === 1 &&
    typeof event.chain === 'string' &&
    Number.isSafeInteger(event.seq) &&
    typeof event.id === 'string' &&
    typeof event.occurredAt === 'string' &&
    typeof event.action === 'string' &&
    isText(event.tenantId) &&
    isText(event.ip) &&
    isText(event.userAgent) &&
    isText(event.requestId) &&
    (knownDataJson !== undefined || event.data !== undefined) &&
    hasKeys(event, 13) &&
    typeof actor === 'object' &&
    actor !== null &&
    typeof actor.type === 'string' &&
    isText(actor.id) &&
    isText(actor.label) &&
    hasKeys(actor, 3) &&
    typeof target === 'object' &&
    target !== null &&
    isText(target.type) &&
    isText(target.id) &&
    hasKeys(target, 2);
  if (!fixed) {
    if (knownDataJson === undefined) return { json: canonicalize(event), dataJson: canonicalize(event.data ?? null) };
    const data = JSON.parse(knownDataJson) as unknown;
    return { json: canonicalize({ ...event, data }), dataJson: canonicalize(data) };
  }
  const dataJson = knownDataJson ?? canonicalize(event.data);
  // Keys in UTF-16 order: action < actor < chain < data < id < ip < occurredAt < requestId < seq <
  // target < tenantId < userAgent < v; actor: id < label < type; target: id < type.
  const json =
    `{"action":${jcsString(event.action)},"actor":{"id":${jcsString(actor.id)},"label":${jcsString(actor.label)},"type":${jcsString(actor.type)}}` +
    `,"chain":${jcsString(event.chain)},"data":${dataJson},"id":${jcsString(event.id)},"ip":${jcsString(event.ip)}` +
    `,"occurredAt":${jcsString(event.occurredAt)},"requestId":${jcsString(event.requestId)},"seq":${event.seq}` +
    `,"target":{"id":${jcsString(target.id)},"type":${jcsString(target.type)}},"tenantId":${jcsString(event.tenantId)}` +
    `,"userAgent":${jcsString(event.userAgent)},"v":1}`;
  return { json, dataJson };
}

/** JCS(event): the bytes eventHash is taken of. */
export function canonicalEventJson(event: CanonicalEvent): string {
  return canonicalEventParts(event).json;
}

/** hash(seq) = SHA-256(bytes(hash(seq-1)) || bytes(eventHash(seq))), hash(0) = 32 zero bytes. */
export function chainHashOf(prevHash: string, eventHash: string): string {
  return hash('sha256', Buffer.concat([Buffer.from(prevHash, 'hex'), Buffer.from(eventHash, 'hex')]), 'hex');
}

/** RFC 3339 UTC with milliseconds, as every Charter timestamp. */
export function formatTimestamp(date: Date): string {
  return date.toISOString();
}

/**
 * JCS of a plain JSON value (what JSON.parse gives) written in one pass, or undefined for anything
 * else (undefined, a bigint, a Date or other object with toJSON, a non-finite number, a lone
 * surrogate, a class instance, nesting deeper than 100): those take normaliseData + canonicalize.
 */
function plainJcs(value: unknown, depth: number): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return value.isWellFormed() ? JSON.stringify(value) : undefined;
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (depth > 100) return undefined;
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item = plainJcs(value[i], depth + 1);
          if (item === undefined) return undefined;
          out += i > 0 ? `,${item}` : item;
        }
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return undefined;
      const record = value as Record<string, unknown>;
      // Default sort: by UTF-16 code units, as JCS orders keys.
      const keys = Object.keys(record).sort();
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        if (!key.isWellFormed()) return undefined;
        const item = plainJcs(record[key], depth + 1);
        if (item === undefined) return undefined;
        out += `${i > 0 ? ',' : ''}${JSON.stringify(key)}:${item}`;
      }
      return `${out}}`;
    }
    default:
      return undefined;
  }
}

/**
 * canonicalize(value), in one pass when the value is plain JSON (what node-postgres gives for a
 * jsonb column: the exporter's events' data). chain.test.ts checks the two agree on arbitrary values.
 */
export function canonicalJson(value: unknown): string {
  return plainJcs(value, 0) ?? canonicalize(value);
}

/**
 * canonicalize(normaliseData(data)), in one pass for plain JSON values (an upload's data always is:
 * it was parsed from the request body). chain.test.ts checks the two agree on arbitrary values.
 */
export function canonicalData(data: unknown): string {
  const json = data === undefined ? 'null' : plainJcs(data, 0);
  if (json === undefined) return canonicalize(normaliseData(data));
  if (json.includes('\\u0000')) throw new Error('audit data must not contain NUL characters');
  return json;
}

/**
 * Values in `data` must survive a round trip through PostgreSQL jsonb unchanged, or the stored event
 * would no longer hash to its eventHash. JSON-normalising first (dropping undefined, turning Dates
 * into strings, BigInts into strings) and refusing NUL characters keeps that true.
 */
export function normaliseData(data: unknown): unknown {
  if (data === undefined || data === null) return null;
  const json = JSON.stringify(data, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  if (json === undefined) return null;
  if (json.includes('\\u0000')) throw new Error('audit data must not contain NUL characters');
  return JSON.parse(json) as unknown;
}
