import { db, transaction, type Prisma } from '@/lib/core/db';
import type { Ctx } from '@/lib/access/actor';
import { authorize } from '@/lib/access/guard';
import { deploymentScope } from '@/lib/access/scope';
import { record } from '@/lib/audit/record';
import { getActiveSigner } from '@/lib/audit/signer';
import { sha256Hex } from '@/lib/core/crypto/hash';
import { canonicalize } from '@/lib/core/crypto/jcs';
import { AppError, notFound } from '@/lib/core/errors';
import type { BundleDto, BundlePayloadDto, BundleRecordDto } from '@/lib/modules/bundles/schema';
import { type Page, decodeIdCursor, encodeCursor, isUuid } from '@/lib/core/schema';
import { type CoveringContract, findCoveringContract } from '@/lib/modules/contracts/service';

// Entitlement bundles (README "Entitlement bundles"): generated on request from the
// active contract that covers a deployment (lib/modules/contracts/service.ts findCoveringContract), signed
// with the active signing key, and recorded (payload hash, kid, contract version) with an audit
// event. Charter keeps no copy of the bundle: issuing another is cheap and always reflects the
// contract as it is now.
//
// Refused, with the reason in the problem's `reason` and the audit trail (bundle.refused):
//   no_active_contract   no ACTIVE contract covers the deployment's environment (or ALL)
//   residency_violation  the deployment's country is not a data-processing country of the contract
//   export_restricted    an entitled model version may not be exported to the deployment's country
//   no_models            the contract grants no released model version
//   deployment_limit     the contract's maxDeployments would be exceeded by another deployment
//   deployment_archived  the deployment is archived

export type IssuedBundle = { bundle: BundleDto; fileName: string; json: string };

type RefusalReason = 'no_active_contract' | 'residency_violation' | 'export_restricted' | 'no_models' | 'deployment_limit' | 'deployment_archived';

class BundleRefusal extends AppError {
  readonly reason: RefusalReason;
  constructor(reason: RefusalReason, message: string, extra: Record<string, unknown> = {}) {
    super(reason === 'deployment_archived' ? 'invalid_transition' : 'conflict', message, { extra: { reason, ...extra } });
    this.reason = reason;
  }
}

type DeploymentForBundle = Prisma.DeploymentGetPayload<{ include: { tenant: { select: { id: true; slug: true; legalName: true; lei: true } } } }>;
type EntitledVersion = { id: string; family: string; version: string; digest: string; exportRestrictions: string[] };

/** Every non-draft version the contract grants: whole families and single versions. */
async function entitledVersions(contract: CoveringContract): Promise<EntitledVersion[]> {
  const familyIds = contract.entitlements.flatMap((e) => (e.modelFamily ? [e.modelFamily.id] : []));
  const versionIds = contract.entitlements.flatMap((e) => (e.modelVersion ? [e.modelVersion.id] : []));
  const rows = await db.modelVersion.findMany({
    where: { status: { not: 'DRAFT' }, OR: [{ familyId: { in: familyIds } }, { id: { in: versionIds } }] },
    include: { family: { select: { slug: true } } },
  });
  return rows
    .map((v) => ({ id: v.id, family: v.family.slug, version: v.version, digest: v.weightsDigest, exportRestrictions: v.exportRestrictions }))
    .sort((a, b) => a.family.localeCompare(b.family) || a.version.localeCompare(b.version, 'en', { numeric: true }));
}

function limitsOf(contract: CoveringContract): Record<string, unknown> {
  const limits: Record<string, unknown> = {};
  for (const e of contract.entitlements) {
    const key = e.modelFamily ? e.modelFamily.slug : `${e.modelVersion?.family.slug}@${e.modelVersion?.version}`;
    const extra = e.limits !== null && typeof e.limits === 'object' && !Array.isArray(e.limits) ? e.limits : {};
    limits[key] = { maxDeployments: e.maxDeployments, ...extra };
  }
  return limits;
}

