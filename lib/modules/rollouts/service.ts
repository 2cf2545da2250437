import { db, transaction, type Prisma, type Tx } from '@/lib/core/db';
import { type Ctx, boundDeploymentOf } from '@/lib/access/actor';
import { authorize } from '@/lib/access/guard';
import { deploymentScope } from '@/lib/access/scope';
import { record } from '@/lib/audit/record';
import { AppError, notFound } from '@/lib/core/errors';
import type { ModelVersionStatus } from '@/lib/generated/prisma/enums';
import { type Page, decodeIdCursor, encodeCursor, isUuid } from '@/lib/core/schema';
import type { CreateRolloutInput, EndRolloutInput, ListRolloutsQuery, RolloutDto } from '@/lib/modules/rollouts/schema';
import { type DeploymentRow, lockDeployment } from '@/lib/access/deployment-scope';
import { findCoveringContract } from '@/lib/modules/contracts/service';
import { activeContractWhere } from '@/lib/modules/models/entitlements';

// Rollouts. A deployment is pinned to one model version: the version its site
// should run. A rollout moves the pin:
//   PIN       at once: IN_PROGRESS until the deployment reports running the version, then COMPLETED;
//   UPGRADE   scheduled for a date, with the date the tenant was given notice: SCHEDULED until the
//             first contact (heartbeat, manual entry or import) after that date, then as a pin;
//   ROLLBACK  back to the version a rollout replaced; the rolled-back rollout becomes ROLLED_BACK.
// Only a RELEASED version the tenant is entitled to (the ACTIVE contract covering the deployment's
// environment, lib/modules/contracts/service findCoveringContract, grants the version or its family, within
// its deployment limit) and that is not export-restricted for the deployment's
// country can be pinned; a rollback may return to a DEPRECATED one. A deployment has at most one
// SCHEDULED rollout: a tenant was given notice of it, so it is cancelled explicitly, never replaced.
// An IN_PROGRESS rollout is replaced (cancelled) by a newer pin. Charter never stops a deployment:
// a pin is what the site is asked to run, and its agent applies it.

const versionSelect = { id: true, version: true, status: true, familyId: true, exportRestrictions: true, family: { select: { slug: true } } } satisfies Prisma.ModelVersionSelect;
type VersionRow = Prisma.ModelVersionGetPayload<{ select: typeof versionSelect }>;

const include = {
  fromVersion: { select: versionSelect },
  toVersion: { select: versionSelect },
} satisfies Prisma.RolloutInclude;
type RolloutRow = Prisma.RolloutGetPayload<{ include: typeof include }>;

const OPEN = ['SCHEDULED', 'IN_PROGRESS'] as const;
const iso = (d: Date | null) => d?.toISOString() ?? null;
const refOf = (v: { version: string; family: { slug: string } }) => `${v.family.slug}@${v.version}`;
const versionDto = (v: VersionRow) => ({ id: v.id, family: v.family.slug, version: v.version });

