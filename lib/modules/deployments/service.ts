import { db, transaction, type Prisma, type Tx } from '@/lib/core/db';
import { type Ctx, boundDeploymentOf } from '@/lib/access/actor';
import { authorize } from '@/lib/access/guard';
import { deploymentScope, inTenantScope, tenantScope } from '@/lib/access/scope';
import { record } from '@/lib/audit/record';
import { changedFields } from '@/lib/audit/diff';
import { canonicalize } from '@/lib/core/crypto/jcs';
import { sha256Hex } from '@/lib/core/crypto/hash';
import { getEnv } from '@/lib/core/env';
import { AppError, notFound, toAppError } from '@/lib/core/errors';
import type { Connectivity, Environment, RunningSource } from '@/lib/generated/prisma/enums';
import { type Page, decodeCursor, encodeCursor, invalidCursor, isUuid } from '@/lib/core/schema';
import type {
  CreateDeploymentInput,
  DeploymentDto,
  DeploymentStatus,
  HeartbeatAckDto,
  HeartbeatInput,
  ListCoveredDeploymentsQuery,
  ListDeploymentsQuery,
  RunningVersionRef,
  RunningVersionsFile,
  UpdateDeploymentInput,
} from '@/lib/modules/deployments/schema';
import { type DeploymentRow, deploymentInclude, lockDeployment } from '@/lib/access/deployment-scope';
import { activeContractWhere, environmentsCoveredBy } from '@/lib/modules/models/entitlements';
import { visibleVersionsWhere } from '@/lib/modules/models/service';
import { advanceRollouts } from '@/lib/modules/rollouts/service';

// Deployments of a tenant (README "Model catalogue, deployments and rollouts") and their agents' heartbeats.
//
// Scope: a tenant actor sees only its tenant's deployments, and an API key bound to a deployment
// (ApiKey.deploymentId, the key of that deployment's agent) sees only that one deployment; anything
// else is "not found". Deployments are archived, never deleted: their audit trail and running
// history stay.
//
// Health: a connected deployment is HEALTHY when its last heartbeat is at most
// CHARTER_HEARTBEAT_STALE_MINUTES (default 15) old, STALE after that, NEVER_SEEN before its first.
// An air-gapped deployment cannot reach Charter, so it does not heartbeat: a heartbeat for it is
// refused (a site that can call in is not air-gapped, and its record should say so), its running
// versions are entered by an administrator (setRunningVersions), and its status is AIRGAPPED.

/** Minutes without a heartbeat after which a connected deployment is STALE. */
export function heartbeatStaleMinutes(): number {
  return getEnv().CHARTER_HEARTBEAT_STALE_MINUTES;
}

const include = deploymentInclude;

export function deploymentStatus(
  d: { connectivity: Connectivity; lastHeartbeatAt: Date | null },
  now: Date = new Date(),
  staleMinutes: number = heartbeatStaleMinutes(),
): DeploymentStatus {
  if (d.connectivity === 'AIRGAPPED') return 'AIRGAPPED';
  if (!d.lastHeartbeatAt) return 'NEVER_SEEN';
  return now.getTime() - d.lastHeartbeatAt.getTime() <= staleMinutes * 60_000 ? 'HEALTHY' : 'STALE';
}

const refOf = (v: { version: string; family: { slug: string } }) => `${v.family.slug}@${v.version}`;

