import { PLATFORM_CHAIN } from '@/lib/audit/chain';
import { rawPool } from '@/lib/core/db';
import { getEnv } from '@/lib/core/env';
import { logger } from '@/lib/core/logger';
import { expireStaleApprovals } from '@/lib/approvals/service';
import { preparePartitions, sealUnsealedChains } from '@/lib/modules/audit-trail/maintenance';
import { expireDueContracts } from '@/lib/modules/contracts/service';

// The maintenance round: the work that falls due with time, done by Charter itself and not by
// whichever request comes along. Reads never write — they compute the effective state (a contract
// past its end reads as EXPIRED, a request past its 72 hours as EXPIRED) — so nothing depends on a
// round having run; the round only makes the stored state and the audit trail catch up. Every app
// instance runs it every CHARTER_AUDIT_CHECKPOINT_MINUTES (instrumentation.ts), one instance at a
// time (a PostgreSQL advisory lock); `charter maintenance` runs one round (e.g. from cron). In order:
//   1. ACTIVE contracts past validUntil are marked EXPIRED;
//   2. pending approval requests past their deadline are marked EXPIRED, and their onClosed hooks run
//      (a contract waiting for activation returns to DRAFT);
//   3. next month's audit partitions are created and every chain with events after its latest
//      checkpoint is sealed — the events of 1 and 2 included.
// The expiries are audited as Charter (charterCtx in lib/access/system.ts), never as a user.

export type MaintenanceReport = {
  /** false when another instance held the lock: this round did nothing. */
  ran: boolean;
  contractsExpired: number;
  approvalsExpired: number;
  /** Chains whose next month's partition is ready. */
  partitions: number;
  /** Chains sealed with a fresh checkpoint. */
  sealed: number;
};

const LOCK = `hashtext('charter:maintenance')`;

/**
 * One round, skipped when another instance is running one. `chains` (tenant ids, and `platform`)
 * confines it to those tenants' contracts, requests and chains.
 */
export async function runMaintenance(options: { chains?: string[] } = {}): Promise<MaintenanceReport> {
  const client = await rawPool().connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${LOCK}) AS locked`);
    if (!rows[0]?.locked) return { ran: false, contractsExpired: 0, approvalsExpired: 0, partitions: 0, sealed: 0 };
    try {
      const chains = options.chains;
      const tenantIds = chains?.filter((c) => c !== PLATFORM_CHAIN);
      const contractsExpired = await expireDueContracts({ tenantIds });
      const approvalsExpired = await expireStaleApprovals(chains && tenantIds ? { tenants: { ids: tenantIds, platform: chains.includes(PLATFORM_CHAIN) } } : {});
      const partitions = await preparePartitions(new Date(), { chains });
      const sealed = await sealUnsealedChains({ chains });
      return { ran: true, contractsExpired, approvalsExpired, partitions, sealed: sealed.length };
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${LOCK})`);
    }
  } finally {
    client.release();
  }
}

const holder = globalThis as unknown as { __charterMaintenance?: NodeJS.Timeout };

/** Starts the periodic round in this process (once; 0 minutes turns it off). */
export function startMaintenance(): void {
  const minutes = getEnv().CHARTER_AUDIT_CHECKPOINT_MINUTES;
  if (minutes === 0 || holder.__charterMaintenance) return;
  const tick = () => {
    runMaintenance().then(
      (r) => {
        if (r.ran && r.contractsExpired + r.approvalsExpired + r.sealed > 0) logger.info(r, 'maintenance round');
      },
      (err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err) }, 'maintenance round failed'),
    );
  };
  holder.__charterMaintenance = setInterval(tick, minutes * 60_000);
  holder.__charterMaintenance.unref();
}
