import { createHash } from 'node:crypto';
import { canonicalize } from '@/lib/crypto/jcs';

// The event and hash-chain rules of DESIGN.md "Audit event and chain". This module is pure (no
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
  return createHash('sha256').update(canonicalize(event), 'utf8').digest('hex');
}

/** hash(seq) = SHA-256(bytes(hash(seq-1)) || bytes(eventHash(seq))), hash(0) = 32 zero bytes. */
export function chainHashOf(prevHash: string, eventHash: string): string {
  return createHash('sha256').update(Buffer.from(prevHash, 'hex')).update(Buffer.from(eventHash, 'hex')).digest('hex');
}

/** RFC 3339 UTC with milliseconds, as every Charter timestamp. */
export function formatTimestamp(date: Date): string {
  return date.toISOString();
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
