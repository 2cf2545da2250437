/**
 * Integration test of the offline migration tooling against a real PostgreSQL
 * (DATABASE_URL's server, default postgres://postgres@127.0.0.1:5432/postgres).
 * Each suite works in its own scratch database `charter_enginetest_*`, dropped afterwards.
 */
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseDatabaseUrl, quoteIdent, withClient, type ConnectionSettings } from './connection';
import { checkDrift, migrateDeploy, migrateDev, migrateReset, migrationStatus, pendingMigrationsCheap, type Reporter } from './engine';

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const quiet: Reporter = { info: () => {}, warn: () => {} };

/** Creates a scratch database on the test server; returns its URL and a cleanup function. */
async function scratchDatabase(label: string) {
  const server = parseDatabaseUrl(SERVER_URL);
  const name = `charter_enginetest_${label}_${process.pid}_${Math.random().toString(16).slice(2, 8)}`;
  await withClient(server, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    settings: server.forDatabase(name),
    // FORCE: the database must go even if an assertion failed with a pool still open.
    drop: () => withClient(server, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)),
  };
}

async function projectMigrationNames(): Promise<string[]> {
  const dir = path.resolve(import.meta.dirname, '..', '..', '..', 'prisma', 'migrations');
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

describe('the project migrations (prisma/migrations) on a scratch database', () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;

  beforeAll(async () => {
    db = await scratchDatabase('project');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('applies every migration, then has nothing left to apply', async () => {
    const local = await projectMigrationNames();
    expect(local.length).toBeGreaterThan(0);
    expect(await migrateDeploy({ databaseUrl: db.url, reporter: quiet })).toEqual(local);
    expect(await migrateDeploy({ databaseUrl: db.url, reporter: quiet })).toEqual([]);
  });

  it('reports no pending migration (engine and cheap check)', async () => {
    const status = await migrationStatus({ databaseUrl: db.url });
    expect(status).toMatchObject({ pending: [], failed: [], edited: [], missingLocally: [], upToDate: true });
    expect(status.applied).toEqual(await projectMigrationNames());

    const cheap = await pendingMigrationsCheap({ databaseUrl: db.url });
    expect(cheap).toMatchObject({ pending: [], failed: [], hasMigrationsTable: true });

    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      expect((await pendingMigrationsCheap({ pool })).pending).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it('finds no drift between the migrations and prisma/schema.prisma', async () => {
    const result = await checkDrift({ databaseUrl: db.url });
    expect(result.script).toBe('');
    expect(result.drift).toBe(false);
    await expectNoTemporaryDatabasesLeft(db.settings);
  });
});

const TOY_SCHEMA = `
generator client {
  provider = "prisma-client"
  output   = "../generated"
}

datasource db {
  provider = "postgresql"
}

model Note {
  id    Int    @id @default(autoincrement())
  title String
  body  String
}
`;

describe('migrateDev / migrateReset on a throw-away project, in a non-public schema', () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  let projectRoot: string;
  let databaseUrl: string;
  const schemaPath = () => path.join(projectRoot, 'prisma', 'schema.prisma');

  beforeAll(async () => {
    db = await scratchDatabase('dev');
    const url = new URL(db.url);
    url.searchParams.set('schema', 'charter_app');
    databaseUrl = url.href;
    projectRoot = await mkdtemp(path.join(tmpdir(), 'charter-enginetest-'));
    await mkdir(path.join(projectRoot, 'prisma'));
    await writeFile(schemaPath(), TOY_SCHEMA);
  });
  afterAll(async () => {
    await db?.drop();
    if (projectRoot) await rm(projectRoot, { recursive: true, force: true });
  });

  it('creates and applies the first migration, with the lock file Prisma writes', async () => {
    const result = await migrateDev({ databaseUrl, projectRoot, name: 'init', reporter: quiet });
    expect(result.created).toMatch(/^\d{14}_init$/);
    expect(result.applied).toEqual([result.created]);
    const lock = await readFile(path.join(projectRoot, 'prisma', 'migrations', 'migration_lock.toml'), 'utf8');
    expect(lock).toContain('provider = "postgresql"');
    const tables = await withClient(db.settings, (c) =>
      c.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'charter_app' ORDER BY 1"),
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(['Note', '_prisma_migrations']);
  });

  it('says "no changes" when the schema did not change', async () => {
    const messages: string[] = [];
    const result = await migrateDev({
      databaseUrl,
      projectRoot,
      name: 'again',
      reporter: { info: (m) => messages.push(m), warn: (m) => messages.push(m) },
    });
    expect(result.created).toBeNull();
    expect(messages.join('\n')).toMatch(/no changes/);
  });

  it('reports drift, then refuses a data-losing migration until accepted', async () => {
    await withClient(db.settings, (c) => c.query(`INSERT INTO charter_app."Note" (title, body) VALUES ('t', 'b')`));
    await writeFile(schemaPath(), TOY_SCHEMA.replace('  body  String\n', ''));

    const drift = await checkDrift({ databaseUrl, projectRoot });
    expect(drift.drift).toBe(true);
    expect(drift.script).toContain('DROP COLUMN "body"');

    await expect(migrateDev({ databaseUrl, projectRoot, name: 'drop_body', reporter: quiet })).rejects.toThrow(/accept-data-loss/);
    const accepted = await migrateDev({ databaseUrl, projectRoot, name: 'drop_body', acceptDataLoss: true, reporter: quiet });
    expect(accepted.warnings.join()).toMatch(/drop the column `body`/);
    expect(accepted.created).toMatch(/_drop_body$/);
    expect((await checkDrift({ databaseUrl, projectRoot })).drift).toBe(false);
    await expectNoTemporaryDatabasesLeft(db.settings);
  });

  it('reset empties the schema and re-applies every migration', async () => {
    const applied = await migrateReset({ databaseUrl, projectRoot, reporter: quiet });
    expect(applied).toHaveLength(2);
    const rows = await withClient(db.settings, (c) => c.query<{ n: number }>('SELECT count(*)::int AS n FROM charter_app."Note"'));
    expect(rows.rows[0]?.n).toBe(0);
    expect((await migrationStatus({ databaseUrl, projectRoot })).upToDate).toBe(true);
  });
});

/** Shadow databases are named after the main database; none may survive a command. */
async function expectNoTemporaryDatabasesLeft(settings: ConnectionSettings) {
  const result = await withClient(settings, (c) => c.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${settings.database}_shadow_%`]));
  expect(result.rows).toEqual([]);
}
