/**
 * `tsx lib/cli/db-command.ts <command>`: the database commands, reading
 * DATABASE_URL from the environment. runDbCommand() is exported for the
 * `charter` CLI; errors come out as one line (plus indented detail lines),
 * never as a stack trace.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { parseDatabaseUrl } from '@/lib/runtime/migrations/connection';
import { checkDrift, generateClient, migrateDeploy, migrateDev, migrateReset, migrateResolve, migrationStatus, type MigrationStatus } from '@/lib/runtime/migrations/engine';

export const USAGE = `usage: db <command>
  generate                         generate the Prisma client (no database needed)
  migrate                          apply pending migrations (prisma migrate deploy)
  migrate-dev [--name N] [--accept-data-loss] [--create-only]
                                   create a migration from schema changes and apply it
  status                           show applied / pending / failed migrations (exit 1 unless up to date)
  reset --force                    drop everything in the schema and re-apply all migrations
  drift                            exit 1 and print the missing SQL if migrations and schema.prisma differ
  resolve --applied N | --rolled-back N
                                   settle a failed migration after fixing it by hand
environment: DATABASE_URL=postgres://user@host:5432/db[?schema=name] (not needed for generate)`;

class UsageError extends Error {}

/** Runs one command; returns the process exit code (0 ok, 1 failure, 2 usage). */
export async function runDbCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'generate':
        noOptions(rest);
        await generateClient();
        return 0;
      case 'migrate':
        noOptions(rest);
        await migrateDeploy({ databaseUrl: requireUrl(env) });
        return 0;
      case 'migrate-dev':
        return await runMigrateDev(rest, env);
      case 'status':
        noOptions(rest);
        return printStatus(await migrationStatus({ databaseUrl: requireUrl(env) }));
      case 'reset':
        return await runReset(rest, env);
      case 'drift':
        return await runDrift(rest, env);
      case 'resolve':
        return await runResolve(rest, env);
      case undefined:
      case 'help':
      case '--help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    return reportError(command ?? '', error);
  }
}

function noOptions(args: string[]): void {
  if (args.length > 0) throw new UsageError(`unexpected argument "${args[0]}"`);
}

function requireUrl(env: NodeJS.ProcessEnv): string {
  const url = env.DATABASE_URL;
  if (!url) throw new UsageError('DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/charter)');
  return url;
}

/** Runs a parseArgs call, turning its errors (unknown option, missing value) into usage errors. */
function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function runMigrateDev(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = asUsage(() =>
    parseArgs({
      args,
      options: {
        name: { type: 'string' },
        'accept-data-loss': { type: 'boolean' },
        'create-only': { type: 'boolean' },
      },
    }),
  );
  await migrateDev({
    databaseUrl: requireUrl(env),
    name: values.name,
    acceptDataLoss: values['accept-data-loss'] === true,
    createOnly: values['create-only'] === true,
  });
  return 0;
}

async function runReset(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = asUsage(() => parseArgs({ args, options: { force: { type: 'boolean' } } }));
  const databaseUrl = requireUrl(env);
  if (values.force !== true) {
    const { database, schema } = parseDatabaseUrl(databaseUrl);
    throw new UsageError(`reset deletes all data in schema "${schema}" of database "${database}"; add --force to do it`);
  }
  await migrateReset({ databaseUrl });
  return 0;
}

async function runDrift(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  noOptions(args);
  const { drift, script } = await checkDrift({ databaseUrl: requireUrl(env) });
  if (!drift) {
    process.stdout.write('no drift: the migrations create exactly what prisma/schema.prisma describes\n');
    return 0;
  }
  process.stderr.write('drift: prisma/schema.prisma has changes no migration creates; missing SQL:\n');
  process.stdout.write(`${script.trimEnd()}\n`);
  return 1;
}

async function runResolve(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = asUsage(() => parseArgs({ args, options: { applied: { type: 'string' }, 'rolled-back': { type: 'string' } } }));
  const applied = values.applied;
  const rolledBack = values['rolled-back'];
  if ((applied === undefined) === (rolledBack === undefined)) {
    throw new UsageError('resolve needs exactly one of --applied <name> or --rolled-back <name>');
  }
  await migrateResolve({
    databaseUrl: requireUrl(env),
    name: applied ?? rolledBack ?? '',
    as: applied !== undefined ? 'applied' : 'rolled-back',
  });
  return 0;
}

function printStatus(status: MigrationStatus): number {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`${status.local.length} migration(s) in prisma/migrations, ${status.applied.length} applied`);
  const groups: [string, string[]][] = [
    ['pending', status.pending],
    ['failed (fix, then resolve)', status.failed],
    ['edited after being applied', status.edited],
    ['applied but missing from prisma/migrations', status.missingLocally],
  ];
  for (const [label, names] of groups) {
    if (names.length > 0) out(`${label}:\n${names.map((n) => `  ${n}`).join('\n')}`);
  }
  out(status.upToDate ? 'database schema is up to date' : 'database schema is NOT up to date');
  return status.upToDate ? 0 : 1;
}

function reportError(command: string, error: unknown): number {
  const [first = 'unknown error', ...more] = describeError(error).split('\n');
  process.stderr.write(`db ${command}: ${first}\n`);
  for (const line of more.filter((l) => l.trim() !== '')) process.stderr.write(`  ${line.trim()}\n`);
  if (error instanceof UsageError) {
    process.stderr.write(`run "db help" for usage\n`);
    return 2;
  }
  return 1;
}

/** Turns driver errors (ECONNREFUSED, auth failures, …) into readable text. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') {
    return `cannot reach the database server (${code}): ${error.message}`;
  }
  if (error.message === '' && error instanceof AggregateError) {
    return error.errors.map((e: unknown) => describeError(e)).join('\n');
  }
  return error.message;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  process.exitCode = await runDbCommand(process.argv.slice(2));
}
