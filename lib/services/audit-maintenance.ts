import { db, rawPool } from '@/lib/db';
import { getEnv } from '@/lib/env';
import { logger } from '@/lib/logger';
import { issueCheckpoint } from './audit-export';

// Periodic audit upkeep, run by every app instance (instrumentation.ts) every
// CHARTER_AUDIT_CHECKPOINT_MINUTES, by one instance at a time (a PostgreSQL advisory lock), and by
// `npx charter audit checkpoint` (e.g. from cron):
//   - every chain whose head is past its latest checkpoint gets a fresh signed checkpoint, so even a
//     quiet chain is sealed within the interval (busy chains are also sealed every
//     CHARTER_AUDIT_CHECKPOINT_EVERY events, in the appending transaction: lib/audit/append.ts);
//   - next month's partition of every chain is created ahead of time, off the append path.

/** Signs a checkpoint over the head of every chain that has events after its latest checkpoint. */
export async function sealUnsealedChains(options: { chains?: string[] } = {}): Promise<{ chain: string; seq: number }[]> {
  const only = options.chains ?? null;
  const chains = await db.$queryRaw<{ id: string }[]>`
    SELECT c.id FROM audit_chains c
    WHERE c.last_seq > COALESCE((SELECT max(k.seq) FROM audit_checkpoints k WHERE k.chain = c.id), -1)
      AND (${only}::text[] IS NULL OR c.id = ANY(${only}::text[]))`;
  const sealed: { chain: string; seq: number }[] = [];
  for (const { id } of chains) {
    const checkpoint = await issueCheckpoint({ chain: id });
    sealed.push({ chain: id, seq: checkpoint.seq });
  }
  return sealed;
}

/** Creates next month's partition for every chain (the append path creates a missing one too). */
export async function preparePartitions(now: Date = new Date()): Promise<number> {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  const chains = await db.auditChain.findMany({ select: { id: true } });
  for (const { id } of chains) await db.$queryRaw`SELECT charter_audit_partition(${id}, ${next}::timestamptz)`;
  return chains.length;
}

/** One round of upkeep, skipped when another instance is doing it. */
export async function runAuditMaintenance(options: { chains?: string[] } = {}): Promise<{ ran: boolean; sealed: number }> {
  const client = await rawPool().connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtext('charter:audit-maintenance')) AS locked`);
    if (!rows[0]?.locked) return { ran: false, sealed: 0 };
    try {
      await preparePartitions();
      const sealed = await sealUnsealedChains(options);
      return { ran: true, sealed: sealed.length };
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext('charter:audit-maintenance'))`);
    }
  } finally {
    client.release();
  }
}

const holder = globalThis as unknown as { __charterAuditMaintenance?: NodeJS.Timeout };

/** Starts the periodic upkeep in this process (once; 0 minutes turns it off). */
export function startAuditMaintenance(): void {
  const minutes = getEnv().CHARTER_AUDIT_CHECKPOINT_MINUTES;
  if (minutes === 0 || holder.__charterAuditMaintenance) return;
  const tick = () => {
    runAuditMaintenance().then(
      (r) => r.ran && r.sealed > 0 && logger.info({ sealed: r.sealed }, 'audit checkpoints issued'),
      (err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err) }, 'audit maintenance failed'),
    );
  };
  holder.__charterAuditMaintenance = setInterval(tick, minutes * 60_000);
  holder.__charterAuditMaintenance.unref();
}
