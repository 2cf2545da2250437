import { describe, expect, it } from 'vitest';
import { db } from '@/lib/core/db';
import type { Ctx } from '@/lib/access/actor';
import { systemCtx } from '@/lib/access/system';
import { toAppError } from '@/lib/core/errors';
import { createDeploymentInput } from '@/lib/modules/deployments/schema';
import { makeContract, makeDeployment, makeKey, makeModelVersion, makeTenant, makeUser, uniqueSlug } from '@/lib/testing/factories';
import { listAuditEvents } from '@/lib/modules/audit-trail/search';
import { findCoveringContract, requestContractTermination } from '@/lib/modules/contracts/service';
import {
  archiveDeployment,
  createDeployment,
  deploymentStatus,
  getDeployment,
  heartbeatStaleMinutes,
  listCoveredDeployments,
  listDeployments,
  recordHeartbeat,
  setRunningVersions,
  updateDeployment,
} from './service';

const page = { limit: 50, includeArchived: false } as const;
const base = { environment: 'PRODUCTION', hosting: 'ON_PREMISES' } as const;

/** The context of a request made with a new API key of `tenantId` (bound to `deploymentId`, if given). */
async function keyCtx(tenantId: string, options: { deploymentId?: string; scopes?: ('deployments:read' | 'deployments:write')[] } = {}): Promise<Ctx> {
  return (await makeKey(tenantId, options.scopes ?? ['deployments:write', 'deployments:read'], options)).ctx;
}

