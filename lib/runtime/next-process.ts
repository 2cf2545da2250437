import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';

// Running Next.js as a child process: what both the CLI (building, `charter start`) and Charter's
// own server (lib/runtime/server.ts, which puts Next.js behind its /api/v1 handler) need. It sits below
// both, so the server does not reach into the CLI.

/** The Next.js CLI entry point, resolved from this package's dependencies. */
export function nextBin(): string {
  return createRequire(import.meta.url).resolve('next/dist/bin/next');
}

/**
 * Environment for Next.js processes: telemetry off, no inherited NODE_ENV (Next sets its own), and
 * none of the variables named in `omit`.
 */
export function nextEnv(extra: Record<string, string | undefined>, omit: readonly string[] = []): NodeJS.ProcessEnv {
  const merged: Record<string, string | undefined> = { ...process.env, ...extra, NEXT_TELEMETRY_DISABLED: '1' };
  const env = Object.fromEntries(Object.entries(merged).filter(([name]) => name !== 'NODE_ENV' && !omit.includes(name)));
  // Next's types declare NODE_ENV as always present; for a child process it is deliberately absent.
  return env as NodeJS.ProcessEnv;
}

/** Waits until `url` answers 200, or the child exits, or the timeout passes. */
export async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

/** Stops a child politely (SIGTERM), then firmly after `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
