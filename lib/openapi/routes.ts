// The one list of /api/v1 route modules, by OpenAPI path template, that the OpenAPI document is
// generated from. A test (lib/openapi/openapi.test.ts) fails if a route.ts under app/api/v1 or one
// of its exported methods is missing here or in the document: add new routes to this list.

export type RouteModule = Partial<Record<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', unknown>>;

export const API_ROUTES: Record<string, () => Promise<RouteModule>> = {
  '/api/v1/openapi.json': () => import('@/app/api/v1/openapi.json/route'),
  '/api/v1/tenants': () => import('@/app/api/v1/tenants/route'),
  '/api/v1/tenants/{id}': () => import('@/app/api/v1/tenants/[id]/route'),
  '/api/v1/deployments': () => import('@/app/api/v1/deployments/route'),
  '/api/v1/deployments/{id}': () => import('@/app/api/v1/deployments/[id]/route'),
  '/api/v1/deployments/{id}/heartbeat': () => import('@/app/api/v1/deployments/[id]/heartbeat/route'),
  '/api/v1/models': () => import('@/app/api/v1/models/route'),
  '/api/v1/model-versions': () => import('@/app/api/v1/model-versions/route'),
  '/api/v1/model-versions/{id}': () => import('@/app/api/v1/model-versions/[id]/route'),
  '/api/v1/contracts': () => import('@/app/api/v1/contracts/route'),
  '/api/v1/contracts/{id}': () => import('@/app/api/v1/contracts/[id]/route'),
  '/api/v1/audit-events': () => import('@/app/api/v1/audit-events/route'),
};
