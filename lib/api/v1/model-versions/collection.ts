import { route } from '@/lib/http/route';
import { ModelVersionPage, listModelVersionsQuery } from '@/lib/modules/models/schema';
import { listModelVersions } from '@/lib/modules/models/service';

export const GET = route(
  { permission: 'models:read', query: listModelVersionsQuery, response: ModelVersionPage, summary: 'List model versions, by family and newest first', tags: ['Models'] },
  ({ ctx, query }) => listModelVersions(ctx, query),
);
