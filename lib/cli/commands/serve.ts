/**
 * `charter serve`: the web server alone, over an existing production build and a migrated database
 * given by DATABASE_URL — for containers and process managers, where the operator runs
 * `charter db migrate` and `next build` as deployment steps. `charter start` runs it after doing
 * both (and the embedded database) itself.
 */
import type { Command } from 'commander';

import { CliError } from '../cli-error';
import { parsePort } from '../database';
import { setInterruptHandler } from '../lifecycle';
import { buildNeeded } from '../next-app';
import { projectRoot } from '../paths';

type Options = { port?: string; hostname?: string };

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the web server only (needs DATABASE_URL, the secrets and a build): for containers')
    .option('--port <port>', 'HTTP port (default: $PORT or 3000)')
    .option('--hostname <host>', 'interface to listen on (default: all)')
    .action((options: Options) => serve(options));
}

async function serve(options: Options): Promise<void> {
  const port = parsePort(options.port ?? process.env.PORT, 3000, options.port ? '--port' : 'PORT');
  const { getEnv } = await import('@/lib/core/env');
  try {
    getEnv();
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const missing = await buildNeeded();
  if (missing === 'no production build yet') throw new CliError('there is no production build yet: run `npx next build` (or `npx charter start`, which builds)');

  Object.assign(process.env, { NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' });
  const { startServer } = await import('@/lib/runtime/server');
  let stopping = false;
  const server = await startServer({ dir: projectRoot, port, hostname: options.hostname });
  const stopped = new Promise<void>((resolve) => {
    setInterruptHandler(async () => {
      if (!stopping) {
        stopping = true;
        await server.close();
      }
      resolve();
      return 0;
    });
  });
  process.stdout.write(`Charter is serving on ${server.url} (/api/v1 in this process, pages from Next.js on 127.0.0.1)\n`);
  const pageServerDied = server.exited.then((code) => {
    if (!stopping) throw new CliError(`the Next.js page server exited (code ${code}); stopping so that a supervisor can restart Charter`);
  });
  await Promise.race([stopped, pageServerDied]);
}