describe('deployments service', () => {
  it('creates a deployment in the tenant taken from the actor, audited', async () => {
    const tenant = await makeTenant({ allowedCountries: ['DE', 'FR'] });
    const { ctx } = await makeUser('TENANT_ADMIN', tenant.id);
    // Through the input schema, as every route and action does: it trims and normalises case.
    const d = await createDeployment(ctx, createDeploymentInput.parse({ ...base, name: ' Fra-Prod-1 ', country: 'fr' }));
    expect(d).toMatchObject({ tenantId: tenant.id, name: 'fra-prod-1', country: 'FR', connectivity: 'CONNECTED', status: 'NEVER_SEEN', running: [], lastHeartbeatAt: null });
    const events = await listAuditEvents(ctx, { limit: 5, action: 'deployment.created' });
    expect(events.data[0]).toMatchObject({
      chain: tenant.id,
      target: { type: 'deployment', id: d.id },
      data: { after: { name: 'fra-prod-1', country: 'FR', connectivity: 'CONNECTED' } },
    });
    // An air-gapped environment defaults to air-gapped connectivity, and cannot be "connected".
    const air = await createDeployment(ctx, { ...base, environment: 'AIRGAPPED', name: 'vault', country: 'DE' });
    expect(air).toMatchObject({ connectivity: 'AIRGAPPED', status: 'AIRGAPPED' });
    await expect(createDeployment(ctx, { ...base, environment: 'AIRGAPPED', connectivity: 'CONNECTED', name: 'vault-2', country: 'DE' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it("refuses a country outside the tenant's allowed countries, naming them, and changes nothing (residency)", async () => {
    const tenant = await makeTenant({ homeCountry: 'DE', allowedCountries: ['DE', 'AT'] });
    const { ctx } = await makeUser('ADMIN', null);
    const error = await createDeployment(ctx, { ...base, tenantId: tenant.id, name: 'us-east', country: 'US' }).catch(toAppError);
    expect(error).toMatchObject({
      code: 'validation_failed',
      status: 400,
      message: `US is not one of the allowed data-processing countries of tenant ${tenant.slug}: AT, DE.`,
      errors: [{ path: 'country', message: 'must be one of AT, DE' }],
      extra: { allowedCountries: ['AT', 'DE'] },
    });
    expect(await db.deployment.count({ where: { tenantId: tenant.id } })).toBe(0);
    const d = await createDeployment(ctx, { ...base, tenantId: tenant.id, name: 'vienna', country: 'AT' });
    await expect(updateDeployment(ctx, d.id, { country: 'CH' })).rejects.toMatchObject({ code: 'validation_failed', errors: [{ path: 'country' }] });
    expect((await getDeployment(ctx, d.id)).country).toBe('AT');
  });

  it('needs a tenant from platform actors and never takes another tenant from a tenant actor', async () => {
    const [mine, other] = [await makeTenant(), await makeTenant()];
    await expect(createDeployment((await makeUser('ADMIN', null)).ctx, { ...base, name: 'x1', country: 'DE' })).rejects.toMatchObject({
      code: 'validation_failed',
      errors: [{ path: 'tenantId', message: 'is required' }],
    });
    const { ctx } = await makeUser('TENANT_ADMIN', mine.id);
    await expect(createDeployment(ctx, { ...base, tenantId: other.id, name: 'x2', country: 'DE' })).rejects.toMatchObject({ code: 'not_found' });
    expect(await db.deployment.count({ where: { tenantId: other.id } })).toBe(0);
    expect((await createDeployment(ctx, { ...base, tenantId: mine.id, name: 'x3', country: 'DE' })).tenantId).toBe(mine.id);
  });

  it('keeps names unique per tenant (409), also on rename, but not across tenants', async () => {
    const [a, b] = [await makeTenant(), await makeTenant()];
    const ctx = systemCtx('test');
    const first = await createDeployment(ctx, { ...base, tenantId: a.id, name: 'prod', country: 'DE' });
    const error = await createDeployment(ctx, createDeploymentInput.parse({ ...base, tenantId: a.id, name: 'PROD', country: 'FR' })).catch(toAppError);
    expect(error).toMatchObject({
      code: 'conflict',
      status: 409,
      message: 'A deployment named prod already exists in this tenant.',
      errors: [{ path: 'name', message: 'is already taken' }],
    });
    const second = await createDeployment(ctx, { ...base, tenantId: a.id, name: 'staging', country: 'DE' });
    await expect(updateDeployment(ctx, second.id, { name: 'prod' })).rejects.toMatchObject({ code: 'conflict', errors: [{ path: 'name' }] });
    expect((await createDeployment(ctx, { ...base, tenantId: b.id, name: 'prod', country: 'DE' })).name).toBe('prod');
    // Concurrent creates of one name: exactly one wins, the other gets the same 409.
    const results = await Promise.allSettled([1, 2].map(() => createDeployment(ctx, { ...base, tenantId: a.id, name: 'race', country: 'DE' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(toAppError((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason)).toMatchObject({ code: 'conflict' });
    expect(first.name).toBe('prod');
  });

  it('audits an update with only the changed fields, and archives instead of deleting', async () => {
    const tenant = await makeTenant();
    const { ctx } = await makeUser('TENANT_ADMIN', tenant.id);
    const d = await makeDeployment(tenant, { name: 'edit-me' });
    await updateDeployment(ctx, d.id, { hosting: 'SOVEREIGN_CLOUD', name: 'edited' });
    const archived = await archiveDeployment(ctx, d.id, 'decommissioned');
    expect(archived.archivedAt).not.toBeNull();
    const events = await listAuditEvents(ctx, { limit: 5, targetId: d.id });
    expect(events.data.map((e) => e.action)).toEqual(['deployment.archived', 'deployment.updated', 'deployment.created']);
    expect(events.data[1]?.data).toEqual({ before: { name: 'edit-me', hosting: 'ON_PREMISES' }, after: { name: 'edited', hosting: 'SOVEREIGN_CLOUD' } });
    expect(events.data[0]?.data).toMatchObject({ reason: 'decommissioned', before: { archivedAt: null } });
    await expect(updateDeployment(ctx, d.id, { hosting: 'EDGE' })).rejects.toMatchObject({ code: 'invalid_transition' });
    await expect(archiveDeployment(ctx, d.id)).rejects.toMatchObject({ code: 'invalid_transition' });
    expect((await listDeployments(ctx, page)).data.map((x) => x.id)).not.toContain(d.id);
    expect((await listDeployments(ctx, { ...page, includeArchived: true })).data.map((x) => x.id)).toContain(d.id);
    expect(await db.deployment.count({ where: { id: d.id } })).toBe(1);
  });

  it('records a heartbeat: running versions, agent version, lastHeartbeatAt and one compact audit event', async () => {
    const tenant = await makeTenant();
    const d = await makeDeployment(tenant);
    const v1 = await makeModelVersion({ version: '1.0.0' });
    const v2 = await makeModelVersion({ familyId: v1.familyId, version: '1.1.0' });
    const embed = await makeModelVersion({ version: '0.9.0', status: 'DEPRECATED' });
    const agent = await keyCtx(tenant.id, { deploymentId: d.id });

    const before = Date.now();
    const ack = await recordHeartbeat(agent, d.id, {
      agentVersion: '2.0.0',
      running: [{ family: v1.family, version: '1.0.0' }, { modelVersionId: embed.id }, { modelVersionId: v1.id }],
    });
    expect(ack.runningChanged).toBe(true);
    expect(new Date(ack.nextHeartbeatBefore).getTime() - new Date(ack.receivedAt).getTime()).toBe(heartbeatStaleMinutes() * 60_000);
    expect(ack.deployment).toMatchObject({ status: 'HEALTHY', agentVersion: '2.0.0' });
    expect(ack.deployment.running.map((r) => [r.family, r.version, r.source, r.versionStatus])).toEqual(
      [
        [embed.family, '0.9.0', 'HEARTBEAT', 'DEPRECATED'],
        [v1.family, '1.0.0', 'HEARTBEAT', 'RELEASED'],
      ].sort((x, y) => x[0].localeCompare(y[0])),
    );
    const row = await db.deployment.findUniqueOrThrow({ where: { id: d.id } });
    expect(row.lastHeartbeatAt!.getTime()).toBeGreaterThanOrEqual(before);

    // An upgrade: the running set is replaced, and the event says what changed.
    const up = await recordHeartbeat(agent, d.id, { agentVersion: '2.0.1', running: [{ modelVersionId: v2.id }, { modelVersionId: embed.id }] });
    expect(up.deployment.running.map((r) => r.modelVersionId).sort()).toEqual([v2.id, embed.id].sort());
    // A steady heartbeat: nothing changed, so no before/after.
    const steady = await recordHeartbeat(agent, d.id, { agentVersion: '2.0.1', running: [{ modelVersionId: embed.id }, { modelVersionId: v2.id }] });
    expect(steady.runningChanged).toBe(false);

    const events = await listAuditEvents(systemCtx('test'), { limit: 3, chain: tenant.id, action: 'deployment.heartbeat' });
    const refs = (v: { family: string; version: string }) => `${v.family}@${v.version}`;
    expect(events.data.map((e) => e.data)).toEqual([
      { agentVersion: '2.0.1', running: [refs(embed), refs(v2)].sort(), reportedAt: expect.any(String) },
      {
        agentVersion: '2.0.1',
        running: [refs(embed), refs(v2)].sort(),
        reportedAt: expect.any(String),
        before: { running: [refs(embed), refs(v1)].sort(), agentVersion: '2.0.0' },
        after: { running: [refs(embed), refs(v2)].sort(), agentVersion: '2.0.1' },
      },
      {
        agentVersion: '2.0.0',
        running: [refs(embed), refs(v1)].sort(),
        reportedAt: expect.any(String),
        before: { running: [], agentVersion: null },
        after: { running: [refs(embed), refs(v1)].sort(), agentVersion: '2.0.0' },
      },
    ]);
    expect(events.data[0]?.actor).toMatchObject({ type: 'apiKey', id: agent.actor.id });
  });

  it('computes staleness from lastHeartbeatAt with the documented threshold, in the DTO and the status filter', async () => {
    const minutes = heartbeatStaleMinutes();
    expect(minutes).toBe(Number(process.env.CHARTER_HEARTBEAT_STALE_MINUTES ?? 15));
    const now = new Date('2026-06-01T12:00:00.000Z');
    const ago = (m: number) => new Date(now.getTime() - m * 60_000);
    expect(deploymentStatus({ connectivity: 'CONNECTED', lastHeartbeatAt: null }, now)).toBe('NEVER_SEEN');
    expect(deploymentStatus({ connectivity: 'CONNECTED', lastHeartbeatAt: ago(minutes) }, now)).toBe('HEALTHY');
    expect(deploymentStatus({ connectivity: 'CONNECTED', lastHeartbeatAt: ago(minutes + 0.01) }, now)).toBe('STALE');
    expect(deploymentStatus({ connectivity: 'AIRGAPPED', lastHeartbeatAt: ago(1) }, now)).toBe('AIRGAPPED');

    const tenant = await makeTenant();
    const ctx = systemCtx('test');
    const seen = await makeDeployment(tenant, { name: 'seen' });
    const never = await makeDeployment(tenant, { name: 'never' });
    const air = await makeDeployment(tenant, { name: 'air', environment: 'AIRGAPPED' });
    await recordHeartbeat(ctx, seen.id, { agentVersion: '1', running: [] });
    const idsBy = async (status: 'HEALTHY' | 'STALE' | 'NEVER_SEEN' | 'AIRGAPPED', at?: Date) =>
      (await listDeployments(ctx, { ...page, tenantId: tenant.id, status }, at)).data.map((d) => d.id);
    expect(await idsBy('HEALTHY')).toEqual([seen.id]);
    expect(await idsBy('STALE')).toEqual([]);
    expect(await idsBy('NEVER_SEEN')).toEqual([never.id]);
    expect(await idsBy('AIRGAPPED')).toEqual([air.id]);
    // Seen from just past the threshold, the same heartbeat is stale.
    const later = new Date(Date.now() + (minutes + 1) * 60_000);
    expect(await idsBy('STALE', later)).toEqual([seen.id]);
    expect(await idsBy('HEALTHY', later)).toEqual([]);
    expect((await listDeployments(ctx, { ...page, tenantId: tenant.id }, later)).data.find((d) => d.id === seen.id)?.status).toBe('STALE');
  });

  it('refuses unknown (or, for tenants, draft) versions naming them, and changes nothing', async () => {
    const tenant = await makeTenant();
    const d = await makeDeployment(tenant);
    const v = await makeModelVersion();
    const draft = await makeModelVersion({ familyId: v.familyId, version: '9.0.0-rc.1', status: 'DRAFT' });
    const agent = await keyCtx(tenant.id);
    const error = await recordHeartbeat(agent, d.id, {
      agentVersion: '2.0.0',
      running: [{ modelVersionId: v.id }, { family: v.family, version: '0.0.0-nope' }, { modelVersionId: draft.id }],
    }).catch(toAppError);
    expect(error).toMatchObject({
      code: 'validation_failed',
      errors: [
        { path: 'running.1', message: `${v.family}@0.0.0-nope is not a model version in the catalogue` },
        { path: 'running.2', message: `${draft.id} is not a model version in the catalogue` },
      ],
    });
    const row = await db.deployment.findUniqueOrThrow({ where: { id: d.id }, include: { runningVersions: true } });
    expect(row.lastHeartbeatAt).toBeNull();
    expect(row.runningVersions).toHaveLength(0);
    // The vendor itself may report a draft (e.g. a pre-release trial).
    expect((await recordHeartbeat(systemCtx('test'), d.id, { agentVersion: '2.0.0', running: [{ modelVersionId: draft.id }] })).deployment.running).toHaveLength(1);
  });

  it('does not roll the running set back on a late, out-of-order report', async () => {
    const tenant = await makeTenant();
    const d = await makeDeployment(tenant);
    const [old, current] = [await makeModelVersion(), await makeModelVersion()];
    const ctx = systemCtx('test');
    await recordHeartbeat(ctx, d.id, { agentVersion: '2', running: [{ modelVersionId: current.id }], reportedAt: new Date(Date.now() - 1_000).toISOString() });
    const late = await recordHeartbeat(ctx, d.id, { agentVersion: '2', running: [{ modelVersionId: old.id }], reportedAt: new Date(Date.now() - 60_000).toISOString() });
    expect(late.runningChanged).toBe(false);
    expect(late.deployment.running.map((r) => r.modelVersionId)).toEqual([current.id]);
    expect(late.deployment.status).toBe('HEALTHY');
    const [event] = (await listAuditEvents(ctx, { limit: 1, chain: tenant.id, action: 'deployment.heartbeat' })).data;
    expect(event?.data).toMatchObject({ outOfOrder: true, running: [`${old.family}@${old.version}`] });
  });

  it('refuses heartbeats for air-gapped and archived deployments; their running versions are entered by hand', async () => {
    const tenant = await makeTenant();
    const ctx = (await makeUser('TENANT_ADMIN', tenant.id)).ctx;
    const air = await makeDeployment(tenant, { environment: 'AIRGAPPED', name: 'bunker' });
    const v = await makeModelVersion();
    await expect(recordHeartbeat(ctx, air.id, { agentVersion: '1', running: [] })).rejects.toMatchObject({
      code: 'invalid_transition',
      message: expect.stringContaining('air-gapped'),
    });
    const manual = await setRunningVersions(ctx, air.id, { running: [{ modelVersionId: v.id }], source: 'MANUAL' });
    expect(manual).toMatchObject({ status: 'AIRGAPPED', lastHeartbeatAt: null, running: [{ modelVersionId: v.id, source: 'MANUAL' }] });
    const [event] = (await listAuditEvents(ctx, { limit: 1, targetId: air.id })).data;
    expect(event).toMatchObject({ action: 'deployment.updated', data: { before: { running: [] }, after: { running: [`${v.family}@${v.version}`] }, source: 'MANUAL' } });

    const gone = await makeDeployment(tenant);
    await archiveDeployment(ctx, gone.id);
    await expect(recordHeartbeat(ctx, gone.id, { agentVersion: '1', running: [] })).rejects.toMatchObject({ code: 'invalid_transition' });
  });

  it('confines a deployment-bound key to its own deployment', async () => {
    const tenant = await makeTenant();
    const [own, sibling] = [await makeDeployment(tenant), await makeDeployment(tenant)];
    const agent = await keyCtx(tenant.id, { deploymentId: own.id });
    expect((await recordHeartbeat(agent, own.id, { agentVersion: '1', running: [] })).deployment.id).toBe(own.id);
    await expect(recordHeartbeat(agent, sibling.id, { agentVersion: '1', running: [] })).rejects.toMatchObject({ code: 'not_found', status: 404 });
    await expect(getDeployment(agent, sibling.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(updateDeployment(agent, sibling.id, { hosting: 'EDGE' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(createDeployment(agent, { ...base, name: uniqueSlug('x'), country: 'DE' })).rejects.toMatchObject({ code: 'forbidden' });
    expect((await listDeployments(agent, page)).data.map((d) => d.id)).toEqual([own.id]);
    expect((await db.deployment.findUniqueOrThrow({ where: { id: sibling.id } })).lastHeartbeatAt).toBeNull();
    // An unbound key of the tenant reaches every deployment of it.
    const tenantKey = await keyCtx(tenant.id);
    expect((await recordHeartbeat(tenantKey, sibling.id, { agentVersion: '1', running: [] })).deployment.id).toBe(sibling.id);
  });

  it('denies roles without deployments:write (denied-role test)', async () => {
    const tenant = await makeTenant();
    const d = await makeDeployment(tenant);
    for (const [role, tenantId] of [
      ['TENANT_VIEWER', tenant.id],
      ['AUDITOR', null],
      ['AUDITOR', tenant.id],
    ] as const) {
      const { ctx } = await makeUser(role, tenantId);
      expect((await getDeployment(ctx, d.id)).id).toBe(d.id);
      await expect(createDeployment(ctx, { ...base, tenantId: tenant.id, name: uniqueSlug('x'), country: 'DE' })).rejects.toMatchObject({ code: 'forbidden' });
      await expect(updateDeployment(ctx, d.id, { hosting: 'EDGE' })).rejects.toMatchObject({ code: 'forbidden' });
      await expect(archiveDeployment(ctx, d.id)).rejects.toMatchObject({ code: 'forbidden' });
      await expect(recordHeartbeat(ctx, d.id, { agentVersion: '1', running: [] })).rejects.toMatchObject({ code: 'forbidden' });
    }
    const readOnlyKey = await keyCtx(tenant.id, { scopes: ['deployments:read'] });
    await expect(recordHeartbeat(readOnlyKey, d.id, { agentVersion: '1', running: [] })).rejects.toMatchObject({ code: 'forbidden' });
    expect(await db.deployment.findUniqueOrThrow({ where: { id: d.id } })).toMatchObject({ hosting: 'ON_PREMISES', archivedAt: null, lastHeartbeatAt: null });
  });

  it("isolates tenants: another tenant's deployment is not found and never listed (cross-tenant test)", async () => {
    const [mine, other] = [await makeTenant(), await makeTenant()];
    const theirs = await makeDeployment(other);
    const ours = await makeDeployment(mine);
    for (const role of ['TENANT_ADMIN', 'TENANT_VIEWER', 'AUDITOR'] as const) {
      const { ctx } = await makeUser(role, mine.id);
      await expect(getDeployment(ctx, theirs.id)).rejects.toMatchObject({ code: 'not_found', status: 404 });
      const listed = await listDeployments(ctx, { ...page, tenantId: other.id });
      expect(listed.data).toEqual([]);
      expect((await listDeployments(ctx, page)).data.map((d) => d.id)).toEqual([ours.id]);
    }
    const { ctx: admin } = await makeUser('TENANT_ADMIN', mine.id);
    await expect(updateDeployment(admin, theirs.id, { hosting: 'EDGE' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(archiveDeployment(admin, theirs.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(recordHeartbeat(admin, theirs.id, { agentVersion: '1', running: [] })).rejects.toMatchObject({ code: 'not_found' });
    await expect(recordHeartbeat(await keyCtx(mine.id), theirs.id, { agentVersion: '1', running: [] })).rejects.toMatchObject({ code: 'not_found' });
    expect(await db.deployment.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ hosting: 'ON_PREMISES', archivedAt: null, lastHeartbeatAt: null });
    // The platform sees both.
    const { ctx: platformAuditor } = await makeUser('AUDITOR', null);
    expect((await listDeployments(platformAuditor, { ...page, tenantId: mine.id })).data.map((d) => d.id)).toEqual([ours.id]);
    expect((await listDeployments(platformAuditor, { ...page, tenantId: other.id })).data.map((d) => d.id)).toEqual([theirs.id]);
  });

  it('paginates with a keyset cursor without skipping or repeating, and rejects a forged cursor', async () => {
    const tenant = await makeTenant();
    const ctx = systemCtx('test');
    for (let i = 0; i < 5; i++) await makeDeployment(tenant, { name: `node-${i}` });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const result = await listDeployments(ctx, { ...page, tenantId: tenant.id, limit: 2, cursor });
      seen.push(...result.data.map((d) => d.name));
      cursor = result.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['node-0', 'node-1', 'node-2', 'node-3', 'node-4']);
    const forged = Buffer.from(JSON.stringify(['x', 'not-a-uuid'])).toString('base64url');
    await expect(listDeployments(ctx, { ...page, cursor: forged }).catch(toAppError)).resolves.toMatchObject({ code: 'validation_failed' });
  });
});

describe('deployments covered by a contract', () => {
  const all50 = { limit: 50 };
  const namesCoveredBy = async (ctx: Ctx, contractId: string) => (await listCoveredDeployments(ctx, contractId, all50)).data.map((d) => d.name);

  it('are those findCoveringContract assigns to it: a contract for ALL does not claim an environment another contract covers', async () => {
    const tenant = await makeTenant();
    const v = await makeModelVersion();
    const everywhere = await makeContract(tenant.id, { familyIds: [v.familyId], scope: 'ALL' });
    const production = await makeContract(tenant.id, { familyIds: [v.familyId], scope: 'PRODUCTION' });
    const made = [
      await makeDeployment(tenant, { name: 'prod-1', environment: 'PRODUCTION' }),
      await makeDeployment(tenant, { name: 'stage-1', environment: 'STAGING' }),
      await makeDeployment(tenant, { name: 'vault-1', environment: 'AIRGAPPED' }),
    ];
    await archiveDeployment(systemCtx('test'), (await makeDeployment(tenant, { name: 'stage-old', environment: 'STAGING' })).id);
    const { ctx } = await makeUser('TENANT_VIEWER', tenant.id);

    // The contract page used to list every deployment under a contract for ALL, prod-1 included,
    // although its bundles and pins come from the PRODUCTION contract.
    const byEverywhere = await listCoveredDeployments(ctx, everywhere.id, all50);
    expect(byEverywhere).toMatchObject({ total: 2, nextCursor: null, environments: ['STAGING', 'AIRGAPPED'] });
    expect(byEverywhere.data.map((d) => d.name)).toEqual(['stage-1', 'vault-1']);
    expect(await namesCoveredBy(ctx, production.id)).toEqual(['prod-1']);
    for (const d of made) {
      const covering = await findCoveringContract(db, { tenantId: tenant.id, environment: d.environment });
      for (const c of [everywhere, production]) {
        expect((await namesCoveredBy(ctx, c.id)).includes(d.name), `${d.name} under ${c.reference}`).toBe(covering?.id === c.id);
      }
    }

    // Once the PRODUCTION contract has ended, the contract for ALL covers production too; the ended one covers nothing.
    await requestContractTermination(systemCtx('test'), production.id, { reason: 'test', terminationReason: 'OTHER' });
    expect((await findCoveringContract(db, { tenantId: tenant.id, environment: 'PRODUCTION' }))?.id).toBe(everywhere.id);
    expect(await namesCoveredBy(ctx, everywhere.id)).toEqual(['prod-1', 'stage-1', 'vault-1']);
    expect(await listCoveredDeployments(ctx, production.id, all50)).toEqual({ data: [], nextCursor: null, total: 0, environments: [] });
  });

  it('come a keyset page at a time with their total, never cut off', async () => {
    const tenant = await makeTenant();
    const v = await makeModelVersion();
    const contract = await makeContract(tenant.id, { familyIds: [v.familyId], scope: 'STAGING' });
    for (let i = 0; i < 5; i++) await makeDeployment(tenant, { name: `stage-${i}`, environment: 'STAGING' });
    await makeDeployment(tenant, { name: 'prod-x', environment: 'PRODUCTION' });
    const ctx = systemCtx('test');
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const result = await listCoveredDeployments(ctx, contract.id, { limit: 2, cursor });
      expect(result.total).toBe(5);
      expect(result.data.length).toBeLessThanOrEqual(2);
      seen.push(...result.data.map((d) => d.name));
      cursor = result.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['stage-0', 'stage-1', 'stage-2', 'stage-3', 'stage-4']);
  });

  it("are another tenant's 404, need contracts:read and deployments:read, and show a deployment's own key only its deployment", async () => {
    const [tenant, other] = await Promise.all([makeTenant(), makeTenant()]);
    const v = await makeModelVersion();
    const contract = await makeContract(tenant.id, { familyIds: [v.familyId] });
    const [mine, sibling] = [await makeDeployment(tenant, { name: 'a-mine' }), await makeDeployment(tenant, { name: 'b-sibling' })];
    const { ctx: stranger } = await makeUser('TENANT_ADMIN', other.id);
    expect(await listCoveredDeployments(stranger, contract.id, all50).catch(toAppError)).toMatchObject({ code: 'not_found' });
    expect(await listCoveredDeployments(systemCtx('test'), 'not-a-uuid', all50).catch(toAppError)).toMatchObject({ code: 'not_found' });
    for (const scopes of [['contracts:read'], ['deployments:read']] as const) {
      const { ctx } = await makeKey(tenant.id, [...scopes]);
      expect(await listCoveredDeployments(ctx, contract.id, all50).catch(toAppError)).toMatchObject({ code: 'forbidden' });
    }
    const agent = (await makeKey(tenant.id, ['contracts:read', 'deployments:read'], { deploymentId: mine.id })).ctx;
    expect(await listCoveredDeployments(agent, contract.id, all50)).toMatchObject({ total: 1, data: [{ id: mine.id }] });
    expect(await namesCoveredBy(systemCtx('test'), contract.id)).toEqual([mine.name, sibling.name]);
  });
});
