import { route } from '@/lib/http/route';
import { HeartbeatAck, deploymentParams, heartbeatInput } from '@/lib/schemas/deployment';
import { recordHeartbeat } from '@/lib/services/deployments';

export const dynamic = 'force-dynamic';

export const POST = route(
  {
    permission: 'deployments:write',
    params: deploymentParams,
    body: heartbeatInput,
    response: HeartbeatAck,
    status: 200,
    summary: "Report a deployment agent's heartbeat: agent version and running model versions",
    tags: ['Deployments'],
  },
  ({ ctx, params, body }) => recordHeartbeat(ctx, params.id, body),
);
