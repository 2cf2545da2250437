import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { systemCtx } from '@/lib/access/system';
import { createApiKey } from '@/lib/modules/api-keys/service';
import { uniqueSuffix } from '../factories';

// Over real HTTP against `charter serve`: the public OpenAPI document, Idempotency-Key replay and
// conflict, and the RateLimit-* headers of API-key responses.

async function platformKey(): Promise<string> {
  const { key } = await createApiKey(systemCtx('e2e'), {
    name: `e2e ${uniqueSuffix()}`,
    tenantId: null,
    deploymentId: null,
    scopes: ['tenants:read', 'tenants:write'],
    expiresInDays: 1,
    allowedCidrs: [],
  });
  return key;
}

test('GET /api/v1/openapi.json is public OpenAPI 3.1 listing the tenants routes', async ({ request }) => {
  const res = await request.get('/api/v1/openapi.json');
  expect(res.status()).toBe(200);
  const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { 'x-charter-permission': string | null }>> };
  expect(doc.openapi).toBe('3.1.1');
  expect(doc.paths['/api/v1/tenants']?.get?.['x-charter-permission']).toBe('tenants:read');
  expect(doc.paths['/api/v1/openapi.json']?.get?.['x-charter-permission']).toBeNull();
});

test('a POST retried with the same Idempotency-Key is replayed, another body is a 409', async ({ request }) => {
  const key = await platformKey();
  const slug = `e2e-idem-${uniqueSuffix()}`;
  const body = { slug, legalName: `E2E ${slug}`, sector: 'FINANCE', homeCountry: 'DE', allowedCountries: ['DE'], sensitivity: 'OFFICIAL' };
  const headers = { authorization: `Bearer ${key}`, 'idempotency-key': randomUUID() };

  const first = await request.post('/api/v1/tenants', { headers, data: body });
  expect(first.status()).toBe(201);
  expect(first.headers()['ratelimit-limit']).toBeTruthy();
  expect(first.headers()['ratelimit-remaining']).toMatch(/^\d+$/);
  expect(first.headers()['ratelimit-reset']).toMatch(/^\d+$/);

  const again = await request.post('/api/v1/tenants', { headers, data: body });
  expect(again.status()).toBe(201);
  expect(again.headers()['idempotency-replayed']).toBe('true');
  expect(await again.text()).toBe(await first.text());

  const other = await request.post('/api/v1/tenants', { headers, data: { ...body, legalName: 'Something else' } });
  expect(other.status()).toBe(409);
  expect(other.headers()['content-type']).toContain('application/problem+json');
  expect(await other.json()).toMatchObject({ code: 'idempotency_conflict' });

  const list = await request.get(`/api/v1/tenants?q=${slug}`, { headers: { authorization: `Bearer ${key}` } });
  expect(((await list.json()) as { data: unknown[] }).data).toHaveLength(1);
});
