import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Ctx } from '@/lib/access/actor';
import { db } from '@/lib/core/db';
import { makeContract, makeModelVersion, makeTenant, makeUser, runMaintenanceOf } from '@/lib/testing/factories';
import { createApiKey, requestPlatformApiKey } from '@/lib/modules/api-keys/service';
import { verifyApiKey } from '@/lib/access/api-keys/verify';
import { approveRequest, cancelRequest, countApprovalsAwaiting, getApproval, listApprovals, rejectRequest } from './service';
import { getContract, requestContractActivation } from '@/lib/modules/contracts/service';

const page = { limit: 50, view: 'all' } as const;

/** A second signed-in session of the same user: same user id, another session and request. */
function secondSession(ctx: Ctx): Ctx {
  return { actor: { ...ctx.actor, sessionId: randomUUID() }, request: { ip: '203.0.113.9', userAgent: 'other browser', requestId: randomUUID() } };
}

async function draftWithRequest() {
  const tenant = await makeTenant();
  const v = await makeModelVersion();
  const contract = await makeContract(tenant.id, { familyIds: [v.familyId], status: 'DRAFT' });
  const alice = await makeUser('ADMIN', null);
  const bob = await makeUser('ADMIN', null);
  const result = await requestContractActivation(alice.ctx, contract.id, { reason: 'signed by both parties' });
  if (!result.approval) throw new Error('expected a request');
  return { tenant, contract, alice, bob, approval: result.approval };
}

async function auditActions(targetId: string): Promise<string[]> {
  const rows = await db.auditEvent.findMany({ where: { targetId }, orderBy: { occurredAt: 'asc' }, select: { action: true } });
  return rows.map((r) => r.action);
}

