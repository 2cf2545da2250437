import { describe, expect, it } from 'vitest';
import { db } from '@/lib/core/db';
import { systemCtx } from '@/lib/access/system';
import { toAppError } from '@/lib/core/errors';
import { createRolloutInput } from '@/lib/modules/rollouts/schema';
import { makeContract, makeDeployment, makeKey, makeModelVersion, makeTenant, makeUser } from '@/lib/testing/factories';
import { listAuditEvents } from '@/lib/modules/audit-trail/search';
import { getDeployment, importRunningVersions, recordHeartbeat, setRunningVersions } from '@/lib/modules/deployments/service';
import { cancelRollout, createRollout, listRollouts, rollBackRollout } from './service';

const page = { limit: 50 } as const;
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();

/** A tenant entitled to a family with two released versions, and one deployment of it. */
async function setup(options: { maxDeployments?: number } = {}) {
  const v1 = await makeModelVersion({ version: '1.0.0' });
  const v2 = await makeModelVersion({ familyId: v1.familyId, version: '1.1.0' });
  const tenant = await makeTenant({ allowedCountries: ['DE', 'FR'] });
  const contract = await makeContract(tenant.id, { familyIds: [v1.familyId], maxDeployments: options.maxDeployments });
  const deployment = await makeDeployment(tenant, { country: 'DE' });
  const admin = await makeUser('TENANT_ADMIN', tenant.id);
  return { v1, v2, tenant, contract, deployment, admin };
}

/** For a call that must be refused: its error as an AppError (a success fails the test). */
const unexpected = (): never => {
  throw new Error('expected a refusal');
};

