import { route } from '@/lib/http/route';
import { HeartbeatAck, deploymentParams, heartbeatInput } from '@/lib/modules/deployments/schema';
import { recordHeartbeat } from '@/lib/modules/deployments/service';

export const POST = route(
  {
    permission: 'deployments:write',
    params: deploymentParams,
    body: heartbeatInput,
    response: HeartbeatAck,
    status: 200,
    summary: "Report a deployment agent's heartbeat: agent version and running model versions",
    description:
      "Replaces the running versions (unless `reportedAt` is older than the last report) and moves the deployment's rollouts along: a scheduled upgrade whose date has come starts (the pin moves), and a rollout whose version is now reported running completes. See `GET /api/v1/deployments/{id}/rollouts`.",
    tags: ['Deployments'],
  },
  ({ ctx, params, body }) => recordHeartbeat(ctx, params.id, body),
);
