import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { getDatabaseEnv } from '@/lib/core/env';
import { logger } from '@/lib/core/logger';
import { PrismaClient, Prisma } from '@/lib/generated/prisma/client';

export { Prisma };
export type Tx = Prisma.TransactionClient;

/**
 * A connection the server ends (a restart, a failover, pg_terminate_backend) or the network drops
 * makes node-postgres emit 'error' on its client, and an 'error' nobody listens for ends the
 * process. The pool listens only while a client is idle in it, so every client gets a listener of
 * its own for its whole life: the query that was using it fails (and becomes a 503 for its
 * request); the pool discards the broken client when it is released; the process carries on.
 */
function listenForErrors(pool: pg.Pool, name: string): pg.Pool {
  // Also raised for an idle client, after its own listener below has logged it.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', (err) => logger.warn({ pool: name, err: err.message }, 'a database connection failed'));
  });
  return pool;
}

/**
 * The settings every pool shares: a bounded wait for a connection (a pool wait past it fails at
 * once instead of queueing forever), a statement timeout that also bounds lock waits, a limit on
 * a transaction left idle (a hung process cannot hold locks for long), and TCP keep-alive so that
 * a peer that vanished without a reset (a moved virtual IP) is noticed.
 */
function poolConfig(): pg.PoolConfig {
  const env = getDatabaseEnv();
  const statementTimeout = env.CHARTER_DB_STATEMENT_TIMEOUT_MS;
  return {
    connectionString: env.DATABASE_URL,
    connectionTimeoutMillis: env.CHARTER_DB_CONNECT_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    options: `-c statement_timeout=${statementTimeout} -c idle_in_transaction_session_timeout=${Math.max(60_000, 2 * statementTimeout)}`,
  };
}

// One client per process; Next.js dev reloads modules, so it is kept on globalThis.
const holder = globalThis as unknown as { __charterDb?: PrismaClient; __charterDbPool?: pg.Pool };

/**
 * Prisma's own connection pool (CHARTER_DB_POOL_SIZE connections), for the few hot paths that skip
 * Prisma's query engine when a benchmark shows it matters (API-key verification,
 * bench/key-verify). They share Prisma's connections rather than opening more. db.$disconnect() ends it.
 */
export const pool: pg.Pool =
  holder.__charterDbPool ?? (holder.__charterDbPool = listenForErrors(new pg.Pool({ ...poolConfig(), max: getDatabaseEnv().CHARTER_DB_POOL_SIZE }), 'main'));

function createClient(): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
}

export const db: PrismaClient = holder.__charterDb ?? (holder.__charterDb = createClient());

/**
 * Runs `fn` in one database transaction. Every mutation and its audit event go through here, so that
 * a failed audit write rolls the change back (the guarantee that every change is audited atomically). The transaction is rolled
 * back after `timeoutMs` (default 15 s, or the statement timeout if longer); waiting for a
 * connection is bounded by the pool's connect timeout.
 */
export function transaction<T>(fn: (tx: Tx) => Promise<T>, options?: { timeoutMs?: number }): Promise<T> {
  const env = getDatabaseEnv();
  return db.$transaction(fn, {
    timeout: options?.timeoutMs ?? Math.max(15_000, env.CHARTER_DB_STATEMENT_TIMEOUT_MS),
    maxWait: env.CHARTER_DB_CONNECT_TIMEOUT_MS || 10_000,
  });
}

const rawHolder = globalThis as unknown as { __charterPgPool?: pg.Pool };

/**
 * A plain node-postgres pool for the hot paths Prisma cannot stream (COPY for exports). Small, and
 * idle connections do not keep the process alive.
 *
 * Its named statements (the audit search and export reads, lib/modules/audit-trail/query.ts) always run
 * a generic plan: planning a search over a chain's monthly partitions costs 0.4–0.7 ms, several
 * times the 0.1 ms its execution takes, and PostgreSQL's own choice kept re-planning some shapes
 * (a deep page with an action filter) on every call. The values whose frequency matters to the
 * plan (the action) are inlined as literals, so a generic plan still knows a rare action is rare.
 */
export function rawPool(): pg.Pool {
  if (rawHolder.__charterPgPool) return rawHolder.__charterPgPool;
  const config = poolConfig();
  return (rawHolder.__charterPgPool = listenForErrors(
    new pg.Pool({ ...config, max: 5, allowExitOnIdle: true, options: `${config.options} -c plan_cache_mode=force_generic_plan` }),
    'raw',
  ));
}

/**
 * Runs `fn` on `client` without the statement timeout, for one statement that legitimately runs
 * long: the COPY that streams a large export, paced by the client reading it. The timeout is
 * restored afterwards; after a failure the caller discards the connection (release(err)).
 */
export async function withUnboundedStatements<T>(client: pg.PoolClient, fn: () => Promise<T>): Promise<T> {
  await client.query('SET statement_timeout = 0');
  const result = await fn();
  await client.query('RESET statement_timeout');
  return result;
}

/**
 * Runs `fn` in one transaction on a node-postgres client of `pool` (Prisma's own connections), for
 * a hot path whose round trips through Prisma's interactive transaction cost more than its SQL
 * (the deployment audit ingest, bench/audit-ingest). Everything `fn` does runs
 * on that client, so it commits or rolls back as one. BEGIN and a statement timeout (each statement,
 * lock waits included) go in one round trip.
 */
export async function pgTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>, options?: { timeoutMs?: number }): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`BEGIN; SET LOCAL statement_timeout = ${Math.trunc(options?.timeoutMs ?? getDatabaseEnv().CHARTER_DB_STATEMENT_TIMEOUT_MS)}`);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    // A connection that cannot even roll back is not given back to the pool.
    await client.query('ROLLBACK').catch((rollbackError: unknown) => {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    });
    throw err;
  } finally {
    client.release(broken);
  }
}
