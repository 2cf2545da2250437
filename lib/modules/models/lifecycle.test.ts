import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { db } from '@/lib/core/db';
import { systemCtx } from '@/lib/access/system';
import { toAppError } from '@/lib/core/errors';
import { createModelVersionInput, deprecateModelVersionInput, updateModelVersionInput } from '@/lib/modules/models/schema';
import { makeContract, makeDeployment, makeKey, makeModelVersion, makeTenant, makeUser, uniqueSlug } from '@/lib/testing/factories';
import { listAuditEvents } from '@/lib/modules/audit-trail/search';
import { approveRequest } from '@/lib/approvals/service';
import { setRunningVersions } from '@/lib/modules/deployments/service';
import {
  createModelFamily,
  createModelVersion,
  deprecateModelVersion,
  getAdoption,
  getModelVersion,
  getVersionImpact,
  releaseModelVersion,
  retireModelVersion,
  updateModelVersion,
} from './service';

const digest = () => `sha256:${randomBytes(32).toString('hex')}`;
const DAY = 86_400_000;
const today = () => new Date(new Date().toISOString().slice(0, 10));
const inDays = (n: number) => new Date(today().getTime() + n * DAY).toISOString().slice(0, 10);

async function draft(familySlug?: string) {
  const { ctx } = await makeUser('ADMIN', null);
  const family = familySlug ?? (await createModelFamily(ctx, { slug: uniqueSlug('fam'), name: 'Lifecycle family' })).slug;
  const v = await createModelVersion(
    ctx,
    createModelVersionInput.parse({
      family,
      version: '1.0.0',
      weightsDigest: digest(),
      parameterCount: '7000000000',
      contextLength: 8192,
      licence: 'Test licence',
      releaseNotes: '# Notes',
    }),
  );
  return { ctx, family, v };
}

/** For a call that must be refused: its error as an AppError (a success fails the test). */
const unexpected = (): never => {
  throw new Error('expected a refusal');
};

