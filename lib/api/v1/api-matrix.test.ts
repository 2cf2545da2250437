import { randomUUID } from 'node:crypto';
import { NextRequest } from 'next/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { API_ROUTES } from '@/lib/api/v1/routes';
import { systemCtx } from '@/lib/access/system';
import { generateApiKey } from '@/lib/core/crypto/api-key';
import { API_KEY_SCOPES, type ApiKeyScope, PLATFORM_ONLY_SCOPES } from '@/lib/modules/api-keys/schema';
import { AuditEventPage } from '@/lib/modules/audit-trail/search-schema';
import { IngestResult } from '@/lib/modules/audit-trail/ingest-schema';
import { Approval, ApprovalPage } from '@/lib/approvals/schema';
import { Bundle } from '@/lib/modules/bundles/schema';
import { Contract, ContractPage, ContractVersionList } from '@/lib/modules/contracts/schema';
import { Deployment, DeploymentPage, HeartbeatAck } from '@/lib/modules/deployments/schema';
import { Adoption, ModelFamilyPage, ModelVersion, ModelVersionPage, VersionImpact } from '@/lib/modules/models/schema';
import { Rollout, RolloutPage } from '@/lib/modules/rollouts/schema';
import { Tenant, TenantPage, type TenantDto } from '@/lib/modules/tenants/schema';
import { createApiKey } from '@/lib/modules/api-keys/service';
import { bootstrap } from '@/lib/runtime/bootstrap';
import { requestContractActivation } from '@/lib/modules/contracts/service';
import { makeContract, makeDeployment, makeModelVersion, makeTenant, makeUser, randomLei, uniqueSlug } from '@/lib/testing/factories';

// The scope × route matrix (the tenant isolation guarantee). Every /api/v1 route and method,
// called through its exported Next.js handler with a bearer key:
//   - a key of the object's tenant holding the route's scope        → 2xx, body matches the schema
//   - a key of that tenant holding every scope except that one       → 401, byte-identical to an unknown key
//   - a key of another tenant holding the scope                      → 404 (objects) or a list without the
//                                                                       first tenant's items
//   - a platform key holding the scope                               → 2xx, for either tenant
// A route file or method without a row here fails the test, so new routes join the matrix.

/** Routes outside the matrix, and why. */
const UNSCOPED: Record<string, string> = {
  'GET /api/v1/openapi.json': 'the public API description; no tenant data, no key needed',
  'GET /api/v1/whoami': 'any valid key, whatever its scopes; describes only the caller (lib/api/v1/whoami.test.ts)',
  'GET /api/v1/keys': 'the published public signing keys; public by design, no tenant data',
  // Four-eyes needs a person: a key counts as the user who created it, and these system-made keys
  // have none, so they are refused (403). lib/api/v1/approvals.test.ts covers these routes with
  // keys of users, including the refusal of self-approval.
  'POST /api/v1/approvals/[id]/approve': 'decisions need a key created by a person (lib/api/v1/approvals.test.ts)',
  'POST /api/v1/approvals/[id]/reject': 'decisions need a key created by a person (lib/api/v1/approvals.test.ts)',
  'POST /api/v1/approvals/[id]/cancel': 'only the requester, a person, withdraws (lib/api/v1/approvals.test.ts)',
  'POST /api/v1/contracts/[id]/activation': 'a four-eyes request needs a person behind the key (lib/api/v1/approvals.test.ts)',
  'POST /api/v1/contracts/[id]/termination': 'a four-eyes request needs a person behind the key (lib/api/v1/approvals.test.ts)',
  'POST /api/v1/contracts/[id]/amendments': 'a four-eyes request needs a person behind the key (lib/api/v1/approvals.test.ts)',
};

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Fixture = { tenant: TenantDto; deploymentId: string; contractId: string };
type Request = { params?: Record<string, string>; query?: Record<string, string>; body?: unknown };

