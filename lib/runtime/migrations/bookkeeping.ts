/**
 * Migration bookkeeping read straight from `_prisma_migrations` with `pg`,
 * without the WASM schema engine: cheap enough for a /api/ready health check.
 * Kept apart from engine.ts so that the app server imports neither the engine
 * nor child_process.
 */
import path from 'node:path';

import type pg from 'pg';

import { DEFAULT_SCHEMA, parseDatabaseUrl, quoteIdent, withClient } from './connection';
import { listMigrationNames } from '@/lib/runtime/migrations/migrations-dir';

export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.Client, 'query'>;

export type MigrationRows = {
  /** Whether `_prisma_migrations` exists. */
  exists: boolean;
  /** Finished and not rolled back. */
  applied: string[];
  /** Started, not finished, not rolled back, and not applied by a later attempt. */
  failed: string[];
};

/** Reads `_prisma_migrations` in `schema` (schema-qualified, so any search_path works). */
export async function readMigrationRows(db: Queryable, schema: string): Promise<MigrationRows> {
  const table = `${quoteIdent(schema)}."_prisma_migrations"`;
  const exists = await db.query<{ found: string | null }>('SELECT to_regclass($1) AS found', [table]);
  if (!exists.rows[0]?.found) return { exists: false, applied: [], failed: [] };
  const rows = await db.query<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }>(
    `SELECT migration_name, finished_at, rolled_back_at FROM ${table} ORDER BY migration_name`,
  );
  const live = rows.rows.filter((r) => r.rolled_back_at === null);
  const applied = new Set(live.filter((r) => r.finished_at !== null).map((r) => r.migration_name));
  const failed = new Set(live.filter((r) => r.finished_at === null).map((r) => r.migration_name));
  for (const name of applied) failed.delete(name); // failed once, then applied by a later attempt
  return { exists: true, applied: [...applied], failed: [...failed] };
}

export type CheapMigrationStatus = {
  /** Local migration folders with no applied (or failed) row. */
  pending: string[];
  applied: string[];
  /** Failed migrations, as in migrationStatus (not repeated under pending). */
  failed: string[];
  hasMigrationsTable: boolean;
};

export type CheapStatusOptions =
  | {
      /** The app's pool or client; its search_path does not matter. */
      pool: Queryable;
      /** PostgreSQL schema holding `_prisma_migrations` (default public). */
      schema?: string;
      /** Default `<cwd>/prisma/migrations` (the app server runs from the project root). */
      migrationsDir?: string;
    }
  | { databaseUrl: string; migrationsDir?: string };

/**
 * Compares the folder names in prisma/migrations with the `_prisma_migrations`
 * rows (one or two queries). Unlike migrationStatus it does not notice a
 * migration.sql edited after it was applied.
 */
export async function pendingMigrationsCheap(options: CheapStatusOptions): Promise<CheapMigrationStatus> {
  const migrationsDir = options.migrationsDir ?? path.join(process.cwd(), 'prisma', 'migrations');
  const local = await listMigrationNames(migrationsDir);
  const rows = await readRows(options);
  const settled = new Set([...rows.applied, ...rows.failed]);
  return {
    pending: local.filter((name) => !settled.has(name)),
    applied: rows.applied,
    failed: rows.failed,
    hasMigrationsTable: rows.exists,
  };
}

function readRows(options: CheapStatusOptions): Promise<MigrationRows> {
  if ('pool' in options) return readMigrationRows(options.pool, options.schema ?? DEFAULT_SCHEMA);
  const settings = parseDatabaseUrl(options.databaseUrl);
  return withClient(settings, (client) => readMigrationRows(client, settings.schema));
}
