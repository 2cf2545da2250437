import Link from 'next/link';
import { EmptyRow, TBody, THead, Table, Td, Th, Tr } from '@/components/ui/table';
import type { AuditEventDto } from '@/lib/modules/audit-trail/search';

/** RFC 3339 timestamps shown as "2026-11-29 11:42:03 UTC"; the exact value is in dateTime/title. */
export function formatUtc(iso: string): string {
  return `${iso.replace('T', ' ').slice(0, 19)} UTC`;
}

export function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) return value.length ? value.map(show).join(', ') : '[]';
  if (typeof value === 'object') return JSON.stringify(value);
  const s = typeof value === 'string' ? value : primitiveText(value);
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

/** A non-object value as String() writes it (numbers, booleans, bigints, symbols, functions). */
function primitiveText(value: unknown): string {
  switch (typeof value) {
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'symbol':
    case 'function':
      return String(value);
    default:
      return '';
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export type Change = { key: string; before?: unknown; after?: unknown; hasBefore: boolean; hasAfter: boolean };

/** Flattens `{ before, after, …extra }` into one line per field. */
export function changesOf(data: unknown): { changes: Change[]; extra: [string, unknown][] } {
  if (!isRecord(data)) return { changes: [], extra: data === null ? [] : [['data', data]] };
  const before = isRecord(data.before) ? data.before : {};
  const after = isRecord(data.after) ? data.after : {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const changes = keys.map((key) => ({
    key,
    before: before[key],
    after: after[key],
    hasBefore: key in before,
    hasAfter: key in after,
  }));
  const extra = Object.entries(data).filter(([k]) => k !== 'before' && k !== 'after');
  return { changes, extra };
}

export function ChangeLine({ change }: { change: Change }) {
  return (
    <li className="break-words">
      <span className="text-slate-600">{change.key}:</span>{' '}
      {change.hasBefore && (
        <>
          <del className="bg-red-50 text-red-900 decoration-red-400">{show(change.before)}</del> <span aria-label="changed to">→</span>{' '}
        </>
      )}
      {change.hasAfter && <ins className="bg-emerald-50 text-emerald-900 no-underline">{show(change.after)}</ins>}
    </li>
  );
}

/** A compact before/after of an event's data; long lists fold away behind a summary. */
function EventData({ data }: { data: unknown }) {
  const { changes, extra } = changesOf(data);
  if (changes.length === 0 && extra.length === 0) return <span className="text-slate-500">—</span>;
  const lines = (
    <ul className="space-y-0.5 font-mono text-xs">
      {changes.map((c) => (
        <ChangeLine key={c.key} change={c} />
      ))}
      {extra.map(([k, v]) => (
        <li key={k} className="break-words">
          <span className="text-slate-600">{k}:</span> {show(v)}
        </li>
      ))}
    </ul>
  );
  if (changes.length + extra.length <= 4) return lines;
  return (
    <details>
      <summary className="cursor-pointer text-xs text-slate-700 hover:text-slate-900">{changes.length + extra.length} fields</summary>
      <div className="mt-1">{lines}</div>
    </details>
  );
}

type TableOptions = {
  events: AuditEventDto[];
  caption: string;
  /** Show each event's chain (a search across chains), labelled by this map (chain id → label). */
  chainLabels?: Record<string, string>;
  /** Link each seq to the event's detail page. */
  linkEvents?: boolean;
  emptyMessage?: string;
};

export function AuditEventsTable({ events, caption, chainLabels, linkEvents = false, emptyMessage = 'No audit events yet.' }: TableOptions) {
  const columns = chainLabels ? 6 : 5;
  return (
    <Table caption={caption}>
      <THead>
        <tr>
          {chainLabels && <Th>Chain</Th>}
          <Th className="text-right">Seq</Th>
          <Th>Time (UTC)</Th>
          <Th>Actor</Th>
          <Th>Action</Th>
          <Th>Changes</Th>
        </tr>
      </THead>
      <TBody>
        {events.length === 0 && <EmptyRow colSpan={columns}>{emptyMessage}</EmptyRow>}
        {events.map((e) => (
          <Tr key={`${e.chain}:${e.seq}`} data-audit-action={e.action} className="align-top">
            {chainLabels && (
              <Td className="max-w-40 truncate font-mono text-xs" title={e.chain}>
                {chainLabels[e.chain] ?? e.chain}
              </Td>
            )}
            <Td className="text-right font-mono text-xs tabular-nums">
              {linkEvents ? (
                <Link
                  href={`/audit/${encodeURIComponent(e.chain)}/${e.seq}`}
                  className="text-sky-800 underline decoration-sky-300 hover:decoration-sky-700"
                  aria-label={`Event ${e.seq} details`}
                >
                  {e.seq}
                </Link>
              ) : (
                e.seq
              )}
            </Td>
            <Td className="whitespace-nowrap font-mono text-xs">
              <time dateTime={e.occurredAt} title={e.occurredAt}>
                {formatUtc(e.occurredAt)}
              </time>
            </Td>
            <Td className="max-w-48 truncate text-xs" title={`${e.actor.type}${e.actor.id ? ` ${e.actor.id}` : ''}`}>
              {e.actor.label ?? e.actor.type}
            </Td>
            <Td className="font-mono text-xs whitespace-nowrap">{e.action}</Td>
            <Td className="min-w-64">
              <EventData data={e.data} />
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
