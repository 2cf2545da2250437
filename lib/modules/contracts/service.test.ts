import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { systemCtx } from '@/lib/access/system';
import { sha256Hex } from '@/lib/core/crypto/hash';
import { canonicalize } from '@/lib/core/crypto/jcs';
import { db } from '@/lib/core/db';
import { toAppError } from '@/lib/core/errors';
import { amendContractInput, createContractInput, updateContractInput } from '@/lib/modules/contracts/schema';
import { makeContract, makeKey, makeModelVersion, makeTenant, makeUser, runMaintenanceOf } from '@/lib/testing/factories';
import { approveRequest, getApproval } from '@/lib/approvals/service';
import { diffTerms } from './terms';
import {
  amendContract,
  createContract,
  getContract,
  listContractVersions,
  listContracts,
  requestContractActivation,
  requestContractTermination,
  updateContract,
  verifyVersionHash,
} from './service';

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

  it("isolates tenants: another tenant's contract is not found and never listed (cross-tenant test)", async () => {
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

describe('contracts service (write, lifecycle)', () => {
  async function setup() {
    const tenant = await makeTenant();
    const v = await makeModelVersion();
    const alice = await makeUser('ADMIN', null);
    const bob = await makeUser('ADMIN', null);
    const input = {
      tenantId: tenant.id,
      reference: `C-${randomUUID().slice(0, 8)}`,
      type: 'SUBSCRIPTION' as const,
      validFrom: '2026-01-01',
      validUntil: '2029-12-31',
      noticePeriodDays: 90,
      governingLaw: 'Law of Germany',
      dataProcessingCountries: ['DE'],
      sla: { availability: 99.9, rtoHours: 4, rpoHours: 1 },
      exitPeriodDays: 180,
      entitlements: [{ modelFamilyId: v.familyId, maxDeployments: 2, limits: { maxGpus: 8 } }],
      registerInfo: { ictServiceType: 'S13' as const },
    };
    return { tenant, v, alice, bob, input };
  }

  it('creates a draft as version 1, and every edit of the draft is a new immutable hashed version', async () => {
    const { tenant, alice, input } = await setup();
    const created = await createContract(alice.ctx, createContractInput.parse(input));
    expect(created).toMatchObject({ status: 'DRAFT', currentVersion: 1, tenantId: tenant.id, validFrom: '2026-01-01T00:00:00.000Z', scope: 'ALL' });
    const v1 = (await listContractVersions(alice.ctx, created.id))[0];
    expect(v1?.hash).toBe(created.currentVersionHash);
    expect(v1?.hash).toBe(sha256Hex(canonicalize(v1?.terms)));

    const edited = await updateContract(alice.ctx, created.id, updateContractInput.parse({ ...input, noticePeriodDays: 60, dataProcessingCountries: ['DE', 'FR'] }));
    expect(edited.currentVersion).toBe(2);
    const versions = await listContractVersions(alice.ctx, created.id);
    expect(versions.map((x) => x.version)).toEqual([2, 1]);
    expect(versions.every(verifyVersionHash)).toBe(true);
    expect(diffTerms(versions[1]?.terms, versions[0]?.terms).map((c) => c.path)).toEqual(['dataProcessingCountries', 'noticePeriodDays']);
    // Saving the same terms again adds no version.
    expect((await updateContract(alice.ctx, created.id, updateContractInput.parse({ ...input, noticePeriodDays: 60, dataProcessingCountries: ['DE', 'FR'] }))).currentVersion).toBe(
      2,
    );

    // The database itself refuses to change or delete a version.
    await expect(db.contractVersion.updateMany({ where: { contractId: created.id }, data: { hash: '0'.repeat(64) } })).rejects.toThrow(/immutable/);
    await expect(db.contractVersion.deleteMany({ where: { contractId: created.id } })).rejects.toThrow(/immutable/);
    expect((await listContractVersions(alice.ctx, created.id))[1]?.hash).toBe(v1?.hash);
  });

  it('refuses bad input with field errors and changes nothing', async () => {
    const { tenant, alice, input } = await setup();
    const outside = await createContract(alice.ctx, createContractInput.parse({ ...input, dataProcessingCountries: ['US'] })).catch(toAppError);
    expect(outside).toMatchObject({ code: 'validation_failed', errors: [{ path: 'dataProcessingCountries' }] });
    expect(createContractInput.safeParse({ ...input, validUntil: '2025-01-01' }).error?.issues[0]).toMatchObject({ path: ['validUntil'] });
    expect(createContractInput.safeParse({ ...input, entitlements: [{ maxDeployments: 1 }] }).success).toBe(false);
    const unknownFamily = await createContract(alice.ctx, createContractInput.parse({ ...input, entitlements: [{ modelFamilyId: randomUUID(), maxDeployments: 1 }] })).catch(
      toAppError,
    );
    expect(unknownFamily).toMatchObject({ code: 'validation_failed', errors: [{ path: 'entitlements.0.modelFamilyId' }] });
    expect(await db.contract.count({ where: { tenantId: tenant.id } })).toBe(0);
    await createContract(alice.ctx, createContractInput.parse(input));
    await expect(createContract(alice.ctx, createContractInput.parse({ ...input }))).rejects.toMatchObject({ code: 'conflict' });
  });

  it('walks DRAFT → PENDING_APPROVAL → ACTIVE → TERMINATED and refuses the transitions that are not allowed', async () => {
    const { alice, bob, input } = await setup();
    const c = await createContract(alice.ctx, createContractInput.parse(input));
    await expect(requestContractTermination(alice.ctx, c.id, { reason: 'not active', terminationReason: 'OTHER' })).rejects.toMatchObject({ code: 'invalid_transition' });
    const activation = (await requestContractActivation(alice.ctx, c.id, { reason: 'signed' })).approval;
    if (!activation) throw new Error('expected a request');
    expect((await getContract(alice.ctx, c.id)).status).toBe('PENDING_APPROVAL');
    await expect(updateContract(alice.ctx, c.id, updateContractInput.parse({ ...input, noticePeriodDays: 1 }))).rejects.toMatchObject({ code: 'invalid_transition' });
    await approveRequest(bob.ctx, activation.id, 'ok');
    const active = await getContract(alice.ctx, c.id);
    expect(active).toMatchObject({ status: 'ACTIVE' });
    expect(active.activatedAt).not.toBeNull();
    await expect(requestContractActivation(alice.ctx, c.id, { reason: 'again' })).rejects.toMatchObject({ code: 'invalid_transition' });
    await expect(updateContract(alice.ctx, c.id, updateContractInput.parse({ ...input, noticePeriodDays: 1 }))).rejects.toMatchObject({ code: 'invalid_transition' });

    const termination = (await requestContractTermination(bob.ctx, c.id, { reason: 'breach', terminationReason: 'PROVIDER_BREACH' })).approval;
    if (!termination) throw new Error('expected a request');
    expect((await getContract(alice.ctx, c.id)).status).toBe('ACTIVE');
    await approveRequest(alice.ctx, termination.id, 'confirmed');
    expect(await getContract(alice.ctx, c.id)).toMatchObject({ status: 'TERMINATED', terminationReason: 'PROVIDER_BREACH' });
    await expect(requestContractTermination(alice.ctx, c.id, { reason: 'again', terminationReason: 'OTHER' })).rejects.toMatchObject({ code: 'invalid_transition' });
  });

  it('expires by date: an active contract past validUntil reads as EXPIRED at once, and the maintenance round marks it EXPIRED, audited as Charter', async () => {
    const { tenant } = await setup();
    const c = await makeContract(tenant.id);
    await db.contract.update({ where: { id: c.id }, data: { validUntil: new Date(Date.now() - 1000) } });
    const { ctx: viewer } = await makeUser('TENANT_VIEWER', tenant.id);
    expect((await getContract(systemCtx('test'), c.id)).status).toBe('EXPIRED');
    // Every read computes it, filters included, and none of them writes.
    const ids = async (status?: 'ACTIVE' | 'EXPIRED') => (await listContracts(viewer, { ...page, status })).data.filter((x) => x.id === c.id).map((x) => x.status);
    expect(await ids()).toEqual(['EXPIRED']);
    expect(await ids('EXPIRED')).toEqual(['EXPIRED']);
    expect(await ids('ACTIVE')).toEqual([]);
    expect((await db.contract.findUniqueOrThrow({ where: { id: c.id } })).status).toBe('ACTIVE');

    expect((await runMaintenanceOf([tenant.id])).contractsExpired).toBe(1);
    const row = await db.contract.findUniqueOrThrow({ where: { id: c.id } });
    expect(row.status).toBe('EXPIRED');
    expect(row.expiredAt).not.toBeNull();
    const events = await db.auditEvent.findMany({ where: { targetId: c.id, action: 'contract.status_changed' }, orderBy: { occurredAt: 'asc' } });
    expect(events.at(-1)?.data).toMatchObject({ after: { status: 'EXPIRED' }, reason: 'validUntil reached' });
    expect(events.at(-1)).toMatchObject({
      actorType: 'system',
      actorId: 'charter:contract-expiry',
      ip: null,
      userAgent: 'charter (contract expiry)',
      requestId: expect.any(String),
    });
    expect(await ids('EXPIRED')).toEqual(['EXPIRED']);
  });

  it('a draft whose activation request lapsed reads as DRAFT, and can be edited or sent for activation again', async () => {
    const { tenant, alice, bob, input } = await setup();
    const draft = await createContract(alice.ctx, createContractInput.parse(input));
    const first = (await requestContractActivation(alice.ctx, draft.id, { reason: 'signed' })).approval;
    if (!first) throw new Error('expected a request');
    expect((await getContract(alice.ctx, draft.id)).status).toBe('PENDING_APPROVAL');
    await db.approvalRequest.update({ where: { id: first.id }, data: { expiresAt: new Date(Date.now() - 1000) } });

    expect((await getContract(alice.ctx, draft.id)).status).toBe('DRAFT');
    const ids = async (status: 'DRAFT' | 'PENDING_APPROVAL') => (await listContracts(alice.ctx, { ...page, tenantId: tenant.id, status })).data.map((x) => x.id);
    expect(await ids('DRAFT')).toContain(draft.id);
    expect(await ids('PENDING_APPROVAL')).not.toContain(draft.id);
    expect((await db.contract.findUniqueOrThrow({ where: { id: draft.id } })).status).toBe('PENDING_APPROVAL');

    // Editing it persists the lapse first (as Charter, not as alice), which returns it to DRAFT.
    const edited = await updateContract(alice.ctx, draft.id, updateContractInput.parse({ ...input, noticePeriodDays: 30 }));
    expect(edited).toMatchObject({ status: 'DRAFT', currentVersion: 2 });
    expect((await getApproval(alice.ctx, first.id)).status).toBe('EXPIRED');
    const expiry = await db.auditEvent.findFirstOrThrow({ where: { targetId: first.id, action: 'approval.expired' } });
    expect(expiry).toMatchObject({ actorId: 'charter:approval-expiry', ip: null, userAgent: 'charter (approval expiry)' });
    expect(expiry.requestId).not.toBe(alice.ctx.request.requestId);

    const second = (await requestContractActivation(alice.ctx, draft.id, { reason: 'signed, version 2' })).approval;
    if (!second) throw new Error('expected a request');
    await approveRequest(bob.ctx, second.id, 'ok');
    expect((await getContract(alice.ctx, draft.id)).status).toBe('ACTIVE');
  });

  it('asks for activation again after a lapse without anyone editing the draft', async () => {
    const { alice, input } = await setup();
    const draft = await createContract(alice.ctx, createContractInput.parse(input));
    const first = (await requestContractActivation(alice.ctx, draft.id, { reason: 'signed' })).approval;
    if (!first) throw new Error('expected a request');
    await db.approvalRequest.update({ where: { id: first.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const again = await requestContractActivation(alice.ctx, draft.id, { reason: 'again' });
    expect(again.approval).toMatchObject({ status: 'PENDING' });
    expect(again.contract.status).toBe('PENDING_APPROVAL');
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: first.id } })).status).toBe('EXPIRED');
  });

  it('allows at most one active contract per tenant and scope', async () => {
    const { tenant, alice, bob, input } = await setup();
    await makeContract(tenant.id);
    const second = await createContract(alice.ctx, createContractInput.parse(input));
    await expect(requestContractActivation(alice.ctx, second.id, { reason: 'x' })).rejects.toMatchObject({ code: 'conflict', extra: { activeContract: expect.any(String) } });
    const staging = await createContract(alice.ctx, createContractInput.parse({ ...input, reference: `${input.reference}-stg`, scope: 'STAGING' }));
    const request = (await requestContractActivation(alice.ctx, staging.id, { reason: 'staging only' })).approval;
    if (!request) throw new Error('expected a request');
    expect((await approveRequest(bob.ctx, request.id, 'ok')).status).toBe('APPROVED');
  });

  it('amends an active contract through four-eyes: a new version on approval, refused if the contract changed', async () => {
    const { tenant, v, alice, bob } = await setup();
    const c = await makeContract(tenant.id, { familyIds: [v.familyId] });
    const current = await getContract(alice.ctx, c.id);
    const terms = {
      reference: current.reference,
      type: current.type,
      scope: current.scope,
      validFrom: current.validFrom,
      validUntil: current.validUntil,
      noticePeriodDays: current.noticePeriodDays,
      governingLaw: current.governingLaw,
      dataProcessingCountries: current.dataProcessingCountries,
      exitPeriodDays: current.exitPeriodDays,
      entitlements: [{ modelFamilyId: v.familyId, maxDeployments: 5, limits: { maxGpus: 16 } }],
    };
    await expect(
      amendContract(
        alice.ctx,
        c.id,
        amendContractInput.parse({ ...terms, entitlements: [{ modelFamilyId: v.familyId, maxDeployments: 3, limits: { maxGpus: 8 } }], sla: current.sla, reason: 'noop' }),
      ),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    const result = await amendContract(alice.ctx, c.id, amendContractInput.parse({ ...terms, sla: current.sla, reason: 'more GPUs' }));
    expect(result.kind).toBe('requested');
    expect((await getContract(alice.ctx, c.id)).currentVersion).toBe(1);
    if (!result.approval) throw new Error('expected a request');
    expect(result.approval.summary).toContain('entitlements');
    await expect(approveRequest(alice.ctx, result.approval.id, 'self')).rejects.toMatchObject({ code: 'forbidden' });
    const approved = await approveRequest(bob.ctx, result.approval.id, 'ok');
    expect(approved.result).toMatchObject({ version: 2 });
    const amended = await getContract(alice.ctx, c.id);
    expect(amended).toMatchObject({ status: 'ACTIVE', currentVersion: 2, entitlements: [{ maxDeployments: 5, limits: { maxGpus: 16 } }] });
    const [v2, v1] = await listContractVersions(alice.ctx, c.id);
    expect(v1?.hash).toBe(c.hash);
    expect(v2?.hash).toBe(amended.currentVersionHash);

    // An approval for an outdated version is refused, and changes nothing.
    const stale = await amendContract(alice.ctx, c.id, amendContractInput.parse({ ...terms, noticePeriodDays: 30, sla: current.sla, reason: 'shorter notice' }));
    if (!stale.approval) throw new Error('expected a request');
    await db.contractVersion.create({ data: { contractId: c.id, version: 3, terms: {}, hash: 'x', createdBy: 'test' } });
    await db.contract.update({ where: { id: c.id }, data: { currentVersion: 3 } });
    await expect(approveRequest(bob.ctx, stale.approval.id, 'ok')).rejects.toMatchObject({ code: 'conflict' });
    expect((await getContract(alice.ctx, c.id)).currentVersion).toBe(3);
  });

  it('denies tenant roles and keys without contracts:write, and platform-only management (denied-role test)', async () => {
    const { tenant, input } = await setup();
    for (const role of ['TENANT_ADMIN', 'TENANT_VIEWER', 'AUDITOR'] as const) {
      const { ctx } = await makeUser(role, role === 'AUDITOR' ? null : tenant.id);
      await expect(createContract(ctx, createContractInput.parse(input))).rejects.toMatchObject({ code: 'forbidden' });
    }
    const c = await makeContract(tenant.id);
    const { ctx: viewer } = await makeUser('TENANT_VIEWER', tenant.id);
    await expect(requestContractTermination(viewer, c.id, { reason: 'mine', terminationReason: 'OTHER' })).rejects.toMatchObject({ code: 'forbidden' });
    expect((await listContractVersions(viewer, c.id)).length).toBe(1);
    const other = await makeTenant();
    const { ctx: stranger } = await makeUser('TENANT_VIEWER', other.id);
    await expect(listContractVersions(stranger, c.id)).rejects.toMatchObject({ code: 'not_found' });
  });
});