type Case = {
  method: Method;
  /** The route's directory under app/, e.g. /api/v1/deployments/[id]. */
  route: string;
  scope: ApiKeyScope;
  /**
   * object: one object of a tenant; create: makes one in a tenant; list: a tenant-scoped list;
   * catalogue: shared by all tenants; platform: platform keys only (tenant keys cannot hold the scope).
   */
  kind: 'object' | 'create' | 'list' | 'catalogue' | 'platform';
  status: number;
  schema: z.ZodType;
  /** The request against `f`'s tenant; called afresh for every request (mutations get fresh objects). */
  request: (f: Fixture) => Promise<Request> | Request;
  /** For lists: the tenant each item belongs to. */
  tenantOf?: (item: Record<string, unknown>) => unknown;
  /** Only tenant-bound keys may call it (a platform key holding the scope gets 403). */
  tenantOnly?: boolean;
  /** For a body that is not one JSON document (e.g. a CSV export): turns its text into what `schema` checks. */
  parse?: (text: string) => unknown;
};

const bodyOf = (c: Case, res: { text: string; json: () => Record<string, unknown> }) => c.schema.parse(c.parse ? c.parse(res.text) : res.json());

const contractBody = (f: Fixture) => ({
  tenantId: f.tenant.id,
  reference: uniqueSlug('API'),
  type: 'SUBSCRIPTION',
  validFrom: '2026-01-01',
  validUntil: '2029-12-31',
  noticePeriodDays: 90,
  governingLaw: 'Law of Germany',
  dataProcessingCountries: [f.tenant.allowedCountries[0]],
  exitPeriodDays: 90,
  entitlements: [{ modelFamilyId: catalogue.familyId, maxDeployments: 1 }],
});

/** A pending four-eyes request of a person about a fresh draft of `f`'s tenant. */
async function pendingApproval(f: Fixture): Promise<string> {
  // STAGING: the fixture's active contract covers ALL, and one scope holds one active contract.
  const draft = await makeContract(f.tenant.id, { status: 'DRAFT', scope: 'STAGING' });
  const { ctx } = await makeUser('ADMIN', null);
  const { approval } = await requestContractActivation(ctx, draft.id, { reason: 'matrix' });
  if (!approval) throw new Error('expected a request');
  return approval.id;
}

const deploymentBody = (f: Fixture) => ({
  tenantId: f.tenant.id,
  name: uniqueSlug('api'),
  environment: 'STAGING',
  country: f.tenant.allowedCountries[0],
  hosting: 'PRIVATE_CLOUD',
});
const freshDeployment = async (f: Fixture) => ({ params: { id: (await makeDeployment(f.tenant)).id } });

let catalogue: { versionId: string; family: string; familyId: string; version: string };

