/**
 * The production build the HTTP benchmarks run `charter serve` over (bench/key-verify.ts,
 * bench/audit-export-memory.ts): a snapshot of this tree in $TMPDIR/charter-bench/tree (or
 * BENCH_TREE_DIR), sources copied and `node_modules` hard-linked, built there with `next build`. A
 * benchmark thus neither replaces the `.next` that `npm start`, the e2e tests or a colleague may be
 * serving, nor measures a half-rebuilt one. The snapshot is rebuilt only when the sources changed
 * (the `charter start` build stamp). One file is added to it: bench/next-pg-route.ts as
 * `GET /api/bench-pg` (key-verify's baseline inside Next.js); it is never part of Charter.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeBuildStamp } from '@/lib/cli/next-app';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const treeDir = process.env.BENCH_TREE_DIR ?? path.join(os.tmpdir(), 'charter-bench', 'tree');

const NEXT_PG_ROUTE = path.join(root, 'bench', 'next-pg-route.ts');
const NOT_COPIED = new Set(['node_modules', '.next', '.data', '.git', 'test-results', 'playwright-report', 'bench/.results']);

export function nextBin(dir: string): string {
  return path.join(dir, 'node_modules', 'next', 'dist', 'bin', 'next');
}

/** Environment of a Next.js process: telemetry off and no inherited NODE_ENV, as lib/cli/next-app.ts does. */
export function nextEnv(extra: Record<string, string>, omit: readonly string[] = []): NodeJS.ProcessEnv {
  const merged: Record<string, string | undefined> = { ...process.env, ...extra, NEXT_TELEMETRY_DISABLED: '1' };
  const env = Object.fromEntries(Object.entries(merged).filter(([name]) => name !== 'NODE_ENV' && !omit.includes(name)));
  return env as NodeJS.ProcessEnv;
}

/** Makes sure treeDir holds a build of the current sources (`skipBuild`: any existing build will do). */
export async function prepareBuild(options: { skipBuild: boolean; say: (line: string) => void }): Promise<void> {
  const { say } = options;
  const stampFile = path.join(treeDir, '.next', 'charter-bench-stamp');
  if (options.skipBuild && existsSync(path.join(treeDir, '.next', 'BUILD_ID'))) {
    say(`Using the existing build in ${treeDir} (--skip-build).`);
    return;
  }
  // The sources, and the bench-only route added to the snapshot.
  const stamp = createHash('sha256')
    .update(await computeBuildStamp())
    .update(readFileSync(NEXT_PG_ROUTE))
    .digest('hex');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp) {
    say(`The build in ${treeDir} matches the sources.`);
    return;
  }
  say(`Snapshotting the tree into ${treeDir} and building it (next build) …`);
  rmSync(treeDir, { recursive: true, force: true });
  mkdirSync(treeDir, { recursive: true });
  cpSync(root, treeDir, { recursive: true, filter: (src) => !NOT_COPIED.has(path.relative(root, src)) });
  // Hard links: instant, no extra space; turbopack refuses a node_modules symlinked out of its root.
  const link = spawnSync('cp', ['-al', path.join(root, 'node_modules'), path.join(treeDir, 'node_modules')]);
  if (link.status !== 0) throw new Error(`cp -al node_modules failed: ${String(link.stderr)}`);
  mkdirSync(path.join(treeDir, 'app', 'api', 'bench-pg'), { recursive: true });
  cpSync(NEXT_PG_ROUTE, path.join(treeDir, 'app', 'api', 'bench-pg', 'route.ts'));
  const env = nextEnv({}, ['DATABASE_URL', 'NEXTAUTH_SECRET', 'CHARTER_ENCRYPTION_KEY']);
  const build = spawnSync(process.execPath, [nextBin(treeDir), 'build'], { cwd: treeDir, env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0) throw new Error('next build failed (output above)');
  writeFileSync(stampFile, `${stamp}\n`);
}
