import { describe, expect, it } from 'vitest';
import { db } from '@/lib/core/db';
import { makeContract, makeModelVersion, makeTenant, makeUser } from '@/lib/testing/factories';
import { requestContractActivation } from '@/lib/modules/contracts/service';
import { listNotifications } from './service';

const DAY = 86_400_000;

describe('dashboard notifications', () => {
  it('names contracts ending within 30/60/90 days, waiting approvals and end-of-life models, in scope', async () => {
    const tenant = await makeTenant();
    const v = await makeModelVersion();
    const soon = await makeContract(tenant.id, { familyIds: [v.familyId], validUntil: new Date(Date.now() + 20 * DAY) });
    await db.modelVersion.update({ where: { id: v.id }, data: { endOfLifeAt: new Date(Date.now() + 10 * DAY) } });
    const other = await makeTenant();
    const later = await makeContract(other.id, { validUntil: new Date(Date.now() + 75 * DAY) });
    const draft = await makeContract(other.id, { status: 'DRAFT', scope: 'STAGING' });
    const requester = await makeUser('ADMIN', null);
    await requestContractActivation(requester.ctx, draft.id, { reason: 'signed' });

    const { ctx: admin } = await makeUser('ADMIN', null);
    const all = await listNotifications(admin);
    const about = (id: string) => all.filter((n) => n.href === `/contracts/${id}`);
    expect(
      about(soon.id)
        .map((n) => n.kind)
        .sort(),
    ).toEqual(['contract_expiring', 'model_end_of_life']);
    expect(about(soon.id).find((n) => n.kind === 'contract_expiring')).toMatchObject({ severity: 'danger', title: expect.stringContaining('within 30 days') });
    expect(about(later.id)[0]).toMatchObject({ severity: 'info', title: expect.stringContaining('within 90 days') });
    expect(all.some((n) => n.kind === 'approvals_waiting')).toBe(true);

    // A tenant user sees only its own tenant's contracts, and no approvals.
    const { ctx: viewer } = await makeUser('TENANT_VIEWER', tenant.id);
    const own = await listNotifications(viewer);
    expect(own.every((n) => n.href === `/contracts/${soon.id}`)).toBe(true);
    expect(own.length).toBe(2);
  });
});
