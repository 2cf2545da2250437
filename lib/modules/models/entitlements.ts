import type { Prisma } from '@/lib/core/db';
import { type ContractScope, Environment } from '@/lib/generated/prisma/enums';

// Which contracts count for the model catalogue: ACTIVE and not yet past their end (the maintenance
// round marks those EXPIRED only later, so the date is checked too), and which of their entitlements
// grant a model version: one naming the version itself or its whole family. Shared by the
// deprecation impact (which tenants are entitled?) and pinning (rollouts.ts).
//
// Which contract covers a deployment: of its tenant's contracts that count, the one for the
// deployment's own environment, else the one for ALL. The rule is written once, here: pinning and
// bundles ask it for one deployment (findCoveringContract), the contract page for one contract
// (listCoveredDeployments), so the two can never disagree.

export function activeContractWhere(now: Date): Prisma.ContractWhereInput {
  return { status: 'ACTIVE', validUntil: { gt: now } };
}

export function grantsVersionWhere(version: { id: string; familyId: string }): Prisma.EntitlementWhereInput {
  return { OR: [{ modelVersionId: version.id }, { modelFamilyId: version.familyId }] };
}

/** Of a tenant's counting contracts (in a stable order), the one that covers `environment`. */
export function coveringContractOf<C extends { scope: ContractScope }>(contracts: readonly C[], environment: Environment): C | null {
  return contracts.find((c) => c.scope === environment) ?? contracts.find((c) => c.scope === 'ALL') ?? null;
}

/** The environments whose deployments `contractId` covers, given all the tenant's counting contracts. */
export function environmentsCoveredBy(contracts: readonly { id: string; scope: ContractScope }[], contractId: string): Environment[] {
  return Object.values(Environment).filter((environment) => coveringContractOf(contracts, environment)?.id === contractId);
}
