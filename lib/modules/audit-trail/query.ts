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

/** A row of streamEvents: the event's columns, and any extra columns the SELECT adds. */
export type StreamedRow = EventRow & Record<string, unknown>;

type PgConnection = { stream: { pause(): void; resume(): void } };
/**
 * The part of pg.Query that node-postgres's client drives (not all in its typings): a subclass
 * overrides some handlers, and parses rows with the query's own Result as pg-cursor does.
 */
type QueryInternals = {
  submit(connection: PgConnection): Error | null;
  handleReadyForQuery(connection: PgConnection): void;
  handleError(err: Error, connection: PgConnection): void;
  _result: { parseRow(fields: unknown[]): Record<string, unknown> };
};
const QueryBase = pg.Query as unknown as new (config: pg.QueryConfig & { callback: (err: Error | null) => void }) => QueryInternals;

/**
 * A pg.Query that hands each row to `onRow` as soon as it is parsed and keeps none. A batch of
 * queryEvents' rows stays alive, as JavaScript objects, until the last one has arrived and been
 * used: long enough to be promoted to V8's old generation, where a stream of batches piles up as
 * garbage until the next full collection (~100 MB of heap for a large export, whatever the batch
 * size). Rows that die as they are used are freed by the young generation's cheap collections.
 *
 * When `onRow` returns a promise, the connection's socket is paused until it settles: the rows of
 * the socket read in progress still arrive, then PostgreSQL's output waits in the socket buffers,
 * not in this process. The socket always reads again before the query completes, so the pooled
 * connection goes back as it came.
 */
class RowStream extends QueryBase {
  failure: Error | null = null;
  private socket: PgConnection['stream'] | null = null;
  private waiting: Promise<void> | null = null;

  constructor(
    config: pg.QueryConfig & { callback: (err: Error | null) => void },
    private readonly onRow: (row: StreamedRow) => Promise<void> | null,
  ) {
    super(config);
  }

  submit(connection: PgConnection): Error | null {
    this.socket = connection.stream;
    return super.submit(connection);
  }

  handleDataRow(msg: { fields: unknown[] }): void {
    // After a failure the rest of the result is read and dropped; node-postgres then completes the
    // query normally, and the caller throws the failure.
    if (this.failure !== null) return;
    try {
      const row = this._result.parseRow(msg.fields) as StreamedRow;
      // node-postgres gives bigint columns as strings, whatever the row type says.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- a string at run time
      row.seq = BigInt(row.seq);
      const busy = this.onRow(row);
      if (busy && busy !== this.waiting) this.pauseUntil(busy);
    } catch (err) {
      this.fail(err);
    }
  }

  handleReadyForQuery(connection: PgConnection): void {
    this.resume();
    super.handleReadyForQuery(connection);
  }

  handleError(err: Error, connection: PgConnection): void {
    this.resume();
    super.handleError(err, connection);
  }

  private pauseUntil(busy: Promise<void>): void {
    this.waiting = busy;
    this.socket?.pause();
    busy.then(
      () => {
        if (this.waiting === busy) this.resume();
      },
      (err: unknown) => this.fail(err),
    );
  }

  private fail(err: unknown): void {
    this.failure ??= err instanceof Error ? err : new Error(String(err));
    this.resume();
  }

  private resume(): void {
    this.waiting = null;
    this.socket?.resume();
  }
}

/**
 * Runs a SELECT of EVENT_COLUMNS (plus any extra columns) on `client`, as a named statement like
 * queryEvents, and calls `onRow` with each row in order as it arrives; resolves with the number of
 * rows once the statement has completed, or rejects with what `onRow` threw or the promise it
 * returned rejected with. `onRow` is synchronous and must keep what it needs compact (the export
 * serialises each row into bytes at once); a promise it returns holds back the reading until it
 * settles (rows already read still come meanwhile), and with it the statement.
 */
export async function streamEvents(client: pg.PoolClient, sql: string, params: SqlParams | string[], onRow: (row: StreamedRow) => Promise<void> | null): Promise<number> {
  const values = Array.isArray(params) ? params : params.values;
  let rows = 0;
  let completed!: (err: Error | null) => void;
  const done = new Promise<void>((resolve, reject) => {
    completed = (err) => (err ? reject(err) : resolve());
  });
  // pg.Query calls its callback once the statement has completed (ReadyForQuery) or failed.
  const config = { name: `audit_${sha256Hex(sql).slice(0, 24)}`, text: sql, values, callback: (err: Error | null) => completed(err) };
  const query = new RowStream(config, (row) => {
    rows += 1;
    return onRow(row);
  });
  client.query(query as unknown as pg.Submittable);
  await done;
  if (query.failure !== null) throw query.failure;
  return rows;
}
