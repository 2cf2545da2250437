import { randomUUID } from 'node:crypto';
import { NextRequest } from 'next/server';
import { afterEach, describe, expect, it } from 'vitest';
import { GET as listTenantsRoute } from '@/lib/api/v1/tenants/collection';
import { systemCtx } from '@/lib/access/system';
import { db } from '@/lib/core/db';
import { createApiKey } from '@/lib/modules/api-keys/service';
import { addRateLimitCounts, purgeRateLimitBuckets } from '@/lib/http/rate-limit-store';
import { makeTenant } from '@/lib/testing/factories';
import { RateLimiter, configureRateLimit } from './rate-limit';

const noParams = { params: Promise.resolve({}) };

async function tenantKey() {
  const tenant = await makeTenant();
  const { key, apiKey } = await createApiKey(systemCtx('test'), {
    name: 'rate test',
    tenantId: tenant.id,
    deploymentId: null,
    scopes: ['tenants:read'],
    expiresInDays: 1,
    allowedCidrs: [],
  });
  return { key, id: apiKey.id };
}

const get = (key: string) => listTenantsRoute(new NextRequest('http://localhost/api/v1/tenants', { headers: { authorization: `Bearer ${key}` } }), noParams);

afterEach(() => configureRateLimit(null));

describe('rate limit per API key (through route())', () => {
  for (const batch of [1, 0]) {
    it(`answers 429 with Retry-After after the limit, with RateLimit-* headers on every response (batch ${batch})`, async () => {
      configureRateLimit({ limit: 3, batch });
      const { key } = await tenantKey();
      const remaining: (string | null)[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await get(key);
        expect(res.status).toBe(200);
        expect(res.headers.get('ratelimit-limit')).toBe('3');
        expect(res.headers.get('ratelimit-policy')).toBe('3;w=60');
        const reset = Number(res.headers.get('ratelimit-reset'));
        expect(reset).toBeGreaterThanOrEqual(1);
        expect(reset).toBeLessThanOrEqual(60);
        remaining.push(res.headers.get('ratelimit-remaining'));
      }
      expect(remaining).toEqual(['2', '1', '0']);

      const refused = await get(key);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(await refused.json()).toMatchObject({ code: 'rate_limited', status: 429 });

      // Another key has its own budget.
      const other = await tenantKey();
      expect((await get(other.key)).status).toBe(200);
    });
  }

  it('keeps the counter in PostgreSQL', async () => {
    configureRateLimit({ limit: 100, batch: 0 });
    const { key, id } = await tenantKey();
    for (let i = 0; i < 3; i++) expect((await get(key)).status).toBe(200);
    const bucket = await db.rateLimitBucket.findUniqueOrThrow({ where: { key: `apiKey:${id}` } });
    expect(bucket.count).toBe(3);
  });

  it('sends no rate-limit headers to a refused key', async () => {
    const res = await get(`chr_${'A'.repeat(46)}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('ratelimit-limit')).toBeNull();
  });
});

describe('RateLimiter (shared state across instances)', () => {
  const config = { limit: 20, windowMs: 60_000, batch: 2, syncMs: 50 };

  it('lets two instances together admit at most limit + instances × batch, and records what they admitted', async () => {
    const subject = `test:${randomUUID()}`;
    const a = new RateLimiter(config);
    const b = new RateLimiter(config);
    let admitted = 0;
    for (let i = 0; i < 60; i++) {
      const limiter = i % 2 === 0 ? a : b;
      if ((await limiter.take(subject)).allowed) admitted++;
    }
    await Promise.all([a.flush(), b.flush()]);
    expect(admitted).toBeGreaterThanOrEqual(config.limit);
    expect(admitted).toBeLessThanOrEqual(config.limit + 2 * config.batch);
    const bucket = await db.rateLimitBucket.findUniqueOrThrow({ where: { key: subject } });
    expect(bucket.count).toBe(admitted);
  });

  it('is exact across instances in synchronous mode (batch 0)', async () => {
    const subject = `test:${randomUUID()}`;
    const instances = [0, 1, 2].map(() => new RateLimiter({ ...config, batch: 0 }));
    const decisions = await Promise.all(Array.from({ length: 45 }, (_, i) => instances[i % 3].take(subject)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(config.limit);
  });

  it('is exact on one instance even under concurrency, and opens again in the next window', async () => {
    const subject = `test:${randomUUID()}`;
    let now = Date.UTC(2001, 0, 1, 12, 0, 10);
    const limiter = new RateLimiter(config, undefined, () => now);
    const decisions = await Promise.all(Array.from({ length: 30 }, () => limiter.take(subject)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(config.limit);
    const refused = decisions.find((d) => !d.allowed)!;
    expect(refused).toMatchObject({ remaining: 0, resetSeconds: 50, limit: 20 });
    now += 60_000;
    expect(await limiter.take(subject)).toMatchObject({ allowed: true, remaining: 19 });
    await limiter.flush();
  });

  it('adds increments atomically, resets on a newer window and ignores an older one', async () => {
    const key = `test:${randomUUID()}`;
    const w1 = new Date(Date.UTC(2001, 0, 1, 0, 0));
    const w2 = new Date(Date.UTC(2001, 0, 1, 0, 1));
    expect(await addRateLimitCounts([{ key, windowStart: w1, delta: 3 }])).toEqual([{ key, windowStart: w1, count: 3 }]);
    await Promise.all(Array.from({ length: 10 }, () => addRateLimitCounts([{ key, windowStart: w1, delta: 1 }])));
    expect((await addRateLimitCounts([{ key, windowStart: w1, delta: 0 }]))[0]?.count).toBe(13);
    expect((await addRateLimitCounts([{ key, windowStart: w2, delta: 2 }]))[0]).toEqual({ key, windowStart: w2, count: 2 });
    expect((await addRateLimitCounts([{ key, windowStart: w1, delta: 5 }]))[0]).toEqual({ key, windowStart: w2, count: 2 });
    await purgeRateLimitBuckets(new Date(Date.UTC(2001, 0, 1, 0, 2)));
    expect(await db.rateLimitBucket.count({ where: { key } })).toBe(0);
  });
});
