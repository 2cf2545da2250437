/**
 * Shared by the benchmarks of bench/ (not part of `npm test`). Each benchmark runs against its own
 * database on the server of BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432), never against
 * charter_test, and prints its raw baseline next to Charter's figure with the ratio.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

export const SERVER = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';

/** postgres://…/charter_bench_<size> */
export function databaseUrl(name: string): string {
  return `${SERVER.replace(/\/+$/, '')}/${name}`;
}

export function benchDatabaseName(events: number): string {
  return `charter_bench_${events >= 1_000_000 && events % 1_000_000 === 0 ? `${events / 1_000_000}m` : events}`;
}

/** Charter's environment for an in-process benchmark; must run before lib/core/db is imported. */
export function useDatabase(url: string): void {
  process.env.DATABASE_URL = url;
  process.env.NEXTAUTH_SECRET ??= randomBytes(24).toString('base64url');
  // A fixed, public key: bench databases hold no secrets worth sealing.
  process.env.CHARTER_ENCRYPTION_KEY ??= Buffer.alloc(32, 0x42).toString('base64');
  process.env.CHARTER_LOG_LEVEL ??= 'warn';
  process.env.CHARTER_DB_POOL_SIZE ??= '10';
}

export function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 ? process.argv[i + 1] : fallback;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

const run = promisify(execFile);

/** Runs `sql` through psql `runs` times with \timing, returning the server-reported times (ms). */
export async function psqlTimings(url: string, sql: string, runs: number): Promise<number[]> {
  const script = `\\timing on\n${Array.from({ length: runs }, () => `${sql};`).join('\n')}\n`;
  // Query results go to /dev/null (-o); the \timing lines still come out on stdout.
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', '-q', '-o', '/dev/null', url], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`psql exited ${code}`));
        return;
      }
      resolve([...out.matchAll(/Time: ([\d.]+) ms/g)].map((m) => Number(m[1])));
    });
    child.stdin.end(script);
  });
}

/** Wall time of a shell command (ms), its stdout discarded. */
export async function shellMs(command: string): Promise<number> {
  const start = process.hrtime.bigint();
  await run('bash', ['-c', command], { maxBuffer: 1024 });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function ratioLine(label: string, ours: string, baseline: string, ratio: number, target: string, ok: boolean): string {
  return `${label.padEnd(44)} ours ${ours.padStart(14)}   baseline ${baseline.padStart(14)}   ratio ${ratio.toFixed(2).padStart(6)}   target ${target.padEnd(22)} ${ok ? 'OK' : 'MISSED'}`;
}
