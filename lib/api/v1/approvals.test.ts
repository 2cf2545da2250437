import { NextRequest } from 'next/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '@/lib/access/system';
import { Approval } from '@/lib/approvals/schema';
import { ContractChange, ContractVersionList } from '@/lib/modules/contracts/schema';
import { createApiKey, requestPlatformApiKey } from '@/lib/modules/api-keys/service';
import { approveRequest } from '@/lib/approvals/service';
import { makeContract, makeKey, makeModelVersion, makeTenant, makeUser } from '@/lib/testing/factories';
import * as activation from '@/lib/api/v1/contracts/activation';
import * as amendments from '@/lib/api/v1/contracts/amendments';
import * as termination from '@/lib/api/v1/contracts/termination';
import * as versions from '@/lib/api/v1/contracts/versions';
import * as approve from '@/lib/api/v1/approvals/approve';
import * as cancel from '@/lib/api/v1/approvals/cancel';
import * as reject from '@/lib/api/v1/approvals/reject';

// The four-eyes routes over HTTP, with API keys of people (a key counts as the user who created it).
// Keys made by the system have no person behind them: they can neither request nor decide.

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function call(handler: Handler, key: string, path: string, input: { id: string; body?: unknown; method?: string }) {
  const req = new NextRequest(new URL(`http://localhost${path}`), {
    method: input.method ?? 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: input.body === undefined ? undefined : JSON.stringify(input.body),
  });
  const res = await handler(req, { params: Promise.resolve({ id: input.id }) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), json: JSON.parse(text) as Record<string, unknown> };
}

const SCOPES = ['approvals:decide', 'approvals:read', 'contracts:write', 'contracts:read'] as const;

/** A platform key of `owner`, itself obtained through four-eyes (approved by `approver`). */
async function keyOf(owner: Awaited<ReturnType<typeof makeUser>>, approver: Awaited<ReturnType<typeof makeUser>>): Promise<string> {
  const input = { name: `key of ${owner.email}`, tenantId: null, deploymentId: null, scopes: [...SCOPES], expiresInDays: 1, allowedCidrs: [] };
  const request = await requestPlatformApiKey(owner.ctx, { ...input, reason: 'api test' });
  await approveRequest(approver.ctx, request.id, 'ok');
  return (await createApiKey(owner.ctx, input, { approvalId: request.id })).key;
}

let alice: Awaited<ReturnType<typeof makeUser>>;
let bob: Awaited<ReturnType<typeof makeUser>>;
let aliceKey: string;
let bobKey: string;
let familyId: string;

beforeAll(async () => {
  [alice, bob] = [await makeUser('ADMIN', null), await makeUser('ADMIN', null)];
  [aliceKey, bobKey] = [await keyOf(alice, bob), await keyOf(bob, alice)];
  familyId = (await makeModelVersion()).familyId;
});

