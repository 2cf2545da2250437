/**
 * Building and running the Next.js app as a child process, from the project root, with telemetry
 * off. A cheap stamp (file names, sizes and mtimes of the app's sources, hash of the lock file)
 * decides whether `.next` is older than the sources.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

import { nextBin, nextEnv, stopChild } from '@/lib/runtime/next-process';

import { CliError } from './cli-error';
import { projectRoot } from './paths';

const NEXT_DIR = path.join(projectRoot, '.next');
const STAMP_FILE = path.join(NEXT_DIR, 'charter-build-stamp');

/** Directories whose files end up in the Next.js build. */
const SOURCE_DIRS = ['app', 'components', 'lib', 'public'];
/** Not part of the web app (lib/cli), regenerated on every install (lib/generated), or tests. */
const IGNORED = [/^lib\/cli\//, /^lib\/generated\//, /\.test\.tsx?$/, /(^|\/)\./];
const ROOT_FILES = ['next.config.ts', 'tsconfig.json', 'package.json', 'postcss.config.mjs', 'proxy.ts', 'instrumentation.ts', 'prisma/schema.prisma'];

async function listFiles(dir: string, relative: string, into: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const rel = relative ? `${relative}/${entry.name}` : entry.name;
    if (IGNORED.some((pattern) => pattern.test(rel))) continue;
    if (entry.isDirectory()) await listFiles(path.join(dir, entry.name), rel, into);
    else if (entry.isFile()) into.push(rel);
  }
}

export async function computeBuildStamp(): Promise<string> {
  const files: string[] = [];
  for (const dir of SOURCE_DIRS) await listFiles(path.join(projectRoot, dir), dir, files);
  files.push(...ROOT_FILES.filter((file) => existsSync(path.join(projectRoot, file))));
  files.sort();
  const hash = createHash('sha256');
  for (const file of files) {
    const info = await stat(path.join(projectRoot, file));
    hash.update(`${file}\0${info.size}\0${Math.trunc(info.mtimeMs)}\n`);
  }
  // The lock file by content: `npm ci` rewrites it with a new mtime but the same dependencies.
  hash.update(await readFile(path.join(projectRoot, 'package-lock.json')).catch(() => Buffer.alloc(0)));
  return hash.digest('hex');
}

/** Why a build is needed, or null when `.next` matches the sources. */
export async function buildNeeded(): Promise<string | null> {
  if (!existsSync(path.join(NEXT_DIR, 'BUILD_ID'))) return 'no production build yet';
  const stamp = await readFile(STAMP_FILE, 'utf8').catch(() => null);
  if (stamp === null) return 'the build was not made by charter';
  if (stamp.trim() !== (await computeBuildStamp())) return 'sources changed since the last build';
  return null;
}

const RUNTIME_ONLY = ['DATABASE_URL', 'NEXTAUTH_SECRET', 'CHARTER_ENCRYPTION_KEY'];

let runningBuild: ChildProcess | undefined;

/** Stops a build in progress (Ctrl-C during `charter start`); a no-op otherwise. */
export async function abortBuild(): Promise<void> {
  if (runningBuild) await stopChild(runningBuild, 5_000);
}

/** `next build`, output shown; records the stamp on success. */
export async function buildApp(env: Record<string, string> = {}): Promise<void> {
  const stamp = await computeBuildStamp();
  const code = await new Promise<number | null>((resolve, reject) => {
    // The build must not depend on (or bake in) the runtime database and secrets: a statically
    // rendered page that reads the database fails here rather than shipping stale data.
    const buildEnv = nextEnv(env, RUNTIME_ONLY);
    const child = spawn(process.execPath, [nextBin(), 'build'], { cwd: projectRoot, env: buildEnv, stdio: 'inherit' });
    runningBuild = child;
    child.on('error', reject);
    child.on('exit', (exitCode, signal) => resolve(signal ? 128 : exitCode));
  }).finally(() => {
    runningBuild = undefined;
  });
  if (code !== 0) throw new CliError(`next build failed (exit code ${code}); see the output above`);
  await writeFile(STAMP_FILE, `${stamp}\n`);
}

/** Builds when the build is missing or older than the sources (or when forced). */
export async function ensureBuilt(options: { force?: boolean; log: (message: string) => void; env?: Record<string, string> }): Promise<boolean> {
  const reason = options.force ? 'requested with --build' : await buildNeeded();
  if (reason === null) return false;
  options.log(`Building the web app (${reason}) …`);
  await buildApp(options.env);
  return true;
}

/** Fails early, with a clear message, when the HTTP port is taken (e.g. by another instance). */
export async function assertPortFree(port: number, hostname?: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new CliError(`port ${port} is already in use; choose another with --port or PORT`) : error);
    });
    server.listen({ port, host: hostname }, () => server.close(() => resolve()));
  });
}

/**
 * The web server on `port`, output shown: `charter serve` (Charter's production server: /api/v1 on
 * its own node:http handler, the rest on Next.js) or `next dev` (everything on Next.js, hot reload).
 */
export function spawnServer(options: { mode: 'start' | 'dev'; port: number; hostname?: string; env: Record<string, string> }): ChildProcess {
  const args =
    options.mode === 'dev' ? [nextBin(), 'dev', '--port', String(options.port)] : [path.join(projectRoot, 'lib', 'cli', 'charter.mjs'), 'serve', '--port', String(options.port)];
  if (options.hostname) args.push('--hostname', options.hostname);
  return spawn(process.execPath, args, { cwd: projectRoot, env: nextEnv(options.env), stdio: 'inherit' });
}
