import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { systemCtx } from '@/lib/auth/system';
import { verifyExport } from '@/lib/audit/verify';
import { toAppError } from '@/lib/errors';
import { type IngestAuditEventsInput, ingestAuditEventsInput } from '@/lib/schemas/audit-ingest';
import { makeDeployment, makeKey, makeTenant, makeUser } from '@/lib/testing/factories';
import { listAuditEvents } from './audit';
import { exportAuditChain } from './audit-export';
import { ingestAuditEvents } from './audit-ingest';
import { bootstrap } from './bootstrap';

const event = (n: number, extra: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  occurredAt: new Date(Date.UTC(2026, 5, 1, 12, 0, n)).toISOString(),
  action: 'model.loaded',
  actor: { type: 'operator', id: `op-${n}`, label: `Operator ${n}` },
  target: { type: 'model_version', id: `mv-${n}` },
  data: { n, note: 'Zürich 😀' },
  ...extra,
});

const batch = (events: unknown[], deploymentId?: string): IngestAuditEventsInput => ingestAuditEventsInput.parse({ deploymentId, events });

async function chainCount(chain: string): Promise<number> {
  return db.auditEvent.count({ where: { chain } });
}

beforeAll(async () => {
  await bootstrap();
});

describe('ingestAuditEvents', () => {
  it('appends a batch to the tenant chain with the deployment as actor, and the export verifies', async () => {
    const tenant = await makeTenant();
    const deployment = await makeDeployment(tenant);
    const { ctx } = await makeKey(tenant.id, ['audit:write'], { deploymentId: deployment.id });
    const before = await chainCount(tenant.id);
    const events = Array.from({ length: 250 }, (_, i) => event(i));
    const result = await ingestAuditEvents(ctx, batch(events));
    expect(result).toMatchObject({ chain: tenant.id, deploymentId: deployment.id, appended: 250, duplicates: 0 });
    expect(result.events.map((e) => e.seq)).toEqual(events.map((_, i) => before + 1 + i));
    expect(await chainCount(tenant.id)).toBe(before + 250);

    const stored = await listAuditEvents(systemCtx('test'), { chain: tenant.id, limit: 1, action: 'audit.ingested' });
    expect(stored.data[0]).toMatchObject({
      id: events[249]?.id,
      actor: { type: 'deployment', id: deployment.id, label: deployment.name },
      action: 'audit.ingested',
      target: { type: 'model_version', id: 'mv-249' },
      data: { source: { action: 'model.loaded', occurredAt: events[249]?.occurredAt, actor: events[249]?.actor, target: events[249]?.target, data: { n: 249, note: 'Zürich 😀' } } },
    });
    // Searchable by the source's action and actor through the free text.
    expect((await listAuditEvents(systemCtx('test'), { chain: tenant.id, limit: 5, q: 'operator 249' })).data.map((e) => e.id)).toEqual([events[249]?.id]);

    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await exportAuditChain({ ctx: systemCtx('test'), chain: tenant.id, out });
    expect(await verifyExport(Buffer.concat(chunks).toString('utf8'))).toMatchObject({ ok: true, events: before + 251 });
  });

  it('is idempotent: a retried batch is stored once, also when retried concurrently', async () => {
    const tenant = await makeTenant();
    const deployment = await makeDeployment(tenant);
    const { ctx } = await makeKey(tenant.id, ['audit:write']);
    const events = Array.from({ length: 20 }, (_, i) => event(i));
    const first = await ingestAuditEvents(ctx, batch(events, deployment.id));
    const count = await chainCount(tenant.id);
    const retry = await ingestAuditEvents(ctx, batch(events, deployment.id));
    expect(retry).toMatchObject({ appended: 0, duplicates: 20 });
    expect(retry.events).toEqual(first.events.map((e) => ({ ...e, status: 'duplicate' })));
    expect(await chainCount(tenant.id)).toBe(count);

    // A retry with new events besides the old ones stores only the new ones.
    const more = [...events.slice(10), event(100), event(101)];
    expect(await ingestAuditEvents(ctx, batch(more, deployment.id))).toMatchObject({ appended: 2, duplicates: 10 });

    // The same new batch sent three times at once (a timeout and two retries): stored once.
    const racing = Array.from({ length: 30 }, (_, i) => event(200 + i));
    const results = await Promise.all([1, 2, 3].map(() => ingestAuditEvents(ctx, batch(racing, deployment.id))));
    expect(results.map((r) => r.appended).sort()).toEqual([0, 0, 30]);
    expect(await chainCount(tenant.id)).toBe(count + 2 + 30);
  });

  it('refuses the whole batch, naming each bad item, and stores nothing', async () => {
    const tenant = await makeTenant();
    const deployment = await makeDeployment(tenant);
    const { ctx } = await makeKey(tenant.id, ['audit:write'], { deploymentId: deployment.id });
    const count = await chainCount(tenant.id);

    const bad = ingestAuditEventsInput.safeParse({ events: [event(1), event(2, { action: 'Not An Action' }), event(3, { occurredAt: 'yesterday' }), event(4, { extra: 1 })] });
    expect(bad.success).toBe(false);
    const paths = toAppError(bad.error).errors?.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['events.1.action', 'events.2.occurredAt', 'events.3']));
    expect(paths?.some((p) => p.startsWith('events.0'))).toBe(false);
    const repeated = event(5);
    expect(toAppError(ingestAuditEventsInput.safeParse({ events: [repeated, event(6), repeated] }).error).errors).toEqual([{ path: 'events.2.id', message: 'repeats the id of event 0' }]);
    expect(ingestAuditEventsInput.safeParse({ events: Array.from({ length: 1001 }, (_, i) => event(i)) }).success).toBe(false);

    // An id reused for a different event: the whole batch (the good new one too) is refused.
    const stored = event(7);
    await ingestAuditEvents(ctx, batch([stored]));
    const changed = { ...stored, data: { n: 8 } };
    const fresh = event(9);
    const err = await ingestAuditEvents(ctx, batch([fresh, changed])).catch(toAppError);
    expect(err).toMatchObject({ code: 'conflict', errors: [{ path: 'events.1.id', message: expect.stringMatching(/already the id of a different event/) }] });
    expect(await chainCount(tenant.id)).toBe(count + 1);
  });

  it("needs audit:write and a tenant-bound key, and keeps to the key's tenant and deployment", async () => {
    const [mine, other] = [await makeTenant(), await makeTenant()];
    const [dep, otherDep] = [await makeDeployment(mine), await makeDeployment(other)];
    const secondDep = await makeDeployment(mine);
    await expect(ingestAuditEvents((await makeKey(mine.id, ['audit:read'])).ctx, batch([event(1)], dep.id))).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ingestAuditEvents((await makeUser('TENANT_ADMIN', mine.id)).ctx, batch([event(1)], dep.id))).rejects.toMatchObject({ code: 'forbidden' });
    await expect(ingestAuditEvents((await makeKey(null, ['audit:write'])).ctx, batch([event(1)], dep.id))).rejects.toMatchObject({ code: 'forbidden' });
    const { ctx } = await makeKey(mine.id, ['audit:write']);
    await expect(ingestAuditEvents(ctx, batch([event(1)], otherDep.id))).rejects.toMatchObject({ code: 'not_found' });
    await expect(ingestAuditEvents(ctx, batch([event(1)]))).rejects.toMatchObject({ code: 'validation_failed' });
    const bound = (await makeKey(mine.id, ['audit:write'], { deploymentId: dep.id })).ctx;
    await expect(ingestAuditEvents(bound, batch([event(1)], secondDep.id))).rejects.toMatchObject({ code: 'not_found' });
    expect(await db.auditEvent.count({ where: { chain: other.id, action: 'audit.ingested' } })).toBe(0);
  });
});
