import { db } from '@/lib/core/db';

// Shared rate-limit counters (one row per limited subject, a fixed window each); the limiter itself
// is lib/http/rate-limit.ts. Bookkeeping, not audited.

export type RateLimitIncrement = { key: string; windowStart: Date; delta: number };
export type RateLimitCount = { key: string; windowStart: Date; count: number };

/**
 * Adds each delta to its key's counter in one atomic upsert and returns the counters as they now
 * stand. A newer window resets the counter; increments for a window older than the stored one
 * (an instance whose clock lags) are dropped. Keys are locked in sorted order, so concurrent
 * batches from several instances cannot deadlock.
 */
export async function addRateLimitCounts(increments: readonly RateLimitIncrement[]): Promise<RateLimitCount[]> {
  if (increments.length === 0) return [];
  const rows = [...increments].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const result = await db.$queryRaw<{ key: string; window_start: Date; count: number }[]>`
    INSERT INTO rate_limit_buckets AS b (key, window_start, count)
    SELECT u.key, u.window_start, u.delta
    FROM unnest(${rows.map((r) => r.key)}::text[], ${rows.map((r) => r.windowStart.toISOString())}::timestamptz[], ${rows.map((r) => r.delta)}::int[])
      WITH ORDINALITY AS u(key, window_start, delta, ord)
    ORDER BY u.ord
    ON CONFLICT (key) DO UPDATE SET
      count = CASE
        WHEN b.window_start = EXCLUDED.window_start THEN b.count + EXCLUDED.count
        WHEN b.window_start < EXCLUDED.window_start THEN EXCLUDED.count
        ELSE b.count END,
      window_start = GREATEST(b.window_start, EXCLUDED.window_start)
    RETURNING b.key, b.window_start, b.count`;
  return result.map((r) => ({ key: r.key, windowStart: new Date(r.window_start), count: r.count }));
}

/** Deletes counters whose window began before `before`; returns how many. */
export async function purgeRateLimitBuckets(before: Date): Promise<number> {
  return db.$executeRaw`DELETE FROM rate_limit_buckets WHERE window_start < ${before.toISOString()}::timestamptz`;
}
