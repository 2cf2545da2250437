import pg from 'pg';
import { rawPool } from '@/lib/core/db';
import { sha256Hex } from '@/lib/core/crypto/hash';
import type { AuditEvent } from '@/lib/generated/prisma/client';
import type { ExportFilter } from '@/lib/audit/export-format';
import { AUDIT_ACTIONS } from '@/lib/audit/actions';

// The audit filter as SQL, written once: the search (lib/modules/audit-trail/search.ts), the verifiable export
// (which reveals exactly the rows this WHERE matches and omits the others) and the CSV export (a
// COPY, which takes no bind parameters, so there the values are inlined as escaped literals).

/** Positional parameters ($1, $2 …), all text; the SQL casts them where needed. */
export class SqlParams {
  readonly values: string[] = [];

  add(value: string | number | bigint): string {
    this.values.push(String(value));
    return `$${this.values.length}`;
  }
}

/** LIKE pattern for a substring, with the pattern characters escaped. */
function containsPattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const KNOWN_ACTIONS: ReadonlySet<string> = new Set(AUDIT_ACTIONS);

/** The conditions of a filter, ANDed; "TRUE" for no filter. */
export function filterSql(filter: ExportFilter | null, params: SqlParams): string {
  if (!filter) return 'TRUE';
  const and: string[] = [];
  // A known action is a literal, not a parameter: the search's statements run generic plans
  // (lib/core/db.ts rawPool), and a generic plan for `action = $n` assumes an average action, so for a
  // rare one it walks the chain's whole time index (measured 0.8 s instead of 0.1 ms on 1M events).
  // Actions are a closed set, so this adds a bounded number of statement shapes.
  if (filter.action !== undefined) and.push(`action = ${KNOWN_ACTIONS.has(filter.action) ? pg.escapeLiteral(filter.action) : params.add(filter.action)}`);
  if (filter.actionGroup !== undefined) and.push(`starts_with(action, ${params.add(`${filter.actionGroup}.`)})`);
  if (filter.actorId !== undefined) and.push(`actor_id = ${params.add(filter.actorId)}`);
  if (filter.actorType !== undefined) and.push(`actor_type = ${params.add(filter.actorType)}`);
  if (filter.from !== undefined) and.push(`occurred_at >= ${params.add(filter.from)}::timestamptz`);
  if (filter.to !== undefined) and.push(`occurred_at < ${params.add(filter.to)}::timestamptz`);
  if (filter.targetType !== undefined) and.push(`target_type = ${params.add(filter.targetType)}`);
  if (filter.targetId !== undefined) and.push(`target_id = ${params.add(filter.targetId)}`);
  if (filter.ip !== undefined) and.push(`ip = ${params.add(filter.ip)}`);
  if (filter.requestId !== undefined) and.push(`request_id = ${params.add(filter.requestId)}`);
  if (filter.q !== undefined) {
    const p = params.add(containsPattern(filter.q));
    and.push(
      `(actor_label ILIKE ${p} OR actor_id ILIKE ${p} OR target_id ILIKE ${p} OR action ILIKE ${p}` +
        ` OR (action = 'audit.ingested' AND (data->'source'->>'action' ILIKE ${p} OR data->'source'->'actor'->>'label' ILIKE ${p})))`,
    );
  }
  return and.length ? and.join(' AND ') : 'TRUE';
}

/** The stored columns, named as the Prisma model's fields (so a raw row is an AuditEvent). */
export const EVENT_COLUMNS = `id::text AS "id", chain, seq, occurred_at AS "occurredAt", actor_type AS "actorType", actor_id AS "actorId",
  actor_label AS "actorLabel", action, target_type AS "targetType", target_id AS "targetId", tenant_id::text AS "tenantId", ip,
  user_agent AS "userAgent", request_id AS "requestId", data, event_hash AS "eventHash", hash`;

export type EventRow = AuditEvent;

/** `sql` with its $n parameters replaced by escaped literals (for COPY, which cannot bind them). */
export function inlineParams(sql: string, params: SqlParams): string {
  return sql.replace(/\$(\d+)/g, (_m, n: string) => pg.escapeLiteral(params.values[Number(n) - 1]));
}

/**
 * Runs a SELECT of EVENT_COLUMNS (plus any extra columns) through node-postgres: the search and
 * export hot paths, where Prisma's per-row overhead would dominate a 50-row
 * page (bench/search.ts). seq comes back as a bigint, as from Prisma.
 */
export async function queryEvents<T extends Record<string, unknown> = Record<string, never>>(sql: string, params: SqlParams | string[]): Promise<(EventRow & T)[]> {
  const values = Array.isArray(params) ? params : params.values;
  // Named, so each connection prepares a query shape once instead of parsing it every time.
  const name = `audit_${sha256Hex(sql).slice(0, 24)}`;
  const result = await rawPool().query<EventRow & T & { seq: string | bigint }>({ name, text: sql, values });
  // node-postgres gives bigint columns as strings, whatever the row type says.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- a string at run time
  for (const row of result.rows) row.seq = BigInt(row.seq);
  return result.rows;
}
