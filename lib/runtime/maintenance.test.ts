import { describe, expect, it } from 'vitest';
import { db, rawPool } from '@/lib/core/db';
import { makeContract, makeTenant, makeUser, runMaintenanceOf } from '@/lib/testing/factories';
import { requestContractActivation } from '@/lib/modules/contracts/service';
import { runMaintenance } from './maintenance';

const past = () => new Date(Date.now() - 60_000);

/** A tenant with an active contract past its end and a draft whose activation request lapsed. */
async function tenantWithDueWork() {
  const tenant = await makeTenant();
  const due = await makeContract(tenant.id, { scope: 'STAGING' });
  await db.contract.update({ where: { id: due.id }, data: { validUntil: past() } });
  const draft = await makeContract(tenant.id, { status: 'DRAFT', scope: 'PRODUCTION' });
  const { ctx } = await makeUser('ADMIN', null);
  const { approval } = await requestContractActivation(ctx, draft.id, { reason: 'falls due' });
  if (!approval) throw new Error('expected a request');
  await db.approvalRequest.update({ where: { id: approval.id }, data: { expiresAt: past() } });
  return { tenant, due: due.id, draft: draft.id, approval: approval.id };
}

describe('maintenance round', () => {
  it('marks what fell due, as Charter with request metadata of its own, and seals the chain it wrote to', async () => {
    const mine = await tenantWithDueWork();
    const other = await tenantWithDueWork();
    const round = await runMaintenanceOf([mine.tenant.id]);
    expect(round).toMatchObject({ ran: true, contractsExpired: 1, approvalsExpired: 1, partitions: 1, sealed: 1 });

    expect(await db.contract.findUniqueOrThrow({ where: { id: mine.due } })).toMatchObject({ status: 'EXPIRED', expiredAt: expect.any(Date) });
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: mine.approval } })).status).toBe('EXPIRED');
    expect((await db.contract.findUniqueOrThrow({ where: { id: mine.draft } })).status).toBe('DRAFT');
    const events = await db.auditEvent.findMany({ where: { chain: mine.tenant.id, actorType: 'system', actorId: { startsWith: 'charter:' } }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => `${e.action} ${e.actorId}`)).toEqual([
      'contract.status_changed charter:contract-expiry',
      'contract.status_changed charter:approval-expiry',
      'approval.expired charter:approval-expiry',
    ]);
    for (const e of events) expect(e).toMatchObject({ ip: null, userAgent: e.actorLabel, requestId: expect.any(String) });
    const head = await db.auditChain.findUniqueOrThrow({ where: { id: mine.tenant.id } });
    expect(await db.auditCheckpoint.findFirst({ where: { chain: mine.tenant.id, seq: head.lastSeq } })).not.toBeNull();

    // Confined to its chains: the other tenant's due work waits for a round of its own.
    expect((await db.contract.findUniqueOrThrow({ where: { id: other.due } })).status).toBe('ACTIVE');
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: other.approval } })).status).toBe('PENDING');

    // Nothing is left to do for this tenant.
    expect(await runMaintenanceOf([mine.tenant.id])).toMatchObject({ ran: true, contractsExpired: 0, approvalsExpired: 0, sealed: 0 });
    expect(await runMaintenanceOf([other.tenant.id])).toMatchObject({ ran: true, contractsExpired: 1, approvalsExpired: 1 });
  });

  it('runs on one instance at a time: a round while another holds the lock is skipped, not queued', async () => {
    const tenant = await makeTenant();
    const other = await rawPool().connect();
    try {
      // Another instance's round (waiting out one of another test file, if need be).
      while (!(await other.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtext('charter:maintenance')) AS locked`)).rows[0]?.locked) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await runMaintenance({ chains: [tenant.id] })).toEqual({ ran: false, contractsExpired: 0, approvalsExpired: 0, partitions: 0, sealed: 0 });
    } finally {
      await other.query(`SELECT pg_advisory_unlock(hashtext('charter:maintenance'))`);
      other.release();
    }
    expect((await runMaintenanceOf([tenant.id])).ran).toBe(true);
  });
});
