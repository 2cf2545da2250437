import { db } from '@/lib/core/db';
import { issueCheckpoint } from './export';

// Periodic audit upkeep, part of the maintenance round (lib/runtime/maintenance.ts: every app
// instance, one at a time, and `charter maintenance`); `charter audit checkpoint` seals on demand:
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
export async function preparePartitions(now: Date = new Date(), options: { chains?: string[] } = {}): Promise<number> {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  const chains = await db.auditChain.findMany({ where: options.chains ? { id: { in: options.chains } } : {}, select: { id: true } });
  for (const { id } of chains) await db.$queryRaw`SELECT charter_audit_partition(${id}, ${next}::timestamptz)`;
  return chains.length;
}
