import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { encode } from 'next-auth/jwt';
import { NextRequest } from 'next/server';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '@/lib/access/actor';
import { sessionCookieName } from '@/lib/http/auth-options';
import { can } from '@/lib/access/guard';
import { db } from '@/lib/core/db';
import { getEnv } from '@/lib/core/env';
import { AUTHENTICATED, routeDefinitionOf } from '@/lib/http/route';
import { API_KEY_SCOPES, PLATFORM_ONLY_SCOPES } from '@/lib/modules/api-keys/schema';
import { APPROVAL_VIEWS } from '@/lib/approvals/schema';
import { listContractsQuery } from '@/lib/modules/contracts/schema';
import { requestPlatformApiKey, listApiKeys } from '@/lib/modules/api-keys/service';
import { canDecide, countApprovalsAwaiting, findPendingApproval, getApproval, listApprovals } from '@/lib/approvals/service';
import { getAuditEvent, listAuditEvents, listTenantAuditEvents } from '@/lib/modules/audit-trail/search';
import { listRetention } from '@/lib/modules/audit-trail/retention';
import { bootstrap } from '@/lib/runtime/bootstrap';
import { issueBundle } from '@/lib/modules/bundles/service';
import { getContract, listContracts, listContractsEndingBefore, listContractVersions, requestContractActivation } from '@/lib/modules/contracts/service';
import { countDeploymentsByStatus, getDeployment, listCoveredDeployments, listDeployments } from '@/lib/modules/deployments/service';
import { exportDoraRegister } from '@/lib/modules/dora-register/service';
import { getAdoption, getModelVersion, getVersionImpact, listModelFamilies, listModelVersions } from '@/lib/modules/models/service';
import { listNotifications } from '@/lib/modules/notifications/service';
import { listRollouts } from '@/lib/modules/rollouts/service';
import { resolveSessionActor, signIn } from '@/lib/access/sessions';
import { listPublicKeys } from '@/lib/modules/signing-keys/service';
import { countTenantsByStatus, getTenant, listTenants } from '@/lib/modules/tenants/service';
import { TEST_PASSWORD, makeContract, makeDeployment, makeKey, makeModelVersion, makeTenant, makeUser } from '@/lib/testing/factories';
import type { TenantDto } from '@/lib/modules/tenants/schema';
import type { ContractStatus, ApprovalStatus } from '@/lib/generated/prisma/enums';

// Reads write nothing: work that falls due runs in the maintenance round. With expiries due in tenant A, in tenant B and on the
// platform — an ACTIVE contract past its end, a contract whose activation request passed its 72
// hours, a platform request past its deadline — users of tenant A (a viewer, an auditor, and a
// tenant key) call every GET route under app/api through its exported handler, and every read
// service the dashboard's pages call. Every chain's head must stay where it was.
//
// Other test files write into their own tenants' chains and the platform chain meanwhile, so the
// check is strict where only this file writes — tenant A's and tenant B's chains — and, in every
// other chain, finds no new event that one of these reads could have caused: none carries a read's
// request id, user agent or IP, none is by one of the readers, none is about one of the objects
// that fell due (which nothing else here touches: every maintenance round in the tests is confined
// to its own tenants).
//
// Routes and page reads that record an audit event by design (issuing a bundle, an export: the
// reader's own act, in the reader's tenant's chain) are checked separately: that event and nothing
// else.

const ROOT = path.resolve(import.meta.dirname, '../..');
const API_DIR = path.join(ROOT, 'app/api');
const MARK = { userAgent: `reads-write-nothing/${randomUUID().slice(0, 8)}`, ip: '192.0.2.77' };

type Request = { params?: Record<string, string>; query?: Record<string, string> };
type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Side = { tenant: TenantDto; deploymentId: string; live: string; due: string; lapsed: string; lapsedApproval: string };
type Fixture = { a: Side; b: Side; versionId: string; platformApproval: string; platformTarget: string };

