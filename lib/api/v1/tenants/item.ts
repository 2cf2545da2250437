import { z } from 'zod';
import { route } from '@/lib/http/route';
import { isUuid } from '@/lib/core/schema';
import { Tenant, updateTenantInput } from '@/lib/modules/tenants/schema';
import { getTenant, updateTenant } from '@/lib/modules/tenants/service';

const params = z.object({ id: z.string().min(1).max(64).meta({ description: 'Tenant id or slug' }) });

export const GET = route({ permission: 'tenants:read', params, response: Tenant, summary: 'Get a tenant by id or slug', tags: ['Tenants'] }, ({ ctx, params }) =>
  getTenant(ctx, params.id),
);

export const PATCH = route(
  { permission: 'tenants:write', params, body: updateTenantInput, response: Tenant, summary: 'Update a tenant (platform keys only)', tags: ['Tenants'] },
  // By id, a tenants:write key suffices; a slug is first resolved, which also needs tenants:read.
  async ({ ctx, params, body }) => updateTenant(ctx, isUuid(params.id) ? params.id : (await getTenant(ctx, params.id)).id, body),
);
