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
  '/api/v1/deployments/{id}/rollouts': () => import('@/app/api/v1/deployments/[id]/rollouts/route'),
  '/api/v1/deployments/{id}/running-versions': () => import('@/app/api/v1/deployments/[id]/running-versions/route'),
  '/api/v1/model-versions/{id}/impact': () => import('@/app/api/v1/model-versions/[id]/impact/route'),
  '/api/v1/adoption': () => import('@/app/api/v1/adoption/route'),
  '/api/v1/models': () => import('@/app/api/v1/models/route'),
  '/api/v1/model-versions': () => import('@/app/api/v1/model-versions/route'),
  '/api/v1/model-versions/{id}': () => import('@/app/api/v1/model-versions/[id]/route'),
  '/api/v1/contracts': () => import('@/app/api/v1/contracts/route'),
  '/api/v1/contracts/{id}': () => import('@/app/api/v1/contracts/[id]/route'),
  '/api/v1/audit-events': () => import('@/app/api/v1/audit-events/route'),
  '/api/v1/audit-events/export': () => import('@/app/api/v1/audit-events/export/route'),
  '/api/v1/approvals': () => import('@/app/api/v1/approvals/route'),
  '/api/v1/approvals/{id}': () => import('@/app/api/v1/approvals/[id]/route'),
  '/api/v1/approvals/{id}/approve': () => import('@/app/api/v1/approvals/[id]/approve/route'),
  '/api/v1/approvals/{id}/reject': () => import('@/app/api/v1/approvals/[id]/reject/route'),
  '/api/v1/approvals/{id}/cancel': () => import('@/app/api/v1/approvals/[id]/cancel/route'),
  '/api/v1/contracts/{id}/versions': () => import('@/app/api/v1/contracts/[id]/versions/route'),
  '/api/v1/contracts/{id}/activation': () => import('@/app/api/v1/contracts/[id]/activation/route'),
  '/api/v1/contracts/{id}/termination': () => import('@/app/api/v1/contracts/[id]/termination/route'),
  '/api/v1/contracts/{id}/amendments': () => import('@/app/api/v1/contracts/[id]/amendments/route'),
  '/api/v1/deployments/{id}/bundle': () => import('@/app/api/v1/deployments/[id]/bundle/route'),
  '/api/v1/keys': () => import('@/app/api/v1/keys/route'),
  '/api/v1/whoami': () => import('@/app/api/v1/whoami/route'),
};
