import { cache } from 'react';
import type { Ctx } from '@/lib/access/actor';
import { can } from '@/lib/access/guard';
import type { DeploymentChoice } from '@/components/api-keys/choices';
import type { TenantDto } from '@/lib/modules/tenants/schema';
import { getDeployment, listDeployments } from '@/lib/modules/deployments/service';
import { getTenant, listTenants } from '@/lib/modules/tenants/service';

const PAGE = 200;
/** A bound for the tenant picker; a vendor's customers number in the hundreds, not the thousands. */
const MAX_PAGES = 25;

/**
 * The tenants the key pages name and offer: a platform actor's all (archived included, since old
 * keys still point at them), a tenant actor's own. Once per request.
 */
export const loadKeyTenants = cache(async (ctx: Ctx): Promise<TenantDto[]> => {
  if (!can(ctx.actor, 'tenants:read')) return [];
  if (ctx.actor.tenantId) return [await getTenant(ctx, ctx.actor.tenantId)];
  const tenants: TenantDto[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await listTenants(ctx, { limit: PAGE, cursor, includeArchived: true });
    tenants.push(...page.data);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return tenants;
});

/** Whether a tenant may still be given keys (the service refuses offboarded and archived ones). */
export function acceptsNewKeys(t: TenantDto): boolean {
  return t.archivedAt === null && t.status !== 'OFFBOARDED';
}

/** The deployments a new key may be bound to (the service confines a tenant actor to their own). */
export async function loadKeyDeployments(ctx: Ctx): Promise<DeploymentChoice[]> {
  if (!can(ctx.actor, 'deployments:read')) return [];
  const out: DeploymentChoice[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await listDeployments(ctx, { limit: PAGE, cursor, includeArchived: false });
    out.push(...page.data.map((d) => ({ id: d.id, tenantId: d.tenantId, name: d.name, environment: d.environment })));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}

/** Names of the deployments some keys are bound to, by id (a few per page, so one lookup each). */
export async function deploymentNames(ctx: Ctx, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0 || !can(ctx.actor, 'deployments:read')) return new Map();
  const found = await Promise.all(
    wanted.map((id) =>
      getDeployment(ctx, id).then(
        (d) => [id, d.name] as const,
        () => null,
      ),
    ),
  );
  return new Map(found.filter((f): f is readonly [string, string] => f !== null));
}
