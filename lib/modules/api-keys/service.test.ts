import { describe, expect, it, vi } from 'vitest';
import { db, pool } from '@/lib/core/db';
import { hashApiKey } from '@/lib/core/crypto/api-key';
import { systemCtx } from '@/lib/access/system';
import { makeDeployment, makeTenant, makeUser } from '@/lib/testing/factories';
import { changeTenantStatus } from '@/lib/modules/tenants/service';
import { flushKeyUsage } from '@/lib/access/api-keys/usage';
import { verifyApiKey } from '@/lib/access/api-keys/verify';
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey } from './service';

const base = { deploymentId: null, expiresInDays: 30, allowedCidrs: [] as string[] };

describe('API keys', () => {
  it('stores only the digest, shows the key once, verifies it with its scopes', async () => {
    const tenant = await makeTenant();
    const admin = await makeUser('TENANT_ADMIN', tenant.id);
    const { key, apiKey } = await createApiKey(admin.ctx, { ...base, name: 'agent', tenantId: tenant.id, scopes: ['deployments:write', 'audit:write'] });
    const row = await db.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    expect(JSON.stringify(row)).not.toContain(key);
    expect(row.prefix).toBe(key.slice(0, 10));
    const ok = await verifyApiKey(key, { ip: '203.0.113.5', permission: 'deployments:write' });
    expect(ok).toMatchObject({ ok: true, actor: { type: 'apiKey', id: apiKey.id, tenantId: tenant.id } });
    expect(await verifyApiKey(key, { ip: null, permission: 'tenants:read' })).toMatchObject({ ok: false, reason: 'missing_scope:tenants:read' });
    await flushKeyUsage();
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } })).lastUsedIp).toBe('203.0.113.5');
    const events = await db.auditEvent.findMany({ where: { chain: tenant.id, action: 'api_key.created' } });
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events[0]?.data)).not.toContain(key.slice(10));
  });

  it("resolves the key's deployment and its creator with the key, in its one lookup, and caches them", async () => {
    const tenant = await makeTenant();
    const deployment = await makeDeployment(tenant);
    const admin = await makeUser('TENANT_ADMIN', tenant.id);
    const agent = await createApiKey(admin.ctx, { ...base, name: 'agent', tenantId: tenant.id, deploymentId: deployment.id, scopes: ['deployments:read'] });
    const cli = await createApiKey(systemCtx('test'), { ...base, name: 'cli', tenantId: tenant.id, scopes: ['deployments:read'] });
    const query = vi.spyOn(pool, 'query');
    try {
      const first = await verifyApiKey(agent.key, { ip: null, permission: 'deployments:read' });
      expect(query).toHaveBeenCalledTimes(1);
      expect(first).toMatchObject({ ok: true, actor: { apiKey: { prefix: agent.apiKey.prefix, name: 'agent', deploymentId: deployment.id, createdById: admin.id } } });
      const again = await verifyApiKey(agent.key, { ip: null, permission: 'deployments:read' });
      expect(query).toHaveBeenCalledTimes(1);
      expect(again.ok && again.actor.apiKey).toEqual(first.ok && first.actor.apiKey);
    } finally {
      query.mockRestore();
    }
    // A key the CLI made has nobody behind it and no deployment.
    expect(await verifyApiKey(cli.key, { ip: null, permission: 'deployments:read' })).toMatchObject({ ok: true, actor: { apiKey: { deploymentId: null, createdById: null } } });
  });

  it('rejects a key with one character changed without a lookup, and unknown keys alike', async () => {
    const tenant = await makeTenant();
    const { key } = await createApiKey(systemCtx('test'), { ...base, name: 'k', tenantId: tenant.id, scopes: ['tenants:read'] });
    const flipped = key.slice(0, 20) + (key[20] === 'A' ? 'B' : 'A') + key.slice(21);
    expect(await verifyApiKey(flipped, { ip: null, permission: 'tenants:read' })).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('refuses revoked and expired keys, and honours the rotation overlap', async () => {
    const tenant = await makeTenant();
    const ctx = (await makeUser('ADMIN', null)).ctx;
    const a = await createApiKey(ctx, { ...base, name: 'a', tenantId: tenant.id, scopes: ['tenants:read'] });
    await revokeApiKey(ctx, a.apiKey.id, 'leaked in a ticket');
    expect(await verifyApiKey(a.key, { ip: null, permission: 'tenants:read' })).toMatchObject({ ok: false, reason: 'revoked' });

    const b = await createApiKey(ctx, { ...base, name: 'b', tenantId: tenant.id, scopes: ['tenants:read'] });
    const rotated = await rotateApiKey(ctx, b.apiKey.id, { overlapHours: 1 });
    expect(rotated.apiKey.rotatedFromId).toBe(b.apiKey.id);
    expect(await verifyApiKey(b.key, { ip: null, permission: 'tenants:read' })).toMatchObject({ ok: true });
    expect(await verifyApiKey(rotated.key, { ip: null, permission: 'tenants:read' })).toMatchObject({ ok: true });
    const old = await db.apiKey.findUniqueOrThrow({ where: { id: b.apiKey.id } });
    expect(old.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 3_600_000);

    const c = await createApiKey(ctx, { ...base, name: 'c', tenantId: tenant.id, scopes: ['tenants:read'] });
    const r0 = await rotateApiKey(ctx, c.apiKey.id, { overlapHours: 0 });
    expect(r0.key).not.toBe(c.key);
    // cached for a few seconds by design; a fresh lookup after the cache window sees it expired
    const expired = await db.apiKey.findUniqueOrThrow({ where: { id: c.apiKey.id } });
    expect(expired.expiresAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('reports a rotated key with its successor and shortened expiry', async () => {
    const tenant = await makeTenant();
    const ctx = systemCtx('test');
    const a = await createApiKey(ctx, { ...base, name: 'lineage', tenantId: tenant.id, scopes: ['tenants:read'] });
    expect(a.apiKey.rotatedToId).toBeNull();
    const before = Date.now();
    const r = await rotateApiKey(ctx, a.apiKey.id, { overlapHours: 24 });
    expect(r.previous).toMatchObject({ id: a.apiKey.id, rotatedToId: r.apiKey.id, revokedAt: null });
    expect(Date.parse(r.previous.expiresAt)).toBeGreaterThanOrEqual(before + 24 * 3_600_000);
    expect(Date.parse(r.previous.expiresAt)).toBeLessThanOrEqual(Date.now() + 24 * 3_600_000);
    const listed = await listApiKeys(ctx, { limit: 50, tenantId: tenant.id, includeInactive: true });
    expect(listed.data.map((k) => [k.id, k.rotatedFromId, k.rotatedToId])).toEqual([
      [r.apiKey.id, a.apiKey.id, null],
      [a.apiKey.id, null, r.apiKey.id],
    ]);
    expect((await revokeApiKey(ctx, a.apiKey.id, 'rotation finished early')).rotatedToId).toBe(r.apiKey.id);
  });

  it('does not cache a row read before a revocation on this instance (lookup in flight)', async () => {
    const tenant = await makeTenant();
    const ctx = systemCtx('test');
    const k = await createApiKey(ctx, { ...base, name: 'race', tenantId: tenant.id, scopes: ['tenants:read'] });
    // Hold this key's lookup until the revocation has committed.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held!: () => void;
    const lookupStarted = new Promise<void>((resolve) => (held = resolve));
    const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
    const spy = vi.spyOn(pool, 'query').mockImplementation(async (...args: unknown[]) => {
      const config = args[0] as { name?: string; values?: unknown[] };
      if (config?.name === 'charter.api-key-by-hash' && config.values?.[0] === hashApiKey(k.key)) {
        const result = query(...args); // reads the row before the revocation
        held();
        await gate;
        return result;
      }
      return query(...args);
    });
    try {
      const inFlight = verifyApiKey(k.key, { ip: null, permission: 'tenants:read' });
      await lookupStarted;
      await revokeApiKey(ctx, k.apiKey.id, 'revoked during a lookup');
      release();
      // The request that started before the revocation may pass; the next one must not.
      expect(await inFlight).toMatchObject({ ok: true });
    } finally {
      spy.mockRestore();
    }
    expect(await verifyApiKey(k.key, { ip: null, permission: 'tenants:read' })).toMatchObject({ ok: false, reason: 'revoked' });
  });

  it('drops a key revoked elsewhere (another instance, or the CLI) from its cache when told by NOTIFY, well within the cache period', async () => {
    const tenant = await makeTenant();
    const k = await createApiKey(systemCtx('test'), { ...base, name: 'elsewhere', tenantId: tenant.id, scopes: ['tenants:read'] });
    expect(await verifyApiKey(k.key, { ip: null, permission: 'tenants:read' })).toMatchObject({ ok: true }); // cached; listener opened
    // Another process's revocation: its own connection, the row and the announcement in one transaction.
    const other = await pool.connect();
    try {
      const deadline = Date.now() + 3_000;
      let verdict = await verifyApiKey(k.key, { ip: null, permission: 'tenants:read' });
      let revoked = false;
      while (verdict.ok && Date.now() < deadline) {
        if (!revoked) {
          await new Promise((resolve) => setTimeout(resolve, 300)); // the listener connects
          await other.query('BEGIN');
          await other.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [k.apiKey.id]);
          await other.query("SELECT pg_notify('charter_api_key_changed', $1)", [hashApiKey(k.key)]);
          await other.query('COMMIT');
          revoked = true;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
        verdict = await verifyApiKey(k.key, { ip: null, permission: 'tenants:read' });
      }
      // Without the announcement the cached row would pass for up to 5 s more.
      expect(verdict).toMatchObject({ ok: false, reason: 'revoked' });
    } finally {
      other.release();
    }
  });

  it("drops an offboarded tenant's keys from the cache when told by NOTIFY", async () => {
    const tenant = await makeTenant();
    const ctx = systemCtx('test');
    const k = await createApiKey(ctx, { ...base, name: 'offboarded', tenantId: tenant.id, scopes: ['tenants:read'] });
    expect(await verifyApiKey(k.key, { ip: null, permission: 'tenants:read' })).toMatchObject({ ok: true });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the listener connects
    await changeTenantStatus(ctx, tenant.id, { status: 'OFFBOARDED', reason: 'contract ended' });
    const deadline = Date.now() + 3_000;
    let verdict = await verifyApiKey(k.key, { ip: null, permission: 'tenants:read' });
    while (verdict.ok && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      verdict = await verifyApiKey(k.key, { ip: null, permission: 'tenants:read' });
    }
    expect(verdict).toMatchObject({ ok: false, reason: 'tenant_offboarded' });
  });

  it('enforces allowed CIDRs', async () => {
    const tenant = await makeTenant();
    const { key } = await createApiKey(systemCtx('test'), { ...base, name: 'cidr', tenantId: tenant.id, scopes: ['tenants:read'], allowedCidrs: ['10.0.0.0/8', '2001:db8::/32'] });
    expect(await verifyApiKey(key, { ip: '10.1.2.3', permission: 'tenants:read' })).toMatchObject({ ok: true });
    expect(await verifyApiKey(key, { ip: '2001:db8::1', permission: 'tenants:read' })).toMatchObject({ ok: true });
    expect(await verifyApiKey(key, { ip: '192.168.1.1', permission: 'tenants:read' })).toMatchObject({ ok: false, reason: 'ip_not_allowed' });
    expect(await verifyApiKey(key, { ip: null, permission: 'tenants:read' })).toMatchObject({ ok: false, reason: 'ip_not_allowed' });
  });

  it('keeps tenant keys to their tenant: no platform-only scopes, no keys for other tenants (cross-tenant test)', async () => {
    const [mine, other] = [await makeTenant(), await makeTenant()];
    const admin = await makeUser('TENANT_ADMIN', mine.id);
    await expect(createApiKey(admin.ctx, { ...base, name: 'x', tenantId: other.id, scopes: ['tenants:read'] })).rejects.toMatchObject({ code: 'not_found' });
    await expect(createApiKey(admin.ctx, { ...base, name: 'x', tenantId: null, scopes: ['tenants:read'] })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(createApiKey(admin.ctx, { ...base, name: 'x', tenantId: mine.id, scopes: ['tenants:write'] })).rejects.toMatchObject({ code: 'validation_failed' });
    const theirs = await createApiKey(systemCtx('test'), { ...base, name: 'theirs', tenantId: other.id, scopes: ['tenants:read'] });
    await expect(revokeApiKey(admin.ctx, theirs.apiKey.id, 'not mine')).rejects.toMatchObject({ code: 'not_found' });
    const listed = await listApiKeys(admin.ctx, { limit: 50, includeInactive: true });
    expect(listed.data.every((k) => k.tenantId === mine.id)).toBe(true);
  });

  it('denies roles without keys:write (denied-role test)', async () => {
    const tenant = await makeTenant();
    for (const role of ['TENANT_VIEWER', 'AUDITOR'] as const) {
      const { ctx } = await makeUser(role, tenant.id);
      await expect(createApiKey(ctx, { ...base, name: 'nope', tenantId: tenant.id, scopes: ['tenants:read'] })).rejects.toMatchObject({ code: 'forbidden' });
    }
  });

  it('caps the validity at the configured maximum', async () => {
    const tenant = await makeTenant();
    await expect(createApiKey(systemCtx('test'), { ...base, expiresInDays: 3000, name: 'long', tenantId: tenant.id, scopes: ['tenants:read'] })).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });
});