const CASES: Case[] = [
  {
    method: 'GET',
    route: '/api/v1/tenants',
    scope: 'tenants:read',
    kind: 'list',
    status: 200,
    schema: TenantPage,
    request: (f) => ({ query: { q: f.tenant.slug } }),
    tenantOf: (t) => t.id,
  },
  {
    method: 'POST',
    route: '/api/v1/tenants',
    scope: 'tenants:write',
    kind: 'platform',
    status: 201,
    schema: Tenant,
    request: () => ({
      body: { slug: uniqueSlug('api'), legalName: 'Matrix Bank AG', lei: randomLei(), sector: 'FINANCE', homeCountry: 'DE', allowedCountries: ['DE'], sensitivity: 'OFFICIAL' },
    }),
  },
  { method: 'GET', route: '/api/v1/tenants/[id]', scope: 'tenants:read', kind: 'object', status: 200, schema: Tenant, request: (f) => ({ params: { id: f.tenant.id } }) },
  {
    method: 'PATCH',
    route: '/api/v1/tenants/[id]',
    scope: 'tenants:write',
    kind: 'platform',
    status: 200,
    schema: Tenant,
    request: (f) => ({ params: { id: f.tenant.id }, body: { sector: 'RESEARCH' } }),
  },

  {
    method: 'GET',
    route: '/api/v1/deployments',
    scope: 'deployments:read',
    kind: 'list',
    status: 200,
    schema: DeploymentPage,
    request: (f) => ({ query: { tenantId: f.tenant.id } }),
    tenantOf: (d) => d.tenantId,
  },
  { method: 'POST', route: '/api/v1/deployments', scope: 'deployments:write', kind: 'create', status: 201, schema: Deployment, request: (f) => ({ body: deploymentBody(f) }) },
  {
    method: 'GET',
    route: '/api/v1/deployments/[id]',
    scope: 'deployments:read',
    kind: 'object',
    status: 200,
    schema: Deployment,
    request: (f) => ({ params: { id: f.deploymentId } }),
  },
  {
    method: 'PATCH',
    route: '/api/v1/deployments/[id]',
    scope: 'deployments:write',
    kind: 'object',
    status: 200,
    schema: Deployment,
    request: (f) => ({ params: { id: f.deploymentId }, body: { hosting: 'SOVEREIGN_CLOUD' } }),
  },
  { method: 'DELETE', route: '/api/v1/deployments/[id]', scope: 'deployments:write', kind: 'object', status: 200, schema: Deployment, request: freshDeployment },
  {
    method: 'POST',
    route: '/api/v1/deployments/[id]/heartbeat',
    scope: 'deployments:write',
    kind: 'object',
    status: 200,
    schema: HeartbeatAck,
    request: (f) => ({ params: { id: f.deploymentId }, body: { agentVersion: '3.1.4', running: [{ modelVersionId: catalogue.versionId }] } }),
  },

  {
    method: 'GET',
    route: '/api/v1/deployments/[id]/rollouts',
    scope: 'deployments:read',
    kind: 'object',
    status: 200,
    schema: RolloutPage,
    request: (f) => ({ params: { id: f.deploymentId } }),
  },
  {
    method: 'POST',
    route: '/api/v1/deployments/[id]/rollouts',
    scope: 'deployments:write',
    kind: 'object',
    status: 201,
    schema: Rollout,
    request: async (f) => ({ params: { id: (await makeDeployment(f.tenant)).id }, body: { modelVersionId: catalogue.versionId } }),
  },
  {
    method: 'POST',
    route: '/api/v1/deployments/[id]/running-versions',
    scope: 'deployments:write',
    kind: 'object',
    status: 200,
    schema: Deployment,
    request: async (f) => {
      const d = await makeDeployment(f.tenant, { environment: 'AIRGAPPED' });
      const file = {
        v: 1,
        type: 'charter.running-versions',
        deployment: { id: d.id, name: d.name },
        reportedAt: new Date().toISOString(),
        running: [{ family: catalogue.family, version: catalogue.version }],
      };
      return { params: { id: d.id }, body: file };
    },
  },
  {
    method: 'GET',
    route: '/api/v1/adoption',
    scope: 'deployments:read',
    kind: 'catalogue',
    status: 200,
    schema: Adoption,
    request: () => ({ query: { family: catalogue.family } }),
  },
  {
    method: 'GET',
    route: '/api/v1/model-versions/[id]/impact',
    scope: 'models:read',
    kind: 'catalogue',
    status: 200,
    schema: VersionImpact,
    request: () => ({ params: { id: catalogue.versionId } }),
  },
  { method: 'GET', route: '/api/v1/models', scope: 'models:read', kind: 'catalogue', status: 200, schema: ModelFamilyPage, request: () => ({ query: { q: catalogue.family } }) },
  {
    method: 'GET',
    route: '/api/v1/model-versions',
    scope: 'models:read',
    kind: 'catalogue',
    status: 200,
    schema: ModelVersionPage,
    request: () => ({ query: { family: catalogue.family } }),
  },
  {
    method: 'GET',
    route: '/api/v1/model-versions/[id]',
    scope: 'models:read',
    kind: 'catalogue',
    status: 200,
    schema: ModelVersion,
    request: () => ({ params: { id: catalogue.versionId } }),
  },

  {
    method: 'GET',
    route: '/api/v1/contracts',
    scope: 'contracts:read',
    kind: 'list',
    status: 200,
    schema: ContractPage,
    request: (f) => ({ query: { tenantId: f.tenant.id } }),
    tenantOf: (c) => c.tenantId,
  },
  { method: 'GET', route: '/api/v1/contracts/[id]', scope: 'contracts:read', kind: 'object', status: 200, schema: Contract, request: (f) => ({ params: { id: f.contractId } }) },
  {
    method: 'GET',
    route: '/api/v1/contracts/[id]/versions',
    scope: 'contracts:read',
    kind: 'object',
    status: 200,
    schema: ContractVersionList,
    request: (f) => ({ params: { id: f.contractId } }),
  },
  { method: 'POST', route: '/api/v1/contracts', scope: 'contracts:write', kind: 'platform', status: 201, schema: Contract, request: (f) => ({ body: contractBody(f) }) },
  {
    method: 'PUT',
    route: '/api/v1/contracts/[id]',
    scope: 'contracts:write',
    kind: 'platform',
    status: 200,
    schema: Contract,
    request: async (f) => {
      const draft = await makeContract(f.tenant.id, { status: 'DRAFT' });
      const { tenantId: _tenant, ...terms } = contractBody(f);
      return { params: { id: draft.id }, body: { ...terms, noticePeriodDays: 30 } };
    },
  },
  {
    method: 'GET',
    route: '/api/v1/approvals',
    scope: 'approvals:read',
    kind: 'platform',
    status: 200,
    schema: ApprovalPage,
    request: (f) => ({ query: { tenantId: f.tenant.id } }),
  },
  {
    method: 'GET',
    route: '/api/v1/approvals/[id]',
    scope: 'approvals:read',
    kind: 'platform',
    status: 200,
    schema: Approval,
    request: async (f) => ({ params: { id: await pendingApproval(f) } }),
  },
  {
    method: 'GET',
    route: '/api/v1/deployments/[id]/bundle',
    scope: 'entitlements:read',
    kind: 'object',
    status: 200,
    schema: Bundle,
    request: (f) => ({ params: { id: f.deploymentId } }),
  },

  {
    method: 'GET',
    route: '/api/v1/audit-events',
    scope: 'audit:read',
    kind: 'list',
    status: 200,
    schema: AuditEventPage,
    request: (f) => ({ query: { tenantId: f.tenant.id } }),
    tenantOf: (e) => e.chain,
  },
  {
    method: 'POST',
    route: '/api/v1/audit-events',
    scope: 'audit:write',
    kind: 'create',
    status: 200,
    schema: IngestResult,
    tenantOnly: true,
    request: (f) => ({
      body: { deploymentId: f.deploymentId, events: [{ id: randomUUID(), occurredAt: new Date().toISOString(), action: 'model.loaded', actor: { type: 'service' } }] },
    }),
  },
  {
    method: 'GET',
    route: '/api/v1/audit-events/export',
    scope: 'audit:read',
    kind: 'object',
    status: 200,
    schema: z.array(z.string()).min(2),
    request: (f) => ({ query: { chain: f.tenant.id, format: 'csv', actionGroup: 'tenant' } }),
    parse: (text) => text.trimEnd().split('\n'),
  },
];

