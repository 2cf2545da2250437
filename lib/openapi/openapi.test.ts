import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { NextRequest } from 'next/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, getOpenApiJson as openApiRoute } from '@/lib/api/v1/routes';
import { GET as getTenantRoute } from '@/lib/api/v1/tenants/item';
import { GET as listTenantsRoute, POST as createTenantRoute } from '@/lib/api/v1/tenants/collection';
import { systemCtx } from '@/lib/access/system';
import { AppError, ERROR_STATUS, type ErrorCode, toProblem } from '@/lib/core/errors';
import { PERMISSIONS } from '@/lib/access/permissions';
import { AUTHENTICATED, routeDefinitionOf } from '@/lib/http/route';
import { API_KEY_SCOPES } from '@/lib/modules/api-keys/schema';
import { createApiKey } from '@/lib/modules/api-keys/service';
import { makeTenant } from '@/lib/testing/factories';
import { ProblemSchema } from './components';
import { HTTP_METHODS, type OpenApiDocument, type OperationObject, buildOpenApiDocument } from './document';

const NEXT_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

let doc: OpenApiDocument;
beforeAll(() => {
  doc = buildOpenApiDocument(API_ROUTES);
});

function operations(): [string, string, OperationObject][] {
  return Object.entries(doc.paths).flatMap(([p, item]) => Object.entries(item).map(([m, op]) => [p, m, op] as [string, string, OperationObject]));
}

