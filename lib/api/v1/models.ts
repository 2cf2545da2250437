import { route } from '@/lib/http/route';
import { ModelFamilyPage, listModelFamiliesQuery } from '@/lib/schemas/model';
import { listModelFamilies } from '@/lib/services/models';

export const GET = route(
  { permission: 'models:read', query: listModelFamiliesQuery, response: ModelFamilyPage, summary: 'List model families with their versions', tags: ['Models'] },
  ({ ctx, query }) => listModelFamilies(ctx, query),
);
