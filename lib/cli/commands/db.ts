/**
 * `charter db …`: client generation and migrations run offline by lib/cli/db (WASM schema engine),
 * against DATABASE_URL or the embedded database; plus `db seed-demo`.
 */
import type { Command } from 'commander';

import { openAppDatabase } from '../app-database';
import { CliError } from '../cli-error';
import { resolveDatabase } from '../database';
import { runDbCommand, USAGE } from '../db-command';
import { databaseHasData, formatCredentials, seedDemoData } from '../demo';
import { exitAfterCleanup } from '../lifecycle';
import { demoCredentialsFile, displayPath } from '../paths';

const NO_DATABASE = new Set(['generate', 'help', '--help', '-h']);

const out = (message: string) => process.stdout.write(`${message}\n`);

async function seedDemoCommand(args: string[]): Promise<void> {
  if (args.length > 0) throw new CliError(`db seed-demo takes no arguments (got "${args[0]}")`);
  const database = await openAppDatabase();
  if (await databaseHasData()) {
    throw new CliError('the database already has data; demo data is only loaded into an empty database');
  }
  const credentials = await seedDemoData({ store: database.embedded });
  out(`Demo data loaded into ${database.description}. Sign in with:`);
  out(formatCredentials(credentials));
  if (database.embedded) out(`(kept in ${displayPath(demoCredentialsFile)})`);
}

export function registerDbCommands(program: Command): void {
  program
    .command('db')
    .description('database: generate | migrate | migrate-dev --name N | status | reset --force | drift | resolve | seed-demo ("db help")')
    .argument('[command]', 'db command')
    .argument('[args...]', 'its options')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (command: string | undefined, args: string[]) => {
      if (command === 'seed-demo') return seedDemoCommand(args);
      if (command === 'help' || command === '--help' || command === '-h' || command === undefined) {
        const seedLine = '  seed-demo                        load the fictional demo data into an empty database';
        out(USAGE.replace('\nenvironment:', `\n${seedLine}\nenvironment:`));
        out('without DATABASE_URL, every command but generate uses the embedded database of `npm start` (.data/pg)');
        return exitAfterCleanup(command === undefined ? 2 : 0);
      }
      if (!NO_DATABASE.has(command)) {
        await resolveDatabase({ appSecrets: false });
      }
      const code = await runDbCommand([command, ...args], process.env);
      if (code !== 0) await exitAfterCleanup(code);
    });
}
