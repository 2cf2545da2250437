import { describe, expect, it } from 'vitest';
import { type Actor, type Ctx, boundDeploymentOf, personOf } from '@/lib/access/actor';
import { systemCtx } from '@/lib/access/system';
import { toAppError } from '@/lib/core/errors';
import { Prisma } from '@/lib/generated/prisma/client';
import { createApiKey, revokeApiKey } from '@/lib/modules/api-keys/service';
import { getApproval, listApprovals } from '@/lib/approvals/service';
import { listRetention } from '@/lib/modules/audit-trail/retention';
import { getContract, listContracts, requestContractActivation } from '@/lib/modules/contracts/service';
import { getDeployment, listCoveredDeployments, listDeployments, updateDeployment } from '@/lib/modules/deployments/service';
import { getTenant, listTenants } from '@/lib/modules/tenants/service';
import { makeContract, makeDeployment, makeKey, makeModelVersion, makeTenant, makeUser } from '@/lib/testing/factories';
import { permissionsOf } from './permissions';
import { deploymentScope, deploymentScopeSql, inTenantScope, tenantScope } from './scope';

const T = '0190a000-0000-7000-8000-000000000001';
const D = '0190a000-0000-7000-8000-0000000000d1';

const user = (tenantId: string | null): Actor => ({
  type: 'user',
  id: 'u-1',
  label: 'u',
  tenantId,
  role: tenantId ? 'TENANT_ADMIN' : 'ADMIN',
  permissions: permissionsOf(tenantId ? 'TENANT_ADMIN' : 'ADMIN'),
});
const key = (tenantId: string | null, deploymentId: string | null, createdById: string | null = null): Actor => ({
  type: 'apiKey',
  id: 'k-1',
  label: 'chr_abc… (agent)',
  tenantId,
  role: null,
  permissions: new Set(['deployments:read']),
  apiKey: { prefix: 'chr_abc', name: 'agent', expiresAt: '2030-01-01T00:00:00.000Z', deploymentId, createdById },
});

describe('tenant scope (unit)', () => {
  it('confines a tenant actor to its tenant and leaves a platform actor unconfined', () => {
    expect(tenantScope(user(T))).toEqual({ tenantId: T });
    expect(tenantScope(user(null))).toEqual({});
    // The tenants table holds the tenant in `id`.
    expect(tenantScope(user(T), 'id')).toEqual({ id: T });
    expect(tenantScope(user(null), 'id')).toEqual({});
  });

  it('says whether a named tenant is reachable', () => {
    expect(inTenantScope(user(T), T)).toBe(true);
    expect(inTenantScope(user(T), '0190a000-0000-7000-8000-000000000002')).toBe(false);
    expect(inTenantScope(user(T), null)).toBe(false);
    expect(inTenantScope(user(null), T)).toBe(true);
    expect(inTenantScope(user(null), null)).toBe(true);
  });

  it('narrows a deployment-bound key to its deployment, from the verified key alone', () => {
    expect(deploymentScope(key(T, D))).toEqual({ tenantId: T, id: D });
    expect(deploymentScope(key(T, null))).toEqual({ tenantId: T });
    expect(deploymentScope(user(T))).toEqual({ tenantId: T });
    expect(deploymentScope(user(null))).toEqual({});
  });

  it('writes the same scope for raw SQL, with the values as parameters', () => {
    const bound = deploymentScopeSql(key(T, D), 'd');
    expect(bound.sql.replace(/\s+/g, ' ').trim()).toBe('AND d.tenant_id = ?::uuid AND d.id = ?::uuid');
    expect(bound.values).toEqual([T, D]);
    expect(deploymentScopeSql(user(T), 'd').values).toEqual([T]);
    expect(deploymentScopeSql(user(null), 'd').sql.trim()).toBe('');
    expect(() => deploymentScopeSql(user(T), 'd; DROP TABLE deployments')).toThrow();
    expect(Prisma.sql`SELECT 1 FROM deployments d WHERE true ${deploymentScopeSql(key(T, D), 'd')}`.values).toEqual([T, D]);
  });

  it("knows the person behind an actor and a key's deployment without a query", () => {
    expect(personOf(user(T))).toBe('u-1');
    expect(personOf(key(T, null, 'u-9'))).toBe('u-9');
    expect(personOf(key(null, null, null))).toBeNull();
    expect(personOf(systemCtx('test').actor)).toBeNull();
    expect(boundDeploymentOf(key(T, D))).toBe(D);
    expect(boundDeploymentOf(user(T))).toBeNull();
  });
});

