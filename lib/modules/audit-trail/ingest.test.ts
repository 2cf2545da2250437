import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/lib/core/db';
import { systemCtx } from '@/lib/access/system';
import { verifyExport } from '@/lib/audit/verify';
import { appendToChain } from '@/lib/audit/append';
import { normaliseData } from '@/lib/audit/chain';
import { canonicalize } from '@/lib/core/crypto/jcs';
import { transaction } from '@/lib/core/db';
import { toAppError } from '@/lib/core/errors';
import { type IngestAuditEventsInput, ingestAuditEventsInput } from '@/lib/modules/audit-trail/ingest-schema';
import { makeDeployment, makeKey, makeTenant, makeUser } from '@/lib/testing/factories';
import { listAuditEvents } from './search';
import { exportAuditChain } from './export';
import { ingestAuditEvents, sourceDataJson } from './ingest';
import { bootstrap } from '@/lib/runtime/bootstrap';

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
      data: {
        source: { action: 'model.loaded', occurredAt: events[249]?.occurredAt, actor: events[249]?.actor, target: events[249]?.target, data: { n: 249, note: 'Zürich 😀' } },
      },
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

  it('stores retries sent at once, whole or overlapping, exactly once, gap-free', async () => {
    const tenant = await makeTenant();
    const deployment = await makeDeployment(tenant);
    const { ctx } = await makeKey(tenant.id, ['audit:write'], { deploymentId: deployment.id });
    const before = await chainCount(tenant.id);
    const events = Array.from({ length: 60 }, (_, i) => event(i));
    // Five requests at once: the batch twice, its two halves with an overlap, and a shuffled copy.
    const batches = [events, events, events.slice(0, 40), events.slice(20), [...events].reverse()];
    const results = await Promise.all(batches.map((b) => ingestAuditEvents(ctx, batch(b))));
    expect(results.reduce((n, r) => n + r.appended, 0)).toBe(60);
    expect(await chainCount(tenant.id)).toBe(before + 60);
    // Every request reports every event at the one seq it has, and the seqs are gap-free.
    const seqOf = new Map<string, number>();
    for (const r of results) {
      for (const e of r.events) {
        expect(seqOf.get(e.id) ?? e.seq).toBe(e.seq);
        seqOf.set(e.id, e.seq);
      }
    }
    expect([...seqOf.values()].sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => before + 1 + i));
    const ids = await db.auditEventId.findMany({ where: { chain: tenant.id, id: { in: events.map((e) => e.id) } } });
    expect(ids.map((r) => [r.id, Number(r.seq)]).sort()).toEqual([...seqOf.entries()].sort());
  });

  it('never stores an id twice in a chain, even past the duplicate check', async () => {
    const tenant = await makeTenant();
    const deployment = await makeDeployment(tenant);
    const { ctx } = await makeKey(tenant.id, ['audit:write'], { deploymentId: deployment.id });
    const stored = event(1);
    await ingestAuditEvents(ctx, batch([stored]));
    const count = await chainCount(tenant.id);
    // An append that skips the check (as a racing one would) fails on audit_event_ids' key, whole.
    const again = {
      id: stored.id,
      actor: { type: 'deployment', id: deployment.id, label: deployment.name },
      action: 'audit.ingested',
      target: { type: null, id: null },
      tenantId: tenant.id,
      ip: null,
      userAgent: null,
      requestId: null,
      data: null,
    };
    const other = { ...again, id: randomUUID() };
    await expect(transaction((tx) => appendToChain(tx, { chain: tenant.id, tenantId: tenant.id, events: [other, again] }))).rejects.toThrow();
    expect(await chainCount(tenant.id)).toBe(count);
    expect(await db.auditEventId.count({ where: { chain: tenant.id, id: other.id } })).toBe(0);
    // An id that one of Charter's own events of the chain has is refused too.
    const own = await db.auditEvent.findFirst({ where: { chain: tenant.id, action: { not: 'audit.ingested' } }, select: { id: true, seq: true } });
    const err = await ingestAuditEvents(ctx, batch([event(2, { id: own?.id })])).catch(toAppError);
    expect(err).toMatchObject({ code: 'conflict', errors: [{ path: 'events.0.id', message: `is already the id of a different event (seq ${own?.seq}) in this chain` }] });
  });

  it('writes each uploaded event exactly as canonicalize writes its data', () => {
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('Zürich 😀', '"\\', '\u2028', '\ud800', '\u0000'));
    const upload = fc.record({
      id: fc.uuid(),
      occurredAt: fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()),
      action: fc.constantFrom('model.loaded', 'inference.request'),
      actor: fc.record({ type: text, id: fc.option(text, { nil: null }), label: fc.option(text, { nil: null }) }),
      target: fc.option(fc.record({ type: text, id: text }), { nil: null }),
      data: fc.option(fc.oneof(fc.jsonValue(), fc.object()), { nil: undefined }),
    });
    // Refused alike (a NUL character, a lone surrogate: which is named first may differ).
    const outcome = (f: () => string): string => {
      try {
        return f();
      } catch {
        return 'refused';
      }
    };
    fc.assert(
      fc.property(upload, (e) => {
        const expected = outcome(() =>
          canonicalize({ source: normaliseData({ action: e.action, occurredAt: e.occurredAt, actor: e.actor, target: e.target, data: e.data === undefined ? null : e.data }) }),
        );
        expect(outcome(() => sourceDataJson(e))).toBe(expected);
      }),
      { numRuns: 5000 },
    );
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
    expect(toAppError(ingestAuditEventsInput.safeParse({ events: [repeated, event(6), repeated] }).error).errors).toEqual([
      { path: 'events.2.id', message: 'repeats the id of event 0' },
    ]);
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
