/**
 * A cross-process lock made of a directory (mkdir is atomic), for the few moments when two Charter
 * processes could race: creating secrets, initialising or starting/stopping the embedded database.
 * A lock left behind by a dead process is taken over.
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { CliError } from './cli-error';

export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type LockOptions = {
  timeoutMs?: number;
  /** Called once when the lock is busy, with the holder's pid. */
  onWait?: (holder: number) => void;
};

export async function withFileLock<T>(lockDir: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  let waited = false;
  const started = Date.now();
  await mkdir(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(path.join(lockDir, 'pid'), 'utf8').catch(() => ''));
      if (holder === process.pid) throw new CliError(`internal error: lock ${lockDir} taken twice`);
      const created = await stat(lockDir).then(
        (s) => s.mtimeMs,
        () => 0,
      );
      // No pid yet is normal for a few milliseconds after mkdir; after 10 s the holder died.
      const stale = holder ? !isProcessAlive(holder) : Date.now() - created > 10_000;
      if (stale) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!waited && holder) {
        waited = true;
        options.onWait?.(holder);
      }
      if (Date.now() - started > timeoutMs) {
        throw new CliError(`timed out waiting for ${lockDir} (held by process ${holder || 'unknown'})`);
      }
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
