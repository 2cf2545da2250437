/** `charter create-owner`: the first (or another) platform OWNER, created by the operator on the server. */
import os from 'node:os';

import type { Command } from 'commander';

import { openAppDatabase } from '../app-database';
import { CliError } from '../cli-error';
import { promptHidden, readFirstLineOfStdin } from '../password-input';

export const MIN_PASSWORD_LENGTH = 12;

type Options = { email: string; name?: string; passwordStdin?: boolean };

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) return readFirstLineOfStdin();
  const password = await promptHidden('Password: ');
  checkPassword(password);
  const again = await promptHidden('Repeat password: ');
  if (again !== password) throw new CliError('the passwords do not match');
  return password;
}

function checkPassword(password: string): void {
  if (password.length === 0) throw new CliError('no password given');
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new CliError(`the password must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  }
}

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

export function registerCreateOwnerCommand(program: Command): void {
  program
    .command('create-owner')
    .description('create a platform OWNER account (password from a hidden prompt or --password-stdin)')
    .requiredOption('--email <email>', 'e-mail address to sign in with')
    .option('--name <name>', 'display name')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .action(async (options: Options) => {
      const email = options.email.trim();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new CliError(`"${email}" is not an e-mail address`);
      // Ask first: nothing is started or changed if the password is refused.
      const password = await readPassword(Boolean(options.passwordStdin));
      checkPassword(password);
      await openAppDatabase();
      const { createOwner } = await import('@/lib/modules/users/service');
      const user = await createOwner({ email, name: options.name, password });
      process.stdout.write(`Created owner ${user.email} (id ${user.id}), as system:${osUser()}.\n`);
    });
}
