import { randomUUID } from 'node:crypto';
import { encode } from 'next-auth/jwt';
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { POST as createTenantRoute } from '@/lib/api/v1/tenants/collection';
import { sessionCookieName } from '@/lib/http/auth-options';
import { systemCtx } from '@/lib/access/system';
import { generateApiKey } from '@/lib/core/crypto/api-key';
import { db } from '@/lib/core/db';
import { getEnv } from '@/lib/core/env';
import type { ApiKeyScope } from '@/lib/modules/api-keys/schema';
import { createApiKey } from '@/lib/modules/api-keys/service';
import { signIn } from '@/lib/access/sessions';
import { claimIdempotencyKey, purgeExpiredIdempotencyRecords } from '@/lib/http/idempotency-store';
import { TEST_PASSWORD, makeTenant, makeUser, uniqueSlug } from '@/lib/testing/factories';
import { IDEMPOTENCY_TTL_MS, parseIdempotencyKey, requestFingerprint } from './idempotency';
import { route } from './route';

// Integration tests through the route() wrapper and a real database: the exported handlers of a
// route module are called directly with a NextRequest.

const noParams = { params: Promise.resolve({}) };

async function platformKey(scopes: ApiKeyScope[] = ['tenants:read', 'tenants:write']) {
  const { key, apiKey } = await createApiKey(systemCtx('test'), { name: 'idempotency test', tenantId: null, deploymentId: null, scopes, expiresInDays: 1, allowedCidrs: [] });
  return { key, id: apiKey.id };
}