describe('tenant scope (through the services)', () => {
  it("answers another tenant's objects with 404 and leaves them out of every list, for reads and writes", async () => {
    const [a, b] = await Promise.all([makeTenant(), makeTenant()]);
    const v = await makeModelVersion();
    const contract = await makeContract(a.id, { familyIds: [v.familyId] });
    const draft = await makeContract(a.id, { familyIds: [v.familyId], status: 'DRAFT', scope: 'STAGING' });
    const deployment = await makeDeployment(a);
    const { apiKey } = await createApiKey(systemCtx('test'), {
      name: 'a key',
      tenantId: a.id,
      deploymentId: null,
      scopes: ['deployments:read'],
      expiresInDays: 1,
      allowedCidrs: [],
    });
    const platform = await makeUser('ADMIN', null);
    const approval = (await requestContractActivation(platform.ctx, draft.id, { reason: 'signed' })).approval;
    if (!approval) throw new Error('expected a four-eyes request');

    const other = (await makeUser('TENANT_ADMIN', b.id)).ctx;
    // No tenant role reads approvals today; the scope must still hold should one ever be given it.
    const readingApprovals = (ctx: Ctx): Ctx => ({ ...ctx, actor: { ...ctx.actor, permissions: new Set([...ctx.actor.permissions, 'approvals:read' as const]) } });
    const notFound = async (p: Promise<unknown>) => expect((await p.then(() => null, toAppError))?.code).toBe('not_found');
    await notFound(getTenant(other, a.slug));
    await notFound(getContract(other, contract.id));
    await notFound(getDeployment(other, deployment.id));
    await notFound(getApproval(readingApprovals(other), approval.id));
    await notFound(listCoveredDeployments(other, contract.id, { limit: 10 }));
    await notFound(updateDeployment(other, deployment.id, { name: 'taken-over' }));
    await notFound(revokeApiKey(other, apiKey.id, 'not yours'));
    expect((await listTenants(other, { limit: 50, includeArchived: true })).data.map((t) => t.id)).toEqual([b.id]);
    expect((await listContracts(other, { limit: 50 })).data).toEqual([]);
    expect((await listDeployments(other, { limit: 50, includeArchived: true })).data).toEqual([]);
    expect((await listApprovals(readingApprovals(other), { limit: 50, view: 'all' })).data).toEqual([]);
    expect((await listRetention(other)).map((r) => r.tenantId)).toEqual([b.id]);

    // Its own tenant's objects stay reachable, and the platform reaches both.
    const own = (await makeUser('TENANT_ADMIN', a.id)).ctx;
    expect((await getDeployment(own, deployment.id)).id).toBe(deployment.id);
    expect((await getApproval(readingApprovals(own), approval.id)).id).toBe(approval.id);
    expect((await getContract(platform.ctx, contract.id)).id).toBe(contract.id);
  });

  it('refuses a role without the permission before anything is read, even in its own tenant', async () => {
    const tenant = await makeTenant();
    const deployment = await makeDeployment(tenant);
    const viewer = (await makeUser('TENANT_VIEWER', tenant.id)).ctx;
    expect(await updateDeployment(viewer, deployment.id, { name: 'renamed' }).catch(toAppError)).toMatchObject({ code: 'forbidden' });
    expect(await listApprovals(viewer, { limit: 10, view: 'all' }).catch(toAppError)).toMatchObject({ code: 'forbidden' });
    expect((await getDeployment(viewer, deployment.id)).name).toBe(deployment.name);
  });

  it("keeps a deployment's own key to that deployment", async () => {
    const tenant = await makeTenant();
    const [mine, sibling] = await Promise.all([makeDeployment(tenant), makeDeployment(tenant)]);
    const agent = (await makeKey(tenant.id, ['deployments:read'], { deploymentId: mine.id })).ctx;
    expect(agent.actor.apiKey).toMatchObject({ deploymentId: mine.id });
    expect((await getDeployment(agent, mine.id)).id).toBe(mine.id);
    expect(await getDeployment(agent, sibling.id).catch(toAppError)).toMatchObject({ code: 'not_found' });
    expect((await listDeployments(agent, { limit: 50, includeArchived: false })).data.map((d) => d.id)).toEqual([mine.id]);
  });
});
