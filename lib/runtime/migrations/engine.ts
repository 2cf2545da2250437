/**
 * Charter's offline database tooling: the `prisma migrate …` commands
 * re-implemented on top of the WASM schema engine, because the Prisma 7 CLI
 * cannot download its native schema engine here (README "Database and migrations (offline)").
 *
 * Migration folders and the `_prisma_migrations` table are the ones Prisma
 * Migrate writes, so the official CLI accepts them wherever it does run.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm';

import { DEFAULT_SCHEMA, createDatabase, parseDatabaseUrl, quoteIdent, withClient, type ConnectionSettings } from './connection';
import { listMigrations, writeMigration } from '@/lib/runtime/migrations/migrations-dir';
import { readMigrationRows } from './bookkeeping';
import { SchemaEngineError, withSchemaEngine } from './wasm-engine';

export { SchemaEngineError } from './wasm-engine';
export { DatabaseUrlError } from './connection';
export { pendingMigrationsCheap, type CheapMigrationStatus } from './bookkeeping';

const MODULE_DIR = path.dirname(fileURLToPath(import.meta.url));

/** The stub that PRISMA_SCHEMA_ENGINE_BINARY points at (see generateClient). */
export const NO_SCHEMA_ENGINE_STUB = path.join(MODULE_DIR, 'no-schema-engine.sh');

/** Where the project's files are; every field has a default. */
export type ProjectOptions = {
  /** Project root (default: the repository this file is in). */
  projectRoot?: string;
  /** Default `<projectRoot>/prisma/schema.prisma`. */
  schemaPath?: string;
  /** Default `<projectRoot>/prisma/migrations`. */
  migrationsDir?: string;
  /** Where progress and warnings go (default: stdout / stderr). */
  reporter?: Reporter;
};

export type DatabaseOptions = {
  /** postgres://user@host:port/db, optionally with `?schema=name` (default public). */
  databaseUrl: string;
} & ProjectOptions;

export type Reporter = {
  info(message: string): void;
  warn(message: string): void;
};

const consoleReporter: Reporter = {
  info: (message) => process.stdout.write(`${message}\n`),
  warn: (message) => process.stderr.write(`${message}\n`),
};

const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

type ResolvedProject = {
  root: string;
  schemaPath: string;
  migrationsDir: string;
  reporter: Reporter;
};

function resolveProject(options: ProjectOptions): ResolvedProject {
  const root = options.projectRoot ?? path.resolve(MODULE_DIR, '..', '..', '..');
  return {
    root,
    schemaPath: options.schemaPath ?? path.join(root, 'prisma', 'schema.prisma'),
    migrationsDir: options.migrationsDir ?? path.join(root, 'prisma', 'migrations'),
    reporter: options.reporter ?? consoleReporter,
  };
}

async function readSchemaFiles(schemaPath: string): Promise<[string, string][]> {
  const content = await readFile(schemaPath, 'utf8').catch((error: unknown) => {
    const reason = error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error);
    throw new Error(`cannot read the Prisma schema at ${schemaPath}: ${reason}`);
  });
  return [[schemaPath, content]];
}

/** Engine log lines go to stderr when CHARTER_DB_DEBUG is set. */
function engineLog(): ((line: string) => void) | undefined {
  return process.env.CHARTER_DB_DEBUG ? (line) => process.stderr.write(`[schema-engine] ${line}\n`) : undefined;
}

/**
 * For a non-public schema the shadow database needs the schema before the
 * migrations run in it (the session search_path points there).
 */
function shadowDbInitScript(settings: ConnectionSettings): string {
  return settings.schema === DEFAULT_SCHEMA ? '' : `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(settings.schema)};`;
}

/**
 * Creates the database (like `prisma migrate deploy` does) and the schema if
 * they are missing.
 */
