import { db, type Prisma, type Tx } from '@/lib/db';
import type { Ctx } from '@/lib/auth/actor';
import { notFound } from '@/lib/errors';
import { isUuid } from '@/lib/schemas/common';

// Who may see which deployment, shared by the deployments and rollouts services.
//
// A tenant actor sees only its tenant's deployments, and an API key bound to a deployment
// (ApiKey.deploymentId, the key of that deployment's agent) sees only that one deployment; anything
// else is "not found".

const versionSelect = { id: true, version: true, status: true, family: { select: { slug: true } } } satisfies Prisma.ModelVersionSelect;

export const deploymentInclude = {
  runningVersions: { include: { modelVersion: { select: versionSelect } } },
  pinnedVersion: { select: versionSelect },
} satisfies Prisma.DeploymentInclude;

export type DeploymentRow = Prisma.DeploymentGetPayload<{ include: typeof deploymentInclude }>;

/** The deployment an API key is bound to, if the actor is such a key. */
export async function boundDeploymentId(ctx: Ctx): Promise<string | null> {
  if (ctx.actor.type !== 'apiKey') return null;
  const key = await db.apiKey.findUnique({ where: { id: ctx.actor.id }, select: { deploymentId: true } });
  return key?.deploymentId ?? null;
}

/** Tenant scope, narrowed to one deployment for a deployment-bound key. Resolved before any transaction. */
export async function deploymentScopeWhere(ctx: Ctx): Promise<Prisma.DeploymentWhereInput> {
  const bound = await boundDeploymentId(ctx);
  return { ...(ctx.actor.tenantId ? { tenantId: ctx.actor.tenantId } : {}), ...(bound ? { id: bound } : {}) };
}

/** FOR UPDATE: changes of one deployment (edits, heartbeats, rollouts) serialise, so before/after is exact. */
export async function lockDeployment(tx: Tx, scope: Prisma.DeploymentWhereInput, id: string): Promise<DeploymentRow> {
  if (!isUuid(id)) throw notFound('Deployment');
  await tx.$queryRaw`SELECT id FROM deployments WHERE id = ${id}::uuid FOR UPDATE`;
  const row = await tx.deployment.findFirst({ where: { AND: [scope, { id }] }, include: deploymentInclude });
  if (!row) throw notFound('Deployment');
  return row;
}
