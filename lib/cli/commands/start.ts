/**
 * `charter start` (= `npm start`): database (embedded by default), migrations, start-up tasks, demo
 * data on the first embedded run, a build if the sources changed, then the web server (`charter
 * serve` in a child process; `next dev` with --dev). Ctrl-C stops the server first, then the
 * embedded PostgreSQL, and exits 0.
 */
import type { ChildProcess } from 'node:child_process';

import type { Command } from 'commander';

import { stopChild, waitForHttp } from '@/lib/runtime/next-process';

import { openAppDatabase } from '../app-database';
import { CliError } from '../cli-error';
import { parsePort } from '../database';
import { databaseHasData, formatCredentials, readDemoCredentials, seedDemoData, type DemoCredential } from '../demo';
import { setInterruptHandler } from '../lifecycle';
import { abortBuild, assertPortFree, ensureBuilt, spawnServer } from '../next-app';
import { demoCredentialsFile, displayPath } from '../paths';

type Options = { dev?: boolean; port?: string; hostname?: string; build?: boolean };

const say = (message: string) => process.stdout.write(`${message}\n`);

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('start Charter: database, migrations, build if needed, web server')
    .option('--dev', 'run the Next.js development server (hot reload) instead of a production build')
    .option('--port <port>', 'HTTP port (default: $PORT or 3000)')
    .option('--hostname <host>', 'interface to listen on (default: all)')
    .option('--build', 'rebuild the web app even if the build looks current')
    .action((options: Options) => startCharter(options));
}

async function startCharter(options: Options): Promise<void> {
  const port = parsePort(options.port ?? process.env.PORT, 3000, options.port ? '--port' : 'PORT');
  let interrupted = false;
  // eslint-disable-next-line prefer-const -- the interrupt handler reads it before the server is spawned; a const declared there would still be in its temporal dead zone
  let server: ChildProcess | undefined;
  // Until the server runs, Ctrl-C just ends start-up (the cleanups stop the database); then it stops the server first.
  setInterruptHandler(async () => {
    interrupted = true;
    say('\nStopping Charter …');
    await abortBuild();
    if (server) await stopChild(server);
    return 0;
  });

  const started = Date.now();
  await assertPortFree(port, options.hostname);
  const database = await openAppDatabase({ migrate: 'always', log: say, announceStop: true });
  say(`Database: ${database.description}`);

  let credentials: DemoCredential[] | null = null;
  let seededNow = false;
  if (database.embedded) {
    if (!(await databaseHasData())) {
      say('First run: loading the demo data …');
      credentials = await seedDemoData({ store: true });
      seededNow = true;
    } else {
      credentials = await readDemoCredentials();
    }
  }

  const mode = options.dev ? 'dev' : 'start';
  if (mode === 'start') await ensureBuilt({ force: options.build, log: say });
  if (interrupted) return;

  const localUrl = `http://localhost:${port}`;
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET as string,
    NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? localUrl,
    CHARTER_ENCRYPTION_KEY: process.env.CHARTER_ENCRYPTION_KEY as string,
    PORT: String(port),
  };
  server = spawnServer({ mode, port, hostname: options.hostname, env });
  const exited = new Promise<number>((resolve) => {
    server?.once('exit', (code) => resolve(code ?? 1));
  });

  const probeHost = options.hostname && options.hostname !== '0.0.0.0' && options.hostname !== '::' ? options.hostname : '127.0.0.1';
  const ready = await waitForHttp(`http://${probeHost}:${port}/api/health`, server, mode === 'dev' ? 180_000 : 60_000);
  if (ready && !interrupted) {
    say('');
    say(`Charter is running at ${env.NEXTAUTH_URL}  (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    if (credentials && credentials.length > 0) {
      say(seededNow ? 'Demo sign-in credentials (fictional demo data):' : `Demo sign-in credentials (from ${displayPath(demoCredentialsFile)}):`);
      say(formatCredentials(credentials));
    } else {
      say('Sign in with an owner account; create one with `npx charter create-owner --email you@example.org`.');
    }
    say('Press Ctrl-C to stop.');
  } else if (!interrupted && server.exitCode === null) {
    process.stderr.write(`charter: the web server did not answer on ${localUrl}/api/health yet; still waiting\n`);
  }

  const code = await exited;
  if (!interrupted && code !== 0) throw new CliError(`the web server exited with code ${code}`);
}
