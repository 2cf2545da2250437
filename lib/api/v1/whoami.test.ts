import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { GET as whoami } from '@/lib/api/v1/whoami';
import { systemCtx } from '@/lib/access/system';
import { generateApiKey } from '@/lib/core/crypto/api-key';
import { WhoAmI } from '@/lib/access/whoami-schema';
import { createApiKey, revokeApiKey } from '@/lib/modules/api-keys/service';
import { makeTenant } from '@/lib/testing/factories';

// GET /api/v1/whoami is outside the scope × route matrix: any valid key may call it.

const call = (key: string) => whoami(new NextRequest('http://localhost/api/v1/whoami', { headers: { authorization: `Bearer ${key}` } }), { params: Promise.resolve({}) });

describe('GET /api/v1/whoami', () => {
  it('describes a key of any scope: prefix, scopes, tenant and expiry, with rate-limit headers', async () => {
    const tenant = await makeTenant();
    const { key, apiKey } = await createApiKey(systemCtx('test'), {
      name: 'agent',
      tenantId: tenant.id,
      deploymentId: null,
      scopes: ['audit:write', 'deployments:write'],
      expiresInDays: 7,
      allowedCidrs: [],
    });
    const res = await call(key);
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-limit')).not.toBeNull();
    const body = WhoAmI.parse(await res.json());
    expect(body).toEqual({
      type: 'apiKey',
      id: apiKey.id,
      label: `${apiKey.prefix}… (agent)`,
      tenantId: tenant.id,
      role: null,
      permissions: ['audit:write', 'deployments:write'],
      apiKey: { prefix: apiKey.prefix, name: 'agent', expiresAt: apiKey.expiresAt },
    });
    expect(JSON.stringify(body)).not.toContain(key.slice(10));
  });

  it('answers revoked, unknown and malformed keys with the same 401', async () => {
    const ctx = systemCtx('test');
    const { key, apiKey } = await createApiKey(ctx, { name: 'gone', tenantId: null, deploymentId: null, scopes: ['models:read'], expiresInDays: 1, allowedCidrs: [] });
    expect((await call(key)).status).toBe(200);
    await revokeApiKey(ctx, apiKey.id, 'benchmark of revocation');
    const revoked = await call(key);
    const unknown = await call(generateApiKey().key);
    const malformed = await call('chr_nope');
    for (const res of [revoked, unknown, malformed]) expect(res.status).toBe(401);
    const [a, b, c] = await Promise.all([revoked.text(), unknown.text(), malformed.text()]);
    expect(a).toBe(b);
    expect(b).toBe(c);
  });

  it('needs a key or a session', async () => {
    const res = await whoami(new NextRequest('http://localhost/api/v1/whoami'), { params: Promise.resolve({}) });
    expect(res.status).toBe(401);
  });
});