/** Every route of the /api/v1 table (the route files of app/api/v1 re-export it: lib/api/v1/routes.test.ts), as its route directory (/api/v1/…/[id]). */
function routeFiles(): string[] {
  return Object.keys(API_ROUTES).map((template) => template.replace(/\{(\w+)\}/g, '[$1]'));
}

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

function loadRoute(route: string): Partial<Record<Method, Handler>> {
  const template = route.replace(/\[(\w+)\]/g, '{$1}') as keyof typeof API_ROUTES;
  return API_ROUTES[template] ?? {};
}

async function call(c: Case, key: string, r: Request): Promise<{ status: number; text: string; json: () => Record<string, unknown> }> {
  const handler = loadRoute(c.route)[c.method];
  if (!handler) throw new Error(`${c.method} ${c.route} is not exported`);
  const pathname = c.route.replace(/\[(\w+)\]/g, (_m, name: string) => encodeURIComponent(r.params?.[name] ?? ''));
  const url = new URL(`http://localhost${pathname}`);
  for (const [k, v] of Object.entries(r.query ?? {})) url.searchParams.set(k, v);
  const req = new NextRequest(url, {
    method: c.method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'user-agent': 'api-matrix-test' },
    body: r.body === undefined ? undefined : JSON.stringify(r.body),
  });
  const res = await handler(req, { params: Promise.resolve(r.params ?? {}) });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

