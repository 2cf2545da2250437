import { describe, expect, it } from 'vitest';
import { systemCtx } from '@/lib/access/system';
import { toAppError } from '@/lib/core/errors';
import { makeKey, makeModelVersion, makeTenant, makeUser } from '@/lib/testing/factories';
import { getModelVersion, listModelFamilies, listModelVersions } from './service';

const page = { limit: 50 } as const;

describe('models service (catalogue, read)', () => {
  it('lists a family with its versions newest first, and filters versions by family and status', async () => {
    const v1 = await makeModelVersion({ version: '1.0.0', status: 'DEPRECATED' });
    const v2 = await makeModelVersion({ familyId: v1.familyId, version: '1.1.0' });
    const { ctx } = await makeUser('ADMIN', null);
    const families = await listModelFamilies(ctx, { ...page, q: v1.family });
    expect(families.data).toHaveLength(1);
    expect(families.data[0]).toMatchObject({
      slug: v1.family,
      versions: [
        { id: v2.id, version: '1.1.0', status: 'RELEASED' },
        { id: v1.id, version: '1.0.0', status: 'DEPRECATED' },
      ],
    });

    expect((await listModelVersions(ctx, { ...page, family: v1.family })).data.map((v) => v.id)).toEqual([v2.id, v1.id]);
    expect((await listModelVersions(ctx, { ...page, family: v1.familyId, status: 'DEPRECATED' })).data.map((v) => v.id)).toEqual([v1.id]);
    const got = await getModelVersion(ctx, v2.id);
    expect(got).toMatchObject({ id: v2.id, family: v1.family, familyName: 'Test family', version: '1.1.0', parameterCount: 7_000_000_000, contextLength: 32_768 });
    expect(got.weightsDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('is shared by all tenants, but keeps DRAFT versions to the platform', async () => {
    const released = await makeModelVersion();
    const draft = await makeModelVersion({ familyId: released.familyId, version: '2.0.0-rc.1', status: 'DRAFT' });
    const [a, b] = [await makeTenant(), await makeTenant()];
    for (const tenant of [a, b]) {
      const { ctx } = await makeUser('TENANT_VIEWER', tenant.id);
      expect((await getModelVersion(ctx, released.id)).id).toBe(released.id);
      await expect(getModelVersion(ctx, draft.id)).rejects.toMatchObject({ code: 'not_found', status: 404 });
      expect((await listModelVersions(ctx, { ...page, family: released.family })).data.map((v) => v.id)).toEqual([released.id]);
      expect((await listModelFamilies(ctx, { ...page, q: released.family })).data[0]?.versions.map((v) => v.id)).toEqual([released.id]);
    }
    expect((await listModelVersions(systemCtx('test'), { ...page, family: released.family })).data.map((v) => v.id)).toEqual([draft.id, released.id]);
    expect((await getModelVersion((await makeKey(null, ['models:read'])).ctx, draft.id)).status).toBe('DRAFT');
  });

  it('denies an actor without models:read (denied-role test), and answers 404 for malformed ids', async () => {
    const tenant = await makeTenant();
    const v = await makeModelVersion();
    const { ctx } = await makeKey(tenant.id, ['deployments:read']);
    await expect(listModelVersions(ctx, page)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(listModelFamilies(ctx, page)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(getModelVersion(ctx, v.id)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(getModelVersion(systemCtx('test'), 'not-a-uuid')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('paginates versions and families with keyset cursors, and rejects forged cursors', async () => {
    const first = await makeModelVersion({ version: '0.1.0' });
    for (const version of ['0.2.0', '0.3.0', '0.4.0']) await makeModelVersion({ familyId: first.familyId, version });
    const ctx = systemCtx('test');
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const result = await listModelVersions(ctx, { limit: 3, family: first.family, cursor });
      seen.push(...result.data.map((v) => v.version));
      cursor = result.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['0.4.0', '0.3.0', '0.2.0', '0.1.0']);
    const forged = Buffer.from(JSON.stringify(["x' OR 1=1"])).toString('base64url');
    expect(await listModelVersions(ctx, { ...page, cursor: forged }).catch(toAppError)).toMatchObject({ code: 'validation_failed' });
  });
});