describe('four-eyes over the API', () => {
  it("activation: requested with one person's key, refused to the same person's key, approved with another's", async () => {
    const tenant = await makeTenant();
    const draft = await makeContract(tenant.id, { familyIds: [familyId], status: 'DRAFT' });
    const requested = await call(activation.POST, aliceKey, `/api/v1/contracts/${draft.id}/activation`, { id: draft.id, body: { reason: 'signed' } });
    expect(requested.status).toBe(202);
    const change = ContractChange.parse(requested.json);
    expect(change).toMatchObject({ kind: 'requested', contract: { status: 'PENDING_APPROVAL' }, approval: { requestedBy: { id: alice.id } } });
    const id = change.approval?.id as string;

    const self = await call(approve.POST, aliceKey, `/api/v1/approvals/${id}/approve`, { id, body: { note: 'lgtm' } });
    expect(self.status).toBe(403);
    expect(self.type).toContain('application/problem+json');
    expect(self.json).toMatchObject({ code: 'forbidden', reason: 'self_approval' });

    const tooShort = await call(approve.POST, bobKey, `/api/v1/approvals/${id}/approve`, { id, body: { note: 'k' } });
    expect(tooShort.status).toBe(400);
    expect(tooShort.json).toMatchObject({ code: 'validation_failed', errors: [{ path: 'note' }] });

    const approved = await call(approve.POST, bobKey, `/api/v1/approvals/${id}/approve`, { id, body: { note: 'checked' } });
    expect(approved.status).toBe(200);
    expect(Approval.parse(approved.json)).toMatchObject({ status: 'APPROVED', decidedBy: { id: bob.id } });
  });

  it('termination can be withdrawn by its requester or rejected by another person; amendments add a version on approval', async () => {
    const tenant = await makeTenant();
    const contract = await makeContract(tenant.id, { familyIds: [familyId] });
    const path = `/api/v1/contracts/${contract.id}`;
    const first = ContractChange.parse(
      (await call(termination.POST, aliceKey, `${path}/termination`, { id: contract.id, body: { reason: 'breach', terminationReason: 'PROVIDER_BREACH' } })).json,
    );
    const firstId = first.approval?.id as string;
    expect((await call(cancel.POST as Handler, bobKey, `/api/v1/approvals/${firstId}/cancel`, { id: firstId, body: { note: 'not mine' } })).status).toBe(403);
    expect((await call(cancel.POST as Handler, aliceKey, `/api/v1/approvals/${firstId}/cancel`, { id: firstId, body: { note: 'settled' } })).json).toMatchObject({
      status: 'CANCELLED',
    });
    const second = ContractChange.parse((await call(termination.POST, aliceKey, `${path}/termination`, { id: contract.id, body: { reason: 'breach again' } })).json);
    const secondId = second.approval?.id as string;
    expect((await call(reject.POST as Handler, bobKey, `/api/v1/approvals/${secondId}/reject`, { id: secondId, body: { note: 'no evidence' } })).json).toMatchObject({
      status: 'REJECTED',
    });

    const amended = await call(amendments.POST, aliceKey, `${path}/amendments`, {
      id: contract.id,
      body: {
        reference: contract.reference,
        type: 'SUBSCRIPTION',
        validFrom: '2026-01-01',
        validUntil: '2029-01-01',
        noticePeriodDays: 90,
        governingLaw: 'Law of Germany',
        dataProcessingCountries: ['DE'],
        exitPeriodDays: 180,
        entitlements: [{ modelFamilyId: familyId, maxDeployments: 9 }],
        reason: 'one more year',
      },
    });
    expect(amended.status).toBe(202);
    const amendment = ContractChange.parse(amended.json).approval?.id as string;
    await call(approve.POST, bobKey, `/api/v1/approvals/${amendment}/approve`, { id: amendment, body: { note: 'signed addendum' } });
    const list = ContractVersionList.parse((await call(versions.GET, aliceKey, `${path}/versions`, { id: contract.id, method: 'GET' })).json);
    expect(list.data.map((v) => v.version)).toEqual([2, 1]);
    expect(list.data[0]?.terms).toMatchObject({ validUntil: '2029-01-01T00:00:00.000Z' });
  });

  it('refuses keys without a person behind them, and tenant keys cannot hold the scopes (denied-role test)', async () => {
    const tenant = await makeTenant();
    const draft = await makeContract(tenant.id, { familyIds: [familyId], status: 'DRAFT' });
    const system = await makeKey(null, ['contracts:write', 'approvals:decide']);
    const res = await call(activation.POST, system.key, `/api/v1/contracts/${draft.id}/activation`, { id: draft.id, body: { reason: 'x y z' } });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ code: 'forbidden', detail: expect.stringContaining('Only a person') });
    await expect(
      createApiKey(systemCtx('test'), { name: 'x', tenantId: tenant.id, deploymentId: null, scopes: ['approvals:decide'], expiresInDays: 1, allowedCidrs: [] }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
  });
});
