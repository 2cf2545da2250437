import { route } from '@/lib/http/route';
import { ModelVersion, modelVersionParams } from '@/lib/modules/models/schema';
import { getModelVersion } from '@/lib/modules/models/service';

export const GET = route({ permission: 'models:read', params: modelVersionParams, response: ModelVersion, summary: 'Get a model version', tags: ['Models'] }, ({ ctx, params }) =>
  getModelVersion(ctx, params.id),
);
