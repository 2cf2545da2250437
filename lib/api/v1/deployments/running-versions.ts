import { route } from '@/lib/http/route';
import { Deployment, deploymentParams, runningVersionsFile } from '@/lib/modules/deployments/schema';
import { importRunningVersions } from '@/lib/modules/deployments/service';

export const POST = route(
  {
    permission: 'deployments:write',
    params: deploymentParams,
    body: runningVersionsFile,
    response: Deployment,
    status: 200,
    summary: 'Import the running-versions file an air-gapped site exported (format: README "Running-versions file")',
    tags: ['Deployments'],
  },
  ({ ctx, params, body }) => importRunningVersions(ctx, params.id, body),
);