describe('OpenAPI document: completeness', () => {
  // That the route files of app/api/v1 and this table agree is lib/api/v1/routes.test.ts's.
  it.each(Object.keys(API_ROUTES).sort())('documents every method of %s, with route() metadata', (template) => {
    const listed = API_ROUTES[template as keyof typeof API_ROUTES] as Record<string, unknown>;
    const methods = NEXT_METHODS.filter((m) => listed[m] !== undefined);
    expect(methods.length, `${template} has no HTTP method`).toBeGreaterThan(0);
    for (const method of methods) {
      expect(routeDefinitionOf(listed[method]), `${method} ${template} is not made with route()/publicRoute()`).not.toBeNull();
      expect(HTTP_METHODS as readonly string[], `${method} cannot be documented`).toContain(method);
      const op = doc.paths[template]?.[method.toLowerCase() as 'get'];
      expect(op, `${method} ${template} is missing from the document`).toBeDefined();
      expect(op!['x-charter-undocumented']).toBeUndefined();
    }
  });

  it('has unique operation ids, a summary and tags on every operation, and API-key scopes that exist', () => {
    const ids = operations().map(([, , op]) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [p, m, op] of operations()) {
      expect(op.summary, `${m} ${p}`).toBeTruthy();
      expect(op.tags.length, `${m} ${p}`).toBeGreaterThan(0);
      const permission = op['x-charter-permission'];
      if (permission === null) expect(op.security).toEqual([]);
      else if (permission === AUTHENTICATED) expect(op.security).toContainEqual({ apiKey: [] });
      else expect(op.security).toContainEqual({ apiKey: [permission] });
    }
    const known = new Set<string>([...PERMISSIONS, AUTHENTICATED]);
    for (const [p, m, op] of operations()) if (op['x-charter-permission'] !== null) expect(known.has(op['x-charter-permission']), `${m} ${p}`).toBe(true);
    // The bearer scheme lists the scopes a key can hold.
    for (const scope of API_KEY_SCOPES) expect(doc.components.securitySchemes.apiKey.description).toContain(`\`${scope}\``);
  });

  it('puts Idempotency-Key on every authenticated POST, RateLimit headers and problem responses on every authenticated operation', () => {
    for (const [p, m, op] of operations()) {
      if (op['x-charter-permission'] === null) continue;
      const refs = op.parameters.map((x) => ('$ref' in x ? x.$ref : x.name));
      if (m === 'post') expect(refs, `${m} ${p}`).toContain('#/components/parameters/IdempotencyKey');
      for (const status of ['401', '429', '500']) expect(op.responses[status], `${m} ${p} ${status}`).toBeDefined();
      // 403 only where a scope is needed: any valid key may call an AUTHENTICATED route.
      expect(op.responses['403'] !== undefined, `${m} ${p} 403`).toBe(op['x-charter-permission'] !== AUTHENTICATED);
      const success = Object.entries(op.responses).find(([s]) => s.startsWith('2'))![1] as { headers: Record<string, unknown> };
      expect(Object.keys(success.headers)).toEqual(expect.arrayContaining(['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'X-Request-Id']));
    }
  });

  it('describes paginated lists with the shared limit/cursor parameters and a { data, nextCursor } body', () => {
    const lists = operations().filter(([, , op]) => op['x-charter-paginated']);
    expect(lists.length).toBeGreaterThan(0);
    for (const [p, , op] of lists) {
      const refs = op.parameters.flatMap((x) => ('$ref' in x ? [x.$ref] : []));
      expect(refs, p).toEqual(expect.arrayContaining(['#/components/parameters/Limit', '#/components/parameters/Cursor']));
    }
  });
});

describe('OpenAPI document: validity', () => {
  it('validates as OpenAPI 3.1 with an independent validator', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(JSON.stringify(doc)) as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // …and the validator is not vacuous: a broken document fails.
    const broken = JSON.parse(JSON.stringify(doc)) as { paths: Record<string, Record<string, { responses?: unknown }>> };
    broken.paths['/api/v1/tenants'].get.responses = 'none';
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('matches what the API actually sends (responses validated against the document with Ajv 2020-12)', async () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema({ $id: 'https://charter.invalid/openapi.json', components: doc.components });
    const check = (pointer: string, value: unknown) => {
      const validate = ajv.getSchema(`https://charter.invalid/openapi.json#/components/${pointer}`);
      expect(validate, pointer).toBeDefined();
      const ok = validate!(value);
      expect(validate!.errors ?? [], `${pointer}: ${JSON.stringify(value)}`).toEqual([]);
      expect(ok).toBe(true);
    };

    const tenant = await makeTenant();
    const { key } = await createApiKey(systemCtx('test'), {
      name: 'openapi',
      tenantId: null,
      deploymentId: null,
      scopes: ['tenants:read', 'tenants:write'],
      expiresInDays: 1,
      allowedCidrs: [],
    });
    const auth = { authorization: `Bearer ${key}` };
    const one = await getTenantRoute(new NextRequest(`http://localhost/api/v1/tenants/${tenant.id}`, { headers: auth }), { params: Promise.resolve({ id: tenant.id }) });
    expect(one.status).toBe(200);
    check('schemas/Tenant', await one.json());
    const page = await listTenantsRoute(new NextRequest('http://localhost/api/v1/tenants?limit=2', { headers: auth }), { params: Promise.resolve({}) });
    check('schemas/TenantPage', await page.json());

    const invalid = await createTenantRoute(new NextRequest('http://localhost/api/v1/tenants', { method: 'POST', headers: auth, body: '{"slug":"X"}' }), {
      params: Promise.resolve({}),
    });
    expect(invalid.status).toBe(400);
    check('schemas/Problem', await invalid.json());
    for (const code of Object.keys(ERROR_STATUS) as ErrorCode[]) {
      const problem = toProblem(new AppError(code, 'example', { errors: [{ path: 'a.b', message: 'is wrong' }] }), 'req-12345678');
      check('schemas/Problem', problem);
      expect(ProblemSchema.safeParse(problem).success).toBe(true);
    }
  });

  it('is served publicly at /api/v1/openapi.json', async () => {
    const res = await openApiRoute(new NextRequest('http://localhost/api/v1/openapi.json'), { params: Promise.resolve({}) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const served = (await res.json()) as OpenApiDocument;
    expect(served.openapi).toBe('3.1.1');
    expect(Object.keys(served.paths).sort()).toEqual(Object.keys(doc.paths).sort());
  });
});
