/**
 * The driver adapter the WASM schema engine talks to PostgreSQL through:
 * `@prisma/adapter-pg` (PrismaPg) plus fixes for three defects that had to be
 * worked around:
 *
 *  1. PrismaPg cannot describe the catalogue type `"char"` (OID 18), which the
 *     engine's schema describer selects (a known defect of Prisma's). It must reach
 *     the engine as the `Character` column type, not as text (text crashes the
 *     describer once a CHECK constraint exists). `name` (OID 19) is already read
 *     as text by adapter-pg 7.10.0.
 *  2. PrismaPg.connectToShadowDb() connects the "shadow" pool to the main
 *     database when configured with a connection string. We create the shadow
 *     database ourselves and connect to it with its own URL.
 *  3. The shadow database can only be dropped after its pool is closed.
 *
 * One more fix found while building this: PrismaPgAdapter.executeScript splits
 * the script on every ';', which breaks `$$ … ; … $$` bodies of PL/pgSQL
 * functions (our audit triggers). PostgreSQL's simple-query protocol runs a
 * multi-statement script as sent, which is what Prisma's native engine does.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import {
  ColumnTypeEnum,
  type ColumnType,
  type ConnectionInfo,
  type IsolationLevel,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
  type Transaction,
} from '@prisma/driver-adapter-utils';
import pg from 'pg';

import { createDatabase, dropDatabase, temporaryDatabaseName, type ConnectionSettings } from './connection';

const PG_CHAR_OID = 18; // the one-byte catalogue type "char" (pg_constraint.contype, pg_class.relkind, …)
const PG_TEXT_OID = 25;

/**
 * Result row arrays whose columns were relabelled from "char" to text, with the
 * indexes of those columns. Keyed by the `rows` array because PrismaPg returns
 * the driver's `rows` array unchanged in its SqlResultSet (defect 1).
 */
const charColumnsByRows = new WeakMap<unknown[], number[]>();

/** Relabels "char" fields as text so PrismaPg accepts them, remembering which they were. */
function relabelCharColumns(result: unknown): void {
  if (!isQueryResult(result)) return;
  const charColumns: number[] = [];
  result.fields.forEach((field, index) => {
    if (field.dataTypeID === PG_CHAR_OID) {
      field.dataTypeID = PG_TEXT_OID;
      charColumns.push(index);
    }
  });
  if (charColumns.length > 0) charColumnsByRows.set(result.rows, charColumns);
}

function isQueryResult(value: unknown): value is pg.QueryResult {
  return typeof value === 'object' && value !== null && Array.isArray((value as { fields?: unknown }).fields);
}

/** Restores the `Character` column type for columns relabelled by relabelCharColumns. */
function restoreCharColumnTypes(resultSet: SqlResultSet): SqlResultSet {
  const charColumns = charColumnsByRows.get(resultSet.rows);
  if (!charColumns) return resultSet;
  const columnTypes: ColumnType[] = [...resultSet.columnTypes];
  for (const index of charColumns) columnTypes[index] = ColumnTypeEnum.Character;
  return { ...resultSet, columnTypes };
}

/**
 * pg.Client whose query results never carry the "char" OID. Both pool.query()
 * and the pooled clients of transactions go through Client#query, so a Client
 * subclass (passed to pg.Pool as `Client`) covers every path PrismaPg uses.
 */
class CatalogCharClient extends pg.Client {}
// eslint-disable-next-line @typescript-eslint/unbound-method -- kept unbound on purpose: the wrapper calls it with Reflect.apply and the client as `this`
const originalQuery = pg.Client.prototype.query;
// Client#query has a dozen overloads (promise, callback, submittable); this
// wrapper forwards any of them, hence the untyped arguments and the cast.
CatalogCharClient.prototype.query = function query(this: pg.Client, ...args: unknown[]): unknown {
  const last = args.length - 1;
  const callback = args[last];
  if (typeof callback === 'function') {
    args[last] = (error: unknown, result: unknown) => {
      if (!error) relabelCharColumns(result);
      (callback as (error: unknown, result: unknown) => void)(error, result);
    };
  }
  const returned: unknown = Reflect.apply(originalQuery, this, args);
  if (returned instanceof Promise) {
    return returned.then((result: unknown) => {
      relabelCharColumns(result);
      return result;
    });
  }
  return returned;
} as typeof originalQuery;

/** Wraps a PrismaPg adapter with the "char" fix, the executeScript fix and our own cleanup. */
class CharterPgAdapter implements SqlDriverAdapter {
  readonly provider = 'postgres';
  readonly adapterName: string;

