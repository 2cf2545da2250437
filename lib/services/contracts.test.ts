import { describe, expect, it } from 'vitest';
import { systemCtx } from '@/lib/auth/system';
import { makeContract, makeKey, makeModelVersion, makeTenant, makeUser } from '@/lib/testing/factories';
import { getContract, listContracts } from './contracts';

const page = { limit: 50 } as const;

describe('contracts service (read)', () => {
  it('returns a contract with its entitlements and the hash of its current version', async () => {
    const tenant = await makeTenant();
    const v = await makeModelVersion();
    const contract = await makeContract(tenant.id, { familyIds: [v.familyId] });
    const { ctx } = await makeUser('TENANT_VIEWER', tenant.id);
    const got = await getContract(ctx, contract.id);
    expect(got).toMatchObject({
      id: contract.id,
      tenantId: tenant.id,
      reference: contract.reference,
      status: 'ACTIVE',
      currentVersion: 1,
      currentVersionHash: contract.hash,
      sla: { availability: 99.9, supportResponseHours: 4 },
      entitlements: [{ modelFamily: { id: v.familyId, slug: v.family }, modelVersion: null, maxDeployments: 3, limits: { maxGpus: 8 } }],
    });
    expect(got.currentVersionHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await listContracts(ctx, page)).data.map((c) => c.id)).toEqual([contract.id]);
    expect((await listContracts(ctx, { ...page, status: 'TERMINATED' })).data).toEqual([]);
  });

  it('isolates tenants: another tenant\'s contract is not found and never listed (cross-tenant test)', async () => {
    const [mine, other] = [await makeTenant(), await makeTenant()];
    const ours = await makeContract(mine.id);
    const theirs = await makeContract(other.id);
    for (const role of ['TENANT_ADMIN', 'TENANT_VIEWER', 'AUDITOR'] as const) {
      const { ctx } = await makeUser(role, mine.id);
      await expect(getContract(ctx, theirs.id)).rejects.toMatchObject({ code: 'not_found', status: 404 });
      expect((await listContracts(ctx, { ...page, tenantId: other.id })).data).toEqual([]);
      expect((await listContracts(ctx, page)).data.map((c) => c.id)).toEqual([ours.id]);
    }
    const { ctx: platform } = await makeUser('AUDITOR', null);
    expect((await getContract(platform, theirs.id)).id).toBe(theirs.id);
    expect((await listContracts(platform, { ...page, tenantId: other.id })).data.map((c) => c.id)).toEqual([theirs.id]);
  });

  it('denies an actor without contracts:read (denied-role test)', async () => {
    const tenant = await makeTenant();
    const contract = await makeContract(tenant.id);
    const { ctx } = await makeKey(tenant.id, ['deployments:read']);
    await expect(getContract(ctx, contract.id)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(listContracts(ctx, page)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(getContract(systemCtx('test'), 'nope')).rejects.toMatchObject({ code: 'not_found' });
  });
});