const CONTRACT_STATUSES: ContractStatus[] = ['DRAFT', 'PENDING_APPROVAL', 'ACTIVE', 'EXPIRED', 'TERMINATED'];
const APPROVAL_STATUSES: ApprovalStatus[] = ['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED', 'CANCELLED'];

/** Every read route and the requests made of it (several where a filter reads statuses). */
const READS: Record<string, (f: Fixture) => Request[]> = {
  'GET /api/health': () => [{}],
  'GET /api/ready': () => [{}],
  'GET /api/v1/openapi.json': () => [{}],
  'GET /api/v1/whoami': () => [{}],
  'GET /api/v1/keys': () => [{}],
  'GET /api/v1/tenants': () => [{}],
  'GET /api/v1/tenants/[id]': (f) => [{ params: { id: f.a.tenant.id } }, { params: { id: f.a.tenant.slug } }],
  'GET /api/v1/deployments': () => [{}],
  'GET /api/v1/deployments/[id]': (f) => [{ params: { id: f.a.deploymentId } }],
  'GET /api/v1/deployments/[id]/rollouts': (f) => [{ params: { id: f.a.deploymentId } }],
  'GET /api/v1/adoption': () => [{}],
  'GET /api/v1/models': () => [{}],
  'GET /api/v1/model-versions': () => [{}],
  'GET /api/v1/model-versions/[id]': (f) => [{ params: { id: f.versionId } }],
  'GET /api/v1/model-versions/[id]/impact': (f) => [{ params: { id: f.versionId } }],
  'GET /api/v1/contracts': () => [{}, ...CONTRACT_STATUSES.map((status) => ({ query: { status } }))],
  'GET /api/v1/contracts/[id]': (f) => [f.a.live, f.a.due, f.a.lapsed].map((id) => ({ params: { id } })),
  'GET /api/v1/contracts/[id]/versions': (f) => [{ params: { id: f.a.due } }],
  'GET /api/v1/approvals': () => [{}, ...APPROVAL_VIEWS.map((view) => ({ query: { view } })), ...APPROVAL_STATUSES.map((status) => ({ query: { status } }))],
  'GET /api/v1/approvals/[id]': (f) => [{ params: { id: f.a.lapsedApproval } }],
  'GET /api/v1/audit-events': (f) => [{}, { query: { chain: f.a.tenant.id } }],
};

/** GET routes whose one audit event is the point: the reader's own act, recorded in its tenant's chain. */
const AUDITED_READS: Record<string, { action: string; request: (f: Fixture) => Request }> = {
  'GET /api/v1/deployments/[id]/bundle': { action: 'bundle.issued', request: (f) => ({ params: { id: f.a.deploymentId } }) },
  'GET /api/v1/audit-events/export': { action: 'audit.exported', request: (f) => ({ query: { chain: f.a.tenant.id, format: 'csv' } }) },
};