describe('rollouts', () => {
  it('pins a deployment at once, completes when it reports the version, and audits each step', async () => {
    const { v1, tenant, deployment, admin } = await setup();
    const pin = await createRollout(admin.ctx, deployment.id, createRolloutInput.parse({ modelVersionId: v1.id, note: 'first pin' }));
    expect(pin).toMatchObject({ kind: 'PIN', status: 'IN_PROGRESS', from: null, to: { id: v1.id, version: '1.0.0' }, createdBy: admin.email });
    expect((await getDeployment(admin.ctx, deployment.id)).pinnedVersion).toMatchObject({ id: v1.id, version: '1.0.0' });

    const agent = await makeKey(tenant.id, ['deployments:write'], { deploymentId: deployment.id });
    await recordHeartbeat(agent.ctx, deployment.id, { agentVersion: '1.0', running: [{ modelVersionId: v1.id }] });
    const [done] = (await listRollouts(admin.ctx, deployment.id, page)).data;
    expect(done).toMatchObject({ id: pin.id, status: 'COMPLETED' });
    expect(done?.completedAt).not.toBeNull();

    const events = await listAuditEvents(systemCtx('test'), { limit: 10, chain: tenant.id, targetId: deployment.id });
    expect(events.data.map((e) => e.action).slice(0, 3)).toEqual(['rollout.completed', 'deployment.heartbeat', 'rollout.created']);
    expect(events.data[2]?.data).toMatchObject({ rolloutId: pin.id, before: { pinnedVersion: null }, after: { pinnedVersion: `${v1.family}@1.0.0` } });
    expect(events.data[0]?.actor).toMatchObject({ type: 'apiKey', id: agent.id });
  });

  it('refuses versions that are not released, not entitled, or export-restricted — with a stable reason, changing nothing', async () => {
    const { v1, tenant, deployment, admin } = await setup();
    const draft = await makeModelVersion({ familyId: v1.familyId, version: '2.0.0-rc.1', status: 'DRAFT' });
    // (in its own family: the tenant's contract would, rightly, not allow deprecating it today)
    const deprecated = await makeModelVersion({ version: '0.9.0', status: 'DEPRECATED' });
    const restricted = await makeModelVersion({ familyId: v1.familyId, version: '1.2.0', exportRestrictions: ['DE'] });
    const otherFamily = await makeModelVersion();
    const reasonOf = async (ctx: typeof admin.ctx, id: string) => (await createRollout(ctx, deployment.id, { modelVersionId: id }).then(unexpected, toAppError)).extra?.reason;

    expect(await reasonOf(systemCtx('test'), draft.id)).toBe('version_not_released');
    expect(await reasonOf(admin.ctx, draft.id)).toBe('unknown_version'); // a tenant does not see drafts
    expect(await reasonOf(admin.ctx, deprecated.id)).toBe('version_not_released');
    const export_ = await createRollout(admin.ctx, deployment.id, { modelVersionId: restricted.id }).then(unexpected, toAppError);
    expect(export_).toMatchObject({ code: 'validation_failed', status: 400, errors: [{ path: 'modelVersionId' }], extra: { reason: 'export_restricted', country: 'DE' } });
    expect(export_.message).toContain('export-restricted for DE');
    const notEntitled = await createRollout(admin.ctx, deployment.id, { modelVersionId: otherFamily.id }).then(unexpected, toAppError);
    expect(notEntitled).toMatchObject({ extra: { reason: 'not_entitled' } });
    expect(notEntitled.message).toContain(otherFamily.family);

    // No active contract at all: refused with that reason.
    const bare = await makeTenant();
    const bareDeployment = await makeDeployment(bare);
    const noContract = await createRollout(systemCtx('test'), bareDeployment.id, { modelVersionId: v1.id }).then(unexpected, toAppError);
    expect(noContract).toMatchObject({ code: 'validation_failed', extra: { reason: 'no_active_contract' } });
    expect(noContract.message).toContain(`Tenant ${bare.slug} has no active contract`);

    expect(await db.rollout.count({ where: { deploymentId: { in: [deployment.id, bareDeployment.id] } } })).toBe(0);
    expect((await getDeployment(admin.ctx, deployment.id)).pinnedVersionId).toBeNull();
    expect(tenant.id).toBeTruthy();
  });

  it("enforces the contract's deployment limit", async () => {
    const { v1, tenant, deployment, admin } = await setup({ maxDeployments: 1 });
    await createRollout(admin.ctx, deployment.id, { modelVersionId: v1.id });
    const second = await makeDeployment(tenant);
    expect(await createRollout(admin.ctx, second.id, { modelVersionId: v1.id }).then(unexpected, toAppError)).toMatchObject({
      extra: { reason: 'deployment_limit', maxDeployments: 1, used: 1 },
    });
  });

  it('schedules an upgrade with a notice date, starts it at the first contact after the date, and rolls it back', async () => {
    const { v1, v2, tenant, deployment, admin } = await setup();
    await createRollout(admin.ctx, deployment.id, { modelVersionId: v1.id });
    await setRunningVersions(admin.ctx, deployment.id, { running: [{ modelVersionId: v1.id }], source: 'MANUAL' });

    expect(createRolloutInput.safeParse({ modelVersionId: v2.id, scheduledFor: inDays(7), noticeAt: inDays(8) }).success).toBe(false);
    await expect(createRollout(admin.ctx, deployment.id, { modelVersionId: v2.id, scheduledFor: inDays(-1) })).rejects.toMatchObject({ errors: [{ path: 'scheduledFor' }] });
    const upgrade = await createRollout(admin.ctx, deployment.id, { modelVersionId: v2.id, scheduledFor: inDays(7), noticeAt: inDays(0) });
    expect(upgrade).toMatchObject({ kind: 'UPGRADE', status: 'SCHEDULED', from: { id: v1.id }, to: { id: v2.id } });
    // Another rollout waits until the scheduled one is cancelled: the tenant was given notice of it.
    await expect(createRollout(admin.ctx, deployment.id, { modelVersionId: v2.id })).rejects.toMatchObject({ code: 'conflict', extra: { rolloutId: upgrade.id } });
    // Before its date, a report does not start it; the pin stays.
    await setRunningVersions(admin.ctx, deployment.id, { running: [{ modelVersionId: v1.id }], source: 'MANUAL' });
    expect((await getDeployment(admin.ctx, deployment.id)).pinnedVersionId).toBe(v1.id);

    // The date comes (moved back in the database, as time would), and the next report starts it.
    await db.rollout.update({ where: { id: upgrade.id }, data: { scheduledFor: new Date(Date.now() - 1000) } });
    await setRunningVersions(admin.ctx, deployment.id, { running: [{ modelVersionId: v1.id }], source: 'MANUAL' });
    expect((await getDeployment(admin.ctx, deployment.id)).pinnedVersionId).toBe(v2.id);
    expect((await listRollouts(admin.ctx, deployment.id, { ...page, status: 'IN_PROGRESS' })).data.map((r) => r.id)).toEqual([upgrade.id]);

    await expect(cancelRollout(admin.ctx, upgrade.id, { reason: 'too late' })).rejects.toMatchObject({ code: 'invalid_transition' });
    const back = await rollBackRollout(admin.ctx, upgrade.id, { reason: 'regression in 1.1.0' });
    expect(back).toMatchObject({ kind: 'ROLLBACK', status: 'COMPLETED', from: { id: v2.id }, to: { id: v1.id }, rollsBackId: upgrade.id, note: 'regression in 1.1.0' });
    expect((await getDeployment(admin.ctx, deployment.id)).pinnedVersionId).toBe(v1.id);
    const all = (await listRollouts(admin.ctx, deployment.id, page)).data;
    expect(all.map((r) => [r.kind, r.status])).toEqual([
      ['ROLLBACK', 'COMPLETED'],
      ['UPGRADE', 'ROLLED_BACK'],
      ['PIN', 'COMPLETED'],
    ]);
    // The first pin had nothing before it.
    await expect(rollBackRollout(admin.ctx, all[2].id, { reason: 'again' })).rejects.toMatchObject({ code: 'invalid_transition' });
    const actions = (await listAuditEvents(systemCtx('test'), { limit: 20, chain: tenant.id, targetId: deployment.id })).data.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['rollout.created', 'rollout.started', 'rollout.rolled_back']));
  });

  it('cancels a scheduled upgrade, and cancels (not starts) one whose version may no longer be pinned', async () => {
    const { v1, v2, deployment, admin } = await setup();
    const first = await createRollout(admin.ctx, deployment.id, { modelVersionId: v2.id, scheduledFor: inDays(3) });
    expect(await cancelRollout(admin.ctx, first.id, { reason: 'customer asked to wait' })).toMatchObject({ status: 'CANCELLED' });
    const second = await createRollout(admin.ctx, deployment.id, { modelVersionId: v2.id, scheduledFor: inDays(3) });
    await db.rollout.update({ where: { id: second.id }, data: { scheduledFor: new Date(Date.now() - 1000) } });
    // Meanwhile an export restriction for the deployment's country was added.
    await db.modelVersion.update({ where: { id: v2.id }, data: { exportRestrictions: ['DE'] } });
    await setRunningVersions(admin.ctx, deployment.id, { running: [{ modelVersionId: v1.id }], source: 'MANUAL' });
    expect((await listRollouts(admin.ctx, deployment.id, page)).data[0]).toMatchObject({ id: second.id, status: 'CANCELLED' });
    expect((await getDeployment(admin.ctx, deployment.id)).pinnedVersionId).toBeNull();
  });

  it("isolates tenants, and keeps a deployment's own key and read-only roles from changing rollouts", async () => {
    const { v1, tenant, deployment, admin } = await setup();
    const pin = await createRollout(admin.ctx, deployment.id, { modelVersionId: v1.id });
    const other = await makeTenant();
    const outsider = await makeUser('TENANT_ADMIN', other.id);
    await expect(listRollouts(outsider.ctx, deployment.id, page)).rejects.toMatchObject({ code: 'not_found', status: 404 });
    await expect(createRollout(outsider.ctx, deployment.id, { modelVersionId: v1.id })).rejects.toMatchObject({ code: 'not_found' });
    await expect(rollBackRollout(outsider.ctx, pin.id, { reason: 'not mine' })).rejects.toMatchObject({ code: 'not_found' });
    const otherKey = await makeKey(other.id, ['deployments:read']);
    await expect(listRollouts(otherKey.ctx, deployment.id, page)).rejects.toMatchObject({ code: 'not_found' });

    const viewer = await makeUser('TENANT_VIEWER', tenant.id);
    expect((await listRollouts(viewer.ctx, deployment.id, page)).data).toHaveLength(1);
    await expect(createRollout(viewer.ctx, deployment.id, { modelVersionId: v1.id })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(createRollout((await makeUser('AUDITOR', null)).ctx, deployment.id, { modelVersionId: v1.id })).rejects.toMatchObject({ code: 'forbidden' });
    const agent = await makeKey(tenant.id, ['deployments:write', 'deployments:read'], { deploymentId: deployment.id });
    await expect(cancelRollout(agent.ctx, pin.id, { reason: 'agent' })).rejects.toMatchObject({ code: 'forbidden' });
    // The agent reads its own rollouts (what it should run).
    expect((await listRollouts(agent.ctx, deployment.id, page)).data[0]?.to.id).toBe(v1.id);
  });
});