  constructor(
    private readonly inner: SqlDriverAdapter,
    private readonly schema: string,
    private readonly cleanup: () => Promise<void>,
  ) {
    this.adapterName = inner.adapterName;
  }

  async queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return restoreCharColumnTypes(await this.inner.queryRaw(query));
  }

  executeRaw(query: SqlQuery): Promise<number> {
    return this.inner.executeRaw(query);
  }

  /**
   * Sends the script whole (see the header: PrismaPg would split `$$` bodies).
   * Without parameters pg uses the simple-query protocol, which accepts several
   * statements; going through executeRaw keeps PrismaPg's error mapping.
   */
  async executeScript(script: string): Promise<void> {
    await this.inner.executeRaw({ sql: script, args: [], argTypes: [] });
  }

  async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    const transaction = await this.inner.startTransaction(isolationLevel);
    return new CharterPgTransaction(transaction);
  }

  getConnectionInfo(): ConnectionInfo {
    return { schemaName: this.schema, supportsRelationJoins: true };
  }

  dispose(): Promise<void> {
    return this.cleanup();
  }
}

/** Transactions need the "char" fix too: the describer may run inside one. */
class CharterPgTransaction implements Transaction {
  readonly provider = 'postgres';
  readonly adapterName: string;
  readonly options: Transaction['options'];

  constructor(private readonly inner: Transaction) {
    this.adapterName = inner.adapterName;
    this.options = inner.options;
  }

  async queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return restoreCharColumnTypes(await this.inner.queryRaw(query));
  }

  executeRaw(query: SqlQuery): Promise<number> {
    return this.inner.executeRaw(query);
  }

  commit(): Promise<void> {
    return this.inner.commit();
  }

  rollback(): Promise<void> {
    return this.inner.rollback();
  }
}

/** Opens a pool on `settings` (with the "char" fix) and wraps it for the engine. */
async function openAdapter(settings: ConnectionSettings, afterClose: () => Promise<void>): Promise<CharterPgAdapter> {
  // One connection, like Prisma's native engine: the engine takes a session-level
  // pg_advisory_lock and never unlocks it (it relies on the connection closing),
  // so every statement must run on the connection that holds the lock.
  const pool = new pg.Pool({ ...settings.pgConfig, Client: CatalogCharClient, max: 1 });
  // As in connection.ts: a lost connection fails the engine's query, not the process.
  pool.on('connect', (client) => client.on('error', () => {}));
  pool.on('error', () => {
    // An idle client lost its connection; the next query reports the error.
  });
  // An external pool is not ended by PrismaPg on dispose; we end it ourselves,
  // before afterClose() (defect 3: drop the shadow database only after).
  const inner = await new PrismaPg(pool, { schema: settings.schema }).connect();
  let closed = false;
  return new CharterPgAdapter(inner, settings.schema, async () => {
    if (closed) return;
    closed = true;
    await inner.dispose();
    await pool.end();
    await afterClose();
  });
}

/**
 * SqlMigrationAwareDriverAdapterFactory for the schema engine. Every adapter it
 * hands out is tracked so that close() can release all pools and drop any
 * shadow database the engine did not dispose of itself.
 */
export class CharterMigrationAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres';
  readonly adapterName = '@prisma/adapter-pg';
  private readonly open = new Set<CharterPgAdapter>();

  constructor(private readonly settings: ConnectionSettings) {}

  async connect(): Promise<SqlDriverAdapter> {
    return this.track(await openAdapter(this.settings, async () => {}));
  }

  /** Defect 2: create the shadow database ourselves and connect to it by its own URL. */
  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const name = temporaryDatabaseName(this.settings.database, 'shadow');
    await createDatabase(this.settings, name);
    try {
      const shadow = this.settings.forDatabase(name);
      return this.track(await openAdapter(shadow, () => dropDatabase(this.settings, name)));
    } catch (error) {
      await dropDatabase(this.settings, name);
      throw error;
    }
  }

  /** Releases every adapter still open (and so drops leftover shadow databases). */
  async close(): Promise<void> {
    const adapters = [...this.open];
    this.open.clear();
    await Promise.all(adapters.map((adapter) => adapter.dispose()));
  }

  private track(adapter: CharterPgAdapter): CharterPgAdapter {
    this.open.add(adapter);
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      this.open.delete(adapter);
      await dispose();
    };
    return adapter;
  }
}