/** Every read service the pages (and their loaders) call, as the page calls it. */
const PAGE_READS: Record<string, (ctx: Ctx, f: Fixture) => Promise<unknown>> = {
  listTenants: (ctx) => listTenants(ctx, { limit: 200, includeArchived: true }),
  getTenant: (ctx, f) => getTenant(ctx, f.a.tenant.slug),
  countTenantsByStatus: (ctx) => countTenantsByStatus(ctx),
  listDeployments: (ctx, f) => listDeployments(ctx, { tenantId: f.a.tenant.id, limit: 200, includeArchived: false }),
  getDeployment: (ctx, f) => getDeployment(ctx, f.a.deploymentId),
  countDeploymentsByStatus: (ctx) => countDeploymentsByStatus(ctx),
  listRollouts: (ctx, f) => listRollouts(ctx, f.a.deploymentId, { limit: 20 }),
  listModelFamilies: (ctx) => listModelFamilies(ctx, { limit: 200 }),
  listModelVersions: (ctx) => listModelVersions(ctx, { limit: 200 }),
  getModelVersion: (ctx, f) => getModelVersion(ctx, f.versionId),
  getVersionImpact: (ctx, f) => getVersionImpact(ctx, f.versionId),
  getAdoption: (ctx) => getAdoption(ctx),
  listContracts: async (ctx) => {
    for (const status of [undefined, ...CONTRACT_STATUSES]) await listContracts(ctx, listContractsQuery.parse({ limit: 50, status }));
  },
  getContract: async (ctx, f) => {
    for (const id of [f.a.live, f.a.due, f.a.lapsed]) await getContract(ctx, id);
  },
  listContractVersions: (ctx, f) => listContractVersions(ctx, f.a.due),
  listCoveredDeployments: async (ctx, f) => {
    for (const id of [f.a.live, f.a.due]) await listCoveredDeployments(ctx, id, { limit: 50 });
  },
  listContractsEndingBefore: (ctx) => listContractsEndingBefore(ctx, new Date(Date.now() + 180 * 86_400_000)),
  listApprovals: async (ctx) => {
    for (const view of APPROVAL_VIEWS) await listApprovals(ctx, { view, limit: 50 });
    for (const status of APPROVAL_STATUSES) await listApprovals(ctx, { view: 'all', status, limit: 50 });
  },
  getApproval: (ctx, f) => getApproval(ctx, f.a.lapsedApproval),
  canDecide: async (ctx, f) => canDecide(ctx, await getApproval(ctx, f.a.lapsedApproval)),
  countApprovalsAwaiting: (ctx) => countApprovalsAwaiting(ctx),
  findPendingApproval: (ctx, f) => findPendingApproval(ctx, { target: { type: 'contract', id: f.a.lapsed } }),
  listAuditEvents: (ctx, f) => listAuditEvents(ctx, { chain: f.a.tenant.id, limit: 50 }),
  listTenantAuditEvents: (ctx, f) => listTenantAuditEvents(ctx, { tenantId: f.a.tenant.id, limit: 50 }),
  getAuditEvent: (ctx, f) => getAuditEvent(ctx, f.a.tenant.id, 1),
  listRetention: (ctx) => listRetention(ctx),
  listApiKeys: (ctx) => listApiKeys(ctx, { limit: 50, includeInactive: true }),
  listPublicKeys: () => listPublicKeys(),
  listNotifications: (ctx) => listNotifications(ctx),
};

/** Page imports from lib/services that read nothing from the database. */
const PURE = new Set(['verifyVersionHash', 'diffTerms', 'heartbeatStaleMinutes', 'maxKeyDays']);

/** Page reads whose one audit event is the point (the dashboard's bundle download and DORA export). */
const AUDITED_PAGE_READS: Record<string, { action: string; run: (ctx: Ctx, f: Fixture) => Promise<unknown> }> = {
  issueBundle: { action: 'bundle.issued', run: (ctx, f) => issueBundle(ctx, f.a.deploymentId) },
  exportDoraRegister: { action: 'dora.register_exported', run: (ctx, f) => exportDoraRegister(ctx, { tenantId: f.a.tenant.id }) },
};

function filesUnder(dir: string, match: (file: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return filesUnder(full, match);
    return match(full) ? [full] : [];
  });
}

/** Every GET exported by a route.ts under app/api (but next-auth's own), as "GET /api/…". */
async function getRoutes(): Promise<string[]> {
  const out: string[] = [];
  const nextAuth = path.join(API_DIR, 'auth');
  for (const file of filesUnder(API_DIR, (f) => path.basename(f) === 'route.ts' && !f.startsWith(nextAuth))) {
    const route = `/${path.relative(path.join(ROOT, 'app'), path.dirname(file)).split(path.sep).join('/')}`;
    if (typeof (await loadRoute(route)).GET === 'function') out.push(`GET ${route}`);
  }
  return out.sort();
}

