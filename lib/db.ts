import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient, Prisma } from '@/lib/generated/prisma/client';

export { Prisma };
export type Tx = Prisma.TransactionClient;

// One client per process; Next.js dev reloads modules, so it is kept on globalThis.
const holder = globalThis as unknown as { __charterDb?: PrismaClient; __charterDbPool?: pg.Pool };

function createPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.CHARTER_DB_POOL_SIZE ?? 10) });
  // A connection that dies while idle is dropped by the pool and the next query opens another; with
  // no listener, node-postgres would raise the error as uncaught before Prisma first connects.
  pool.on('error', () => {});
  return pool;
}

/**
 * Prisma's own connection pool (CHARTER_DB_POOL_SIZE connections), for the few hot paths that skip
 * Prisma's query engine when a benchmark shows it matters (API-key verification,
 * bench/key-verify). They share Prisma's connections rather than opening more. db.$disconnect() ends it.
 */
export const pool: pg.Pool = holder.__charterDbPool ?? (holder.__charterDbPool = createPool());

function createClient(): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
}

export const db: PrismaClient = holder.__charterDb ?? (holder.__charterDb = createClient());

/**
 * Runs `fn` in one database transaction. Every mutation and its audit event go through here, so that
 * a failed audit write rolls the change back (the guarantee that every change is audited atomically).
 */
export function transaction<T>(fn: (tx: Tx) => Promise<T>, options?: { timeoutMs?: number }): Promise<T> {
  return db.$transaction(fn, { timeout: options?.timeoutMs ?? 15_000, maxWait: 10_000 });
}

const rawHolder = globalThis as unknown as { __charterPgPool?: pg.Pool };

/**
 * A plain node-postgres pool for the hot paths Prisma cannot stream (COPY for exports). Small, and
 * idle connections do not keep the process alive.
 *
 * Its named statements (the audit search and export reads, lib/services/audit-query.ts) always run
 * a generic plan: planning a search over a chain's monthly partitions costs 0.4–0.7 ms, several
 * times the 0.1 ms its execution takes, and PostgreSQL's own choice kept re-planning some shapes
 * (a deep page with an action filter) on every call. The values whose frequency matters to the
 * plan (the action) are inlined as literals, so a generic plan still knows a rare action is rare.
 */
export function rawPool(): pg.Pool {
  return (rawHolder.__charterPgPool ??= new pg.Pool({
    connectionString: process.env.DATABASE_URL,
    max: 5,
    allowExitOnIdle: true,
    options: '-c plan_cache_mode=force_generic_plan',
  }));
}

/** A client of `pool`, waited for at most `ms` (as Prisma's transactions wait at most maxWait). */
async function connectWithin(ms: number): Promise<pg.PoolClient> {
  const connecting = pool.connect();
  let timer: NodeJS.Timeout | undefined;
  let late = false;
  try {
    return await Promise.race([
      connecting,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          late = true;
          reject(new Error(`no database connection free within ${ms} ms`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    // A connection that arrives after we gave up goes straight back.
    if (late) connecting.then((client) => client.release(), () => {});
  }
}

/**
 * Runs `fn` in one transaction on a node-postgres client of `pool` (Prisma's own connections), for
 * a hot path whose round trips through Prisma's interactive transaction cost more than its SQL
 * (the deployment audit ingest, bench/audit-ingest). Everything `fn` does runs
 * on that client, so it commits or rolls back as one. BEGIN and a statement timeout (each statement,
 * lock waits included, is bounded as Prisma bounds its transactions) go in one round trip.
 */
export async function pgTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>, options?: { timeoutMs?: number }): Promise<T> {
  const client = await connectWithin(10_000);
  let broken: Error | undefined;
  try {
    await client.query(`BEGIN; SET LOCAL statement_timeout = ${Math.trunc(options?.timeoutMs ?? 15_000)}`);
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