async function ensureDatabaseAndSchema(settings: ConnectionSettings, reporter: Reporter): Promise<void> {
  try {
    await withClient(settings, async () => {});
  } catch (error) {
    if ((error as { code?: unknown }).code !== '3D000') throw error; // 3D000: database does not exist
    await createDatabase(settings.forDatabase('postgres'), settings.database);
    reporter.info(`Created database "${settings.database}".`);
  }
  if (settings.schema !== DEFAULT_SCHEMA) {
    await withClient(settings, (client) => client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(settings.schema)}`));
  }
}

// ---------------------------------------------------------------- generate

/**
 * `prisma generate`, which needs no schema engine but insists on finding one:
 * PRISMA_SCHEMA_ENGINE_BINARY points at a stub that fails loudly if any other
 * Prisma command tries to use it.
 */
export async function generateClient(options: ProjectOptions = {}): Promise<void> {
  const project = resolveProject(options);
  const prismaBin = path.join(project.root, 'node_modules', '.bin', 'prisma');
  const args = ['generate', '--schema', project.schemaPath];
  await runChild(prismaBin, args, {
    cwd: project.root,
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: NO_SCHEMA_ENGINE_STUB,
      // Offline: no update check / telemetry requests that would only time out.
      CHECKPOINT_DISABLE: '1',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
  });
}

function runChild(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: 'inherit' });
    child.on('error', (error) => reject(new Error(`cannot run ${command}: ${error.message}`)));
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(command)} ${args[0]} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

// ---------------------------------------------------------------- deploy

/** `prisma migrate deploy`: applies pending migrations; returns the names applied. */
export async function migrateDeploy(options: DatabaseOptions): Promise<string[]> {
  const project = resolveProject(options);
  const settings = parseDatabaseUrl(options.databaseUrl);
  await ensureDatabaseAndSchema(settings, project.reporter);
  const applied = await withSchemaEngine({ settings, log: engineLog() }, (engine) => applyPending(engine, project, settings));
  if (applied.length === 0) project.reporter.info('No pending migrations to apply.');
  else project.reporter.info(`Applied ${applied.length} migration(s): ${applied.join(', ')}`);
  return applied;
}

async function applyPending(engine: SchemaEngine, project: ResolvedProject, settings: ConnectionSettings) {
  const migrationsList = await listMigrations(project.migrationsDir, shadowDbInitScript(settings));
  const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: NO_FILTER });
  return appliedMigrationNames;
}

// ---------------------------------------------------------------- status

export type MigrationStatus = {
  /** Migration folders in prisma/migrations, sorted. */
  local: string[];
  /** Migrations recorded as successfully applied (and not rolled back). */
  applied: string[];
  /** Local migrations not applied yet. */
  pending: string[];
  /** Migrations whose last attempt failed; deploy refuses to run until resolved. */
  failed: string[];
  /** Applied migrations whose migration.sql changed since (checksum mismatch). */
  edited: string[];
  /** Applied migrations that have no folder here (database is ahead / diverged). */
  missingLocally: string[];
  /** Whether `_prisma_migrations` exists. */
  hasMigrationsTable: boolean;
  /** True when nothing is pending, failed, edited or missing. */
  upToDate: boolean;
};

/** `prisma migrate status`, as data (uses the engine; /api/ready should use pendingMigrationsCheap). */
export async function migrationStatus(options: DatabaseOptions): Promise<MigrationStatus> {
  const project = resolveProject(options);
  const settings = parseDatabaseUrl(options.databaseUrl);
  const migrationsList = await listMigrations(project.migrationsDir, shadowDbInitScript(settings));
  const diagnostic = await withSchemaEngine({ settings, log: engineLog() }, (engine) =>
    engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: NO_FILTER }),
  );
  const history = diagnostic.history;
  const pending = history && 'unappliedMigrationNames' in history ? history.unappliedMigrationNames : [];
  const missingLocally = history && 'unpersistedMigrationNames' in history ? history.unpersistedMigrationNames : [];
  const applied = diagnostic.hasMigrationsTable ? await appliedMigrationNames(settings) : [];
  const failed = diagnostic.failedMigrationNames;
  const edited = diagnostic.editedMigrationNames;
  return {
    local: migrationsList.migrationDirectories.map((d) => d.path),
    applied,
    pending,
    failed,
    edited,
    missingLocally,
    hasMigrationsTable: diagnostic.hasMigrationsTable,
    upToDate: pending.length + failed.length + edited.length + missingLocally.length === 0,
  };
}

async function appliedMigrationNames(settings: ConnectionSettings): Promise<string[]> {
  return withClient(settings, async (client) => (await readMigrationRows(client, settings.schema)).applied);
}

// ---------------------------------------------------------------- dev

export type MigrateDevResult = {
  /** Name of the migration folder created, or null when the schema had no changes. */
  created: string | null;
  /** All migrations applied by this run (pending ones first, then the new one). */
  applied: string[];
  /** Data-loss warnings reported by the engine for the new migration. */
  warnings: string[];
};

/**
 * `prisma migrate dev --name <name>`: applies pending migrations, then creates
 * a migration from the difference between the migrations and schema.prisma
 * (computed in a temporary shadow database) and applies it.
 * Refuses a migration with data-loss warnings unless acceptDataLoss is set.
 */
export async function migrateDev(options: DatabaseOptions & { name?: string; acceptDataLoss?: boolean; createOnly?: boolean }): Promise<MigrateDevResult> {
  const project = resolveProject(options);
  const settings = parseDatabaseUrl(options.databaseUrl);
  const schemaFiles = await readSchemaFiles(project.schemaPath);
  const schema = { files: schemaFiles.map(([filePath, content]) => ({ path: filePath, content })) };
  await ensureDatabaseAndSchema(settings, project.reporter);

  return withSchemaEngine({ settings, schemaFiles, log: engineLog() }, async (engine) => {
    const list = () => listMigrations(project.migrationsDir, shadowDbInitScript(settings));
    await requireNoReset(engine, await list());

    const applied = await engine.applyMigrations({ migrationsList: await list(), filters: NO_FILTER });
    applied.appliedMigrationNames.forEach((name) => project.reporter.info(`Applied pending migration ${name}`));

    // The note's extra step: without a second devDiagnostic the engine asks for
    // "an external factory" for the shadow database in evaluateDataLoss.
    await requireNoReset(engine, await list());
    const evaluation = await engine.evaluateDataLoss({ migrationsList: await list(), schema, filters: NO_FILTER });
    if (evaluation.unexecutableSteps.length > 0) {
      const steps = evaluation.unexecutableSteps.map((s) => `  • ${s.message}`).join('\n');
      throw new SchemaEngineError(`the new migration cannot be executed on this database:\n${steps}`);
    }
    const warnings = evaluation.warnings.map((w) => w.message);
    if (evaluation.migrationSteps === 0) {
      project.reporter.info('no changes: the migrations already match prisma/schema.prisma');
      return { created: null, applied: applied.appliedMigrationNames, warnings };
    }
    warnings.forEach((message) => project.reporter.warn(`warning (data loss): ${message}`));
    if (warnings.length > 0 && !options.acceptDataLoss) {
      throw new SchemaEngineError('the new migration would lose data (warnings above); re-run with --accept-data-loss to create it anyway');
    }
    if (!options.name) throw new SchemaEngineError('the schema has changes: give the new migration a --name');

    const created = await engine.createMigration({
      migrationName: options.name,
      draft: false,
      migrationsList: await list(),
      schema,
      filters: NO_FILTER,
    });
    if (created.migrationScript === null) {
      project.reporter.info('no changes: the migrations already match prisma/schema.prisma');
      return { created: null, applied: applied.appliedMigrationNames, warnings };
    }
    const file = await writeMigration({
      migrationsDir: project.migrationsDir,
      name: created.generatedMigrationName,
      extension: created.extension,
      script: created.migrationScript,
      connectorType: created.connectorType,
    });
    project.reporter.info(`Created ${path.relative(project.root, file)}`);
    if (options.createOnly) return { created: created.generatedMigrationName, applied: applied.appliedMigrationNames, warnings };

    const second = await engine.applyMigrations({ migrationsList: await list(), filters: NO_FILTER });
    second.appliedMigrationNames.forEach((name) => project.reporter.info(`Applied migration ${name}`));
    return {
      created: created.generatedMigrationName,
      applied: [...applied.appliedMigrationNames, ...second.appliedMigrationNames],
      warnings,
    };
  });
}

/** devDiagnostic; a "reset" verdict (drift, edited or failed migrations) becomes an error. */
async function requireNoReset(engine: SchemaEngine, migrationsList: Awaited<ReturnType<typeof listMigrations>>) {
  const { action } = await engine.devDiagnostic({ migrationsList, filters: NO_FILTER });
  if (action.tag === 'reset') {
    throw new SchemaEngineError(`${action.reason.trim()}\nThe database must be reset (all data is lost): run the reset command with --force.`);
  }
}

// ---------------------------------------------------------------- reset

/** `prisma migrate reset --force`: empties the schema, then applies every migration. */
export async function migrateReset(options: DatabaseOptions): Promise<string[]> {
  const project = resolveProject(options);
  const settings = parseDatabaseUrl(options.databaseUrl);
  await ensureDatabaseAndSchema(settings, project.reporter);
  const applied = await withSchemaEngine({ settings, log: engineLog() }, async (engine) => {
    await engine.reset({ filter: NO_FILTER });
    return applyPending(engine, project, settings);
  });
  project.reporter.info(`Reset schema "${settings.schema}" and applied ${applied.length} migration(s).`);
  return applied;
}

// ---------------------------------------------------------------- resolve

/**
 * `prisma migrate resolve --applied|--rolled-back <name>`: settles a failed
 * migration after fixing the database by hand (deploy refuses to run until then).
 */
export async function migrateResolve(options: DatabaseOptions & { name: string; as: 'applied' | 'rolled-back' }): Promise<void> {
  const project = resolveProject(options);
  const settings = parseDatabaseUrl(options.databaseUrl);
  await withSchemaEngine({ settings, log: engineLog() }, async (engine) => {
    if (options.as === 'rolled-back') {
      await engine.markMigrationRolledBack({ migrationName: options.name });
    } else {
      const migrationsList = await listMigrations(project.migrationsDir, shadowDbInitScript(settings));
      await engine.markMigrationApplied({ migrationName: options.name, migrationsList });
    }
  });
  project.reporter.info(`Marked migration ${options.name} as ${options.as}.`);
}

// ---------------------------------------------------------------- drift

export type DriftResult = {
  /** True when schema.prisma describes something the migrations do not create. */
  drift: boolean;
  /** SQL that a new migration would need (empty when no drift). */
  script: string;
};

/**
 * `prisma migrate diff --from-migrations prisma/migrations --to-schema prisma/schema.prisma --script`:
 * replays the migrations in a temporary shadow database on the server of
 * databaseUrl (default env DATABASE_URL) and diffs it with the schema.
 */
export async function checkDrift(options: Partial<DatabaseOptions> = {}): Promise<DriftResult> {
  const project = resolveProject(options);
  const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
  if (!databaseUrl) throw new SchemaEngineError('checkDrift needs a database server: set DATABASE_URL');
  const settings = parseDatabaseUrl(databaseUrl);
  const schemaFiles = await readSchemaFiles(project.schemaPath);
  const migrationsList = await listMigrations(project.migrationsDir, shadowDbInitScript(settings));
  const result = await withSchemaEngine({ settings, schemaFiles, log: engineLog() }, (engine) =>
    engine.diff({
      from: { tag: 'migrations', ...migrationsList },
      to: { tag: 'schemaDatamodel', files: schemaFiles.map(([filePath, content]) => ({ path: filePath, content })) },
      script: true,
      exitCode: true,
      filters: NO_FILTER,
    }),
  );
  // exitCode 2 = non-empty diff (the --exit-code convention of prisma migrate diff).
  const drift = result.exitCode === 2;
  return { drift, script: drift ? (result.stdout ?? '') : '' };
}