async function loadRoute(route: string): Promise<{ GET?: Handler }> {
  // eslint-disable-next-line no-restricted-syntax -- every route file under app/api, found on disk (/api/health and /api/ready are not in the /api/v1 table)
  return (await import(pathToFileURL(path.join(ROOT, 'app', route, 'route.ts')).href)) as { GET?: Handler };
}

type Reader = { name: string; ctx: Ctx; headers: Record<string, string> };
const requestIds = new Set<string>();

/** Request metadata that marks an event as caused by this file's reads. */
function readMeta(): Ctx['request'] {
  const requestId = `rwn-${randomUUID()}`;
  requestIds.add(requestId);
  return { ip: MARK.ip, userAgent: MARK.userAgent, requestId };
}

async function callRoute(reader: Reader, key: string, r: Request): Promise<{ status: number; text: string }> {
  const route = key.slice('GET '.length);
  const handler = (await loadRoute(route)).GET as Handler;
  const pathname = route.replace(/\[(\w+)\]/g, (_m, name: string) => encodeURIComponent(r.params?.[name] ?? ''));
  const url = new URL(`http://localhost${pathname}`);
  for (const [k, v] of Object.entries(r.query ?? {})) url.searchParams.set(k, v);
  const meta = readMeta();
  const req = new NextRequest(url, {
    method: 'GET',
    headers: { ...reader.headers, 'user-agent': MARK.userAgent, 'x-request-id': meta.requestId, 'x-forwarded-for': MARK.ip },
  });
  const res = await handler(req, { params: Promise.resolve(r.params ?? {}) });
  return { status: res.status, text: await res.text() };
}

/** May `reader` call this route? (Refusals are audited as access.denied by design, so they are not reads.) */
async function permitted(reader: Reader, key: string): Promise<boolean> {
  const permission = routeDefinitionOf((await loadRoute(key.slice('GET '.length))).GET)?.permission ?? null;
  return permission === null || permission === AUTHENTICATED || can(reader.ctx.actor, permission);
}

type Head = Map<string, bigint>;
const heads = async (): Promise<Head> => new Map((await db.auditChain.findMany({ select: { id: true, lastSeq: true } })).map((c) => [c.id, c.lastSeq]));

/** Every event appended to any chain between the two heads. */
async function appendedBetween(before: Head, after: Head) {
  const events = [];
  for (const [chain, seq] of after) {
    const from = before.get(chain) ?? 0n;
    if (seq > from) events.push(...(await db.auditEvent.findMany({ where: { chain, seq: { gt: from, lte: seq } }, orderBy: { seq: 'asc' } })));
  }
  return events;
}

let f: Fixture;
let readers: Reader[];
let readerIds: Set<string>;
let dueObjects: Set<string>;

async function side(tenant: TenantDto, familyId: string, requester: Ctx): Promise<Side> {
  const deployment = await makeDeployment(tenant);
  const live = await makeContract(tenant.id, { familyIds: [familyId], maxDeployments: 10 });
  // Falls due: an active contract past its end, and a draft whose activation request lapsed.
  const due = await makeContract(tenant.id, { scope: 'STAGING' });
  await db.contract.update({ where: { id: due.id }, data: { validUntil: new Date(Date.now() - 60_000) } });
  const lapsed = await makeContract(tenant.id, { status: 'DRAFT', scope: 'AIRGAPPED' });
  const { approval } = await requestContractActivation(requester, lapsed.id, { reason: 'falls due' });
  if (!approval) throw new Error('expected a request');
  await db.approvalRequest.update({ where: { id: approval.id }, data: { expiresAt: new Date(Date.now() - 60_000) } });
  return { tenant, deploymentId: deployment.id, live: live.id, due: due.id, lapsed: lapsed.id, lapsedApproval: approval.id };
}

