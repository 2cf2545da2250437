/**
 * `charter maintenance`: one maintenance round (lib/runtime/maintenance.ts) — expiries by date,
 * audit partitions and checkpoints — for cron, e.g. with CHARTER_AUDIT_CHECKPOINT_MINUTES=0.
 * Prints one line; exit 0 also when another instance was running a round (it did the work).
 */
import type { Command } from 'commander';

import type { MaintenanceReport } from '@/lib/runtime/maintenance';

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The command's one line. */
export function describeRound(r: MaintenanceReport, where: string): string {
  if (!r.ran) return `maintenance skipped${where}: another instance is running a round`;
  return (
    `maintenance${where}: ${count(r.contractsExpired, 'contract')} and ${count(r.approvalsExpired, 'approval request')} marked expired, ` +
    `${count(r.sealed, 'chain')} sealed, next month's partitions ready for ${count(r.partitions, 'chain')}`
  );
}

async function maintenanceCommand(options: { chain?: string }): Promise<void> {
  const { openAppDatabase } = await import('../app-database');
  await openAppDatabase();
  const { systemCtx } = await import('@/lib/access/system');
  const { resolveAuditChain } = await import('@/lib/modules/audit-trail/export');
  const { runMaintenance } = await import('@/lib/runtime/maintenance');
  const chain = options.chain ? await resolveAuditChain(systemCtx('maintenance'), options.chain) : null;
  const report = await runMaintenance({ chains: chain ? [chain.chain] : undefined });
  process.stdout.write(`${describeRound(report, chain ? ` of ${chain.label}` : '')}\n`);
}

export function registerMaintenanceCommand(program: Command): void {
  program
    .command('maintenance')
    .description('run one maintenance round: mark contracts and approval requests expired by date, prepare audit partitions, seal chains (for cron)')
    .option('--chain <chain>', 'only this tenant (slug) or "platform": its contracts, requests and audit chain')
    .action(maintenanceCommand);
}