/** The rules a bundle must satisfy; throws the first refusal. */
function checkRules(deployment: DeploymentForBundle, contract: CoveringContract | null, models: EntitledVersion[]): asserts contract is CoveringContract {
  const name = deployment.name;
  if (!contract) {
    throw new BundleRefusal('no_active_contract', `No active contract of ${deployment.tenant.legalName} covers deployment ${name} (environment ${deployment.environment}).`, {
      environment: deployment.environment,
    });
  }
  if (!contract.dataProcessingCountries.includes(deployment.country)) {
    const allowed = [...contract.dataProcessingCountries].sort();
    throw new BundleRefusal(
      'residency_violation',
      `Deployment ${name} is in ${deployment.country}, outside the data-processing countries of contract ${contract.reference} (${allowed.join(', ')}): no bundle is issued for it.`,
      { country: deployment.country, allowedCountries: allowed, contract: contract.reference },
    );
  }
  const restricted = models.filter((m) => m.exportRestrictions.includes(deployment.country));
  if (restricted.length) {
    const list = restricted.map((m) => `${m.family}@${m.version}`);
    throw new BundleRefusal('export_restricted', `${list.join(', ')} may not be exported to ${deployment.country}, where deployment ${name} runs: no bundle is issued for it.`, {
      country: deployment.country,
      models: list,
    });
  }
  if (models.length === 0) throw new BundleRefusal('no_models', `Contract ${contract.reference} grants no released model version.`, { contract: contract.reference });
}

async function recordRefusal(ctx: Ctx, deployment: DeploymentForBundle, err: BundleRefusal): Promise<void> {
  await transaction((tx) =>
    record(tx, ctx, {
      action: 'bundle.refused',
      tenantId: deployment.tenantId,
      target: { type: 'deployment', id: deployment.id },
      data: { deployment: deployment.name, reason: err.reason, message: err.message, ...err.extra },
    }),
  );
}

function fileNameOf(deployment: DeploymentForBundle, issuedAt: string): string {
  return `charter-bundle-${deployment.tenant.slug}-${deployment.name}-${issuedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.json`;
}

/**
 * Issues the signed bundle of a deployment (entitlements:read; a tenant-bound key gets only its own
 * tenant's deployments, a deployment-bound key only its own deployment).
 */
export async function issueBundle(ctx: Ctx, deploymentId: string): Promise<IssuedBundle> {
  authorize(ctx.actor, 'entitlements:read');
  const scope = deploymentScope(ctx.actor);
  const deployment = isUuid(deploymentId)
    ? await db.deployment.findFirst({ where: { AND: [scope, { id: deploymentId }] }, include: { tenant: { select: { id: true, slug: true, legalName: true, lei: true } } } })
    : null;
  if (!deployment) throw notFound('Deployment');
  try {
    if (deployment.archivedAt) throw new BundleRefusal('deployment_archived', `Deployment ${deployment.name} is archived.`);
    const contract = await findCoveringContract(db, { tenantId: deployment.tenantId, environment: deployment.environment });
    const models = contract ? await entitledVersions(contract) : [];
    checkRules(deployment, contract, models);
    return await signAndRecord(ctx, deployment, contract, models);
  } catch (err) {
    if (err instanceof BundleRefusal) await recordRefusal(ctx, deployment, err);
    throw err;
  }
}

