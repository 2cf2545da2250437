import { route } from '@/lib/http/route';
import { Adoption, adoptionQuery } from '@/lib/modules/models/schema';
import { getAdoption } from '@/lib/modules/models/service';

export const GET = route(
  {
    permission: 'deployments:read',
    query: adoptionQuery,
    response: Adoption,
    summary: 'Model-version adoption: how many deployments of each tenant run each version',
    description: 'A tenant key sees only its own tenant.',
    tags: ['Models'],
  },
  ({ ctx, query }) => getAdoption(ctx, query),
);
