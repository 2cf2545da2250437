import { z } from 'zod';
import { route } from '@/lib/http/route';
import { updateTenantInput } from '@/lib/schemas/tenant';
import { getTenant, updateTenant } from '@/lib/services/tenants';

export const dynamic = 'force-dynamic';

const params = z.object({ id: z.string().min(1).max(64) });

export const GET = route({ permission: 'tenants:read', params }, ({ ctx, params }) => getTenant(ctx, params.id));

export const PATCH = route({ permission: 'tenants:write', params, body: updateTenantInput }, async ({ ctx, params, body }) => {
  const tenant = await getTenant(ctx, params.id);
  return updateTenant(ctx, tenant.id, body);
});