async function signAndRecord(ctx: Ctx, deployment: DeploymentForBundle, contract: CoveringContract, models: EntitledVersion[]): Promise<IssuedBundle> {
  const signer = await getActiveSigner();
  const issuedAt = new Date().toISOString();
  const payload: BundlePayloadDto = {
    tenant: { id: deployment.tenant.id, name: deployment.tenant.legalName, lei: deployment.tenant.lei },
    contract: {
      id: contract.id,
      reference: contract.reference,
      version: contract.currentVersion,
      validFrom: contract.validFrom.toISOString(),
      validUntil: contract.validUntil.toISOString(),
      graceDays: contract.graceDays,
    },
    deployments: [{ id: deployment.id, name: deployment.name, country: deployment.country }],
    models: models.map((m) => ({ family: m.family, version: m.version, digest: m.digest })),
    limits: limitsOf(contract),
    allowedCountries: [...contract.dataProcessingCountries].sort(),
    issuedAt,
    notBefore: contract.validFrom.toISOString(),
  };
  const message = canonicalize(payload);
  const bundle: BundleDto = { v: 1, alg: 'Ed25519', kid: signer.kid, payload, signature: signer.sign(message) };
  const maxDeployments = Math.max(...contract.entitlements.map((e) => e.maxDeployments));
  await transaction(async (tx) => {
    // Serialises issues under one contract, so the deployment count below is exact.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`bundle:${contract.id}`}))`;
    const holders = await tx.$queryRaw<{ deployment_id: string }[]>`
      SELECT DISTINCT b.deployment_id FROM entitlement_bundles b JOIN deployments d ON d.id = b.deployment_id
      WHERE b.contract_id = ${contract.id}::uuid AND d.archived_at IS NULL`;
    const ids = new Set(holders.map((h) => h.deployment_id));
    ids.add(deployment.id);
    if (ids.size > maxDeployments) {
      throw new BundleRefusal(
        'deployment_limit',
        `Contract ${contract.reference} allows ${maxDeployments} deployment(s), and ${ids.size - 1} other deployment(s) already hold its bundles; archive one or amend the contract.`,
        {
          maxDeployments,
          contract: contract.reference,
        },
      );
    }
    const row = await tx.entitlementBundle.create({
      data: {
        tenantId: deployment.tenantId,
        deploymentId: deployment.id,
        contractId: contract.id,
        contractVersion: contract.currentVersion,
        kid: signer.kid,
        payloadHash: sha256Hex(message),
        issuedAt: new Date(issuedAt),
        issuedBy: ctx.actor.label,
      },
    });
    await record(tx, ctx, {
      action: 'bundle.issued',
      tenantId: deployment.tenantId,
      target: { type: 'deployment', id: deployment.id },
      data: {
        bundleId: row.id,
        deployment: deployment.name,
        contract: contract.reference,
        contractVersion: contract.currentVersion,
        kid: signer.kid,
        payloadHash: row.payloadHash,
        models: payload.models.length,
        validUntil: payload.contract.validUntil,
      },
    });
  });
  return { bundle, fileName: fileNameOf(deployment, issuedAt), json: `${JSON.stringify(bundle, null, 2)}\n` };
}

/** Bundles issued for a deployment, newest first (what was handed out, by whom, under which key). */
export async function listBundles(ctx: Ctx, input: { deploymentId: string; limit: number; cursor?: string }): Promise<Page<BundleRecordDto>> {
  authorize(ctx.actor, 'entitlements:read');
  const scope = deploymentScope(ctx.actor);
  const deployment = isUuid(input.deploymentId) ? await db.deployment.findFirst({ where: { AND: [scope, { id: input.deploymentId }] }, select: { id: true, name: true } }) : null;
  if (!deployment) throw notFound('Deployment');
  const rows = await db.entitlementBundle.findMany({
    where: { deploymentId: deployment.id, ...(input.cursor ? { id: { lt: decodeIdCursor(input.cursor) } } : {}) },
    orderBy: { id: 'desc' },
    take: input.limit + 1,
    include: { contract: { select: { reference: true } } },
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    data: page.map((b) => ({
      id: b.id,
      deploymentId: b.deploymentId,
      deploymentName: deployment.name,
      contractId: b.contractId,
      contractReference: b.contract.reference,
      contractVersion: b.contractVersion,
      kid: b.kid,
      payloadHash: b.payloadHash,
      issuedAt: b.issuedAt.toISOString(),
      issuedBy: b.issuedBy,
    })),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.id]) : null,
  };
}