describe('running versions of air-gapped sites', () => {
  it("imports the site's file: checks the deployment and the weights digests, refuses an older file, and audits the file hash", async () => {
    const { v1, tenant, admin } = await setup();
    const site = await makeDeployment(tenant, { environment: 'AIRGAPPED', name: `vault-${Date.now()}` });
    const catalogueDigest = (await db.modelVersion.findUniqueOrThrow({ where: { id: v1.id } })).weightsDigest;
    const file = {
      v: 1 as const,
      type: 'charter.running-versions' as const,
      deployment: { id: site.id, name: site.name },
      reportedAt: new Date(Date.now() - 3_600_000).toISOString(),
      agentVersion: '1.9.0',
      running: [{ family: v1.family, version: '1.0.0', weightsDigest: catalogueDigest }],
    };
    const wrongDigest = { ...file, running: [{ ...file.running[0], weightsDigest: `sha256:${'0'.repeat(64)}` }] };
    expect(await importRunningVersions(admin.ctx, site.id, wrongDigest).then(unexpected, toAppError)).toMatchObject({
      code: 'validation_failed',
      errors: [{ path: 'running.0.weightsDigest' }],
    });
    const elsewhere = await makeDeployment(tenant);
    await expect(importRunningVersions(admin.ctx, elsewhere.id, file)).rejects.toMatchObject({ errors: [{ path: 'deployment.id' }] });
    expect((await getDeployment(admin.ctx, site.id)).running).toEqual([]);

    const imported = await importRunningVersions(admin.ctx, site.id, file);
    expect(imported).toMatchObject({ agentVersion: '1.9.0', running: [{ modelVersionId: v1.id, source: 'IMPORT', reportedAt: file.reportedAt }] });
    const older = { ...file, reportedAt: new Date(Date.now() - 7_200_000).toISOString() };
    await expect(importRunningVersions(admin.ctx, site.id, older)).rejects.toMatchObject({ code: 'conflict' });
    const event = (await listAuditEvents(systemCtx('test'), { limit: 1, chain: tenant.id, targetId: site.id })).data[0];
    expect(event).toMatchObject({
      action: 'deployment.updated',
      data: { source: 'IMPORT', fileSha256: expect.stringMatching(/^[0-9a-f]{64}$/), after: { running: [`${v1.family}@1.0.0`], agentVersion: '1.9.0' } },
    });
    // Another tenant cannot import into it.
    await expect(importRunningVersions((await makeUser('TENANT_ADMIN', (await makeTenant()).id)).ctx, site.id, file)).rejects.toMatchObject({ code: 'not_found' });
  });
});
