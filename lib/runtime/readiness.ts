import path from 'node:path';
import type pg from 'pg';
import { listMigrationNames } from '@/lib/runtime/migrations/migrations-dir';
import { pool } from '@/lib/core/db';
import { type UnavailableCause, databaseUnavailableCause } from '@/lib/core/errors';

export type Readiness = { ready: true } | { ready: false; reason: string; cause: UnavailableCause | 'migrations_pending' | 'pages_unavailable'; pendingMigrations?: number };

/** How long a readiness probe may take; load balancers probe every few seconds. */
export const READY_TIMEOUT_MS = 2_000;

/** A client of `pool`, or an error after `ms` (a client that arrives later goes straight back). */
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
    if (late)
      connecting.then(
        (client) => client.release(),
        () => {},
      );
  }
}

/**
 * Readiness for /api/ready: this process's own pool (the one its requests use, so an exhausted
 * pool or a lost database shows) gives a connection within READY_TIMEOUT_MS, the database answers
 * on it, and every migration folder shipped with this build is recorded as applied. One query, no
 * schema engine (that is `charter db status`). Reasons are generic on purpose: the endpoint is
 * unauthenticated, so no driver message leaks.
 */
export async function checkReadiness(): Promise<Readiness> {
  let client: pg.PoolClient;
  try {
    client = await connectWithin(READY_TIMEOUT_MS);
  } catch (err) {
    const cause = databaseUnavailableCause(err) ?? 'db_unreachable';
    return { ready: false, cause, reason: cause === 'db_pool_timeout' ? 'No database connection became free in time.' : 'The database is not reachable.' };
  }
  let failure: Error | undefined;
  let applied: Set<string> | null = null;
  try {
    const { rows } = await client.query<{ migration_name: string }>({
      text: `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      query_timeout: READY_TIMEOUT_MS,
    } as pg.QueryConfig);
    applied = new Set(rows.map((row) => row.migration_name));
  } catch (err) {
    const cause = databaseUnavailableCause(err);
    if (cause) {
      failure = err instanceof Error ? err : new Error(String(err));
      return { ready: false, cause, reason: 'The database is not answering.' };
    }
  } finally {
    client.release(failure);
  }
  const local = await listMigrationNames(path.join(process.cwd(), 'prisma', 'migrations'));
  if (!applied) return { ready: false, cause: 'migrations_pending', reason: 'The database has no migrations applied.', pendingMigrations: local.length };
  const pending = local.filter((name) => !applied.has(name)).length;
  if (pending > 0) return { ready: false, cause: 'migrations_pending', reason: `${pending} database migration(s) are not applied.`, pendingMigrations: pending };
  return { ready: true };
}