// One key per (owner, scope set), made once; the ids of each tenant's keys, to trace them in the audit log.
const keys = new Map<string, Promise<string>>();
const keyIds = new Map<string | null, Set<string>>();
function keyFor(tenantId: string | null, scopes: ApiKeyScope[]): Promise<string> {
  const id = `${tenantId ?? 'platform'}:${[...scopes].sort().join(',')}`;
  let key = keys.get(id);
  if (!key) {
    key = createApiKey(systemCtx('test'), { name: 'matrix', tenantId, deploymentId: null, scopes, expiresInDays: 1, allowedCidrs: [] }).then((k) => {
      keyIds.set(tenantId, (keyIds.get(tenantId) ?? new Set()).add(k.apiKey.id));
      return k.key;
    });
    keys.set(id, key);
  }
  return key;
}
const allBut = (scope: ApiKeyScope, tenantKey: boolean) => API_KEY_SCOPES.filter((s) => s !== scope && !(tenantKey && PLATFORM_ONLY_SCOPES.includes(s)));

let a: Fixture;
let b: Fixture;
let unknownKeyResponse: { status: number; text: string };

async function fixture(): Promise<Fixture> {
  const tenant = await makeTenant();
  const deployment = await makeDeployment(tenant);
  // Grants the catalogue's family, so rollouts can pin to it (room for every fresh deployment below).
  const contract = await makeContract(tenant.id, { familyIds: [catalogue.familyId], maxDeployments: 100 });
  return { tenant, deploymentId: deployment.id, contractId: contract.id };
}

beforeAll(async () => {
  await bootstrap(); // a signing key, for the bundle route
  const version = await makeModelVersion();
  catalogue = { versionId: version.id, family: version.family, familyId: version.familyId, version: version.version };
  [a, b] = [await fixture(), await fixture()];
  const probe = CASES.find((c) => c.route === '/api/v1/deployments/[id]' && c.method === 'GET') as Case;
  unknownKeyResponse = await call(probe, generateApiKey().key, probe.request(a) as Request);
  expect(unknownKeyResponse.status).toBe(401);
});

const label = (c: Case) => `${c.method} ${c.route} (${c.scope})`;

