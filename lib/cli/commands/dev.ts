/** `charter dev …`: developer tasks. `dev test` is `npm test`. */
import type { Command } from 'commander';

import { exitAfterCleanup } from '../lifecycle';
import { runTests } from '../test-runner';

export function registerDevCommands(program: Command): void {
  const dev = program.command('dev').description('developer tasks');

  dev
    .command('test')
    .description('lint and type check, then every test (Vitest, then a build and Playwright) against a fresh test database')
    .option('--unit', 'only Vitest (unit and integration)')
    .option('--e2e', 'only Playwright (api and ui projects)')
    .argument('[args...]', 'passed to the selected runner (with --unit or --e2e), e.g. a file filter')
    .allowUnknownOption()
    .action(async (args: string[], options: { unit?: boolean; e2e?: boolean }) => {
      const both = !options.unit && !options.e2e;
      const code = await runTests({
        lint: both,
        typecheck: both,
        unit: both || Boolean(options.unit),
        e2e: both || Boolean(options.e2e),
        extraArgs: args,
      });
      await exitAfterCleanup(code);
    });
}
