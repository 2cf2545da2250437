import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as whoamiRoute } from '@/lib/api/v1/whoami';
import { GET as tenantRoute } from '@/lib/api/v1/tenants/item';
import { systemCtx } from '@/lib/access/system';
import { verifyExportStream } from '@/lib/audit/verify';
import { generateApiKey } from '@/lib/core/crypto/api-key';
import { db } from '@/lib/core/db';
import { MAX_BODY_BYTES } from '@/lib/http/api-request';
import { createApiKey, revokeApiKey } from '@/lib/modules/api-keys/service';
import { listPublicKeys } from '@/lib/modules/signing-keys/service';
import { makeKey, makeTenant, uniqueSlug } from '@/lib/testing/factories';
import { appendPeerAddress, createApiServer, isApiPath } from './api-server';

// Charter's own /api/v1 server (what `charter serve` puts in front of Next.js), over real sockets
// and the real database: the same route() pipelines as the Next.js handlers, so the same answers.

let server: http.Server;
let base: string;

beforeAll(async () => {
  const api = createApiServer();
  server = http.createServer((req, res) => {
    appendPeerAddress(req);
    api.handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const bearer = (key: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, ...extra });

function tenantInput(slug: string) {
  return { slug, legalName: `Served ${slug}`, sector: 'FINANCE', homeCountry: 'DE', allowedCountries: ['DE'], sensitivity: 'OFFICIAL' };
}

describe('isApiPath', () => {
  it('takes /api/v1 and below, nothing else', () => {
    for (const url of ['/api/v1', '/api/v1/', '/api/v1/whoami', '/api/v1?x=1', '/api/v1/tenants/abc?limit=1']) expect(isApiPath(url), url).toBe(true);
    for (const url of ['/', '/api/health', '/api/v10', '/api/v1x/whoami', '/api/auth/session', '/tenants', undefined]) expect(isApiPath(url), String(url)).toBe(false);
  });
});

describe("Charter's /api/v1 server", () => {
  it('answers as the Next.js handler does: the same body, status and rate-limit headers, plus security headers', async () => {
    const { key } = await makeKey(null, ['models:read']);
    const served = await fetch(`${base}/api/v1/whoami`, { headers: bearer(key) });
    const direct = await whoamiRoute(new NextRequest('http://localhost/api/v1/whoami', { headers: bearer(key) }), { params: Promise.resolve({}) });
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual(await direct.json());
    expect(served.headers.get('content-type')).toBe('application/json');
    for (const name of ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']) expect(served.headers.get(name), name).not.toBeNull();
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('cache-control')).toBe('no-store');
    expect(served.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(served.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const requestId = `trace-${randomUUID()}`;
    const traced = await fetch(`${base}/api/v1/whoami`, { headers: bearer(key, { 'x-request-id': requestId }) });
    expect(traced.headers.get('x-request-id')).toBe(requestId);
  });

  it('gives unknown, malformed, one-character-changed and revoked keys the same 401 body', async () => {
    const { key, apiKey } = await createApiKey(systemCtx('test'), {
      name: 'served',
      tenantId: null,
      deploymentId: null,
      scopes: ['models:read'],
      expiresInDays: 1,
      allowedCidrs: [],
    });
    expect((await fetch(`${base}/api/v1/whoami`, { headers: bearer(key) })).status).toBe(200);
    const changed = key.slice(0, 20) + (key[20] === 'a' ? 'b' : 'a') + key.slice(21);
    await revokeApiKey(systemCtx('test'), apiKey.id, 'test of the served 401');
    const bodies: string[] = [];
    for (const candidate of [key, changed, generateApiKey().key, 'chr_nope']) {
      const res = await fetch(`${base}/api/v1/whoami`, { headers: bearer(candidate) });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="charter"');
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      bodies.push(await res.text());
    }
    expect(new Set(bodies).size).toBe(1);
  });

  it('takes path parameters: another tenant’s object is 404, as through Next.js', async () => {
    const mine = await makeTenant();
    const other = await makeTenant();
    const { key } = await makeKey(mine.id, ['tenants:read']);
    const own = await fetch(`${base}/api/v1/tenants/${mine.id}`, { headers: bearer(key) });
    expect(own.status).toBe(200);
    expect(((await own.json()) as { id: string }).id).toBe(mine.id);
    const foreign = await fetch(`${base}/api/v1/tenants/${other.id}`, { headers: bearer(key) });
    const direct = await tenantRoute(new NextRequest(`http://localhost/api/v1/tenants/${other.id}`, { headers: bearer(key) }), {
      params: Promise.resolve({ id: other.id }),
    });
    expect(foreign.status).toBe(404);
    expect(direct.status).toBe(404);
    const strip = (p: Record<string, unknown>) => ({ ...p, requestId: undefined });
    expect(strip((await foreign.json()) as Record<string, unknown>)).toEqual(strip((await direct.json()) as Record<string, unknown>));
  });

  it('answers unknown paths, other methods, OPTIONS, HEAD and trailing slashes like an API should', async () => {
    const { key } = await makeKey(null, ['models:read']);
    const missing = await fetch(`${base}/api/v1/nothing-here`, { headers: bearer(key) });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(((await missing.json()) as { code: string }).code).toBe('not_found');

    const wrong = await fetch(`${base}/api/v1/whoami`, { method: 'DELETE', headers: bearer(key) });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(((await wrong.json()) as { code: string }).code).toBe('method_not_allowed');

    const options = await fetch(`${base}/api/v1/tenants`, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, POST, HEAD, OPTIONS');

    const head = await fetch(`${base}/api/v1/whoami`, { method: 'HEAD', headers: bearer(key) });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');

    const slash = await fetch(`${base}/api/v1/whoami/?a=1`, { headers: bearer(key), redirect: 'manual' });
    expect(slash.status).toBe(308);
    expect(slash.headers.get('location')).toBe('/api/v1/whoami?a=1');
  });

  it('replays an idempotent POST and refuses the key with another body, creating one tenant', async () => {
    const { key } = await makeKey(null, ['tenants:read', 'tenants:write']);
    const slug = uniqueSlug('served');
    const idem = randomUUID();
    const post = (body: unknown) =>
      fetch(`${base}/api/v1/tenants`, { method: 'POST', headers: bearer(key, { 'content-type': 'application/json', 'idempotency-key': idem }), body: JSON.stringify(body) });
    const first = await post(tenantInput(slug));
    expect(first.status).toBe(201);
    // Once each, though the stored response and route() both carry them.
    for (const name of ['ratelimit-remaining', 'x-request-id', 'content-type', 'cache-control']) expect(first.headers.get(name), name).not.toContain(',');
    const again = await post(tenantInput(slug));
    expect(again.status, await again.clone().text()).toBe(201);
    expect(again.headers.get('idempotency-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
    const conflict = await post({ ...tenantInput(slug), legalName: 'Something else' });
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { code: string }).code).toBe('idempotency_conflict');
    expect(await db.tenant.count({ where: { slug } })).toBe(1);
  });

  it('refuses a body over the limit (413) and invalid JSON (400), changing nothing', async () => {
    const { key } = await makeKey(null, ['tenants:read', 'tenants:write']);
    const slug = uniqueSlug('big');
    const huge = JSON.stringify({ ...tenantInput(slug), legalName: 'x'.repeat(MAX_BODY_BYTES) });
    const tooLarge = await fetch(`${base}/api/v1/tenants`, { method: 'POST', headers: bearer(key, { 'content-type': 'application/json' }), body: huge });
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { code: string }).code).toBe('payload_too_large');

    // Sent in chunks without a Content-Length: the limit holds while reading.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${base}/api/v1/tenants`, { method: 'POST', headers: bearer(key, { 'content-type': 'application/json' }) }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 5; i++) req.write(huge.slice(i * (huge.length / 5), (i + 1) * (huge.length / 5)));
      req.end();
    });
    expect(chunked).toBe(413);

    const bad = await fetch(`${base}/api/v1/tenants`, { method: 'POST', headers: bearer(key, { 'content-type': 'application/json' }), body: '{"slug":' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('bad_request');
    expect(await db.tenant.count({ where: { slug } })).toBe(0);
  });

  it('believes the socket, not a forged X-Forwarded-For: a key limited to a CIDR stays limited', async () => {
    const { key } = await createApiKey(systemCtx('test'), {
      name: 'office only',
      tenantId: null,
      deploymentId: null,
      scopes: ['models:read'],
      expiresInDays: 1,
      allowedCidrs: ['10.20.0.0/16'],
    });
    const forged = await fetch(`${base}/api/v1/whoami`, { headers: bearer(key, { 'x-forwarded-for': '10.20.1.2' }) });
    expect(forged.status).toBe(401);
    const { key: local } = await createApiKey(systemCtx('test'), {
      name: 'loopback only',
      tenantId: null,
      deploymentId: null,
      scopes: ['models:read'],
      expiresInDays: 1,
      allowedCidrs: ['127.0.0.1/32'],
    });
    expect((await fetch(`${base}/api/v1/whoami`, { headers: bearer(local, { 'x-forwarded-for': '10.20.1.2' }) })).status).toBe(200);
  });

  it('streams a verifiable export with its row count', async () => {
    const tenant = await makeTenant();
    const { key } = await makeKey(tenant.id, ['audit:read']);
    const res = await fetch(`${base}/api/v1/audit-events/export?chain=${tenant.id}&format=ndjson`, { headers: bearer(key) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.ndjson"$/);
    const text = await res.text();
    const lines = text.trimEnd().split('\n');
    const records = lines.map((line) => JSON.parse(line) as { type?: string });
    const rows = records.filter((r) => r.type === 'event' || r.type === 'omitted').length;
    expect(Number(res.headers.get('x-audit-export-rows'))).toBe(rows);
    const pinnedKeys = (await listPublicKeys()).map(({ kid, publicKey }) => ({ kid, publicKey }));
    const verdict = await verifyExportStream(Readable.from([Buffer.from(text)]), { pinnedKeys });
    expect(verdict.ok).toBe(true);
  });
});
