import type { Prisma, Tx } from '@/lib/core/db';
import { notFound } from '@/lib/core/errors';
import { isUuid } from '@/lib/core/schema';

// A deployment as the deployments and rollouts services read and lock it. Who may see which one is
// deploymentScope (lib/access/scope.ts): a tenant actor its tenant's, a key bound to a deployment
// that one only; anything else is "not found".

const versionSelect = { id: true, version: true, status: true, family: { select: { slug: true } } } satisfies Prisma.ModelVersionSelect;

export const deploymentInclude = {
  runningVersions: { include: { modelVersion: { select: versionSelect } } },
  pinnedVersion: { select: versionSelect },
} satisfies Prisma.DeploymentInclude;

export type DeploymentRow = Prisma.DeploymentGetPayload<{ include: typeof deploymentInclude }>;

/** FOR UPDATE: changes of one deployment (edits, heartbeats, rollouts) serialise, so before/after is exact. */
export async function lockDeployment(tx: Tx, scope: Prisma.DeploymentWhereInput, id: string): Promise<DeploymentRow> {
  if (!isUuid(id)) throw notFound('Deployment');
  await tx.$queryRaw`SELECT id FROM deployments WHERE id = ${id}::uuid FOR UPDATE`;
  const row = await tx.deployment.findFirst({ where: { AND: [scope, { id }] }, include: deploymentInclude });
  if (!row) throw notFound('Deployment');
  return row;
}
