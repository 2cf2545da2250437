import { Prisma } from '@/lib/generated/prisma/client';
import { type Actor, boundDeploymentOf } from '@/lib/access/actor';

// Tenant scope, written once. Every service puts the actor's tenant into the `where` of its reads
// and of the row it locks for a write, so another tenant's object is simply not found (a 404, never
// a 403 that would confirm it exists). A platform actor (tenantId null) sees every tenant.

/**
 * The `where` fragment confining a query to the actor's tenant: `{ tenantId }`, or `{}` for a
 * platform actor. `field` names the column that holds the tenant when it is not `tenantId` (`id`
 * for the tenants table itself).
 */
export function tenantScope(actor: Pick<Actor, 'tenantId'>): { tenantId?: string };
export function tenantScope<K extends string>(actor: Pick<Actor, 'tenantId'>, field: K): { [P in K]?: string };
export function tenantScope(actor: Pick<Actor, 'tenantId'>, field = 'tenantId'): Record<string, string> {
  return actor.tenantId ? { [field]: actor.tenantId } : {};
}

/** Whether a tenant named in the input is one the actor may reach; the caller answers "no" with a 404. */
export function inTenantScope(actor: Pick<Actor, 'tenantId'>, tenantId: string | null): boolean {
  return actor.tenantId === null || actor.tenantId === tenantId;
}

/**
 * For deployments: the tenant scope, narrowed to its one deployment for a key bound to a deployment
 * (the key of that deployment's agent). The binding comes with the verified key, so this reads nothing.
 */
export function deploymentScope(actor: Actor): { tenantId?: string; id?: string } {
  const bound = boundDeploymentOf(actor);
  return { ...tenantScope(actor), ...(bound ? { id: bound } : {}) };
}

/**
 * The raw-SQL twin of deploymentScope, for `$queryRaw`: `AND <alias>.tenant_id = … AND <alias>.id = …`
 * as they apply, or nothing. `alias` is the deployments table's alias in the statement: code, never
 * input, since it is spliced in as it is.
 */
export function deploymentScopeSql(actor: Actor, alias: string): Prisma.Sql {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new Error(`not a table alias: ${alias}`);
  const bound = boundDeploymentOf(actor);
  const table = Prisma.raw(alias);
  return Prisma.sql`${actor.tenantId ? Prisma.sql`AND ${table}.tenant_id = ${actor.tenantId}::uuid` : Prisma.empty} ${bound ? Prisma.sql`AND ${table}.id = ${bound}::uuid` : Prisma.empty}`;
}
