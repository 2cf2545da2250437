import { canonicalize } from '@/lib/core/crypto/jcs';
import { sha256Hex } from '@/lib/core/crypto/hash';
import { type CanonicalEvent, canonicalEventParts, canonicalJson } from './chain';
import type { SignedCheckpoint } from './checkpoint';

// README "Verifiable audit export (NDJSON)": NDJSON, one JCS object per line — a header, then exactly
// one `event` or `omitted` record per seq from fromSeq to toSeq, then a checkpoint over toSeq.
// Pure (no database): the exporter writes these records and lib/audit/verify.ts reads them.

export const EXPORT_FORMAT_VERSION = 1;
export const EXPORT_CONTENT_TYPE = 'application/x-ndjson';

export type ExportKey = { kid: string; alg: 'Ed25519'; publicKey: string };
export type ExportActor = { type: string; id: string | null; label: string | null };

/**
 * What an export reveals. Events outside the filter become `omitted` records (seq and eventHash
 * only), so the chain is still recomputed end to end without revealing them. `from` is inclusive
 * and `to` exclusive (RFC 3339 instants, compared with the event's occurredAt). The criteria are
 * ANDed; their meaning is lib/modules/audit-trail/query.ts (one SQL WHERE for search and exports).
 */
export type ExportFilter = {
  action?: string;
  actionGroup?: string;
  actorId?: string;
  actorType?: string;
  from?: string;
  to?: string;
  targetType?: string;
  targetId?: string;
  ip?: string;
  requestId?: string;
  q?: string;
};

const FILTER_KEYS = ['action', 'actionGroup', 'actorId', 'actorType', 'from', 'to', 'targetType', 'targetId', 'ip', 'requestId', 'q'] as const;

export type ExportHeader = {
  type: 'header';
  v: 1;
  chain: string;
  fromSeq: number;
  toSeq: number;
  prevHash: string;
  exportedAt: string;
  exportedBy: ExportActor;
  filter: ExportFilter | null;
  keys: ExportKey[];
};
export type ExportEventRecord = { type: 'event'; event: CanonicalEvent; hash: string };
export type ExportOmittedRecord = { type: 'omitted'; seq: number; eventHash: string };
export type ExportCheckpointRecord = { type: 'checkpoint' } & SignedCheckpoint;
export type ExportRecord = ExportHeader | ExportEventRecord | ExportOmittedRecord | ExportCheckpointRecord;

/** One NDJSON line: the JCS encoding of the record and a newline, so an export is byte-deterministic. */
export function serializeRecord(record: ExportRecord): string {
  return `${canonicalize(record)}\n`;
}

/**
 * The `event` line and the event's hash from a single canonicalisation (the exporter's hot path).
 * JCS sorts the record's keys as event < hash < type, so splicing the canonical event into that
 * frame gives exactly serializeRecord({ type: 'event', event, hash }).
 */
export function serializeEventRecord(event: CanonicalEvent, hash: string): { line: string; eventHash: string } {
  // The fixed event shape written field by field, its data in one pass: byte-identical to
  // canonicalize(event) (chain.test.ts).
  const canonicalEvent = canonicalEventParts(event, canonicalJson(event.data ?? null)).json;
  return {
    line: `{"event":${canonicalEvent},"hash":${JSON.stringify(hash)},"type":"event"}\n`,
    // = eventHashOf(event), without canonicalising the event a second time.
    eventHash: sha256Hex(canonicalEvent),
  };
}

/** The filter as written into the header: only the criteria given, or null for a complete export. */
export function normaliseFilter(filter: ExportFilter | null | undefined): ExportFilter | null {
  if (!filter) return null;
  const out: ExportFilter = {};
  for (const key of FILTER_KEYS) {
    const value = filter[key];
    if (value === undefined) continue;
    out[key] = key === 'from' || key === 'to' ? new Date(value).toISOString() : value;
  }
  return Object.keys(out).length > 0 ? out : null;
}
