import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { AUTHENTICATED, routeDefinitionOf, type RouteDefinition } from '@/lib/http/route';
import { IDEMPOTENCY_TTL_MS } from '@/lib/http/idempotency';
import { HEADERS, IDEMPOTENCY_KEY_PARAMETER, PARAMETER_SCHEMAS, PROBLEM_RESPONSES, ProblemSchema, type ProblemResponseName, SECURITY_SCHEMES, responseHeaders } from './components';
import { type JsonSchema, SchemaCollector, isOptionalInput } from './schema';

// The OpenAPI 3.1 document of /api/v1, generated from the definitions route() records: the same
// zod schemas that validate requests describe them here (io "input" for requests, "output" for
// responses). Served at /api/v1/openapi.json and rendered at /api-reference.

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type Ref = { $ref: string };
export type ParameterObject = {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
  example?: unknown;
};
export type ResponseObject = {
  description: string;
  headers?: Record<string, Ref | { description: string; schema: JsonSchema }>;
  content?: Record<string, { schema: JsonSchema; example?: unknown }>;
};
export type OperationObject = {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters: (ParameterObject | Ref)[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, ResponseObject | Ref>;
  /** The permission (API key scope) the operation needs; null for public operations, "authenticated" for any valid key. */
  'x-charter-permission': string | null;
  'x-charter-paginated'?: true;
  /** Set when the handler was not made by route(), so nothing is known about it (a test fails). */
  'x-charter-undocumented'?: true;
};
export type OpenApiDocument = {
  openapi: '3.1.1';
  info: { title: string; version: string; summary: string; description: string };
  jsonSchemaDialect: string;
  tags: { name: string; description?: string }[];
  security: Record<string, string[]>[];
  paths: Record<string, Partial<Record<Lowercase<HttpMethod>, OperationObject>>>;
  components: {
    securitySchemes: typeof SECURITY_SCHEMES;
    schemas: Record<string, JsonSchema>;
    parameters: Record<string, ParameterObject>;
    headers: typeof HEADERS;
    responses: Record<string, ResponseObject>;
  };
};

const TAG_DESCRIPTIONS: Record<string, string> = {
  Tenants: 'Customer organisations. Tenant keys see only their own tenant; only platform keys create or change tenants.',
  Deployments: "A tenant's self-hosted installations, and the heartbeat their agents report.",
  Models: 'The model catalogue: families and versions, with weights digests and lifecycle; who runs each version (adoption) and whom deprecating it would affect.',
  Rollouts: 'Which model version a deployment is pinned to and how it gets there: pins, scheduled upgrades with notice, rollbacks. Agents read theirs to know what to run.',
  Contracts: 'Contracts between the vendor and a tenant, and the entitlements they grant.',
  Audit: 'The append-only, hash-chained audit trail.',
  Meta: 'About the API itself.',
  Identity: 'Who the caller is: any valid API key may ask, whatever its scopes.',
};

const API_DESCRIPTION = `Charter's REST API for integrations and deployment agents. Every operation below is generated from the same zod schemas that validate its requests.

**Authentication.** Send an API key as \`Authorization: Bearer chr_…\`. A key holds exactly its scopes and is bound to one tenant or to the platform; the tenant always comes from the key, never from the request. Another tenant's objects answer 404. A browser session cookie works too, with the signed-in role's permissions.

**Errors.** Failures are RFC 9457 \`application/problem+json\` bodies with a stable \`code\` and the \`requestId\` (also in the \`X-Request-Id\` header). Invalid input lists each field in \`errors\` and changes nothing.

**Pagination.** Lists are keyset-paginated: pass \`limit\` (1–200, default 50) and the opaque \`cursor\` from the previous page; the body is \`{ "data": [...], "nextCursor": "…" | null }\`.

**Idempotency.** Any POST may carry an \`Idempotency-Key\` header (1–255 visible ASCII characters, e.g. a UUID). For ${IDEMPOTENCY_TTL_MS / 3_600_000} hours, a retry with the same key and body returns the stored response (\`Idempotency-Replayed: true\`) instead of executing again; the same key with another body or endpoint is a 409 \`idempotency_conflict\`, as is a retry while the first request is still running. Server errors (5xx) are not stored, and neither is a response that holds a newly issued API key (its retry is a 409 with reason \`not_replayable\`). Without the header, a retried POST may be executed twice.

**Rate limits.** Each API key may make a fixed number of requests per minute (600 by default; configured per installation). Every response to a key carries \`RateLimit-Limit\`, \`RateLimit-Remaining\`, \`RateLimit-Reset\` (seconds) and \`RateLimit-Policy\`; past the limit the answer is 429 \`rate_limited\` with \`Retry-After\`. Behind several app instances the limit may be exceeded by at most a small documented margin (5 % of the limit per instance by default).`;

const ref = (kind: string, name: string): Ref => ({ $ref: `#/components/${kind}/${name}` });

/** /api/v1/model-versions/{id} → "Model versions". */
function defaultTag(template: string): string {
  const segment = template.replace(/^\/api\/v1\/?/, '').split('/')[0] || 'Meta';
  const words = segment.replace(/\.json$/, '').replace(/-/g, ' ');
  if (segment === 'openapi.json') return 'Meta';
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** GET /api/v1/deployments/{id}/heartbeat → "getDeploymentsByIdHeartbeat". */
function defaultOperationId(method: HttpMethod, template: string): string {
  const parts = template
    .replace(/^\/api\/v1\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((p) => {
      const param = /^\{(.+)\}$/.exec(p);
      const words = (param ? `by-${param[1]}` : p).split(/[^A-Za-z0-9]+/).filter(Boolean);
      return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
    });
  return method.toLowerCase() + parts.join('');
}

function objectProperties(collector: SchemaCollector, schema: z.ZodType): { properties: Record<string, JsonSchema>; required: Set<string> } {
  const json = collector.convert(schema, 'input');
  const target = typeof json.$ref === 'string' ? (collector.components[json.$ref.split('/').pop() ?? ''] ?? json) : json;
  return {
    properties: (target.properties ?? {}) as Record<string, JsonSchema>,
    required: new Set((target.required ?? []) as string[]),
  };
}

function describeParameter(name: string, where: ParameterObject['in'], schema: JsonSchema, required: boolean): ParameterObject {
  const { description, ...rest } = schema;
  return {
    name,
    in: where,
    required,
    ...(typeof description === 'string' ? { description } : {}),
    schema: typeof description === 'string' ? rest : schema,
  };
}

type Context = { collector: SchemaCollector; standardParameters: Record<string, { name: string; schema: JsonSchema }> };

function buildOperation(ctx: Context, template: string, method: HttpMethod, def: RouteDefinition): OperationObject {
  const { collector } = ctx;
  const isPublic = def.permission === null;
  // Any valid key or session: an empty scope list in the security requirement, and no 403.
  const anyScope = def.permission === AUTHENTICATED;
  const scopes = isPublic || anyScope ? [] : [def.permission as string];
  const idempotent = method === 'POST' && !isPublic;
  const parameters: (ParameterObject | Ref)[] = [];

  // Path parameters: every {name} in the template, described by the params schema when there is one.
  const pathProps = def.params ? objectProperties(collector, def.params).properties : {};
  for (const [, name] of template.matchAll(/\{([^}]+)\}/g)) {
    parameters.push(describeParameter(name, 'path', pathProps[name] ?? { type: 'string' }, true));
  }

  let paginated = false;
  if (def.query) {
    const { properties, required } = objectProperties(collector, def.query);
    paginated = 'cursor' in properties && 'limit' in properties;
    for (const [name, schema] of Object.entries(properties)) {
      const standard = Object.entries(ctx.standardParameters).find(([, p]) => p.name === name && isDeepStrictEqual(p.schema, schema));
      parameters.push(standard ? ref('parameters', standard[0]) : describeParameter(name, 'query', schema, required.has(name)));
    }
  }
  if (idempotent) parameters.push(ref('parameters', 'IdempotencyKey'));

  const status = def.status ?? (method === 'POST' ? 201 : 200);
  const success: ResponseObject = {
    description: def.response ? (status === 201 ? 'Created.' : 'OK.') : 'OK. (No response schema declared.)',
    headers: responseHeaders({ authenticated: !isPublic, idempotent }),
    content: { 'application/json': { schema: def.response ? collector.convert(def.response, 'output') : {} } },
  };

  const problems: ProblemResponseName[] = [];
  const hasInput = Boolean(def.params || def.query || def.body) || idempotent;
  if (hasInput) problems.push('BadRequest');
  if (!isPublic) problems.push('Unauthorized');
  if (!isPublic && !anyScope) problems.push('Forbidden');
  if (def.params || /\{[^}]+\}/.test(template)) problems.push('NotFound');
  if (method !== 'GET') problems.push('Conflict');
  if (def.body || idempotent) problems.push('PayloadTooLarge');
  if (!isPublic) problems.push('TooManyRequests');
  problems.push('InternalError');

  const responses: Record<string, ResponseObject | Ref> = { [String(status)]: success };
  for (const name of problems) responses[String(PROBLEM_RESPONSES[name].status)] = ref('responses', name);

  const descriptionParts = [def.description, paginated ? 'Paginated: pass `nextCursor` back as `cursor` to get the next page.' : undefined].filter(Boolean);
  return {
    operationId: def.operationId ?? defaultOperationId(method, template),
    summary: def.summary ?? `${method} ${template}`,
    ...(descriptionParts.length ? { description: descriptionParts.join('\n\n') } : {}),
    tags: def.tags?.length ? def.tags : [defaultTag(template)],
    security: isPublic ? [] : [{ apiKey: scopes }, { session: scopes }],
    parameters,
    ...(def.body ? { requestBody: { required: !isOptionalInput(def.body), content: { 'application/json': { schema: collector.convert(def.body, 'input') } } } } : {}),
    responses,
    'x-charter-permission': def.permission,
    ...(paginated ? { 'x-charter-paginated': true as const } : {}),
  };
}

function undocumentedOperation(template: string, method: HttpMethod): OperationObject {
  return {
    operationId: defaultOperationId(method, template),
    summary: `${method} ${template} (undocumented: not made with route())`,
    tags: [defaultTag(template)],
    security: [],
    parameters: [...template.matchAll(/\{([^}]+)\}/g)].map(([, name]) => describeParameter(name, 'path', { type: 'string' }, true)),
    responses: { default: { description: 'Unknown.' } },
    'x-charter-permission': null,
    'x-charter-undocumented': true,
  };
}

