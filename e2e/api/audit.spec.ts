import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { systemCtx } from '@/lib/access/system';
import { verifyExport } from '@/lib/audit/verify';
import { createApiKey } from '@/lib/modules/api-keys/service';
import { createDeployment } from '@/lib/modules/deployments/service';
import { makeTenant, uniqueSuffix } from '../factories';

// Over real HTTP against `charter serve`: a deployment uploads its audit events (retried after a
// "timeout"), an auditor's key streams the verifiable export and the CSV, and the export verifies
// with the keys published at /api/v1/keys.

async function keyFor(tenantId: string, scopes: ('audit:read' | 'audit:write')[], deploymentId: string | null = null): Promise<string> {
  const { key } = await createApiKey(systemCtx('e2e'), { name: `e2e ${uniqueSuffix()}`, tenantId, deploymentId, scopes, expiresInDays: 1, allowedCidrs: [] });
  return key;
}

test('upload a batch (retried: stored once), export it verifiably and as CSV, verify with the published keys', async ({ request }) => {
  const tenant = await makeTenant();
  const deployment = await createDeployment(systemCtx('e2e'), {
    tenantId: tenant.id,
    name: `dep-${uniqueSuffix()}`,
    environment: 'PRODUCTION',
    country: 'DE',
    hosting: 'ON_PREMISES',
  });
  const agent = await keyFor(tenant.id, ['audit:write'], deployment.id);
  const events = Array.from({ length: 50 }, (_, i) => ({
    id: randomUUID(),
    occurredAt: new Date().toISOString(),
    action: 'inference.request',
    actor: { type: 'user', id: `u${i}`, label: `analyst ${i}` },
    data: { tokens: i },
  }));

  const first = await request.post('/api/v1/audit-events', { headers: { authorization: `Bearer ${agent}` }, data: { events } });
  expect(first.status(), await first.text()).toBe(200);
  expect(await first.json()).toMatchObject({ appended: 50, duplicates: 0, deploymentId: deployment.id });
  // The agent timed out and sends the same batch again (no Idempotency-Key): nothing is duplicated.
  const retry = await request.post('/api/v1/audit-events', { headers: { authorization: `Bearer ${agent}` }, data: { events } });
  expect(await retry.json()).toMatchObject({ appended: 0, duplicates: 50 });

  const bad = await request.post('/api/v1/audit-events', { headers: { authorization: `Bearer ${agent}` }, data: { events: [{ ...events[0], id: randomUUID() }, { id: 'nope' }] } });
  expect(bad.status()).toBe(400);
  expect(bad.headers()['content-type']).toContain('application/problem+json');
  expect(((await bad.json()) as { errors: { path: string }[] }).errors.every((e) => e.path.startsWith('events.1'))).toBe(true);

  const auditor = await keyFor(tenant.id, ['audit:read']);
  const res = await request.get(`/api/v1/audit-events/export?chain=${tenant.slug}&action=audit.ingested`, { headers: { authorization: `Bearer ${auditor}` } });
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toContain('application/x-ndjson');
  expect(res.headers()['content-disposition']).toContain(`charter-audit-${tenant.slug}-1-`);
  const text = await res.text();
  const rows = Number(res.headers()['x-audit-export-rows']);
  expect(text.trimEnd().split('\n')).toHaveLength(rows + 2);

  const keys = await request.get('/api/v1/keys');
  expect(keys.status()).toBe(200);
  const published = ((await keys.json()) as { keys: { kid: string; publicKey: string }[] }).keys;
  expect(await verifyExport(text, { pinnedKeys: published })).toMatchObject({ ok: true, events: 51, omitted: rows - 51 });

  const csv = await request.get(`/api/v1/audit-events/export?chain=${tenant.id}&format=csv&q=analyst`, { headers: { authorization: `Bearer ${auditor}` } });
  expect(csv.headers()['content-type']).toContain('text/csv');
  const lines = (await csv.text()).trimEnd().split('\n');
  expect(lines).toHaveLength(51);
  expect(Number(csv.headers()['x-audit-export-rows'])).toBe(50);

  // Another tenant's key: the chain does not exist for it.
  const stranger = await keyFor((await makeTenant()).id, ['audit:read']);
  const denied = await request.get(`/api/v1/audit-events/export?chain=${tenant.slug}`, { headers: { authorization: `Bearer ${stranger}` } });
  expect(denied.status()).toBe(404);
});