describe('model catalogue: writes and lifecycle', () => {
  it('creates a family and a DRAFT version, validating digests, and audits both on the platform chain', async () => {
    const { ctx, family, v } = await draft();
    expect(v).toMatchObject({ family, version: '1.0.0', status: 'DRAFT', parameterCount: 7_000_000_000, releasedAt: null, techDocDigest: null });
    const bad = createModelVersionInput.safeParse({ family, version: '1.0.1', weightsDigest: 'sha256:abc', parameterCount: 1, contextLength: 1, licence: 'x1' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toContain('weightsDigest');
    // Upper-case hex is normalised, not refused.
    expect(
      createModelVersionInput.parse({ family, version: '1.0.1', weightsDigest: `SHA256:${'AB'.repeat(32)}`, parameterCount: 1, contextLength: 1, licence: 'x1' }).weightsDigest,
    ).toBe(`sha256:${'ab'.repeat(32)}`);
    await expect(
      createModelVersion(ctx, { ...createModelVersionInput.parse({ family, version: '1.0.0', weightsDigest: digest(), parameterCount: 1, contextLength: 1, licence: 'x1' }) }),
    ).rejects.toMatchObject({
      code: 'conflict',
      errors: [{ path: 'version' }],
    });
    await expect(
      createModelVersion(
        ctx,
        createModelVersionInput.parse({ family: 'no-such-family', version: '1.0.0', weightsDigest: digest(), parameterCount: 1, contextLength: 1, licence: 'x1' }),
      ),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      errors: [{ path: 'family' }],
    });
    const events = await listAuditEvents(systemCtx('test'), { limit: 5, chain: 'platform', targetId: v.id });
    expect(events.data[0]).toMatchObject({ action: 'model_version.created', actor: { id: ctx.actor.id }, data: { after: { family, version: '1.0.0', status: 'DRAFT' } } });
  });

  it('releases only with the Annex XI documentation digest, and fixes weights once released', async () => {
    const { ctx, v } = await draft();
    await expect(releaseModelVersion(ctx, v.id)).rejects.toMatchObject({ code: 'validation_failed', errors: [{ path: 'techDocDigest' }] });
    expect((await getModelVersion(ctx, v.id)).status).toBe('DRAFT');
    await updateModelVersion(ctx, v.id, { techDocDigest: digest(), weightsDigest: digest() });
    const released = await releaseModelVersion(ctx, v.id);
    expect(released.status).toBe('RELEASED');
    expect(Date.parse(released.releasedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    await expect(updateModelVersion(ctx, v.id, { weightsDigest: digest() })).rejects.toMatchObject({ code: 'invalid_transition', errors: [{ path: 'weightsDigest' }] });
    // Release notes and export restrictions may still follow.
    expect((await updateModelVersion(ctx, v.id, updateModelVersionInput.parse({ exportRestrictions: ['ru', 'IR'] }))).exportRestrictions).toEqual(['IR', 'RU']);
    // Forward only.
    await expect(releaseModelVersion(ctx, v.id)).rejects.toMatchObject({ code: 'invalid_transition', extra: { from: 'RELEASED', to: 'RELEASED' } });
    await expect(retireModelVersion(systemCtx('test'), v.id, { reason: 'skip a step' })).rejects.toMatchObject({ code: 'invalid_transition' });
    const events = await listAuditEvents(systemCtx('test'), { limit: 10, chain: 'platform', targetId: v.id });
    expect(events.data.map((e) => e.action)).toEqual(['model_version.updated', 'model_version.status_changed', 'model_version.updated', 'model_version.created']);
    expect(events.data[1]?.data).toMatchObject({ before: { status: 'DRAFT', releasedAt: null }, after: { status: 'RELEASED' } });
  });

  it('denies catalogue changes to roles without models:write and to tenant actors (denied-role test)', async () => {
    const v = await makeModelVersion({ status: 'DRAFT' });
    const tenant = await makeTenant();
    for (const [role, tenantId] of [
      ['AUDITOR', null],
      ['TENANT_ADMIN', tenant.id],
      ['TENANT_VIEWER', tenant.id],
    ] as const) {
      const { ctx } = await makeUser(role, tenantId);
      await expect(createModelFamily(ctx, { slug: uniqueSlug('x'), name: 'Nope' })).rejects.toMatchObject({ code: 'forbidden' });
      await expect(releaseModelVersion(ctx, v.id)).rejects.toMatchObject({ code: 'forbidden' });
    }
    expect((await getModelVersion(systemCtx('test'), v.id)).status).toBe('DRAFT');
  });

  it("refuses a deprecation that breaks an affected contract's notice period, naming the tenants, and changes nothing", async () => {
    const v = await makeModelVersion();
    const [runs, entitled, unrelated] = [await makeTenant(), await makeTenant(), await makeTenant()];
    // `runs` runs it (and has a 120-day contract for another family); `entitled` is granted the family (60 days).
    const other = await makeModelVersion();
    await makeContract(runs.id, { familyIds: [other.familyId], noticePeriodDays: 120 });
    const d = await makeDeployment(runs);
    await setRunningVersions(systemCtx('test'), d.id, { running: [{ modelVersionId: v.id }], source: 'MANUAL' });
    await makeContract(entitled.id, { familyIds: [v.familyId], noticePeriodDays: 60 });
    await makeContract(unrelated.id, { familyIds: [other.familyId], noticePeriodDays: 365 });

    const impact = await getVersionImpact(systemCtx('test'), v.id);
    expect(impact.tenants.map((t) => t.tenant.id).sort()).toEqual([runs.id, entitled.id].sort());
    expect(impact.tenants.find((t) => t.tenant.id === runs.id)).toMatchObject({ reasons: ['RUNS'], deployments: [{ id: d.id, runs: true, pinned: false }] });
    expect(impact.tenants.find((t) => t.tenant.id === entitled.id)?.reasons).toEqual(['ENTITLED']);
    expect(impact.earliestAllowedDate.slice(0, 10)).toBe(inDays(120));
    expect(impact.totals).toEqual({ tenants: 2, deployments: 1, contracts: 2 });

    const { ctx } = await makeUser('ADMIN', null);
    const error = await deprecateModelVersion(ctx, v.id, deprecateModelVersionInput.parse({ deprecatedAt: inDays(90), endOfLifeAt: inDays(200), reason: 'superseded' })).then(
      unexpected,
      toAppError,
    );
    expect(error).toMatchObject({ code: 'validation_failed', status: 400, errors: [{ path: 'deprecatedAt', message: `must be on or after ${inDays(120)}` }] });
    expect(error.message).toContain(runs.slug);
    expect(error.message).not.toContain(entitled.slug); // 60 days are given
    expect(error.message).not.toContain(unrelated.slug);
    expect(error.extra).toMatchObject({
      earliestAllowedDate: impact.earliestAllowedDate,
      affectedTenants: [{ id: runs.id, slug: runs.slug, contracts: [{ noticePeriodDays: 120 }] }],
    });
    // Too early for both when the end of life is also short.
    const both = await deprecateModelVersion(ctx, v.id, deprecateModelVersionInput.parse({ deprecatedAt: inDays(10), endOfLifeAt: inDays(30), reason: 'x-y-z' })).then(
      unexpected,
      toAppError,
    );
    expect((both.extra?.affectedTenants as { id: string }[]).map((t) => t.id).sort()).toEqual([runs.id, entitled.id].sort());
    expect(both.errors?.map((e) => e.path)).toEqual(['deprecatedAt', 'endOfLifeAt']);
    expect((await getModelVersion(ctx, v.id)).status).toBe('RELEASED');

    const ok = await deprecateModelVersion(ctx, v.id, deprecateModelVersionInput.parse({ deprecatedAt: inDays(120), endOfLifeAt: inDays(300), reason: 'superseded by 2.0' }));
    expect(ok).toMatchObject({ status: 'DEPRECATED', deprecatedAt: `${inDays(120)}T00:00:00.000Z`, endOfLifeAt: `${inDays(300)}T00:00:00.000Z` });
    const event = (await listAuditEvents(systemCtx('test'), { limit: 1, chain: 'platform', targetId: v.id })).data[0];
    expect(event).toMatchObject({ action: 'model_version.status_changed', data: { reason: 'superseded by 2.0', before: { status: 'RELEASED' }, after: { status: 'DEPRECATED' } } });
  });

  it('validates deprecation dates: end of life not before deprecation, nothing in the past', async () => {
    const v = await makeModelVersion();
    expect(deprecateModelVersionInput.safeParse({ deprecatedAt: inDays(10), endOfLifeAt: inDays(5), reason: 'abc' }).error?.issues[0]?.path).toEqual(['endOfLifeAt']);
    expect(deprecateModelVersionInput.safeParse({ deprecatedAt: 'next week', endOfLifeAt: inDays(5), reason: 'abc' }).success).toBe(false);
    await expect(
      deprecateModelVersion(systemCtx('test'), v.id, deprecateModelVersionInput.parse({ deprecatedAt: inDays(-1), endOfLifeAt: inDays(5), reason: 'abc' })),
    ).rejects.toMatchObject({
      errors: [{ path: 'deprecatedAt' }],
    });
  });

  it('retires only after the end of life, through four-eyes approval by a different administrator', async () => {
    const v = await makeModelVersion({ status: 'DEPRECATED' }); // end of life today
    const [requester, approver] = [await makeUser('ADMIN', null), await makeUser('ADMIN', null)];
    const outcome = await retireModelVersion(requester.ctx, v.id, { reason: 'end of life reached' });
    expect(outcome.kind).toBe('requested');
    expect((await getModelVersion(requester.ctx, v.id)).status).toBe('DEPRECATED');
    if (outcome.kind !== 'requested') return;
    await expect(approveRequest(requester.ctx, outcome.approval.id, 'my own request')).rejects.toMatchObject({ code: 'forbidden' });
    await approveRequest(approver.ctx, outcome.approval.id, 'checked the end-of-life notice');
    expect((await getModelVersion(requester.ctx, v.id)).status).toBe('RETIRED');

    const later = await makeModelVersion();
    await deprecateModelVersion(systemCtx('test'), later.id, { deprecatedAt: inDays(0), endOfLifeAt: inDays(30), reason: 'abc' });
    await expect(retireModelVersion(requester.ctx, later.id, { reason: 'too soon' })).rejects.toMatchObject({
      code: 'invalid_transition',
      message: expect.stringContaining(inDays(30)),
    });
    await expect(retireModelVersion(systemCtx('test'), later.id, { reason: 'too soon' })).rejects.toMatchObject({ code: 'invalid_transition' });
  });

  it('counts adoption per version and tenant, scoped to the tenant for tenant actors', async () => {
    const v1 = await makeModelVersion({ version: '1.0.0' });
    const v2 = await makeModelVersion({ familyId: v1.familyId, version: '2.0.0' });
    const [a, b] = [await makeTenant(), await makeTenant()];
    const ctx = systemCtx('test');
    const made: string[] = [];
    for (const [tenant, version] of [
      [a, v1],
      [a, v2],
      [a, v2],
      [b, v1],
    ] as const) {
      const d = await makeDeployment(tenant);
      made.push(d.id);
      await setRunningVersions(ctx, d.id, { running: [{ modelVersionId: version.id }], source: 'MANUAL' });
    }
    // A deployment's own key sees its deployment only.
    const agent = await makeKey(a.id, ['deployments:read', 'models:read'], { deploymentId: made[0] });
    expect((await getAdoption(agent.ctx, { family: v1.family })).cells).toEqual([{ versionId: v1.id, tenantId: a.id, deployments: 1 }]);
    expect((await getVersionImpact(agent.ctx, v2.id)).tenants).toEqual([]);
    const all = await getAdoption(ctx, { family: v1.family });
    expect(all.versions.map((v) => v.version)).toEqual(['1.0.0', '2.0.0']);
    const cell = (x: typeof all, versionId: string, tenantId: string) => x.cells.find((c) => c.versionId === versionId && c.tenantId === tenantId)?.deployments ?? 0;
    expect([cell(all, v1.id, a.id), cell(all, v2.id, a.id), cell(all, v1.id, b.id), cell(all, v2.id, b.id)]).toEqual([1, 2, 1, 0]);
    const mine = await getAdoption((await makeUser('TENANT_VIEWER', b.id)).ctx, { family: v1.family });
    expect(mine.tenants.map((t) => t.id)).toEqual([b.id]);
    expect(mine.cells.every((c) => c.tenantId === b.id)).toBe(true);
    // A tenant's impact view never shows another tenant.
    const impact = await getVersionImpact((await makeUser('TENANT_VIEWER', b.id)).ctx, v1.id);
    expect(impact.tenants.map((t) => t.tenant.id)).toEqual([b.id]);
    expect(await db.modelVersion.count({ where: { familyId: v1.familyId } })).toBe(2);
  });
});
