import { route } from '@/lib/http/route';
import { createTenantInput, listTenantsQuery } from '@/lib/schemas/tenant';
import { createTenant, listTenants } from '@/lib/services/tenants';

export const dynamic = 'force-dynamic';

export const GET = route({ permission: 'tenants:read', query: listTenantsQuery }, ({ ctx, query }) => listTenants(ctx, query));

export const POST = route({ permission: 'tenants:write', body: createTenantInput }, ({ ctx, body }) => createTenant(ctx, body));