function post(key: string, body: string, options: { idempotencyKey?: string; path?: string } = {}) {
  return new NextRequest(`http://localhost${options.path ?? '/api/v1/tenants'}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      ...(options.idempotencyKey !== undefined ? { 'idempotency-key': options.idempotencyKey } : {}),
    },
    body,
  });
}

function tenantInput(slug: string) {
  return { slug, legalName: `Idempotent ${slug}`, sector: 'FINANCE', homeCountry: 'DE', allowedCountries: ['DE'], sensitivity: 'OFFICIAL' };
}

describe('Idempotency-Key on POST (through route())', () => {
  it('replays the stored response for the same key and body, without executing twice', async () => {
    const { key } = await platformKey();
    const slug = uniqueSlug('idem');
    const idem = randomUUID();
    const first = await createTenantRoute(post(key, JSON.stringify(tenantInput(slug)), { idempotencyKey: idem }), noParams);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotency-replayed')).toBeNull();
    const firstBody = await first.text();

    // Same JSON with other key order and whitespace is the same request.
    const input = tenantInput(slug);
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(input).reverse()), null, 2);
    const again = await createTenantRoute(post(key, reordered, { idempotencyKey: idem }), noParams);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toMatch(/application\/json/);
    expect(await again.text()).toBe(firstBody);
    expect(again.headers.get('x-request-id')).toBeTruthy();

    expect(await db.tenant.count({ where: { slug } })).toBe(1);
    const tenant = await db.tenant.findUniqueOrThrow({ where: { slug } });
    expect(await db.auditEvent.count({ where: { chain: tenant.id, action: 'tenant.created' } })).toBe(1);
  });

  it('answers 409 idempotency_conflict for the same key with another body or another endpoint', async () => {
    const { key } = await platformKey();
    const idem = randomUUID();
    const first = await createTenantRoute(post(key, JSON.stringify(tenantInput(uniqueSlug('idem'))), { idempotencyKey: idem }), noParams);
    expect(first.status).toBe(201);

    const otherSlug = uniqueSlug('idem');
    const otherBody = await createTenantRoute(post(key, JSON.stringify(tenantInput(otherSlug)), { idempotencyKey: idem }), noParams);
    expect(otherBody.status).toBe(409);
    expect(otherBody.headers.get('content-type')).toBe('application/problem+json');
    expect(await otherBody.json()).toMatchObject({ code: 'idempotency_conflict', reason: 'body_mismatch' });
    expect(await db.tenant.count({ where: { slug: otherSlug } })).toBe(0);

    // The same handler reached under another path stands in for another endpoint.
    const otherPath = await createTenantRoute(post(key, JSON.stringify(tenantInput(otherSlug)), { idempotencyKey: idem, path: '/api/v1/tenants-elsewhere' }), noParams);
    expect(otherPath.status).toBe(409);
    expect(await otherPath.json()).toMatchObject({ code: 'idempotency_conflict', reason: 'path_mismatch' });
  });

  it('keeps key spaces apart: another API key may use the same Idempotency-Key', async () => {
    const [a, b] = [await platformKey(), await platformKey()];
    const idem = randomUUID();
    const ra = await createTenantRoute(post(a.key, JSON.stringify(tenantInput(uniqueSlug('idem'))), { idempotencyKey: idem }), noParams);
    const rb = await createTenantRoute(post(b.key, JSON.stringify(tenantInput(uniqueSlug('idem'))), { idempotencyKey: idem }), noParams);
    expect([ra.status, rb.status]).toEqual([201, 201]);
    expect(rb.headers.get('idempotency-replayed')).toBeNull();
  });

  it("stores and replays a handler's 4xx problem, but not a request refused by validation", async () => {
    const { key } = await platformKey();
    const taken = await makeTenant();
    const idem = randomUUID();
    const body = JSON.stringify(tenantInput(taken.slug));
    const first = await createTenantRoute(post(key, body, { idempotencyKey: idem }), noParams);
    expect(first.status).toBe(409);
    const problem = (await first.json()) as { code: string; requestId: string };
    expect(problem.code).toBe('conflict');
    const replay = await createTenantRoute(post(key, body, { idempotencyKey: idem }), noParams);
    expect(replay.status).toBe(409);
    expect(replay.headers.get('idempotency-replayed')).toBe('true');
    expect(await replay.json()).toEqual(problem);

    // A body that fails validation never reaches the handler, so the key stays unused.
    const idem2 = randomUUID();
    const invalid = await createTenantRoute(post(key, JSON.stringify({ ...tenantInput(uniqueSlug('idem')), homeCountry: 'XX' }), { idempotencyKey: idem2 }), noParams);
    expect(invalid.status).toBe(400);
    const valid = await createTenantRoute(post(key, JSON.stringify(tenantInput(uniqueSlug('idem'))), { idempotencyKey: idem2 }), noParams);
    expect(valid.status).toBe(201);
  });

  it('refuses a duplicate while the first request is in flight, and runs a concurrent burst once', async () => {
    const { key, id } = await platformKey();
    const slug = uniqueSlug('idem');
    const body = JSON.stringify(tenantInput(slug));
    const idem = randomUUID();
    const claim = await claimIdempotencyKey(
      { actorKey: `apiKey:${id}`, key: idem, method: 'POST', path: '/api/v1/tenants', requestHash: requestFingerprint({ body: JSON.parse(body), query: new URLSearchParams() }) },
      IDEMPOTENCY_TTL_MS,
    );
    expect(claim.kind).toBe('claimed');
    const busy = await createTenantRoute(post(key, body, { idempotencyKey: idem }), noParams);
    expect(busy.status).toBe(409);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect(await busy.json()).toMatchObject({ code: 'idempotency_conflict', reason: 'in_progress' });
    expect(await db.tenant.count({ where: { slug } })).toBe(0);

    const slug2 = uniqueSlug('idem');
    const idem2 = randomUUID();
    const burst = await Promise.all(Array.from({ length: 6 }, () => createTenantRoute(post(key, JSON.stringify(tenantInput(slug2)), { idempotencyKey: idem2 }), noParams)));
    const statuses = burst.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(await db.tenant.count({ where: { slug: slug2 } })).toBe(1);
  });

  it('forgets the key after a server error, so that the retry runs again', async () => {
    const { key } = await platformKey(['tenants:read']);
    let calls = 0;
    const flaky = route({ permission: 'tenants:read', body: z.object({ n: z.number() }) }, async ({ body }) => {
      calls++;
      if (calls === 1) throw new Error('simulated failure (expected in this test)');
      return { n: body.n, calls };
    });
    const idem = randomUUID();
    const failed = await flaky(post(key, '{"n":1}', { idempotencyKey: idem }), noParams);
    expect(failed.status).toBe(500);
    const retried = await flaky(post(key, '{"n":1}', { idempotencyKey: idem }), noParams);
    expect(retried.status).toBe(201);
    expect(await retried.json()).toEqual({ n: 1, calls: 2 });
    const replayed = await flaky(post(key, '{"n":1}', { idempotencyKey: idem }), noParams);
    expect(replayed.headers.get('idempotency-replayed')).toBe('true');
    expect(calls).toBe(2);
  });

  it('never stores a response holding an API key in clear: the retry is refused, not executed again', async () => {
    const { key, id } = await platformKey(['tenants:read']);
    let calls = 0;
    const issue = route({ permission: 'tenants:read' }, async () => {
      calls++;
      return { key: generateApiKey().key };
    });
    const idem = randomUUID();
    const first = await issue(post(key, '', { idempotencyKey: idem }), noParams);
    expect(first.status).toBe(201);
    const secret = ((await first.json()) as { key: string }).key;
    const retry = await issue(post(key, '', { idempotencyKey: idem }), noParams);
    expect(retry.status).toBe(409);
    expect(await retry.json()).toMatchObject({ code: 'idempotency_conflict', reason: 'not_replayable', originalStatus: 201 });
    expect(calls).toBe(1);
    const record = await db.idempotencyRecord.findUniqueOrThrow({ where: { actorKey_key: { actorKey: `apiKey:${id}`, key: idem } } });
    expect(record.responseStatus).toBe(201);
    expect(record.responseBody).toBeNull();
    expect(JSON.stringify(record)).not.toContain(secret.slice(4));
  });

  it('works for a browser session too, keyed by the user', async () => {
    const owner = await makeUser('OWNER', null);
    const signedIn = await signIn({ email: owner.email, password: TEST_PASSWORD, request: { ip: null, userAgent: 'vitest', requestId: randomUUID() } });
    if (!signedIn.ok) throw new Error('sign-in failed');
    const cookie = await encode({ token: { sid: signedIn.sessionId }, secret: getEnv().NEXTAUTH_SECRET });
    const slug = uniqueSlug('idem');
    const idem = randomUUID();
    const request = () =>
      new NextRequest('http://localhost/api/v1/tenants', {
        method: 'POST',
        headers: { cookie: `${sessionCookieName()}=${cookie}`, 'idempotency-key': idem },
        body: JSON.stringify(tenantInput(slug)),
      });
    const first = await createTenantRoute(request(), noParams);
    expect(first.status).toBe(201);
    expect(first.headers.get('ratelimit-limit')).toBeNull();
    const again = await createTenantRoute(request(), noParams);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(await db.tenant.count({ where: { slug } })).toBe(1);
    expect(await db.idempotencyRecord.count({ where: { actorKey: `user:${owner.id}`, key: idem } })).toBe(1);
  });

  it('rejects a malformed Idempotency-Key with 400 before anything runs; POSTs without one still work', async () => {
    const { key } = await platformKey();
    for (const bad of ['', 'has space', 'é', 'x'.repeat(256)]) {
      const slug = uniqueSlug('idem');
      const res = await createTenantRoute(post(key, JSON.stringify(tenantInput(slug)), { idempotencyKey: bad }), noParams);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'bad_request', errors: [{ path: 'Idempotency-Key' }] });
      expect(await db.tenant.count({ where: { slug } })).toBe(0);
    }
    const plain = await createTenantRoute(post(key, JSON.stringify(tenantInput(uniqueSlug('idem')))), noParams);
    expect(plain.status).toBe(201);
  });

  it('takes over an expired record, and purges expired ones', async () => {
    const { id } = await platformKey();
    const scope = { actorKey: `apiKey:${id}`, key: randomUUID(), method: 'POST', path: '/api/v1/x', requestHash: 'a'.repeat(64) };
    expect((await claimIdempotencyKey(scope, IDEMPOTENCY_TTL_MS)).kind).toBe('claimed');
    expect((await claimIdempotencyKey({ ...scope, requestHash: 'b'.repeat(64) }, IDEMPOTENCY_TTL_MS)).kind).toBe('mismatch');
    await db.idempotencyRecord.updateMany({ where: { actorKey: scope.actorKey, key: scope.key }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await claimIdempotencyKey({ ...scope, requestHash: 'b'.repeat(64) }, IDEMPOTENCY_TTL_MS)).kind).toBe('claimed');

    const stale = { ...scope, key: randomUUID() };
    await claimIdempotencyKey(stale, IDEMPOTENCY_TTL_MS);
    await db.idempotencyRecord.updateMany({ where: { actorKey: stale.actorKey, key: stale.key }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await purgeExpiredIdempotencyRecords()).toBeGreaterThanOrEqual(1);
    expect(await db.idempotencyRecord.count({ where: { actorKey: stale.actorKey, key: stale.key } })).toBe(0);
  });
});

describe('parseIdempotencyKey', () => {
  const h = (v: string | null) => ({ get: () => v });
  it('accepts tokens and structured-field strings, rejects the rest', () => {
    expect(parseIdempotencyKey(h(null))).toBeNull();
    expect(parseIdempotencyKey(h('abc-123'))).toBe('abc-123');
    expect(parseIdempotencyKey(h('"8e03978e-40d5-43e8-bc93-6894a57f9324"'))).toBe('8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(parseIdempotencyKey(h('~'.repeat(255)))).toHaveLength(255);
    for (const bad of ['', '""', 'a b', 'tab\there', 'ü', 'x'.repeat(256)]) expect(() => parseIdempotencyKey(h(bad)), bad).toThrow(/Idempotency-Key/);
  });
});