async function sessionReader(role: 'TENANT_VIEWER' | 'AUDITOR', tenantId: string): Promise<Reader> {
  const user = await makeUser(role, tenantId);
  const signedIn = await signIn({ email: user.email, password: TEST_PASSWORD, request: { ip: null, userAgent: 'vitest', requestId: randomUUID() } });
  if (!signedIn.ok) throw new Error('sign-in failed');
  const actor = await resolveSessionActor(signedIn.sessionId);
  if (!actor) throw new Error('no session actor');
  const cookie = await encode({ token: { sid: signedIn.sessionId }, secret: getEnv().NEXTAUTH_SECRET });
  return { name: `${role} of tenant A`, ctx: { actor, request: readMeta() }, headers: { cookie: `${sessionCookieName()}=${cookie}` } };
}

beforeAll(async () => {
  await bootstrap(); // a signing key, for the bundle
  const version = await makeModelVersion();
  const admin = await makeUser('ADMIN', null);
  const a = await side(await makeTenant({ sector: 'FINANCE' }), version.familyId, admin.ctx);
  const b = await side(await makeTenant(), version.familyId, admin.ctx);
  const name = `rwn-${randomUUID().slice(0, 8)}`;
  const platform = await requestPlatformApiKey(admin.ctx, {
    name,
    tenantId: null,
    deploymentId: null,
    scopes: ['tenants:read'],
    expiresInDays: 1,
    allowedCidrs: [],
    reason: 'falls due',
  });
  await db.approvalRequest.update({ where: { id: platform.id }, data: { expiresAt: new Date(Date.now() - 60_000) } });
  f = { a, b, versionId: version.id, platformApproval: platform.id, platformTarget: platform.target.id };

  const key = await makeKey(
    a.tenant.id,
    API_KEY_SCOPES.filter((s) => !PLATFORM_ONLY_SCOPES.includes(s)),
  );
  readers = [
    await sessionReader('TENANT_VIEWER', a.tenant.id),
    await sessionReader('AUDITOR', a.tenant.id),
    { name: 'API key of tenant A', ctx: { actor: key.ctx.actor, request: readMeta() }, headers: { authorization: `Bearer ${key.key}` } },
  ];
  readerIds = new Set(readers.map((r) => r.ctx.actor.id));
  dueObjects = new Set([a, b].flatMap((s) => [s.due, s.lapsed, s.lapsedApproval]).concat(f.platformApproval, f.platformTarget));
});

/** The events among `events` that these reads caused, and why each is attributed to them. */
function causedByReads(events: Awaited<ReturnType<typeof appendedBetween>>) {
  return events
    .filter(
      (e) =>
        e.chain === f.a.tenant.id ||
        e.chain === f.b.tenant.id ||
        (e.requestId !== null && requestIds.has(e.requestId)) ||
        e.userAgent === MARK.userAgent ||
        e.ip === MARK.ip ||
        (e.actorId !== null && readerIds.has(e.actorId)) ||
        (e.targetId !== null && dueObjects.has(e.targetId)),
    )
    .map((e) => `${e.chain}#${e.seq} ${e.action} by ${e.actorLabel} (${e.targetType}:${e.targetId}, ua ${e.userAgent}, request ${e.requestId})`);
}

/** The objects that fell due are stored exactly as they were: no read marked them. */
async function expectDueObjectsUntouched(): Promise<void> {
  for (const s of [f.a, f.b]) {
    expect((await db.contract.findUniqueOrThrow({ where: { id: s.due } })).status).toBe('ACTIVE');
    expect((await db.contract.findUniqueOrThrow({ where: { id: s.lapsed } })).status).toBe('PENDING_APPROVAL');
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: s.lapsedApproval } })).status).toBe('PENDING');
  }
  expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: f.platformApproval } })).status).toBe('PENDING');
}

