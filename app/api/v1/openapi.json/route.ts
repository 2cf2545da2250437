import { z } from 'zod';
import { publicRoute } from '@/lib/http/route';
import { getOpenApiDocument } from '@/lib/openapi/document';

export const dynamic = 'force-dynamic';

// Public: the document describes the API and holds no data, so integrators can fetch it without a key.
export const GET = publicRoute(
  {
    summary: 'The OpenAPI 3.1 document of this API',
    tags: ['Meta'],
    operationId: 'getOpenApiDocument',
    response: z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.record(z.string(), z.unknown()) }).meta({ description: 'This document.' }),
  },
  async () => Response.json(await getOpenApiDocument(), { headers: { 'cache-control': 'public, max-age=300' } }),
);
