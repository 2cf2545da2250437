import { describe, expect, it } from 'vitest';
import { db } from '@/lib/core/db';
import { toAppError } from '@/lib/core/errors';
import { makeTenant, makeUser, randomLei, uniqueSlug } from '@/lib/testing/factories';
import { archiveTenant, changeTenantStatus, createTenant, getTenant, listTenants, requestTenantOffboarding, updateTenant } from './service';
import { approveRequest } from '@/lib/approvals/service';
import { listTenantAuditEvents } from '@/lib/modules/audit-trail/search';

const page = { limit: 50, includeArchived: false } as const;

describe('tenants service', () => {
  it('creates and edits a tenant, auditing before/after in the tenant chain', async () => {
    const { ctx } = await makeUser('ADMIN', null);
    const slug = uniqueSlug('acme');
    const created = await createTenant(ctx, {
      slug,
      legalName: 'Acme Bank AG',
      sector: 'FINANCE',
      homeCountry: 'DE',
      allowedCountries: ['DE'],
      sensitivity: 'CONFIDENTIAL',
      lei: randomLei(),
    });
    expect(created.status).toBe('ONBOARDING');
    const updated = await updateTenant(ctx, created.id, { legalName: 'Acme Bank SE', allowedCountries: ['AT', 'DE'] });
    expect(updated.legalName).toBe('Acme Bank SE');

    const events = await listTenantAuditEvents(ctx, { tenantId: created.id, limit: 10 });
    expect(events.data.map((e) => e.action)).toEqual(['tenant.updated', 'tenant.created']);
    expect(events.data[0]?.data).toEqual({ before: { legalName: 'Acme Bank AG', allowedCountries: ['DE'] }, after: { legalName: 'Acme Bank SE', allowedCountries: ['AT', 'DE'] } });
    expect(events.data[0]?.actor).toEqual({ type: 'user', id: ctx.actor.id, label: ctx.actor.label });
  });

  it('refuses a duplicate slug with a conflict and changes nothing', async () => {
    const { ctx } = await makeUser('ADMIN', null);
    const tenant = await makeTenant();
    const error = await createTenant(ctx, { slug: tenant.slug, legalName: 'Copy', sector: 'OTHER', homeCountry: 'DE', allowedCountries: ['DE'], sensitivity: 'OFFICIAL' }).catch(
      toAppError,
    );
    expect(error).toMatchObject({ code: 'conflict', status: 409, message: 'A tenant with this slug already exists.', errors: [{ path: 'slug', message: 'is already taken' }] });
    expect(await db.tenant.count({ where: { slug: tenant.slug } })).toBe(1);
  });

  it('enforces the status lifecycle and archives only offboarded tenants', async () => {
    const { ctx } = await makeUser('OWNER', null);
    const tenant = await makeTenant();
    await expect(archiveTenant(ctx, tenant.id, 'too early')).rejects.toMatchObject({ code: 'invalid_transition' });
    await changeTenantStatus(ctx, tenant.id, { status: 'ACTIVE', reason: 'contract signed' });
    await expect(changeTenantStatus(ctx, tenant.id, { status: 'ONBOARDING', reason: 'back' })).rejects.toMatchObject({ code: 'invalid_transition' });
    // Offboarding is four-eyes: refused directly, requested by one owner, approved by another.
    await expect(changeTenantStatus(ctx, tenant.id, { status: 'OFFBOARDED', reason: 'contract ended' })).rejects.toMatchObject({
      code: 'forbidden',
      extra: { reason: 'approval_required' },
    });
    const request = await requestTenantOffboarding(ctx, tenant.id, 'contract ended');
    expect((await getTenant(ctx, tenant.id)).status).toBe('ACTIVE');
    await approveRequest((await makeUser('OWNER', null)).ctx, request.id, 'exit plan completed');
    expect((await getTenant(ctx, tenant.id)).status).toBe('OFFBOARDED');
    const archived = await archiveTenant(ctx, tenant.id, 'exit period over');
    expect(archived.archivedAt).not.toBeNull();
    await expect(updateTenant(ctx, tenant.id, { legalName: 'Changed' })).rejects.toMatchObject({ code: 'invalid_transition' });
    const listed = await listTenants(ctx, { ...page, q: tenant.slug });
    expect(listed.data).toHaveLength(0);
    const withArchived = await listTenants(ctx, { ...page, q: tenant.slug, includeArchived: true });
    expect(withArchived.data.map((t) => t.id)).toEqual([tenant.id]);
  });

  it('denies roles without tenants:write (denied-role test), and audits the refusal', async () => {
    const tenant = await makeTenant();
    for (const role of ['AUDITOR', 'TENANT_ADMIN', 'TENANT_VIEWER'] as const) {
      const { ctx } = await makeUser(role, role === 'AUDITOR' ? null : tenant.id);
      await expect(updateTenant(ctx, tenant.id, { legalName: 'Hijacked' })).rejects.toMatchObject({ code: 'forbidden' });
      await expect(
        createTenant(ctx, { slug: uniqueSlug(), legalName: 'New', sector: 'OTHER', homeCountry: 'DE', allowedCountries: ['DE'], sensitivity: 'OFFICIAL' }),
      ).rejects.toMatchObject({ code: 'forbidden' });
    }
    expect((await getTenant((await makeUser('ADMIN', null)).ctx, tenant.id)).legalName).toBe(tenant.legalName);
  });

  it('isolates tenants: another tenant is not found, and lists show only the own tenant (cross-tenant test)', async () => {
    const mine = await makeTenant();
    const other = await makeTenant();
    for (const role of ['TENANT_ADMIN', 'TENANT_VIEWER', 'AUDITOR'] as const) {
      const { ctx } = await makeUser(role, mine.id);
      expect((await getTenant(ctx, mine.slug)).id).toBe(mine.id);
      await expect(getTenant(ctx, other.id)).rejects.toMatchObject({ code: 'not_found', status: 404 });
      await expect(getTenant(ctx, other.slug)).rejects.toMatchObject({ code: 'not_found' });
      const listed = await listTenants(ctx, page);
      expect(listed.data.map((t) => t.id)).toEqual([mine.id]);
    }
    const { ctx: auditor } = await makeUser('AUDITOR', mine.id);
    await expect(listTenantAuditEvents(auditor, { tenantId: other.id, limit: 5 })).rejects.toMatchObject({ code: 'not_found' });
    expect((await listTenantAuditEvents(auditor, { tenantId: mine.id, limit: 5 })).data.length).toBeGreaterThan(0);
  });

  it('paginates with a keyset cursor without skipping or repeating', async () => {
    const { ctx } = await makeUser('ADMIN', null);
    const marker = uniqueSlug('page');
    for (let i = 0; i < 5; i++) await makeTenant({ slug: `${marker}-${i}`, legalName: `Paging ${marker} ${i % 2}` });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const result = await listTenants(ctx, { ...page, limit: 2, q: marker, cursor });
      seen.push(...result.data.map((t) => t.slug));
      cursor = result.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });
});