describe('four-eyes approvals', () => {
  it('a second administrator approves and the action runs in the same transaction, audited', async () => {
    const { contract, alice, bob, approval } = await draftWithRequest();
    expect(approval).toMatchObject({ action: 'CONTRACT_ACTIVATE', status: 'PENDING', requestedBy: { id: alice.id }, target: { type: 'contract', id: contract.id } });
    expect(new Date(approval.expiresAt).getTime() - new Date(approval.requestedAt).getTime()).toBe(72 * 3_600_000);
    expect((await getContract(alice.ctx, contract.id)).status).toBe('PENDING_APPROVAL');
    expect(await countApprovalsAwaiting(bob.ctx)).toBeGreaterThanOrEqual(1);
    expect((await listApprovals(bob.ctx, { ...page, view: 'inbox' })).data.map((a) => a.id)).toContain(approval.id);
    expect((await listApprovals(alice.ctx, { ...page, view: 'inbox' })).data.map((a) => a.id)).not.toContain(approval.id);
    expect((await listApprovals(alice.ctx, { ...page, view: 'mine' })).data.map((a) => a.id)).toContain(approval.id);

    const decided = await approveRequest(bob.ctx, approval.id, 'checked against the signed PDF');
    expect(decided).toMatchObject({ status: 'APPROVED', decidedBy: { id: bob.id }, decisionNote: 'checked against the signed PDF', result: { status: 'ACTIVE' } });
    expect(decided.executedAt).not.toBeNull();
    expect((await getContract(alice.ctx, contract.id)).status).toBe('ACTIVE');
    expect(await auditActions(approval.id)).toEqual(['approval.requested', 'approval.approved']);
    expect(await auditActions(contract.id)).toEqual(['contract.created', 'contract.status_changed', 'contract.status_changed']);
    await expect(approveRequest(bob.ctx, approval.id, 'again')).rejects.toMatchObject({ code: 'invalid_transition' });
  });

  it('refuses self-approval: the same session, a second session, and an API key of the same user', async () => {
    const { contract, alice, bob, approval } = await draftWithRequest();
    await expect(approveRequest(alice.ctx, approval.id, 'lgtm')).rejects.toMatchObject({ code: 'forbidden', extra: { reason: 'self_approval' } });
    await expect(approveRequest(secondSession(alice.ctx), approval.id, 'lgtm')).rejects.toMatchObject({ code: 'forbidden', extra: { reason: 'self_approval' } });
    await expect(rejectRequest(alice.ctx, approval.id, 'nope')).rejects.toMatchObject({ code: 'forbidden', extra: { reason: 'self_approval' } });

    // Alice gets a platform key that may decide approvals — itself four-eyes, approved by Bob.
    const keyRequest = {
      name: `alice-${randomUUID().slice(0, 6)}`,
      tenantId: null,
      deploymentId: null,
      scopes: ['approvals:decide', 'approvals:read'] as const,
      expiresInDays: 1,
      allowedCidrs: [],
    };
    await expect(createApiKey(alice.ctx, { ...keyRequest, scopes: [...keyRequest.scopes] })).rejects.toMatchObject({ code: 'forbidden', extra: { reason: 'approval_required' } });
    const keyApproval = await requestPlatformApiKey(alice.ctx, { ...keyRequest, scopes: [...keyRequest.scopes], reason: 'automation' });
    await approveRequest(bob.ctx, keyApproval.id, 'ok');
    await expect(createApiKey(bob.ctx, { ...keyRequest, scopes: [...keyRequest.scopes] }, { approvalId: keyApproval.id })).rejects.toMatchObject({ code: 'forbidden' });
    const { key } = await createApiKey(alice.ctx, { ...keyRequest, scopes: ['approvals:decide'] }, { approvalId: keyApproval.id });
    await expect(createApiKey(alice.ctx, { ...keyRequest, scopes: [...keyRequest.scopes] }, { approvalId: keyApproval.id })).rejects.toMatchObject({ code: 'invalid_transition' });
    const verdict = await verifyApiKey(key, { ip: null, permission: 'approvals:decide' });
    if (!verdict.ok) throw new Error(verdict.reason);
    // The approved grants were used, not the ones sent when collecting.
    expect([...verdict.actor.permissions].sort()).toEqual(['approvals:decide', 'approvals:read']);
    const viaKey: Ctx = { actor: verdict.actor, request: { ip: null, userAgent: 'api', requestId: randomUUID() } };
    await expect(approveRequest(viaKey, approval.id, 'lgtm')).rejects.toMatchObject({ code: 'forbidden', extra: { reason: 'self_approval' } });

    expect((await getApproval(bob.ctx, approval.id)).status).toBe('PENDING');
    expect((await getContract(bob.ctx, contract.id)).status).toBe('PENDING_APPROVAL');
  });

  it('rejection and cancellation close the request and return the contract to DRAFT', async () => {
    const first = await draftWithRequest();
    const rejected = await rejectRequest(first.bob.ctx, first.approval.id, 'wrong end date');
    expect(rejected).toMatchObject({ status: 'REJECTED', decisionNote: 'wrong end date', executedAt: null });
    expect((await getContract(first.alice.ctx, first.contract.id)).status).toBe('DRAFT');

    const again = (await requestContractActivation(first.alice.ctx, first.contract.id, { reason: 'fixed' })).approval;
    if (!again) throw new Error('expected a request');
    await expect(cancelRequest(first.bob.ctx, again.id, 'not yours')).rejects.toMatchObject({ code: 'forbidden' });
    expect(await cancelRequest(first.alice.ctx, again.id, 'wrong tenant')).toMatchObject({ status: 'CANCELLED' });
    expect((await getContract(first.alice.ctx, first.contract.id)).status).toBe('DRAFT');
    expect(await auditActions(again.id)).toEqual(['approval.requested', 'approval.cancelled']);
  });

  it('one pending request per action and target', async () => {
    const { contract, bob } = await draftWithRequest();
    await expect(requestContractActivation(bob.ctx, contract.id, { reason: 'me too' })).rejects.toMatchObject({ status: 409 });
  });

  it('expires after 72 hours: an expired request cannot be approved and is marked EXPIRED, audited', async () => {
    const { contract, alice, bob, approval } = await draftWithRequest();
    await db.approvalRequest.update({ where: { id: approval.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await getApproval(bob.ctx, approval.id)).status).toBe('EXPIRED');
    await expect(approveRequest(bob.ctx, approval.id, 'late')).rejects.toMatchObject({ code: 'invalid_transition', status: 409 });
    const row = await db.approvalRequest.findUniqueOrThrow({ where: { id: approval.id } });
    expect(row.status).toBe('EXPIRED');
    expect((await getContract(alice.ctx, contract.id)).status).toBe('DRAFT');
    expect(await auditActions(approval.id)).toEqual(['approval.requested', 'approval.expired']);
    // Marked by Charter, not by bob: none of his request's metadata is on the event.
    const expired = await db.auditEvent.findFirstOrThrow({ where: { targetId: approval.id, action: 'approval.expired' } });
    expect(expired).toMatchObject({ actorType: 'system', actorId: 'charter:approval-expiry', ip: null, userAgent: 'charter (approval expiry)' });
    expect(expired.requestId).not.toBe(bob.ctx.request.requestId);
  });

  it('reads a request past its 72 hours as EXPIRED without marking it; the maintenance round marks it', async () => {
    const { tenant, contract, alice, approval, bob } = await draftWithRequest();
    await db.approvalRequest.update({ where: { id: approval.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const listed = async (query: Partial<Parameters<typeof listApprovals>[1]>) =>
      (await listApprovals(bob.ctx, { ...page, tenantId: tenant.id, ...query })).data.map((a) => `${a.id}:${a.status}`);
    expect(await listed({})).toEqual([`${approval.id}:EXPIRED`]);
    expect(await listed({ status: 'EXPIRED' })).toEqual([`${approval.id}:EXPIRED`]);
    expect(await listed({ status: 'PENDING' })).toEqual([]);
    expect(await listed({ view: 'history' })).toEqual([`${approval.id}:EXPIRED`]);
    expect(await listed({ view: 'inbox' })).toEqual([]);
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe('PENDING');
    expect(await auditActions(approval.id)).toEqual(['approval.requested']);

    const round = await runMaintenanceOf([tenant.id]);
    expect(round).toMatchObject({ ran: true, approvalsExpired: 1 });
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe('EXPIRED');
    expect((await db.contract.findUniqueOrThrow({ where: { id: contract.id } })).status).toBe('DRAFT');
    expect(await auditActions(approval.id)).toEqual(['approval.requested', 'approval.expired']);
    expect(await listed({ status: 'EXPIRED' })).toEqual([`${approval.id}:EXPIRED`]);
    expect((await getContract(alice.ctx, contract.id)).status).toBe('DRAFT');
  });

  it('denies roles without approvals:decide (denied-role test)', async () => {
    const { approval, tenant } = await draftWithRequest();
    const auditor = await makeUser('AUDITOR', null);
    await expect(approveRequest(auditor.ctx, approval.id, 'x')).rejects.toMatchObject({ code: 'forbidden' });
    const tenantAdmin = await makeUser('TENANT_ADMIN', tenant.id);
    await expect(approveRequest(tenantAdmin.ctx, approval.id, 'x')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(listApprovals(tenantAdmin.ctx, page)).rejects.toMatchObject({ code: 'forbidden' });
    expect((await listApprovals(auditor.ctx, { ...page, view: 'inbox' })).data).toEqual([]);
  });

  it("isolates tenants: a tenant auditor sees only its tenant's requests (cross-tenant test)", async () => {
    const mine = await draftWithRequest();
    const theirs = await draftWithRequest();
    const auditor = await makeUser('AUDITOR', mine.tenant.id);
    const ids = (await listApprovals(auditor.ctx, page)).data.map((a) => a.id);
    expect(ids).toContain(mine.approval.id);
    expect(ids).not.toContain(theirs.approval.id);
    await expect(getApproval(auditor.ctx, theirs.approval.id)).rejects.toMatchObject({ code: 'not_found', status: 404 });
    expect((await listApprovals(auditor.ctx, { ...page, tenantId: theirs.tenant.id })).data).toEqual([]);
  });
});
