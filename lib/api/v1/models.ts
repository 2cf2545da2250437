import { route } from '@/lib/http/route';
import { ModelFamilyPage, listModelFamiliesQuery } from '@/lib/modules/models/schema';
import { listModelFamilies } from '@/lib/modules/models/service';

export const GET = route(
  { permission: 'models:read', query: listModelFamiliesQuery, response: ModelFamilyPage, summary: 'List model families with their versions', tags: ['Models'] },
  ({ ctx, query }) => listModelFamilies(ctx, query),
);
