import { db } from '@/lib/core/db';
import { logger } from '@/lib/core/logger';

const LAST_USED_FLUSH_MS = 15_000;

const pendingUse = new Map<string, { at: number; ip: string | null }>();
let flushTimer: NodeJS.Timeout | undefined;

export function noteUse(id: string, ip: string | null): void {
  pendingUse.set(id, { at: Date.now(), ip });
  flushTimer ??= setTimeout(() => void flushKeyUsage(), LAST_USED_FLUSH_MS).unref();
}

/** Writes the batched last-used times and IPs in one statement. Bookkeeping, so not audited. */
export async function flushKeyUsage(): Promise<void> {
  flushTimer = undefined;
  if (pendingUse.size === 0) return;
  const batch = [...pendingUse.entries()];
  pendingUse.clear();
  try {
    await db.$executeRaw`
      UPDATE api_keys k SET last_used_at = u.at, last_used_ip = u.ip
      FROM unnest(${batch.map(([id]) => id)}::uuid[], ${batch.map(([, u]) => new Date(u.at).toISOString())}::timestamptz[], ${batch.map(([, u]) => u.ip)}::text[]) AS u(id, at, ip)
      WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`;
  } catch (err) {
    logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not record API key usage');
  }
}
