import { getEnv } from '@/lib/core/env';
import { AppError } from '@/lib/core/errors';
import { logger } from '@/lib/core/logger';
import { addRateLimitCounts, purgeRateLimitBuckets, type RateLimitCount, type RateLimitIncrement } from '@/lib/http/rate-limit-store';

// Per-API-key rate limit: a fixed window (CHARTER_RATE_LIMIT_PER_MINUTE requests per calendar
// minute, UTC) whose counter lives in PostgreSQL (`rate_limit_buckets`), so every app instance
// shares it.
//
// To keep the authenticated hot path free of a database write per request, each instance admits
// requests against its own view — the counter PostgreSQL last returned plus the requests it admitted
// since — and pushes its increments in one upsert for all keys: every CHARTER_RATE_LIMIT_SYNC_MS
// (default 1000), early once half a batch is pending, and it makes a request wait for the push when
// a whole batch (CHARTER_RATE_LIMIT_SYNC_BATCH, default 5 % of the limit) is unconfirmed. Hence:
//
//   - one instance never admits more than the limit in a window;
//   - N instances together admit at most limit + N × batch in a window (each may run at most one
//     batch ahead of what it last saw in PostgreSQL);
//   - with CHARTER_RATE_LIMIT_SYNC_BATCH=0 every request does its own atomic upsert and decides on
//     the returned count: exact across instances, at the cost of one write per request.
//
// Refused requests do not count. A database error while syncing fails open (logged): the limiter
// protects the service, it is not an access control. Counters older than an hour are swept at
// most every 10 minutes per instance. CHARTER_RATE_LIMIT_PER_MINUTE=0 turns the limit off.

export type RateLimitConfig = {
  /** Requests per window and key; 0 = no limit. */
  limit: number;
  windowMs: number;
  /** How far (in requests) an instance may run ahead of PostgreSQL; 0 = synchronous per request. */
  batch: number;
  /** Longest delay before admitted requests are pushed to PostgreSQL. */
  syncMs: number;
};

export type RateLimitDecision = { allowed: boolean; limit: number; remaining: number; resetSeconds: number; windowSeconds: number };

export type RateLimitStore = {
  add(increments: readonly RateLimitIncrement[]): Promise<RateLimitCount[]>;
  purge(before: Date): Promise<number>;
};

const databaseStore: RateLimitStore = { add: addRateLimitCounts, purge: purgeRateLimitBuckets };

const PURGE_EVERY_MS = 10 * 60_000;
const KEEP_BUCKETS_MS = 3_600_000;