describe('/api/v1 scope × route matrix', () => {
  it('covers every route and method of the /api/v1 table', () => {
    const found: string[] = [];
    for (const route of routeFiles()) {
      const mod = loadRoute(route);
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const) if (typeof mod[method] === 'function') found.push(`${method} ${route}`);
    }
    const covered = new Set([...CASES.map((c) => `${c.method} ${c.route}`), ...Object.keys(UNSCOPED)]);
    expect(found.filter((r) => !covered.has(r))).toEqual([]);
    expect(CASES.map((c) => `${c.method} ${c.route}`).filter((r) => !found.includes(r))).toEqual([]);
  });

  describe.each(CASES.map((c) => [label(c), c] as const))('%s', (_label, c) => {
    it('answers a key with the scope, of the own tenant, with 2xx and a body matching its schema', async () => {
      if (c.kind === 'platform') {
        expect(PLATFORM_ONLY_SCOPES).toContain(c.scope);
        await expect(
          createApiKey(systemCtx('test'), { name: 'x', tenantId: a.tenant.id, deploymentId: null, scopes: [c.scope], expiresInDays: 1, allowedCidrs: [] }),
        ).rejects.toMatchObject({ code: 'validation_failed' });
        return;
      }
      const res = await call(c, await keyFor(a.tenant.id, [c.scope]), await c.request(a));
      expect(res.status, res.text).toBe(c.status);
      const body = bodyOf(c, res) as Record<string, unknown>;
      if (c.kind === 'list') {
        const items = body.data as Record<string, unknown>[];
        expect(items.length).toBeGreaterThan(0);
        expect(items.every((i) => c.tenantOf?.(i) === a.tenant.id)).toBe(true);
      }
    });

    it('answers a key without the scope exactly like an unknown key (401)', async () => {
      const tenantId = c.kind === 'platform' ? null : a.tenant.id;
      const res = await call(c, await keyFor(tenantId, allBut(c.scope, tenantId !== null)), await c.request(a));
      expect(res.status).toBe(401);
      expect(res.text).toBe(unknownKeyResponse.text);
    });

    it("keeps another tenant's key out: 404 for objects, none of the tenant's items in lists", async () => {
      if (c.kind === 'platform') return; // a tenant key cannot hold the scope (see the first test)
      const key = await keyFor(b.tenant.id, [c.scope]);
      const res = await call(c, key, await c.request(a));
      if (c.kind === 'object' || c.kind === 'create') {
        expect(res.status, res.text).toBe(404);
        expect(res.json()).toMatchObject({ code: 'not_found', status: 404 });
        return;
      }
      expect(res.status, res.text).toBe(200);
      const body = bodyOf(c, res) as { data: Record<string, unknown>[] };
      if (c.kind === 'catalogue') return; // shared by all tenants
      expect(body.data).toEqual([]);
      // Unfiltered, the other tenant's key lists its own items only.
      const own = c.schema.parse((await call(c, key, {})).json()) as { data: Record<string, unknown>[] };
      expect(own.data.length).toBeGreaterThan(0);
      expect(own.data.every((i) => c.tenantOf?.(i) === b.tenant.id)).toBe(true);
    });

    it('answers a platform key with the scope with 2xx, for either tenant', async () => {
      const key = await keyFor(null, [c.scope]);
      if (c.tenantOnly) {
        // e.g. audit uploads: the tenant (whose chain receives them) comes from the key, never the request.
        const res = await call(c, key, await c.request(a));
        expect(res.status, res.text).toBe(403);
        return;
      }
      for (const f of [a, b]) {
        const res = await call(c, key, await c.request(f));
        expect(res.status, res.text).toBe(c.status);
        const body = bodyOf(c, res) as Record<string, unknown>;
        if (c.kind === 'list') {
          const items = body.data as Record<string, unknown>[];
          expect(items.length).toBeGreaterThan(0);
          expect(items.every((i) => c.tenantOf?.(i) === f.tenant.id)).toBe(true);
        }
      }
    });
  });

  it("left no trace of the other tenant's keys in tenant A's audit chain: every refused request changed nothing", async () => {
    const audit = CASES.find((c) => c.route === '/api/v1/audit-events') as Case;
    const events = AuditEventPage.parse((await call(audit, await keyFor(null, ['audit:read']), { query: { tenantId: a.tenant.id, limit: '200' } })).json());
    const actors = new Set(events.data.map((e) => e.actor.id));
    for (const id of keyIds.get(b.tenant.id) ?? []) expect(actors.has(id)).toBe(false);
    // …while A's own keys did act there (the allowed requests).
    expect([...(keyIds.get(a.tenant.id) ?? [])].some((id) => actors.has(id))).toBe(true);
  });
});
