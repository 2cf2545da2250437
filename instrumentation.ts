// Next.js calls register() once when a server instance starts. Charter uses it for the periodic
// maintenance round (expiries by date, signed checkpoints of quiet chains, next month's partitions):
// lib/runtime/maintenance.ts.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startMaintenance } = await import('@/lib/runtime/maintenance');
  startMaintenance();
}
