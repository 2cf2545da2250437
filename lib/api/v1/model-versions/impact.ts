import { route } from '@/lib/http/route';
import { VersionImpact, modelVersionParams } from '@/lib/modules/models/schema';
import { getVersionImpact } from '@/lib/modules/models/service';

export const GET = route(
  {
    permission: 'models:read',
    params: modelVersionParams,
    response: VersionImpact,
    summary: 'Who deprecating this version would affect: tenants, deployments, contracts and the earliest allowed date',
    description: 'A tenant key sees only its own tenant.',
    tags: ['Models'],
  },
  ({ ctx, params }) => getVersionImpact(ctx, params.id),
);
