import { z } from 'zod';
import { publicRoute } from '@/lib/http/route';
import { type OpenApiDocument, type RouteTable, buildOpenApiDocument } from '@/lib/openapi/document';
// Route modules, one per path template (sorted):
import * as adoption from './adoption';
import * as approvalsApprove from './approvals/approve';
import * as approvalsCancel from './approvals/cancel';
import * as approvalsCollection from './approvals/collection';
import * as approvalsItem from './approvals/item';
import * as approvalsReject from './approvals/reject';
import * as auditEventsCollection from './audit-events/collection';
import * as auditEventsExport from './audit-events/export';
import * as contractsActivation from './contracts/activation';
import * as contractsAmendments from './contracts/amendments';
import * as contractsCollection from './contracts/collection';
import * as contractsItem from './contracts/item';
import * as contractsTermination from './contracts/termination';
import * as contractsVersions from './contracts/versions';
import * as deploymentsBundle from './deployments/bundle';
import * as deploymentsCollection from './deployments/collection';
import * as deploymentsHeartbeat from './deployments/heartbeat';
import * as deploymentsItem from './deployments/item';
import * as deploymentsRollouts from './deployments/rollouts';
import * as deploymentsRunningVersions from './deployments/running-versions';
import * as keys from './keys';
import * as models from './models';
import * as modelVersionsCollection from './model-versions/collection';
import * as modelVersionsImpact from './model-versions/impact';
import * as modelVersionsItem from './model-versions/item';
import * as tenantsCollection from './tenants/collection';
import * as tenantsItem from './tenants/item';
import * as whoami from './whoami';

// The one table of /api/v1: OpenAPI path template → the module that defines its methods with
// route() or publicRoute(). Next.js serves each through a thin app/api/v1/**/route.ts that
// re-exports the module's methods; `charter serve` (lib/runtime/api-server.ts) routes to the same
// handlers, and lib/openapi builds the document from this table. A test fails when a route file
// and this table disagree.

/** The OpenAPI document of this table; it only changes with the code, so it is built once per process. */
let document: OpenApiDocument | undefined;

export function getOpenApiDocument(): OpenApiDocument {
  document ??= buildOpenApiDocument(API_ROUTES);
  return document;
}

// Defined here rather than in a module of its own: it describes the table it is part of.
// Public: the document describes the API and holds no data, so integrators can fetch it without a key.
export const getOpenApiJson = publicRoute(
  {
    summary: 'The OpenAPI 3.1 document of this API',
    tags: ['Meta'],
    operationId: 'getOpenApiDocument',
    response: z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.record(z.string(), z.unknown()) }).meta({ description: 'This document.' }),
  },
  () => Promise.resolve(Response.json(getOpenApiDocument(), { headers: { 'cache-control': 'public, max-age=300' } })),
);

export const API_ROUTES = {
  '/api/v1/openapi.json': { GET: getOpenApiJson },
  // Path template → route module (sorted):
  '/api/v1/adoption': adoption,
  '/api/v1/approvals': approvalsCollection,
  '/api/v1/approvals/{id}': approvalsItem,
  '/api/v1/approvals/{id}/approve': approvalsApprove,
  '/api/v1/approvals/{id}/cancel': approvalsCancel,
  '/api/v1/approvals/{id}/reject': approvalsReject,
  '/api/v1/audit-events': auditEventsCollection,
  '/api/v1/audit-events/export': auditEventsExport,
  '/api/v1/contracts': contractsCollection,
  '/api/v1/contracts/{id}': contractsItem,
  '/api/v1/contracts/{id}/activation': contractsActivation,
  '/api/v1/contracts/{id}/amendments': contractsAmendments,
  '/api/v1/contracts/{id}/termination': contractsTermination,
  '/api/v1/contracts/{id}/versions': contractsVersions,
  '/api/v1/deployments': deploymentsCollection,
  '/api/v1/deployments/{id}': deploymentsItem,
  '/api/v1/deployments/{id}/bundle': deploymentsBundle,
  '/api/v1/deployments/{id}/heartbeat': deploymentsHeartbeat,
  '/api/v1/deployments/{id}/rollouts': deploymentsRollouts,
  '/api/v1/deployments/{id}/running-versions': deploymentsRunningVersions,
  '/api/v1/keys': keys,
  '/api/v1/model-versions': modelVersionsCollection,
  '/api/v1/model-versions/{id}': modelVersionsItem,
  '/api/v1/model-versions/{id}/impact': modelVersionsImpact,
  '/api/v1/models': models,
  '/api/v1/tenants': tenantsCollection,
  '/api/v1/tenants/{id}': tenantsItem,
  '/api/v1/whoami': whoami,
} satisfies RouteTable;