type Bucket = { windowStart: number; confirmed: number; inflight: number; pending: number };

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private purgeAt = 0;

  constructor(
    readonly config: RateLimitConfig,
    private readonly store: RateLimitStore = databaseStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Counts one request for `key` if the limit allows it. */
  async take(key: string): Promise<RateLimitDecision> {
    if (this.config.batch === 0) return this.takeSynchronously(key);
    const { limit } = this.config;
    for (let attempt = 0; ; attempt++) {
      const now = this.clock();
      const bucket = this.bucketFor(key, now);
      const used = bucket.confirmed + bucket.inflight + bucket.pending;
      if (used >= limit) return this.decision(false, 0, bucket.windowStart, now);
      // A whole batch unconfirmed: wait for PostgreSQL before admitting more (twice at most; if the
      // database does not answer, fail open).
      if (bucket.inflight + bucket.pending >= this.config.batch && attempt < 2) {
        await this.flush();
        continue;
      }
      bucket.pending++;
      this.scheduleFlush(bucket);
      return this.decision(true, limit - used - 1, bucket.windowStart, now);
    }
  }

  /** Pushes all pending increments to PostgreSQL and adopts the counters it returns. */
  async flush(): Promise<void> {
    // One push at a time; increments admitted during a push go out with the next one.
    while (this.flushing) await this.flushing;
    const batch = new Map<string, RateLimitIncrement>();
    for (const [key, b] of this.buckets) {
      if (b.pending === 0) continue;
      batch.set(key, { key, windowStart: new Date(b.windowStart), delta: b.pending });
      b.inflight += b.pending;
      b.pending = 0;
    }
    if (batch.size === 0) {
      this.housekeeping();
      return;
    }
    this.flushing = (async () => {
      let counts: RateLimitCount[] = [];
      try {
        counts = await this.store.add([...batch.values()]);
      } catch (err) {
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not sync rate-limit counters');
      }
      const byKey = new Map(counts.map((c) => [c.key, c]));
      for (const [key, sent] of batch) {
        const b = this.buckets.get(key);
        if (!b) continue;
        const sentWindow = sent.windowStart.getTime();
        const got = byKey.get(key);
        const gotWindow = got?.windowStart.getTime();
        if (got && gotWindow !== undefined && gotWindow > b.windowStart) {
          // Another instance is already in a later window (this clock lags): adopt it.
          this.buckets.set(key, { windowStart: gotWindow, confirmed: got.count, inflight: 0, pending: 0 });
          continue;
        }
        if (b.windowStart !== sentWindow) continue; // the window rolled over meanwhile
        b.inflight = Math.max(0, b.inflight - sent.delta);
        if (got && gotWindow === b.windowStart) b.confirmed = got.count;
      }
      this.flushing = null;
      this.housekeeping();
      for (const b of this.buckets.values()) if (b.pending > 0) this.scheduleFlush(b);
    })();
    return this.flushing;
  }

  private async takeSynchronously(key: string): Promise<RateLimitDecision> {
    const now = this.clock();
    const windowStart = this.windowOf(now);
    try {
      const [row] = await this.store.add([{ key, windowStart: new Date(windowStart), delta: 1 }]);
      const count = row?.count ?? 1;
      const start = row ? Math.max(row.windowStart.getTime(), windowStart) : windowStart;
      return this.decision(count <= this.config.limit, Math.max(0, this.config.limit - count), start, now);
    } catch (err) {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not count a request against its rate limit');
      return this.decision(true, this.config.limit - 1, windowStart, now);
    } finally {
      this.housekeeping();
    }
  }

  private bucketFor(key: string, now: number): Bucket {
    const windowStart = this.windowOf(now);
    let bucket = this.buckets.get(key);
    if (!bucket || bucket.windowStart < windowStart) {
      // Pending increments of a past window no longer matter for any decision.
      bucket = { windowStart, confirmed: 0, inflight: 0, pending: 0 };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private scheduleFlush(bucket: Bucket): void {
    // A running push reschedules whatever is pending when it ends.
    if (this.flushing) return;
    if (bucket.pending >= Math.ceil(this.config.batch / 2)) {
      void this.flush();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.config.syncMs).unref();
  }

  private housekeeping(): void {
    const now = this.clock();
    const current = this.windowOf(now);
    for (const [key, b] of this.buckets) {
      if (b.windowStart < current && b.pending === 0 && b.inflight === 0) this.buckets.delete(key);
    }
    if (now < this.purgeAt) return;
    this.purgeAt = now + PURGE_EVERY_MS;
    this.store.purge(new Date(now - Math.max(KEEP_BUCKETS_MS, 2 * this.config.windowMs))).catch((err: unknown) => {
      logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not purge old rate-limit counters');
    });
  }

  private windowOf(now: number): number {
    return Math.floor(now / this.config.windowMs) * this.config.windowMs;
  }

  private decision(allowed: boolean, remaining: number, windowStart: number, now: number): RateLimitDecision {
    const { limit, windowMs } = this.config;
    return {
      allowed,
      limit,
      remaining,
      resetSeconds: Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000)),
      windowSeconds: Math.round(windowMs / 1000),
    };
  }
}

// ─────────────────────────── the per-process limiter used by route() ───────────────────────────

const holder = globalThis as unknown as { __charterRateLimiter?: RateLimiter | null; __charterRateLimitOverride?: Partial<RateLimitConfig> };

export function rateLimitConfig(): RateLimitConfig {
  const env = getEnv();
  const limit = holder.__charterRateLimitOverride?.limit ?? env.CHARTER_RATE_LIMIT_PER_MINUTE;
  return {
    limit,
    windowMs: 60_000,
    batch: Math.min(limit, env.CHARTER_RATE_LIMIT_SYNC_BATCH ?? Math.max(1, Math.floor(limit / 20))),
    syncMs: env.CHARTER_RATE_LIMIT_SYNC_MS,
    ...holder.__charterRateLimitOverride,
  };
}

/** The limiter of this process, or null when rate limiting is off. */
export function getRateLimiter(): RateLimiter | null {
  if (holder.__charterRateLimiter === undefined) {
    const config = rateLimitConfig();
    holder.__charterRateLimiter = config.limit > 0 ? new RateLimiter(config) : null;
  }
  return holder.__charterRateLimiter;
}

/** Replaces the configuration from the environment (tests, benchmarks); null restores it. */
export function configureRateLimit(override: Partial<RateLimitConfig> | null): void {
  holder.__charterRateLimitOverride = override ?? undefined;
  holder.__charterRateLimiter = undefined;
}

/** Lower-case names, as every header route() adds, so that merging never sends one twice. */
export function rateLimitHeaders(d: RateLimitDecision): Record<string, string> {
  return {
    'ratelimit-limit': String(d.limit),
    'ratelimit-remaining': String(d.remaining),
    'ratelimit-reset': String(d.resetSeconds),
    'ratelimit-policy': `${d.limit};w=${d.windowSeconds}`,
  };
}

/** Counts a request of an API key; returns the headers to send, or throws 429 rate_limited. */
export async function enforceRateLimit(subject: string): Promise<Record<string, string>> {
  const limiter = getRateLimiter();
  if (!limiter) return {};
  const decision = await limiter.take(subject);
  const headers = rateLimitHeaders(decision);
  if (!decision.allowed) {
    throw new AppError('rate_limited', `This API key may make ${decision.limit} requests per ${decision.windowSeconds} seconds; retry after ${decision.resetSeconds} s.`, {
      headers: { ...headers, 'retry-after': String(decision.resetSeconds) },
    });
  }
  return headers;
}