/** A module of route handlers by HTTP method, as route() and publicRoute() make them. */
export type RouteModule = Partial<Record<HttpMethod, unknown>>;
/** OpenAPI path template (`/api/v1/deployments/{id}`) → its route module: lib/api/v1/routes.ts. */
export type RouteTable = Record<string, RouteModule>;

/** Builds the document from a route table (lib/api/v1/routes.ts API_ROUTES). */
export function buildOpenApiDocument(routes: RouteTable): OpenApiDocument {
  const collector = new SchemaCollector();
  collector.convert(ProblemSchema, 'output');
  const standardParameters = Object.fromEntries(
    Object.entries(PARAMETER_SCHEMAS).map(([name, schema]) => [name.charAt(0).toUpperCase() + name.slice(1), { name, schema: collector.convert(schema, 'input') }]),
  );
  const ctx: Context = { collector, standardParameters };

  const paths: OpenApiDocument['paths'] = {};
  for (const template of Object.keys(routes).sort()) {
    const mod = routes[template];
    const item: OpenApiDocument['paths'][string] = {};
    for (const method of HTTP_METHODS) {
      const handler = mod[method];
      if (handler === undefined) continue;
      const def = routeDefinitionOf(handler);
      item[method.toLowerCase() as Lowercase<HttpMethod>] = def ? buildOperation(ctx, template, method, def) : undocumentedOperation(template, method);
    }
    paths[template] = item;
  }

  const usedTags = new Set(Object.values(paths).flatMap((item) => Object.values(item).flatMap((op) => op?.tags ?? [])));
  const parameters: Record<string, ParameterObject> = { IdempotencyKey: IDEMPOTENCY_KEY_PARAMETER as ParameterObject };
  for (const [component, p] of Object.entries(standardParameters)) {
    parameters[component] = describeParameter(p.name, 'query', p.schema, false);
  }
  parameters.Limit.description ??= 'Page size (1–200, default 50).';
  parameters.Cursor.description ??= 'Opaque cursor from `nextCursor` of the previous page; omit for the first page.';

  return {
    openapi: '3.1.1',
    info: {
      title: 'Charter API',
      version: '1.0.0',
      summary: 'Control plane for sovereign, self-hosted AI model deployments.',
      description: API_DESCRIPTION,
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    tags: [...usedTags].sort().map((name) => ({ name, ...(TAG_DESCRIPTIONS[name] ? { description: TAG_DESCRIPTIONS[name] } : {}) })),
    security: [{ apiKey: [] }, { session: [] }],
    paths,
    components: {
      securitySchemes: SECURITY_SCHEMES,
      schemas: Object.fromEntries(Object.entries(collector.components).sort(([a], [b]) => a.localeCompare(b))),
      parameters,
      headers: HEADERS,
      responses: Object.fromEntries(Object.entries(PROBLEM_RESPONSES).map(([name, r]) => [name, r.response as ResponseObject])),
    },
  };
}
