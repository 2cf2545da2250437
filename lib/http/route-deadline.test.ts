import { randomUUID } from 'node:crypto';
import { NextRequest } from 'next/server';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { systemCtx } from '@/lib/access/system';
import { pool, transaction } from '@/lib/core/db';
import { createApiKey } from '@/lib/modules/api-keys/service';
import { route } from './route';

// The request deadline: read once per route, so it is set before any module reads the environment.
vi.hoisted(() => {
  process.env.CHARTER_REQUEST_TIMEOUT_MS = '300';
});

const noParams = { params: Promise.resolve({}) };

async function platformKey() {
  const { key } = await createApiKey(systemCtx('test'), {
    name: 'deadline test',
    tenantId: null,
    deploymentId: null,
    scopes: ['tenants:write'],
    expiresInDays: 1,
    allowedCidrs: [],
  });
  return key;
}

function post(key: string, idempotencyKey: string) {
  return new NextRequest('http://localhost/api/v1/deadline-test', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify({ n: 1 }),
  });
}

describe('a deadline per request', () => {
  it('answers 503 deadline_exceeded with Retry-After at the deadline while a lock is held, and never runs the work twice', async () => {
    const lockId = Math.floor(Math.random() * 1e9);
    let runs = 0;
    let finished = 0;
    const POST = route({ permission: 'tenants:write', body: z.object({ n: z.number() }) }, async () => {
      runs += 1;
      // Waits for a lock the test holds, as a request behind a locked table does.
      await transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${lockId}::bigint)`;
      });
      finished += 1;
      return { done: true };
    });
    const key = await platformKey();
    const holder = await pool.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockId]);
    const idem = randomUUID();
    try {
      const started = Date.now();
      const first = await POST(post(key, idem), noParams);
      const waited = Date.now() - started;
      expect(first.status).toBe(503);
      expect(waited).toBeGreaterThanOrEqual(290);
      expect(waited).toBeLessThan(2_000);
      expect(first.headers.get('retry-after')).toBe('5');
      expect(await first.json()).toMatchObject({ code: 'unavailable', cause: 'deadline_exceeded', status: 503 });
      // Retried while the first attempt still runs: refused as in progress, not run again.
      const retry = await POST(post(key, idem), noParams);
      expect(await retry.json()).toMatchObject({ status: 409, code: 'idempotency_conflict' });
    } finally {
      await holder.query('COMMIT');
      holder.release();
    }
    // The first attempt finishes on its own and settles the key: the next retry replays its outcome.
    await vi.waitFor(() => expect(finished).toBe(1), { timeout: 5_000 });
    await vi.waitFor(
      async () => {
        const replay = await POST(post(key, idem), noParams);
        expect(replay.status).toBe(201);
        expect(await replay.json()).toEqual({ done: true });
      },
      { timeout: 5_000 },
    );
    expect(runs).toBe(1);
  });
});
