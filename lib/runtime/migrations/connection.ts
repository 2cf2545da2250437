/**
 * Parsing of DATABASE_URL and the few server-level operations (create/drop a
 * database) that the schema engine cannot do for us through a driver adapter.
 */
import pg from 'pg';

export const DEFAULT_SCHEMA = 'public';

/** What the db tooling needs to know about one PostgreSQL database. */
export type ConnectionSettings = {
  /** The URL as given, used only in messages (password removed). */
  readonly displayUrl: string;
  /** Settings handed to `pg` (the Prisma-only `schema` parameter removed). */
  readonly pgConfig: pg.PoolConfig;
  /** Database name from the URL path. */
  readonly database: string;
  /** PostgreSQL schema that holds the tables and `_prisma_migrations`. */
  readonly schema: string;
  /** Same server and credentials, another database (for shadow / scratch databases). */
  forDatabase(database: string): ConnectionSettings;
};

export class DatabaseUrlError extends Error {
  override name = 'DatabaseUrlError';
}

/**
 * Accepts `postgres://` and `postgresql://` URLs, with or without Prisma's
 * `?schema=` parameter (default `public`).
 */
export function parseDatabaseUrl(databaseUrl: string): ConnectionSettings {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new DatabaseUrlError('DATABASE_URL is not a valid URL (expected postgres://user@host:5432/dbname)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new DatabaseUrlError(`DATABASE_URL must start with postgres:// or postgresql:// (got ${url.protocol}//)`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database === '') {
    throw new DatabaseUrlError('DATABASE_URL has no database name (expected postgres://user@host:5432/dbname)');
  }
  return settingsFromUrl(url);
}

function settingsFromUrl(url: URL): ConnectionSettings {
  const schema = url.searchParams.get('schema') || DEFAULT_SCHEMA;
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));

  // `pg` knows nothing of Prisma's `schema` parameter; it becomes the session's
  // search_path instead, so that the unqualified names in Prisma's migration SQL
  // land in that schema (this is what Prisma's native engine does too).
  const pgUrl = new URL(url.href);
  pgUrl.searchParams.delete('schema');
  const userOptions = pgUrl.searchParams.get('options');
  pgUrl.searchParams.delete('options');
  const options = [userOptions, `-c search_path=${searchPathValue(schema)}`].filter(Boolean).join(' ');

  const displayUrl = new URL(url.href);
  if (displayUrl.password) displayUrl.password = '***';

  return {
    displayUrl: displayUrl.href,
    pgConfig: { connectionString: pgUrl.href, options },
    database,
    schema,
    forDatabase(other: string): ConnectionSettings {
      // Rewriting the URL (rather than adding `database` next to
      // `connectionString`) matters: pg lets the connection string win, which is
      // exactly defect 2 of PrismaPg.connectToShadowDb (shadow connects to main).
      const next = new URL(url.href);
      next.pathname = `/${encodeURIComponent(other)}`;
      return settingsFromUrl(next);
    },
  };
}

/** `search_path` value for a libpq `options` string (which splits on spaces). */
function searchPathValue(schema: string): string {
  if (/\s|\\/.test(schema)) {
    throw new DatabaseUrlError(`schema name ${JSON.stringify(schema)} must not contain spaces or backslashes`);
  }
  return quoteIdent(schema);
}

/** Double-quotes a PostgreSQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Runs `fn` with a single short-lived connection. */
export async function withClient<T>(settings: ConnectionSettings, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(settings.pgConfig);
  // A connection lost between two queries rejects the next one; without a listener it would end
  // the process with an unhandled 'error' instead of a one-line reason.
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** CREATE DATABASE on the server of `settings` (needs the CREATEDB privilege). */
export async function createDatabase(settings: ConnectionSettings, name: string): Promise<void> {
  await withClient(settings, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
}

/**
 * DROP DATABASE IF EXISTS. Callers must have closed their own pools on `name`
 * first (defect 3 in docs: "being accessed by other users").
 */
export async function dropDatabase(settings: ConnectionSettings, name: string): Promise<void> {
  await withClient(settings, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`));
}

/** A database name derived from `base`, unique enough for a temporary database, within 63 bytes. */
export function temporaryDatabaseName(base: string, purpose: string): string {
  const suffix = `_${purpose}_${Math.random().toString(16).slice(2, 10)}`;
  const safeBase = base.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 63 - suffix.length);
  return `${safeBase}${suffix}`;
}