describe('reads write nothing', () => {
  it('knows every GET route under app/api and every read service the pages import', async () => {
    const known = new Set([...Object.keys(READS), ...Object.keys(AUDITED_READS)]);
    const routes = await getRoutes();
    expect(routes.filter((r) => !known.has(r))).toEqual([]);
    expect([...known].filter((r) => !routes.includes(r))).toEqual([]);

    // Pages, layouts and their loaders (server actions are writes: app/**/actions.ts).
    const sources = filesUnder(path.join(ROOT, 'app'), (file) => /\.tsx?$/.test(file) && !file.startsWith(API_DIR) && path.basename(file) !== 'actions.ts');
    const imported = new Set<string>();
    for (const file of sources) {
      for (const m of readFileSync(file, 'utf8').matchAll(/import\s*\{([^}]*)\}\s*from\s*'@\/lib\/services\/[^']+'/g)) {
        for (const name of m[1].split(',').map((n) => n.trim())) if (name && !name.startsWith('type ')) imported.add(name);
      }
    }
    const covered = new Set([...Object.keys(PAGE_READS), ...Object.keys(AUDITED_PAGE_READS), ...PURE]);
    expect([...imported].filter((n) => !covered.has(n)).sort()).toEqual([]);
  });

  it('as users of tenant A, with expiries due in tenants A and B and on the platform, every list and detail writes no audit event into any chain', async () => {
    const before = await heads();
    let calls = 0;
    const failures: string[] = [];
    for (const reader of readers) {
      for (const [key, requests] of Object.entries(READS)) {
        if (!(await permitted(reader, key))) continue;
        for (const r of requests(f)) {
          const res = await callRoute(reader, key, r);
          calls++;
          if (res.status !== 200) failures.push(`${reader.name}: ${key} ${JSON.stringify(r)} → ${res.status} ${res.text.slice(0, 200)}`);
        }
      }
      for (const [name, read] of Object.entries(PAGE_READS)) {
        try {
          await read({ actor: reader.ctx.actor, request: readMeta() }, f);
          calls++;
        } catch (err) {
          // A reader without the permission is refused before anything is read (no audit event).
          if ((err as { code?: string }).code !== 'forbidden') failures.push(`${reader.name}: ${name} threw ${String(err)}`);
        }
      }
    }
    const after = await heads();
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(100);
    expect(causedByReads(await appendedBetween(before, after))).toEqual([]);
    expect(after.get(f.a.tenant.id)).toBe(before.get(f.a.tenant.id));
    expect(after.get(f.b.tenant.id)).toBe(before.get(f.b.tenant.id));
    await expectDueObjectsUntouched();
  });

  it('an audited read (bundle, exports) records its own event in the reader’s chain, and nothing else anywhere', async () => {
    const auditor = readers.find((r) => r.name.startsWith('AUDITOR')) as Reader;
    const key = readers.find((r) => r.name.startsWith('API key')) as Reader;
    const acts: { name: string; action: string; run: () => Promise<unknown> }[] = [
      ...Object.entries(AUDITED_READS).map(([route, read]) => ({
        name: route,
        action: read.action,
        run: async () => {
          const reader = (await permitted(auditor, route)) ? auditor : key;
          const res = await callRoute(reader, route, read.request(f));
          expect(res.status, res.text.slice(0, 200)).toBe(200);
        },
      })),
      ...Object.entries(AUDITED_PAGE_READS).map(([name, read]) => ({ name, action: read.action, run: () => read.run({ actor: auditor.ctx.actor, request: readMeta() }, f) })),
    ];
    for (const act of acts) {
      const before = await heads();
      await act.run();
      const after = await heads();
      const events = await appendedBetween(before, after);
      const own = events.filter((e) => e.chain === f.a.tenant.id);
      expect(
        own.map((e) => e.action),
        act.name,
      ).toEqual([act.action]);
      expect(own[0]?.userAgent, act.name).toBe(MARK.userAgent);
      expect(causedByReads(events.filter((e) => e !== own[0])), act.name).toEqual([]);
      expect(after.get(f.b.tenant.id), act.name).toBe(before.get(f.b.tenant.id));
    }
    await expectDueObjectsUntouched();
  });
});
