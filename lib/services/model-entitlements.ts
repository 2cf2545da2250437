import type { Prisma } from '@/lib/db';

// Which contracts count for the model catalogue: ACTIVE and not yet past their end (the maintenance
// round marks those EXPIRED only later, so the date is checked too), and which of their entitlements
// grant a model version: one naming the version itself or its whole family. Shared by the
// deprecation impact (which tenants are entitled?) and pinning (rollouts.ts).

export function activeContractWhere(now: Date): Prisma.ContractWhereInput {
  return { status: 'ACTIVE', validUntil: { gt: now } };
}

export function grantsVersionWhere(version: { id: string; familyId: string }): Prisma.EntitlementWhereInput {
  return { OR: [{ modelVersionId: version.id }, { modelFamilyId: version.familyId }] };
}