export function toRolloutDto(r: RolloutRow): RolloutDto {
  return {
    id: r.id,
    tenantId: r.tenantId,
    deploymentId: r.deploymentId,
    kind: r.kind,
    status: r.status,
    from: r.fromVersion ? versionDto(r.fromVersion) : null,
    to: versionDto(r.toVersion),
    noticeAt: iso(r.noticeAt),
    scheduledFor: iso(r.scheduledFor),
    startedAt: iso(r.startedAt),
    completedAt: iso(r.completedAt),
    endedAt: iso(r.endedAt),
    note: r.note,
    createdBy: r.createdByLabel,
    rollsBackId: r.rollsBackId,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

// ───────────────────────────── reading ─────────────────────────────

/** A deployment's rollouts, newest first (uuid v7 ids), keyset-paginated; another tenant's deployment is a 404. */
export async function listRollouts(ctx: Ctx, deploymentId: string, query: ListRolloutsQuery): Promise<Page<RolloutDto>> {
  authorize(ctx.actor, 'deployments:read');
  const scope = deploymentScope(ctx.actor);
  const deployment = isUuid(deploymentId) ? await db.deployment.findFirst({ where: { AND: [scope, { id: deploymentId }] }, select: { id: true } }) : null;
  if (!deployment) throw notFound('Deployment');
  const and: Prisma.RolloutWhereInput[] = [{ deploymentId }];
  if (query.status) and.push({ status: query.status });
  if (query.cursor) and.push({ id: { lt: decodeIdCursor(query.cursor) } });
  const rows = await db.rollout.findMany({ where: { AND: and }, orderBy: { id: 'desc' }, take: query.limit + 1, include });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { data: page.map(toRolloutDto), nextCursor: rows.length > query.limit && last ? encodeCursor([last.id]) : null };
}

// ───────────────────────────── the checks ─────────────────────────────

function refused(reason: string, message: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('validation_failed', message, { errors: [{ path: 'modelVersionId', message }], extra: { reason, ...extra } });
}

/**
 * Whether `d` may be pinned to the version: in the catalogue (DRAFT versions are invisible to
 * tenant actors), RELEASED (or DEPRECATED, for a rollback), not export-restricted for the
 * deployment's country, and granted by an ACTIVE contract of the tenant whose deployment limit
 * leaves room. Each refusal says why, with a stable `reason`.
 */
async function checkPinnable(
  tx: Tx,
  ctx: Ctx,
  d: Pick<DeploymentRow, 'id' | 'tenantId' | 'name' | 'country' | 'environment'>,
  versionId: string,
  options: { allowed: readonly ModelVersionStatus[] },
): Promise<VersionRow> {
  const version = await tx.modelVersion.findUnique({ where: { id: versionId }, select: versionSelect });
  if (!version || (version.status === 'DRAFT' && ctx.actor.tenantId)) throw refused('unknown_version', `${versionId} is not a model version in the catalogue.`);
  const ref = refOf(version);
  if (!options.allowed.includes(version.status)) {
    throw refused('version_not_released', `${ref} is ${version.status}; only ${options.allowed.join(' or ')} versions can be pinned here.`, { status: version.status });
  }
  if (version.exportRestrictions.includes(d.country)) {
    throw refused('export_restricted', `${ref} is export-restricted for ${d.country}, the country of deployment ${d.name}.`, {
      country: d.country,
      exportRestrictions: version.exportRestrictions,
    });
  }
  const covering = await findCoveringContract(tx, { tenantId: d.tenantId, environment: d.environment });
  if (!covering) {
    const tenant = await tx.tenant.findUniqueOrThrow({ where: { id: d.tenantId }, select: { slug: true } });
    const active = await tx.contract.findMany({ where: { tenantId: d.tenantId, ...activeContractWhere(new Date()) }, select: { reference: true } });
    throw active.length === 0
      ? refused('no_active_contract', `Tenant ${tenant.slug} has no active contract, so it is not entitled to ${ref}.`)
      : refused(
          'no_active_contract',
          `No active contract of tenant ${tenant.slug} covers the ${d.environment.toLowerCase()} environment of deployment ${d.name} (${active.map((c) => c.reference).join(', ')} cover other environments).`,
        );
  }
  const grants = covering.entitlements.filter((e) => e.modelVersionId === version.id || e.modelFamilyId === version.familyId);
  if (grants.length === 0) {
    throw refused('not_entitled', `Contract ${covering.reference}, which covers deployment ${d.name}, grants neither ${ref} nor the ${version.family.slug} family.`, {
      contract: covering.reference,
    });
  }
  // The limit counts the tenant's other deployments pinned to a version these entitlements grant.
  const capacity = grants.reduce((n, g) => n + g.maxDeployments, 0);
  const familyIds = grants.flatMap((g) => (g.modelFamilyId ? [g.modelFamilyId] : []));
  const versionIds = grants.flatMap((g) => (g.modelVersionId ? [g.modelVersionId] : []));
  const used = await tx.deployment.count({
    where: {
      tenantId: d.tenantId,
      archivedAt: null,
      id: { not: d.id },
      pinnedVersion: { OR: [{ familyId: { in: familyIds } }, { id: { in: versionIds } }] },
    },
  });
  if (used >= capacity) {
    throw refused(
      'deployment_limit',
      `Contract ${covering.reference} allows ${capacity} deployment${capacity === 1 ? '' : 's'} of ${ref}, and ${used} other deployment${used === 1 ? ' is' : 's are'} already pinned to it.`,
      { contract: covering.reference, maxDeployments: capacity, used },
    );
  }
  return version;
}

// ───────────────────────────── changes ─────────────────────────────

function refuseBoundKey(ctx: Ctx): void {
  // An agent's key reports what runs; what should run is decided by the tenant's or the vendor's administrators.
  if (boundDeploymentOf(ctx.actor)) throw new AppError('forbidden', "A deployment's own key cannot change its rollouts.");
}

async function findRolloutInScope(ctx: Ctx, id: string): Promise<{ deploymentId: string }> {
  const scope = deploymentScope(ctx.actor);
  const row = isUuid(id) ? await db.rollout.findFirst({ where: { id, deployment: scope }, select: { deploymentId: true } }) : null;
  if (!row) throw notFound('Rollout');
  return row;
}

const pinOf = (v: { version: string; family: { slug: string } } | null) => (v ? refOf(v) : null);

/** Pins at once, or schedules an upgrade (`scheduledFor` in the future). */
export async function createRollout(ctx: Ctx, deploymentId: string, input: CreateRolloutInput): Promise<RolloutDto> {
  authorize(ctx.actor, 'deployments:write');
  refuseBoundKey(ctx);
  const scope = deploymentScope(ctx.actor);
  return transaction(async (tx) => {
    const d = await lockDeployment(tx, scope, deploymentId);
    if (d.archivedAt) throw new AppError('invalid_transition', 'An archived deployment cannot get rollouts.');
    const now = new Date();
    const scheduledFor = input.scheduledFor ? new Date(input.scheduledFor) : null;
    if (scheduledFor && scheduledFor <= now) {
      throw new AppError('validation_failed', 'The scheduled date must be in the future; leave it out to pin at once.', {
        errors: [{ path: 'scheduledFor', message: 'must be in the future' }],
      });
    }
    const open = await tx.rollout.findMany({ where: { deploymentId: d.id, status: { in: [...OPEN] } }, include });
    const scheduled = open.find((r) => r.status === 'SCHEDULED');
    if (scheduled) {
      throw new AppError(
        'conflict',
        `Deployment ${d.name} already has an upgrade to ${refOf(scheduled.toVersion)} scheduled for ${scheduled.scheduledFor?.toISOString().slice(0, 10)}. Cancel it first.`,
        { extra: { rolloutId: scheduled.id } },
      );
    }
    const version = await checkPinnable(tx, ctx, d, input.modelVersionId, { allowed: ['RELEASED'] });
    if (!scheduledFor && d.pinnedVersionId === version.id) {
      throw new AppError('conflict', `Deployment ${d.name} is already pinned to ${refOf(version)}.`);
    }

    // A newer pin replaces one still in progress: the site is asked for the new version instead.
    const superseded = scheduledFor ? [] : open.filter((r) => r.status === 'IN_PROGRESS');
    if (superseded.length) {
      await tx.rollout.updateMany({ where: { id: { in: superseded.map((r) => r.id) } }, data: { status: 'CANCELLED', endedAt: now } });
    }
    const runs = d.runningVersions.some((r) => r.modelVersionId === version.id);
    const row = await tx.rollout.create({
      data: {
        tenantId: d.tenantId,
        deploymentId: d.id,
        kind: scheduledFor ? 'UPGRADE' : 'PIN',
        fromVersionId: d.pinnedVersionId,
        toVersionId: version.id,
        status: scheduledFor ? 'SCHEDULED' : runs ? 'COMPLETED' : 'IN_PROGRESS',
        scheduledFor,
        noticeAt: scheduledFor ? new Date(input.noticeAt ?? now) : null,
        startedAt: scheduledFor ? null : now,
        completedAt: !scheduledFor && runs ? now : null,
        note: input.note ?? null,
        createdByLabel: ctx.actor.label,
      },
      include,
    });
    if (!scheduledFor) await tx.deployment.update({ where: { id: d.id }, data: { pinnedVersionId: version.id } });
    await record(tx, ctx, {
      action: 'rollout.created',
      tenantId: d.tenantId,
      target: { type: 'deployment', id: d.id },
      data: {
        rolloutId: row.id,
        kind: row.kind,
        status: row.status,
        to: refOf(version),
        scheduledFor: iso(row.scheduledFor),
        noticeAt: iso(row.noticeAt),
        note: row.note,
        ...(superseded.length ? { supersedes: superseded.map((r) => r.id) } : {}),
        ...(scheduledFor ? {} : { before: { pinnedVersion: pinOf(d.pinnedVersion) }, after: { pinnedVersion: refOf(version) } }),
      },
    });
    return toRolloutDto(row);
  });
}

/** Only a SCHEDULED rollout is cancelled: nothing has moved yet. */
export async function cancelRollout(ctx: Ctx, rolloutId: string, input: EndRolloutInput): Promise<RolloutDto> {
  authorize(ctx.actor, 'deployments:write');
  refuseBoundKey(ctx);
  const { deploymentId } = await findRolloutInScope(ctx, rolloutId);
  const scope = deploymentScope(ctx.actor);
  return transaction(async (tx) => {
    const d = await lockDeployment(tx, scope, deploymentId);
    const before = await tx.rollout.findUniqueOrThrow({ where: { id: rolloutId }, include });
    if (before.status !== 'SCHEDULED') {
      throw new AppError('invalid_transition', `Only a scheduled rollout can be cancelled; this one is ${before.status}. Roll it back instead.`, {
        extra: { status: before.status },
      });
    }
    const after = await tx.rollout.update({ where: { id: rolloutId }, data: { status: 'CANCELLED', endedAt: new Date() }, include });
    await record(tx, ctx, {
      action: 'rollout.cancelled',
      tenantId: d.tenantId,
      target: { type: 'deployment', id: d.id },
      data: { rolloutId, to: refOf(before.toVersion), reason: input.reason, before: { status: before.status }, after: { status: after.status } },
    });
    return toRolloutDto(after);
  });
}

/**
 * Returns the deployment to the version the rollout replaced. Only the rollout that set the current
 * pin can be rolled back, and only to a version that may still be pinned (RELEASED or DEPRECATED,
 * entitled, not export-restricted).
 */
export async function rollBackRollout(ctx: Ctx, rolloutId: string, input: EndRolloutInput): Promise<RolloutDto> {
  authorize(ctx.actor, 'deployments:write');
  refuseBoundKey(ctx);
  const { deploymentId } = await findRolloutInScope(ctx, rolloutId);
  const scope = deploymentScope(ctx.actor);
  return transaction(async (tx) => {
    const d = await lockDeployment(tx, scope, deploymentId);
    if (d.archivedAt) throw new AppError('invalid_transition', 'An archived deployment cannot get rollouts.');
    const original = await tx.rollout.findUniqueOrThrow({ where: { id: rolloutId }, include });
    if (original.status !== 'IN_PROGRESS' && original.status !== 'COMPLETED') {
      throw new AppError('invalid_transition', `Only an in-progress or completed rollout can be rolled back; this one is ${original.status}.`, {
        extra: { status: original.status },
      });
    }
    if (original.toVersionId !== d.pinnedVersionId) {
      throw new AppError('invalid_transition', 'Only the rollout that set the current pin can be rolled back.');
    }
    if (!original.fromVersionId || !original.fromVersion) {
      throw new AppError('invalid_transition', `There is no earlier pinned version to return to: ${refOf(original.toVersion)} was the first pin of ${d.name}.`);
    }
    const target = await checkPinnable(tx, ctx, d, original.fromVersionId, { allowed: ['RELEASED', 'DEPRECATED'] });
    const now = new Date();
    await tx.rollout.update({ where: { id: original.id }, data: { status: 'ROLLED_BACK', endedAt: now } });
    const runs = d.runningVersions.some((r) => r.modelVersionId === target.id);
    const row = await tx.rollout.create({
      data: {
        tenantId: d.tenantId,
        deploymentId: d.id,
        kind: 'ROLLBACK',
        fromVersionId: original.toVersionId,
        toVersionId: target.id,
        status: runs ? 'COMPLETED' : 'IN_PROGRESS',
        startedAt: now,
        completedAt: runs ? now : null,
        note: input.reason,
        createdByLabel: ctx.actor.label,
        rollsBackId: original.id,
      },
      include,
    });
    await tx.deployment.update({ where: { id: d.id }, data: { pinnedVersionId: target.id } });
    await record(tx, ctx, {
      action: 'rollout.rolled_back',
      tenantId: d.tenantId,
      target: { type: 'deployment', id: d.id },
      data: {
        rolloutId: original.id,
        rollbackId: row.id,
        reason: input.reason,
        before: { pinnedVersion: refOf(original.toVersion) },
        after: { pinnedVersion: refOf(target) },
      },
    });
    return toRolloutDto(row);
  });
}

/**
 * Moves a deployment's open rollouts along after it reported its running versions (heartbeat,
 * manual entry or import), inside that report's transaction and audited with its actor:
 * a SCHEDULED rollout whose date has come (or whose version already runs) starts, moving the pin —
 * unless the version may no longer be pinned (contract ended, restriction added …), then it is
 * cancelled with the reason; an IN_PROGRESS rollout whose version now runs is COMPLETED.
 */
export async function advanceRollouts(tx: Tx, ctx: Ctx, d: DeploymentRow, runningIds: ReadonlySet<string>, trigger: string): Promise<void> {
  const open = await tx.rollout.findMany({ where: { deploymentId: d.id, status: { in: [...OPEN] } }, include, orderBy: { id: 'asc' } });
  if (open.length === 0) return;
  const now = new Date();
  let pinned = d.pinnedVersion ? refOf(d.pinnedVersion) : null;
  let pinnedId = d.pinnedVersionId;
  for (const r of open) {
    let status = r.status;
    if (status === 'SCHEDULED' && ((r.scheduledFor && r.scheduledFor <= now) || runningIds.has(r.toVersionId))) {
      const problem = await checkPinnable(tx, ctx, d, r.toVersionId, { allowed: ['RELEASED'] }).then(
        () => null,
        (err: unknown) => (err instanceof AppError ? err.message : 'the version can no longer be pinned'),
      );
      if (problem) {
        await tx.rollout.update({ where: { id: r.id }, data: { status: 'CANCELLED', endedAt: now } });
        await record(tx, ctx, {
          action: 'rollout.cancelled',
          tenantId: d.tenantId,
          target: { type: 'deployment', id: d.id },
          data: { rolloutId: r.id, to: refOf(r.toVersion), reason: `Not started: ${problem}`, trigger, before: { status }, after: { status: 'CANCELLED' } },
        });
        continue;
      }
      // An older pin still in progress is replaced by the upgrade that starts now.
      const superseded = open.filter((o) => o.id !== r.id && o.status === 'IN_PROGRESS').map((o) => o.id);
      if (superseded.length) await tx.rollout.updateMany({ where: { id: { in: superseded }, status: 'IN_PROGRESS' }, data: { status: 'CANCELLED', endedAt: now } });
      await tx.rollout.update({ where: { id: r.id }, data: { status: 'IN_PROGRESS', startedAt: now, fromVersionId: pinnedId } });
      await tx.deployment.update({ where: { id: d.id }, data: { pinnedVersionId: r.toVersionId } });
      await record(tx, ctx, {
        action: 'rollout.started',
        tenantId: d.tenantId,
        target: { type: 'deployment', id: d.id },
        data: {
          rolloutId: r.id,
          trigger,
          ...(superseded.length ? { supersedes: superseded } : {}),
          before: { pinnedVersion: pinned },
          after: { pinnedVersion: refOf(r.toVersion) },
        },
      });
      status = 'IN_PROGRESS';
      pinned = refOf(r.toVersion);
      pinnedId = r.toVersionId;
    }
    if (status === 'IN_PROGRESS' && runningIds.has(r.toVersionId)) {
      await tx.rollout.update({ where: { id: r.id }, data: { status: 'COMPLETED', completedAt: now } });
      await record(tx, ctx, {
        action: 'rollout.completed',
        tenantId: d.tenantId,
        target: { type: 'deployment', id: d.id },
        data: { rolloutId: r.id, to: refOf(r.toVersion), trigger },
      });
    }
  }
}
