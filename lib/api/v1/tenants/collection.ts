import { route } from '@/lib/http/route';
import { Tenant, TenantPage, createTenantInput, listTenantsQuery } from '@/lib/modules/tenants/schema';
import { createTenant, listTenants } from '@/lib/modules/tenants/service';

export const GET = route(
  { permission: 'tenants:read', query: listTenantsQuery, response: TenantPage, summary: 'List tenants (a tenant key sees only its own)', tags: ['Tenants'] },
  ({ ctx, query }) => listTenants(ctx, query),
);

export const POST = route(
  { permission: 'tenants:write', body: createTenantInput, response: Tenant, summary: 'Create a tenant (platform keys only)', tags: ['Tenants'] },
  ({ ctx, body }) => createTenant(ctx, body),
);
