import path from 'node:path';
import { listMigrationNames } from '@/lib/runtime/migrations/migrations-dir';
import { db } from '@/lib/db';

export type Readiness = { ready: true } | { ready: false; reason: string; pendingMigrations?: number };

/**
 * Readiness for /api/ready: the database answers, and every migration folder shipped with this
 * build is recorded as applied. One cheap query, no schema engine (that is `charter db status`).
 * Reasons are generic on purpose: the endpoint is unauthenticated, so no driver message leaks.
 */
export async function checkReadiness(): Promise<Readiness> {
  try {
    await db.$queryRaw`SELECT 1`;
  } catch {
    return { ready: false, reason: 'The database is not reachable.' };
  }
  const local = await listMigrationNames(path.join(process.cwd(), 'prisma', 'migrations'));
  let applied: Set<string>;
  try {
    const rows = await db.$queryRaw<{ migration_name: string }[]>`
      SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    applied = new Set(rows.map((row) => row.migration_name));
  } catch {
    return { ready: false, reason: 'The database has no migrations applied.', pendingMigrations: local.length };
  }
  const pending = local.filter((name) => !applied.has(name)).length;
  if (pending > 0) return { ready: false, reason: `${pending} database migration(s) are not applied.`, pendingMigrations: pending };
  return { ready: true };
}
