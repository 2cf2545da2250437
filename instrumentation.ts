// Next.js calls register() once when a server instance starts. Charter uses it for the periodic
// audit upkeep (signed checkpoints of quiet chains, next month's partitions): lib/services/audit-maintenance.ts.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startAuditMaintenance } = await import('@/lib/services/audit-maintenance');
  startAuditMaintenance();
}
