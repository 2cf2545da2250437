/**
 * `charter`: the operator's command line (README "The CLI"). Each command lives in
 * ./commands; command modules must not import lib/core/db or the generated Prisma client at the top
 * level (`db generate` runs on a fresh install, before the client exists): import them inside the
 * action, after the database has been resolved.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { Command, CommanderError } from 'commander';

import { CliError, oneLine } from './cli-error';
import { registerAuditCommands } from './commands/audit';
import { registerBundleCommands } from './commands/bundle';
import { registerCreateOwnerCommand } from './commands/create-owner';
import { registerDbCommands } from './commands/db';
import { registerDevCommands } from './commands/dev';
import { registerDoraCommands } from './commands/dora';
import { registerKeysCommands } from './commands/keys';
import { registerMaintenanceCommand } from './commands/maintenance';
import { registerServeCommand } from './commands/serve';
import { registerStartCommand } from './commands/start';
import { exitAfterCleanup, installSignalHandlers } from './lifecycle';
import { projectRoot } from './paths';

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

type IssueLike = { path: PropertyKey[]; message: string };

/** The one line printed for a failed command. */
function describeError(error: unknown): string {
  if (error instanceof CliError) return error.message;
  const e = error as { name?: string; code?: unknown; issues?: IssueLike[]; message?: string } | null;
  if (e?.name === 'ZodError' && Array.isArray(e.issues)) {
    return `invalid input: ${e.issues.map((i) => `${i.path.map(String).join('.') || 'value'}: ${i.message}`).join('; ')}`;
  }
  if (e?.name === 'AppError' && typeof e.message === 'string') return e.message;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code && ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', '28P01', '28000', '3D000'].includes(code)) {
    return `cannot connect to the database: ${oneLine(error)}`;
  }
  return oneLine(error);
}

function exitCodeOf(error: unknown): number {
  return error instanceof CliError ? error.exitCode : 1;
}

async function main(): Promise<void> {
  installSignalHandlers();
  const program = new Command('charter')
    .description('Charter — control plane for sovereign, self-hosted AI deployments')
    .version(packageVersion(), '-v, --version')
    .showSuggestionAfterError()
    .exitOverride(); // inherited by the subcommands registered below

  registerStartCommand(program);
  registerServeCommand(program);
  registerDbCommands(program);
  registerCreateOwnerCommand(program);
  registerAuditCommands(program);
  registerKeysCommands(program);
  registerBundleCommands(program);
  registerDoraCommands(program);
  registerMaintenanceCommand(program);
  registerDevCommands(program);

  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Usage errors are already printed by commander (one line); help and version exit 0.
      await exitAfterCleanup(error.exitCode);
    }
    if (process.env.CHARTER_DEBUG === '1') console.error(error);
    process.stderr.write(`charter: ${describeError(error)}\n`);
    await exitAfterCleanup(exitCodeOf(error));
  }
  await exitAfterCleanup(0);
}

await main();