export function toDeploymentDto(d: DeploymentRow, now: Date = new Date()): DeploymentDto {
  return {
    id: d.id,
    tenantId: d.tenantId,
    name: d.name,
    environment: d.environment,
    country: d.country,
    hosting: d.hosting,
    connectivity: d.connectivity,
    status: deploymentStatus(d, now),
    agentVersion: d.agentVersion,
    lastHeartbeatAt: d.lastHeartbeatAt?.toISOString() ?? null,
    pinnedVersionId: d.pinnedVersionId,
    pinnedVersion: d.pinnedVersion ? { id: d.pinnedVersion.id, family: d.pinnedVersion.family.slug, version: d.pinnedVersion.version, status: d.pinnedVersion.status } : null,
    running: d.runningVersions
      .map((r) => ({
        modelVersionId: r.modelVersionId,
        family: r.modelVersion.family.slug,
        version: r.modelVersion.version,
        versionStatus: r.modelVersion.status,
        source: r.source,
        reportedAt: r.reportedAt.toISOString(),
      }))
      .sort((a, b) => a.family.localeCompare(b.family) || a.version.localeCompare(b.version, 'en', { numeric: true })),
    archivedAt: d.archivedAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

function statusWhere(status: DeploymentStatus, now: Date): Prisma.DeploymentWhereInput {
  const cutoff = new Date(now.getTime() - heartbeatStaleMinutes() * 60_000);
  switch (status) {
    case 'AIRGAPPED':
      return { connectivity: 'AIRGAPPED' };
    case 'NEVER_SEEN':
      return { connectivity: 'CONNECTED', lastHeartbeatAt: null };
    case 'HEALTHY':
      return { connectivity: 'CONNECTED', lastHeartbeatAt: { gte: cutoff } };
    case 'STALE':
      return { connectivity: 'CONNECTED', lastHeartbeatAt: { lt: cutoff } };
  }
}

/** Keyset-paginated by (name, id). */
export async function listDeployments(ctx: Ctx, query: ListDeploymentsQuery, now: Date = new Date()): Promise<Page<DeploymentDto>> {
  authorize(ctx.actor, 'deployments:read');
  const and: Prisma.DeploymentWhereInput[] = [deploymentScope(ctx.actor)];
  if (query.tenantId) and.push({ tenantId: query.tenantId });
  if (!query.includeArchived) and.push({ archivedAt: null });
  if (query.environment) and.push({ environment: query.environment });
  if (query.connectivity) and.push({ connectivity: query.connectivity });
  if (query.status) and.push(statusWhere(query.status, now));
  if (query.q) and.push({ name: { contains: query.q.toLowerCase() } });
  return pageByName(and, query, now);
}

/** One keyset page by (name, id): the order of every deployment list. */
async function pageByName(and: Prisma.DeploymentWhereInput[], query: { limit: number; cursor?: string }, now: Date): Promise<Page<DeploymentDto>> {
  const where: Prisma.DeploymentWhereInput[] = [...and];
  if (query.cursor) {
    const [name, id] = decodeCursor(query.cursor, 2);
    if (typeof name !== 'string' || !isUuid(id)) throw invalidCursor(query.cursor);
    where.push({ OR: [{ name: { gt: name } }, { name, id: { gt: String(id) } }] });
  }
  const rows = await db.deployment.findMany({
    where: { AND: where },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    take: query.limit + 1,
    include,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    data: page.map((d) => toDeploymentDto(d, now)),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.name, last.id]) : null,
  };
}

/** A page of the deployments a contract covers, with how many there are and in which environments. */
export type CoveredDeploymentsPage = Page<DeploymentDto> & { total: number; environments: Environment[] };

/**
 * The non-archived deployments that a contract covers: exactly those for which findCoveringContract
 * answers this contract, by the same rule (coveringContractOf), so a contract for ALL does not
 * claim the environments another contract covers. Nothing while the contract is not in force.
 * Keyset-paginated with the total, so a long list is paged, never cut off.
 */
export async function listCoveredDeployments(ctx: Ctx, contractId: string, query: ListCoveredDeploymentsQuery, now: Date = new Date()): Promise<CoveredDeploymentsPage> {
  authorize(ctx.actor, 'contracts:read');
  authorize(ctx.actor, 'deployments:read');
  const contract = isUuid(contractId) ? await db.contract.findFirst({ where: { AND: [tenantScope(ctx.actor), { id: contractId }] }, select: { id: true, tenantId: true } }) : null;
  if (!contract) throw notFound('Contract');
  const counting = await db.contract.findMany({ where: { tenantId: contract.tenantId, ...activeContractWhere(now) }, orderBy: { id: 'asc' }, select: { id: true, scope: true } });
  const environments = environmentsCoveredBy(counting, contract.id);
  if (environments.length === 0) return { data: [], nextCursor: null, total: 0, environments };
  const and: Prisma.DeploymentWhereInput[] = [deploymentScope(ctx.actor), { tenantId: contract.tenantId, archivedAt: null, environment: { in: environments } }];
  const [page, total] = await Promise.all([pageByName(and, query, now), db.deployment.count({ where: { AND: and } })]);
  return { ...page, total, environments };
}

/** Non-archived deployments in scope by health, for the overview. */
export async function countDeploymentsByStatus(ctx: Ctx, now: Date = new Date()): Promise<Record<DeploymentStatus, number>> {
  authorize(ctx.actor, 'deployments:read');
  const scope = deploymentScope(ctx.actor);
  const statuses = ['HEALTHY', 'STALE', 'NEVER_SEEN', 'AIRGAPPED'] as const;
  const counts = await Promise.all(statuses.map((s) => db.deployment.count({ where: { AND: [scope, { archivedAt: null }, statusWhere(s, now)] } })));
  return Object.fromEntries(statuses.map((s, i) => [s, counts[i] ?? 0])) as Record<DeploymentStatus, number>;
}

/** Another tenant's (or a missing, or for a bound key another) deployment is the same 404. */
export async function getDeployment(ctx: Ctx, id: string): Promise<DeploymentDto> {
  authorize(ctx.actor, 'deployments:read');
  const row = isUuid(id) ? await db.deployment.findFirst({ where: { AND: [deploymentScope(ctx.actor), { id }] }, include }) : null;
  if (!row) throw notFound('Deployment');
  return toDeploymentDto(row);
}

// ───────────────────────────── changes ─────────────────────────────

const AUDITED_FIELDS = ['name', 'environment', 'country', 'hosting', 'connectivity', 'archivedAt'] as const;

function auditedFields(d: DeploymentRow): Record<string, unknown> {
  return Object.fromEntries(AUDITED_FIELDS.map((f) => [f, d[f]]));
}

type TenantForDeployment = { id: string; slug: string; allowedCountries: string[]; status: string; archivedAt: Date | null };

/** FOR SHARE: a concurrent change of the tenant's allowed countries waits for this transaction (and vice versa). */
async function lockTenantForDeployment(tx: Tx, tenantId: string): Promise<TenantForDeployment> {
  const rows = await tx.$queryRaw<{ id: string; slug: string; allowed_countries: string[]; status: string; archived_at: Date | null }[]>`
    SELECT id, slug, allowed_countries, status::text AS status, archived_at FROM tenants WHERE id = ${tenantId}::uuid FOR SHARE`;
  const t = rows[0];
  if (!t) throw notFound('Tenant');
  return { id: t.id, slug: t.slug, allowedCountries: t.allowed_countries, status: t.status, archivedAt: t.archived_at };
}

/** Residency: a deployment's country must lie within its tenant's allowed data-processing countries. */
function checkResidency(tenant: TenantForDeployment, country: string): void {
  if (tenant.allowedCountries.includes(country)) return;
  const allowed = [...tenant.allowedCountries].sort().join(', ');
  throw new AppError('validation_failed', `${country} is not one of the allowed data-processing countries of tenant ${tenant.slug}: ${allowed}.`, {
    errors: [{ path: 'country', message: `must be one of ${allowed}` }],
    extra: { allowedCountries: [...tenant.allowedCountries].sort() },
  });
}

function nameTaken(name: string): AppError {
  return new AppError('conflict', `A deployment named ${name} already exists in this tenant.`, {
    errors: [{ path: 'name', message: 'is already taken' }],
  });
}

async function checkNameFree(tx: Tx, tenantId: string, name: string): Promise<void> {
  // Archived deployments keep their name: bundles and the audit trail refer to it.
  if (await tx.deployment.findUnique({ where: { tenantId_name: { tenantId, name } }, select: { id: true } })) throw nameTaken(name);
}

/** A concurrent insert of the same name gets past checkNameFree; the unique index still answers 409. */
function nameConflict(name: string | undefined) {
  return (err: unknown): never => {
    throw name && toAppError(err).code === 'conflict' ? nameTaken(name) : err;
  };
}

function checkConnectivity(environment: string, connectivity: Connectivity): void {
  if (environment === 'AIRGAPPED' && connectivity === 'CONNECTED') {
    throw new AppError('validation_failed', 'An air-gapped environment cannot have connected connectivity.', {
      errors: [{ path: 'connectivity', message: 'must be AIRGAPPED for the AIRGAPPED environment' }],
    });
  }
}

export async function createDeployment(ctx: Ctx, input: CreateDeploymentInput): Promise<DeploymentDto> {
  authorize(ctx.actor, 'deployments:write');
  if (boundDeploymentOf(ctx.actor)) throw new AppError('forbidden', 'A key bound to a deployment cannot create deployments.');
  // The tenant comes from the actor; only a platform actor names it.
  if (input.tenantId && !inTenantScope(ctx.actor, input.tenantId)) throw notFound('Tenant');
  const tenantId = ctx.actor.tenantId ?? input.tenantId;
  if (!tenantId) {
    throw new AppError('validation_failed', 'Say which tenant the deployment belongs to.', { errors: [{ path: 'tenantId', message: 'is required' }] });
  }
  const connectivity = input.connectivity ?? (input.environment === 'AIRGAPPED' ? 'AIRGAPPED' : 'CONNECTED');
  checkConnectivity(input.environment, connectivity);
  return transaction(async (tx) => {
    const tenant = await lockTenantForDeployment(tx, tenantId);
    if (tenant.archivedAt || tenant.status === 'OFFBOARDED') throw new AppError('invalid_transition', 'An offboarded tenant cannot get new deployments.');
    checkResidency(tenant, input.country);
    await checkNameFree(tx, tenantId, input.name);
    const row = await tx.deployment.create({
      data: { tenantId, name: input.name, environment: input.environment, country: input.country, hosting: input.hosting, connectivity },
      include,
    });
    await record(tx, ctx, { action: 'deployment.created', tenantId, target: { type: 'deployment', id: row.id }, data: { after: auditedFields(row) } });
    return toDeploymentDto(row);
  }).catch(nameConflict(input.name));
}

export async function updateDeployment(ctx: Ctx, id: string, input: UpdateDeploymentInput): Promise<DeploymentDto> {
  authorize(ctx.actor, 'deployments:write');
  const scope = deploymentScope(ctx.actor);
  return transaction(async (tx) => {
    const before = await lockDeployment(tx, scope, id);
    if (before.archivedAt) throw new AppError('invalid_transition', 'An archived deployment cannot be changed.');
    checkConnectivity(input.environment ?? before.environment, input.connectivity ?? before.connectivity);
    // Only a change of country is checked: a tenant may have narrowed its countries since, and that
    // must not block an unrelated edit (it shows up as a residency finding instead).
    if (input.country && input.country !== before.country) checkResidency(await lockTenantForDeployment(tx, before.tenantId), input.country);
    if (input.name && input.name !== before.name) await checkNameFree(tx, before.tenantId, input.name);
    const after = await tx.deployment.update({ where: { id }, data: input, include });
    const changes = changedFields(before, after, AUDITED_FIELDS);
    if (Object.keys(changes.after).length > 0) {
      await record(tx, ctx, { action: 'deployment.updated', tenantId: after.tenantId, target: { type: 'deployment', id }, data: changes });
    }
    return toDeploymentDto(after);
  }).catch(nameConflict(input.name));
}

/** Never a hard delete: the deployment is hidden from lists, and its history stays. */
export async function archiveDeployment(ctx: Ctx, id: string, reason?: string): Promise<DeploymentDto> {
  authorize(ctx.actor, 'deployments:write');
  const scope = deploymentScope(ctx.actor);
  return transaction(async (tx) => {
    const before = await lockDeployment(tx, scope, id);
    if (before.archivedAt) throw new AppError('invalid_transition', 'The deployment is already archived.');
    const after = await tx.deployment.update({ where: { id }, data: { archivedAt: new Date() }, include });
    await record(tx, ctx, {
      action: 'deployment.archived',
      tenantId: after.tenantId,
      target: { type: 'deployment', id },
      data: { ...changedFields(before, after, AUDITED_FIELDS), reason: reason ?? null },
    });
    return toDeploymentDto(after);
  });
}

// ───────────────────────────── running versions and heartbeats ─────────────────────────────

type ResolvedVersion = { id: string; ref: string };

/**
 * Catalogue ids for the reported versions, deduplicated. Versions the actor cannot see (unknown, or
 * DRAFT for a tenant actor) are refused, all of them named, and nothing changes.
 */
async function resolveRunning(ctx: Ctx, refs: readonly RunningVersionRef[]): Promise<ResolvedVersion[]> {
  if (refs.length === 0) return [];
  const ids = refs.flatMap((r) => ('modelVersionId' in r ? [r.modelVersionId] : []));
  const pairs = refs.flatMap((r) => ('family' in r ? [{ version: r.version, family: { slug: r.family } }] : []));
  const rows = await db.modelVersion.findMany({
    where: { AND: [visibleVersionsWhere(ctx), { OR: [...(ids.length ? [{ id: { in: ids } }] : []), ...pairs] }] },
    select: { id: true, version: true, family: { select: { slug: true } } },
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const byRef = new Map(rows.map((r) => [refOf(r), r]));
  const resolved = new Map<string, ResolvedVersion>();
  const errors: { path: string; message: string }[] = [];
  refs.forEach((r, i) => {
    const row = 'modelVersionId' in r ? byId.get(r.modelVersionId) : byRef.get(`${r.family}@${r.version}`);
    if (row) resolved.set(row.id, { id: row.id, ref: refOf(row) });
    else errors.push({ path: `running.${i}`, message: `${'modelVersionId' in r ? r.modelVersionId : `${r.family}@${r.version}`} is not a model version in the catalogue` });
  });
  if (errors.length) {
    throw new AppError('validation_failed', `${errors.length === 1 ? 'A reported version is' : `${errors.length} reported versions are`} not in the model catalogue.`, { errors });
  }
  return [...resolved.values()].sort((a, b) => a.ref.localeCompare(b.ref));
}

/**
 * Makes `versions` the running set of a deployment: removes the others, stamps the kept ones and
 * adds the new ones. Returns whether the set changed, for the caller's audit event.
 */
async function replaceRunning(tx: Tx, d: DeploymentRow, versions: ResolvedVersion[], source: RunningSource, reportedAt: Date): Promise<boolean> {
  const current = new Set(d.runningVersions.map((r) => r.modelVersionId));
  const next = new Set(versions.map((v) => v.id));
  const removed = [...current].filter((id) => !next.has(id));
  const added = [...next].filter((id) => !current.has(id));
  if (removed.length) await tx.deploymentModelVersion.deleteMany({ where: { deploymentId: d.id, modelVersionId: { in: removed } } });
  if (current.size > removed.length) await tx.deploymentModelVersion.updateMany({ where: { deploymentId: d.id }, data: { source, reportedAt } });
  if (added.length) {
    await tx.deploymentModelVersion.createMany({ data: added.map((modelVersionId) => ({ deploymentId: d.id, modelVersionId, source, reportedAt })) });
  }
  return removed.length > 0 || added.length > 0;
}

const runningRefs = (d: DeploymentRow) => d.runningVersions.map((r) => refOf(r.modelVersion)).sort();

/**
 * An agent's check-in (`POST /deployments/{id}/heartbeat`): in one transaction, stamps
 * lastHeartbeatAt (server time) and the agent version, replaces the running versions, and appends
 * one `deployment.heartbeat` event. The event carries the agent version and running set; before and
 * after appear only when something changed, so a steady heartbeat stays a small event.
 *
 * `reportedAt` is the agent's clock (capped at now): a report older than the running set on record
 * (a buffered, late delivery) still counts as a heartbeat but does not roll the running set back.
 */
export async function recordHeartbeat(ctx: Ctx, deploymentId: string, input: HeartbeatInput): Promise<HeartbeatAckDto> {
  authorize(ctx.actor, 'deployments:write');
  const scope = deploymentScope(ctx.actor);
  const versions = await resolveRunning(ctx, input.running);
  return transaction(async (tx) => {
    const before = await lockDeployment(tx, scope, deploymentId);
    if (before.archivedAt) throw new AppError('invalid_transition', 'An archived deployment does not accept heartbeats.');
    if (before.connectivity === 'AIRGAPPED') {
      throw new AppError(
        'invalid_transition',
        `Deployment ${before.name} is recorded as air-gapped, so it does not heartbeat. Change its connectivity to CONNECTED if it can reach Charter.`,
      );
    }
    const now = new Date();
    const reportedAt = input.reportedAt ? new Date(Math.min(new Date(input.reportedAt).getTime(), now.getTime())) : now;
    // Compared with earlier heartbeats only: those carry the agent's clock, manual entries Charter's.
    const lastReport = Math.max(0, ...before.runningVersions.filter((r) => r.source === 'HEARTBEAT').map((r) => r.reportedAt.getTime()));
    const outOfOrder = reportedAt.getTime() < lastReport;
    const runningChanged = outOfOrder ? false : await replaceRunning(tx, before, versions, 'HEARTBEAT', reportedAt);
    await tx.deployment.update({ where: { id: before.id }, data: { lastHeartbeatAt: now, agentVersion: input.agentVersion } });
    const runningNow = outOfOrder ? new Set(before.runningVersions.map((r) => r.modelVersionId)) : new Set(versions.map((v) => v.id));

    const changedBefore: Record<string, unknown> = {};
    const changedAfter: Record<string, unknown> = {};
    if (runningChanged) {
      changedBefore.running = runningRefs(before);
      changedAfter.running = versions.map((v) => v.ref);
    }
    if (before.agentVersion !== input.agentVersion) {
      changedBefore.agentVersion = before.agentVersion;
      changedAfter.agentVersion = input.agentVersion;
    }
    await record(tx, ctx, {
      action: 'deployment.heartbeat',
      tenantId: before.tenantId,
      target: { type: 'deployment', id: before.id },
      data: {
        agentVersion: input.agentVersion,
        running: versions.map((v) => v.ref),
        reportedAt: reportedAt.toISOString(),
        ...(outOfOrder ? { outOfOrder: true } : {}),
        ...(Object.keys(changedAfter).length ? { before: changedBefore, after: changedAfter } : {}),
      },
    });
    // After the heartbeat's own event, so the trail reads: report, then what it set in motion.
    await advanceRollouts(tx, ctx, before, runningNow, 'heartbeat');
    const after = await tx.deployment.findUniqueOrThrow({ where: { id: before.id }, include });
    return {
      receivedAt: now.toISOString(),
      nextHeartbeatBefore: new Date(now.getTime() + heartbeatStaleMinutes() * 60_000).toISOString(),
      runningChanged,
      deployment: toDeploymentDto(after, now),
    };
  });
}

/**
 * Running versions entered by an administrator (MANUAL) or imported from a file an air-gapped site
 * exported (IMPORT). For a connected deployment, its agent's next heartbeat replaces them.
 */
export async function setRunningVersions(
  ctx: Ctx,
  deploymentId: string,
  input: { running: RunningVersionRef[]; source: Exclude<RunningSource, 'HEARTBEAT'>; reportedAt?: Date; agentVersion?: string; fileSha256?: string },
): Promise<DeploymentDto> {
  authorize(ctx.actor, 'deployments:write');
  const scope = deploymentScope(ctx.actor);
  const versions = await resolveRunning(ctx, input.running);
  return transaction(async (tx) => {
    const before = await lockDeployment(tx, scope, deploymentId);
    if (before.archivedAt) throw new AppError('invalid_transition', 'An archived deployment cannot be changed.');
    const reportedAt = input.reportedAt ?? new Date();
    if (input.source === 'IMPORT') {
      // A site's files may arrive out of order (couriered media): an older report never overwrites a newer one.
      const latest = Math.max(0, ...before.runningVersions.map((r) => r.reportedAt.getTime()));
      if (reportedAt.getTime() < latest) {
        throw new AppError(
          'conflict',
          `This file was written at ${reportedAt.toISOString()}, before the running versions on record (${new Date(latest).toISOString()}); it was not imported.`,
        );
      }
    }
    const changed = await replaceRunning(tx, before, versions, input.source, reportedAt);
    const agentChanged = input.agentVersion !== undefined && input.agentVersion !== before.agentVersion;
    if (agentChanged) await tx.deployment.update({ where: { id: before.id }, data: { agentVersion: input.agentVersion } });
    if (changed || agentChanged || input.source === 'IMPORT') {
      await record(tx, ctx, {
        action: 'deployment.updated',
        tenantId: before.tenantId,
        target: { type: 'deployment', id: before.id },
        data: {
          ...(changed || agentChanged
            ? {
                before: { ...(changed ? { running: runningRefs(before) } : {}), ...(agentChanged ? { agentVersion: before.agentVersion } : {}) },
                after: { ...(changed ? { running: versions.map((v) => v.ref) } : {}), ...(agentChanged ? { agentVersion: input.agentVersion } : {}) },
              }
            : { running: versions.map((v) => v.ref) }),
          source: input.source,
          ...(input.source === 'IMPORT' ? { reportedAt: reportedAt.toISOString(), fileSha256: input.fileSha256 ?? null } : {}),
        },
      });
    }
    await advanceRollouts(tx, ctx, before, new Set(versions.map((v) => v.id)), input.source === 'IMPORT' ? 'import' : 'manual');
    return toDeploymentDto(await tx.deployment.findUniqueOrThrow({ where: { id: before.id }, include }));
  });
}

/**
 * Imports the running-versions file an air-gapped site exported (README "Running-versions file").
 * The file must be for this deployment (its id), name only catalogue versions, and any weights
 * digest it measured must equal the catalogue's: a mismatch means the site runs something other
 * than what Charter released, and nothing is imported. The SHA-256 of the file's JCS form is kept in
 * the audit event.
 */
export async function importRunningVersions(ctx: Ctx, deploymentId: string, file: RunningVersionsFile): Promise<DeploymentDto> {
  authorize(ctx.actor, 'deployments:write');
  const deployment = isUuid(deploymentId)
    ? await db.deployment.findFirst({ where: { AND: [deploymentScope(ctx.actor), { id: deploymentId }] }, select: { id: true, name: true } })
    : null;
  if (!deployment) throw notFound('Deployment');
  if (file.deployment.id !== deployment.id) {
    throw new AppError('validation_failed', `This file was written for deployment ${file.deployment.name} (${file.deployment.id}), not ${deployment.name}.`, {
      errors: [{ path: 'deployment.id', message: `must be ${deployment.id}` }],
    });
  }
  const digests = file.running.filter((r) => r.weightsDigest);
  if (digests.length) {
    const rows = await db.modelVersion.findMany({
      where: { OR: digests.map((r) => ({ version: r.version, family: { slug: r.family } })) },
      select: { version: true, weightsDigest: true, family: { select: { slug: true } } },
    });
    const known = new Map(rows.map((r) => [refOf(r), r.weightsDigest]));
    const errors = file.running.flatMap((r, i) => {
      const expected = known.get(`${r.family}@${r.version}`);
      return r.weightsDigest && expected && expected !== r.weightsDigest
        ? [{ path: `running.${i}.weightsDigest`, message: `${r.family}@${r.version}: the site measured ${r.weightsDigest}, the catalogue has ${expected}` }]
        : [];
    });
    if (errors.length) {
      throw new AppError(
        'validation_failed',
        `The weights digests in this file do not match the catalogue for ${errors.length === 1 ? 'one version' : `${errors.length} versions`}; nothing was imported.`,
        { errors },
      );
    }
  }
  return setRunningVersions(ctx, deployment.id, {
    running: file.running.map((r) => ({ family: r.family, version: r.version })),
    source: 'IMPORT',
    reportedAt: new Date(Math.min(new Date(file.reportedAt).getTime(), Date.now())),
    agentVersion: file.agentVersion,
    // Identifies the file (as validated, in JCS form) in the audit trail, to match it with the media it came on.
    fileSha256: sha256Hex(canonicalize(file)),
  });
}
