import { describe, expect, it } from 'vitest';
import { systemCtx } from '@/lib/access/system';
import { chainHashOf, eventHashOf } from '@/lib/audit/chain';
import { toAppError } from '@/lib/core/errors';
import { listAuditEventsQuery } from '@/lib/modules/audit-trail/search-schema';
import { makeDeployment, makeKey, makeTenant, makeUser } from '@/lib/testing/factories';
import { listAuditEvents } from './search';
import { updateTenant } from '@/lib/modules/tenants/service';

const page = { limit: 50 } as const;

describe('audit events (read API)', () => {
  it('returns canonical events whose hashes recompute, newest first, with filters', async () => {
    const tenant = await makeTenant();
    const d = await makeDeployment(tenant);
    const { ctx } = await makeUser('ADMIN', null);
    await updateTenant(ctx, tenant.id, { legalName: 'Renamed Bank AG' });

    const all = await listAuditEvents(ctx, { ...page, chain: tenant.slug });
    expect(all.data.map((e) => e.action)).toEqual(['tenant.updated', 'deployment.created', 'tenant.created']);
    expect(all.data.map((e) => e.seq)).toEqual([3, 2, 1]);
    // Each event carries what a verifier needs: its canonical form hashes to eventHash, and the chain links.
    const [e3, e2, e1] = all.data as [(typeof all.data)[number], (typeof all.data)[number], (typeof all.data)[number]];
    for (const e of all.data) {
      const { hash: _h, eventHash, ...canonical } = e;
      expect(eventHashOf(canonical)).toBe(eventHash);
    }
    expect(chainHashOf(e1.hash, e2.eventHash)).toBe(e2.hash);
    expect(chainHashOf(e2.hash, e3.eventHash)).toBe(e3.hash);

    expect((await listAuditEvents(ctx, { ...page, tenantId: tenant.id, action: 'deployment.created' })).data.map((e) => e.target.id)).toEqual([d.id]);
    expect((await listAuditEvents(ctx, { ...page, targetType: 'deployment', targetId: d.id })).data.map((e) => e.action)).toEqual(['deployment.created']);
    expect((await listAuditEvents(ctx, { ...page, chain: tenant.id, actorId: ctx.actor.id })).data.map((e) => e.action)).toEqual(['tenant.updated']);
    const at = e2.occurredAt;
    expect((await listAuditEvents(ctx, { ...page, chain: tenant.id, from: at })).data.map((e) => e.seq)).toEqual([3, 2]);
    expect((await listAuditEvents(ctx, { ...page, chain: tenant.id, to: at })).data.every((e) => e.occurredAt < at)).toBe(true);
    expect(() => listAuditEventsQuery.parse({ from: '2026-02-01', to: '2026-01-01' })).toThrow();
  });

  it('keeps a tenant actor to its own chain (cross-tenant test)', async () => {
    const [mine, other] = [await makeTenant(), await makeTenant()];
    await makeDeployment(other);
    for (const ctx of [(await makeUser('TENANT_ADMIN', mine.id)).ctx, (await makeUser('AUDITOR', mine.id)).ctx, (await makeKey(mine.id, ['audit:read'])).ctx]) {
      const own = await listAuditEvents(ctx, page);
      expect(own.data.length).toBeGreaterThan(0);
      expect(own.data.every((e) => e.chain === mine.id)).toBe(true);
      for (const ref of [other.id, other.slug, 'platform']) {
        expect(await listAuditEvents(ctx, { ...page, chain: ref }).catch(toAppError)).toMatchObject({ code: 'not_found', status: 404 });
      }
      expect((await listAuditEvents(ctx, { ...page, tenantId: other.id })).data).toEqual([]);
      expect((await listAuditEvents(ctx, { ...page, targetId: other.id })).data).toEqual([]);
    }
    // chain and tenantId that disagree select nothing.
    expect((await listAuditEvents(systemCtx('test'), { ...page, chain: mine.slug, tenantId: other.id })).data).toEqual([]);
  });

  it('denies actors without audit:read (denied-role test)', async () => {
    const tenant = await makeTenant();
    for (const ctx of [(await makeUser('TENANT_VIEWER', tenant.id)).ctx, (await makeKey(tenant.id, ['deployments:read'])).ctx]) {
      await expect(listAuditEvents(ctx, page)).rejects.toMatchObject({ code: 'forbidden' });
    }
  });

  it('pages across all chains for the platform by (occurredAt, id), without skipping or repeating', async () => {
    const ctx = (await makeUser('AUDITOR', null)).ctx;
    const tenants = [await makeTenant(), await makeTenant(), await makeTenant()];
    const action = 'tenant.created' as const;
    const ids = new Set<string>();
    let cursor: string | undefined;
    let previous: string | undefined;
    let pages = 0;
    const since = new Date(Date.now() - 60_000).toISOString();
    do {
      const result = await listAuditEvents(ctx, { limit: 2, action, from: since, cursor });
      for (const e of result.data) {
        expect(ids.has(e.id)).toBe(false);
        ids.add(e.id);
        if (previous) expect(e.occurredAt <= previous).toBe(true);
        previous = e.occurredAt;
      }
      cursor = result.nextCursor ?? undefined;
      pages += 1;
    } while (cursor && pages < 500);
    const created = new Set((await Promise.all(tenants.map((t) => listAuditEvents(ctx, { ...page, chain: t.id, action })))).flatMap((p) => p.data.map((e) => e.id)));
    for (const id of created) expect(ids.has(id)).toBe(true);
    const forged = Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url');
    expect(await listAuditEvents(ctx, { ...page, cursor: forged }).catch(toAppError)).toMatchObject({ code: 'validation_failed' });
  });
});
