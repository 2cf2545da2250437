import { route } from '@/lib/http/route';
import { Rollout, RolloutPage, createRolloutInput, deploymentRolloutParams, listRolloutsQuery } from '@/lib/modules/rollouts/schema';
import { createRollout, listRollouts } from '@/lib/modules/rollouts/service';

export const GET = route(
  {
    permission: 'deployments:read',
    params: deploymentRolloutParams,
    query: listRolloutsQuery,
    response: RolloutPage,
    summary: "A deployment's rollouts, newest first: what its agent should run (the IN_PROGRESS one) and what is scheduled",
    tags: ['Rollouts'],
  },
  ({ ctx, params, query }) => listRollouts(ctx, params.id, query),
);

export const POST = route(
  {
    permission: 'deployments:write',
    params: deploymentRolloutParams,
    body: createRolloutInput,
    response: Rollout,
    summary: 'Pin a deployment to a model version now, or schedule an upgrade with a notice date',
    description:
      "Only a RELEASED version that the active contract covering the deployment grants (the version or its family, within `maxDeployments`) and that is not export-restricted for the deployment's country. A refusal is a 400 problem with a stable `reason`: `unknown_version`, `version_not_released`, `export_restricted`, `no_active_contract`, `not_entitled` or `deployment_limit`. A deployment's own (agent) key cannot change its rollouts.",
    tags: ['Rollouts'],
  },
  ({ ctx, params, body }) => createRollout(ctx, params.id, body),
);
