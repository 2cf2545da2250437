import { route } from '@/lib/http/route';
import { Deployment, archiveDeploymentQuery, deploymentParams, updateDeploymentInput } from '@/lib/modules/deployments/schema';
import { archiveDeployment, getDeployment, updateDeployment } from '@/lib/modules/deployments/service';

export const GET = route(
  { permission: 'deployments:read', params: deploymentParams, response: Deployment, summary: 'Get a deployment', tags: ['Deployments'] },
  ({ ctx, params }) => getDeployment(ctx, params.id),
);

export const PATCH = route(
  { permission: 'deployments:write', params: deploymentParams, body: updateDeploymentInput, response: Deployment, summary: 'Update a deployment', tags: ['Deployments'] },
  ({ ctx, params, body }) => updateDeployment(ctx, params.id, body),
);

export const DELETE = route(
  {
    permission: 'deployments:write',
    params: deploymentParams,
    query: archiveDeploymentQuery,
    response: Deployment,
    summary: 'Archive a deployment (never a hard delete)',
    tags: ['Deployments'],
  },
  ({ ctx, params, query }) => archiveDeployment(ctx, params.id, query.reason),
);
