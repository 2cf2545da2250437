/**
 * How a CLI process ends: cleanups (close the app's database pool, release the embedded PostgreSQL)
 * run on success, on error and on Ctrl-C, in reverse order of registration.
 */
type Cleanup = () => Promise<void> | void;
type InterruptHandler = (signal: NodeJS.Signals) => Promise<number>;

const cleanups: Cleanup[] = [];
let interruptHandler: InterruptHandler | undefined;
let cleaning: Promise<void> | undefined;

export function onCleanup(cleanup: Cleanup): void {
  cleanups.push(cleanup);
}

/**
 * Lets a long-running command (start) decide what Ctrl-C means; it returns the exit code.
 * Without one, an interrupted command exits with 128 + signal number after its cleanups.
 */
export function setInterruptHandler(handler: InterruptHandler | undefined): void {
  interruptHandler = handler;
}

/** The app's Prisma client (lib/core/db keeps its singleton on globalThis), if this process opened it. */
async function disconnectAppDatabase(): Promise<void> {
  const holder = globalThis as unknown as { __charterDb?: { $disconnect(): Promise<void> } };
  await holder.__charterDb?.$disconnect().catch(() => {});
}

export async function runCleanups(): Promise<void> {
  await disconnectAppDatabase();
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop() as Cleanup;
    try {
      await cleanup();
    } catch (error) {
      process.stderr.write(`charter: cleanup failed: ${(error as Error).message}\n`);
    }
  }
}

/** Runs the cleanups (once, even if called from two paths) and exits. */
export async function exitAfterCleanup(code: number): Promise<never> {
  cleaning ??= runCleanups();
  await cleaning;
  process.exit(code);
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/**
 * Installs the SIGINT/SIGTERM/SIGHUP handlers. A Ctrl-C under `npm start` arrives twice (from the
 * terminal and forwarded by npm), so only a signal more than two seconds after the first one
 * forces the exit of a shutdown that seems stuck.
 */
export function installSignalHandlers(): void {
  let firstAt: number | undefined;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (firstAt !== undefined) {
        if (Date.now() - firstAt < 2_000) return;
        process.stderr.write('charter: forced exit; the embedded PostgreSQL may still be running (the next command reuses or stops it)\n');
        process.exit(128 + (SIGNAL_NUMBERS[signal] ?? 0));
      }
      firstAt = Date.now();
      const handler = interruptHandler;
      void (async () => {
        let code = 128 + (SIGNAL_NUMBERS[signal] ?? 0);
        if (handler) {
          try {
            code = await handler(signal);
          } catch (error) {
            process.stderr.write(`charter: ${(error as Error).message}\n`);
          }
        }
        await exitAfterCleanup(code);
      })();
    });
  }
}
