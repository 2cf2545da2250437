import { route } from '@/lib/http/route';
import { Deployment, DeploymentPage, createDeploymentInput, listDeploymentsQuery } from '@/lib/modules/deployments/schema';
import { createDeployment, listDeployments } from '@/lib/modules/deployments/service';

export const GET = route(
  { permission: 'deployments:read', query: listDeploymentsQuery, response: DeploymentPage, summary: 'List deployments', tags: ['Deployments'] },
  ({ ctx, query }) => listDeployments(ctx, query),
);

export const POST = route(
  { permission: 'deployments:write', body: createDeploymentInput, response: Deployment, summary: 'Create a deployment', tags: ['Deployments'] },
  ({ ctx, body }) => createDeployment(ctx, body),
);
