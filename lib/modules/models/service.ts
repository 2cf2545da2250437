import { z } from 'zod';
import { db, transaction, Prisma, type Tx } from '@/lib/core/db';
import type { Ctx } from '@/lib/access/actor';
import { authorize, isPlatform } from '@/lib/access/guard';
import { deploymentScope, deploymentScopeSql, tenantScope } from '@/lib/access/scope';
import { record } from '@/lib/audit/record';
import { AppError, notFound } from '@/lib/core/errors';
import type { ModelFamily, ModelVersion } from '@/lib/generated/prisma/client';
import type { ModelVersionStatus } from '@/lib/generated/prisma/enums';
import { type Page, decodeCursor, encodeCursor, invalidCursor, isUuid } from '@/lib/core/schema';
import {
  type AdoptionDto,
  type AdoptionQuery,
  type CreateModelFamilyInput,
  type CreateModelVersionInput,
  type DeprecateModelVersionInput,
  type ListModelFamiliesQuery,
  type ListModelVersionsQuery,
  type ModelFamilyDto,
  type ModelVersionDto,
  type ModelVersionSummaryDto,
  type ReleaseModelVersionInput,
  type RetireModelVersionInput,
  type UpdateModelVersionInput,
  VERSION_TRANSITIONS,
  type VersionImpactDto,
} from '@/lib/modules/models/schema';
import type { ApprovalDto } from '@/lib/approvals/schema';
import { approvalExecutor, requestOrPerform } from '@/lib/approvals/engine';
import { activeContractWhere, grantsVersionWhere } from './entitlements';

// The model catalogue is the vendor's, shared by all tenants: any actor with models:read reads it.
// DRAFT versions are unreleased work of the vendor, so only platform actors see them.

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toModelVersionDto(v: ModelVersion & { family: Pick<ModelFamily, 'slug' | 'name'> }): ModelVersionDto {
  return {
    id: v.id,
    familyId: v.familyId,
    family: v.family.slug,
    familyName: v.family.name,
    version: v.version,
    weightsDigest: v.weightsDigest,
    parameterCount: Number(v.parameterCount),
    contextLength: v.contextLength,
    licence: v.licence,
    releaseNotes: v.releaseNotes,
    techDocDigest: v.techDocDigest,
    exportRestrictions: v.exportRestrictions,
    status: v.status,
    releasedAt: iso(v.releasedAt),
    deprecatedAt: iso(v.deprecatedAt),
    endOfLifeAt: iso(v.endOfLifeAt),
    createdAt: v.createdAt.toISOString(),
    updatedAt: v.updatedAt.toISOString(),
  };
}

function toSummary(v: ModelVersion): ModelVersionSummaryDto {
  return { id: v.id, version: v.version, status: v.status, releasedAt: iso(v.releasedAt), deprecatedAt: iso(v.deprecatedAt), endOfLifeAt: iso(v.endOfLifeAt) };
}

/** The versions an actor may see: all for the platform, everything but DRAFT for a tenant. */
export function visibleVersionsWhere(ctx: Ctx): Prisma.ModelVersionWhereInput {
  return isPlatform(ctx.actor) ? {} : { status: { not: 'DRAFT' } };
}

function familyWhere(ref: string): Prisma.ModelFamilyWhereInput {
  return isUuid(ref) ? { id: ref } : { slug: ref.toLowerCase() };
}

/** Families by slug, each with its (visible) versions newest first. */
export async function listModelFamilies(ctx: Ctx, query: ListModelFamiliesQuery): Promise<Page<ModelFamilyDto>> {
  authorize(ctx.actor, 'models:read');
  const and: Prisma.ModelFamilyWhereInput[] = [];
  if (query.q) and.push({ OR: [{ slug: { contains: query.q.toLowerCase() } }, { name: { contains: query.q, mode: 'insensitive' } }] });
  if (query.cursor) and.push({ slug: { gt: String(decodeCursor(query.cursor, 1)[0]) } });
  const rows = await db.modelFamily.findMany({
    where: { AND: and },
    orderBy: { slug: 'asc' },
    take: query.limit + 1,
    include: { versions: { where: visibleVersionsWhere(ctx), orderBy: { id: 'desc' } } },
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    data: page.map((f) => ({
      id: f.id,
      slug: f.slug,
      name: f.name,
      description: f.description,
      modality: f.modality,
      createdAt: f.createdAt.toISOString(),
      versions: f.versions.map(toSummary),
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.slug]) : null,
  };
}

/**
 * By family slug, then newest first within a family (ids are uuid v7, so time-ordered); optionally
 * of one family and one status. Keyset-paginated by (family slug, id).
 */
export async function listModelVersions(ctx: Ctx, query: ListModelVersionsQuery): Promise<Page<ModelVersionDto>> {
  authorize(ctx.actor, 'models:read');
  const and: Prisma.ModelVersionWhereInput[] = [visibleVersionsWhere(ctx)];
  if (query.family) and.push({ family: familyWhere(query.family) });
  if (query.status) and.push({ status: query.status });
  if (query.cursor) {
    const [slug, id] = decodeCursor(query.cursor, 2);
    if (typeof slug !== 'string' || !isUuid(id)) throw invalidCursor(query.cursor);
    and.push({ OR: [{ family: { slug: { gt: slug } } }, { family: { slug }, id: { lt: String(id) } }] });
  }
  const rows = await db.modelVersion.findMany({
    where: { AND: and },
    orderBy: [{ family: { slug: 'asc' } }, { id: 'desc' }],
    take: query.limit + 1,
    include: { family: { select: { slug: true, name: true } } },
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { data: page.map(toModelVersionDto), nextCursor: rows.length > query.limit && last ? encodeCursor([last.family.slug, last.id]) : null };
}

export async function getModelVersion(ctx: Ctx, id: string): Promise<ModelVersionDto> {
  authorize(ctx.actor, 'models:read');
  const row = isUuid(id)
    ? await db.modelVersion.findFirst({ where: { AND: [visibleVersionsWhere(ctx), { id }] }, include: { family: { select: { slug: true, name: true } } } })
    : null;
  if (!row) throw notFound('Model version');
  return toModelVersionDto(row);
}

// ───────────────────────────── catalogue changes ─────────────────────────────
//
// Only platform administrators change the catalogue (models:write). Every change is one
// transaction with its audit event on the platform chain. A version moves only forward through
// DRAFT → RELEASED → DEPRECATED → RETIRED. Its weights digest, version string, size and context
// length are fixed once released: tenants verify what they run against them.

const DAY = 86_400_000;
const familySelect = { family: { select: { slug: true, name: true } } } satisfies Prisma.ModelVersionInclude;
type VersionWithFamily = Prisma.ModelVersionGetPayload<{ include: typeof familySelect }>;

function requirePlatform(ctx: Ctx): void {
  if (!isPlatform(ctx.actor)) throw new AppError('forbidden', 'Only platform administrators change the model catalogue.');
}

const refOf = (v: { version: string; family: { slug: string } }) => `${v.family.slug}@${v.version}`;
const dateOf = (d: Date) => d.toISOString().slice(0, 10);

export async function createModelFamily(ctx: Ctx, input: CreateModelFamilyInput): Promise<ModelFamilyDto> {
  authorize(ctx.actor, 'models:write');
  requirePlatform(ctx);
  return transaction(async (tx) => {
    if (await tx.modelFamily.findUnique({ where: { slug: input.slug }, select: { id: true } })) {
      throw new AppError('conflict', `A model family with the slug ${input.slug} already exists.`, { errors: [{ path: 'slug', message: 'is already taken' }] });
    }
    const f = await tx.modelFamily.create({
      data: { slug: input.slug, name: input.name, description: input.description ?? null, modality: input.modality ?? null },
    });
    await record(tx, ctx, {
      action: 'model_family.created',
      tenantId: null,
      target: { type: 'model_family', id: f.id },
      data: { after: { slug: f.slug, name: f.name, description: f.description, modality: f.modality } },
    });
    return { id: f.id, slug: f.slug, name: f.name, description: f.description, modality: f.modality, createdAt: f.createdAt.toISOString(), versions: [] };
  });
}

async function resolveFamily(tx: Tx, ref: string): Promise<{ id: string; slug: string }> {
  const family = await tx.modelFamily.findFirst({ where: familyWhere(ref), select: { id: true, slug: true } });
  if (!family) {
    throw new AppError('validation_failed', `There is no model family ${ref}.`, { errors: [{ path: 'family', message: 'is not a model family in the catalogue' }] });
  }
  return family;
}

function versionTaken(family: string, version: string): AppError {
  return new AppError('conflict', `${family}@${version} already exists.`, { errors: [{ path: 'version', message: 'already exists in this family' }] });
}

/** A new version starts as DRAFT, visible to the platform only. */
export async function createModelVersion(ctx: Ctx, input: CreateModelVersionInput): Promise<ModelVersionDto> {
  authorize(ctx.actor, 'models:write');
  requirePlatform(ctx);
  return transaction(async (tx) => {
    const family = await resolveFamily(tx, input.family);
    if (await tx.modelVersion.findUnique({ where: { familyId_version: { familyId: family.id, version: input.version } }, select: { id: true } })) {
      throw versionTaken(family.slug, input.version);
    }
    const v = await tx.modelVersion.create({
      data: {
        familyId: family.id,
        version: input.version,
        weightsDigest: input.weightsDigest,
        parameterCount: BigInt(input.parameterCount),
        contextLength: input.contextLength,
        licence: input.licence,
        releaseNotes: input.releaseNotes?.trim() ? input.releaseNotes : null,
        techDocDigest: input.techDocDigest ?? null,
        exportRestrictions: input.exportRestrictions,
        status: 'DRAFT',
      },
      include: familySelect,
    });
    const dto = toModelVersionDto(v);
    await record(tx, ctx, {
      action: 'model_version.created',
      tenantId: null,
      target: { type: 'model_version', id: v.id },
      data: { after: auditedVersionFields(dto) },
    });
    return dto;
  });
}

const AUDITED_VERSION_FIELDS = ['version', 'weightsDigest', 'parameterCount', 'contextLength', 'licence', 'releaseNotes', 'techDocDigest', 'exportRestrictions'] as const;
const FIXED_AFTER_RELEASE = new Set<string>(['version', 'weightsDigest', 'parameterCount', 'contextLength', 'licence']);

function auditedVersionFields(v: ModelVersionDto): Record<string, unknown> {
  return { family: v.family, status: v.status, ...Object.fromEntries(AUDITED_VERSION_FIELDS.map((f) => [f, v[f]])) };
}

async function lockVersion(tx: Tx, id: string): Promise<VersionWithFamily> {
  if (!isUuid(id)) throw notFound('Model version');
  // FOR UPDATE: lifecycle changes of one version serialise, so each before/after is exact.
  await tx.$queryRaw`SELECT id FROM model_versions WHERE id = ${id}::uuid FOR UPDATE`;
  const row = await tx.modelVersion.findUnique({ where: { id }, include: familySelect });
  if (!row) throw notFound('Model version');
  return row;
}

export async function updateModelVersion(ctx: Ctx, id: string, input: UpdateModelVersionInput): Promise<ModelVersionDto> {
  authorize(ctx.actor, 'models:write');
  requirePlatform(ctx);
  return transaction(async (tx) => {
    const before = await lockVersion(tx, id);
    if (before.status === 'RETIRED') throw new AppError('invalid_transition', `${refOf(before)} is retired and can no longer change.`);
    const fixed = Object.keys(input).filter((k) => FIXED_AFTER_RELEASE.has(k));
    if (before.status !== 'DRAFT' && fixed.length) {
      throw new AppError('invalid_transition', `${refOf(before)} is ${before.status}: its ${fixed.join(', ')} can no longer change. Create a new version instead.`, {
        errors: fixed.map((path) => ({ path, message: 'is fixed once the version is released' })),
      });
    }
    if (input.version && input.version !== before.version) {
      if (await tx.modelVersion.findUnique({ where: { familyId_version: { familyId: before.familyId, version: input.version } }, select: { id: true } })) {
        throw versionTaken(before.family.slug, input.version);
      }
    }
    const after = await tx.modelVersion.update({
      where: { id },
      data: {
        ...input,
        parameterCount: input.parameterCount === undefined ? undefined : BigInt(input.parameterCount),
        releaseNotes: input.releaseNotes === undefined ? undefined : input.releaseNotes?.trim() ? input.releaseNotes : null,
      },
      include: familySelect,
    });
    const [b, a] = [auditedVersionFields(toModelVersionDto(before)), auditedVersionFields(toModelVersionDto(after))];
    const changed = AUDITED_VERSION_FIELDS.filter((f) => JSON.stringify(b[f]) !== JSON.stringify(a[f]));
    if (changed.length) {
      // A new export restriction does not stop anything (no remote switch); the trail names the
      // deployments in those countries that run or are pinned to the version, for follow-up.
      const added = after.exportRestrictions.filter((c) => !before.exportRestrictions.includes(c));
      const nowRestricted = added.length
        ? await tx.deployment.findMany({
            where: { archivedAt: null, country: { in: added }, OR: [{ pinnedVersionId: id }, { runningVersions: { some: { modelVersionId: id } } }] },
            select: { name: true, tenant: { select: { slug: true } } },
          })
        : [];
      await record(tx, ctx, {
        action: 'model_version.updated',
        tenantId: null,
        target: { type: 'model_version', id },
        data: {
          ref: refOf(after),
          before: Object.fromEntries(changed.map((f) => [f, b[f]])),
          after: Object.fromEntries(changed.map((f) => [f, a[f]])),
          ...(nowRestricted.length ? { deploymentsInRestrictedCountries: nowRestricted.map((d) => `${d.tenant.slug}/${d.name}`).sort() } : {}),
        },
      });
    }
    return toModelVersionDto(after);
  });
}

function checkTransition(v: VersionWithFamily, to: ModelVersionStatus): void {
  if (!VERSION_TRANSITIONS[v.status].includes(to)) {
    throw new AppError('invalid_transition', `${refOf(v)} cannot go from ${v.status} to ${to}.`, {
      extra: { from: v.status, to, allowed: VERSION_TRANSITIONS[v.status] },
    });
  }
}

async function changeStatus(
  tx: Tx,
  ctx: Ctx,
  before: VersionWithFamily,
  data: { status: ModelVersionStatus; releasedAt?: Date; deprecatedAt?: Date; endOfLifeAt?: Date },
  extra: Record<string, unknown>,
): Promise<ModelVersionDto> {
  const after = await tx.modelVersion.update({ where: { id: before.id }, data, include: familySelect });
  const fields = Object.keys(data) as (keyof typeof data)[];
  const show = (v: VersionWithFamily, f: keyof typeof data) => (v[f] instanceof Date ? (v[f] as Date).toISOString() : (v[f] ?? null));
  await record(tx, ctx, {
    action: 'model_version.status_changed',
    tenantId: null,
    target: { type: 'model_version', id: before.id },
    data: {
      ref: refOf(before),
      before: Object.fromEntries(fields.map((f) => [f, show(before, f)])),
      after: Object.fromEntries(fields.map((f) => [f, show(after, f)])),
      ...extra,
    },
  });
  return toModelVersionDto(after);
}

/** DRAFT → RELEASED. The EU AI Act Annex XI technical documentation must be on record first. */
export async function releaseModelVersion(ctx: Ctx, id: string, input: ReleaseModelVersionInput = {}): Promise<ModelVersionDto> {
  authorize(ctx.actor, 'models:write');
  requirePlatform(ctx);
  return transaction(async (tx) => {
    const before = await lockVersion(tx, id);
    checkTransition(before, 'RELEASED');
    if (!before.techDocDigest) {
      throw new AppError('validation_failed', `${refOf(before)} has no technical-documentation digest (EU AI Act Annex XI); record it before release.`, {
        errors: [{ path: 'techDocDigest', message: 'is required before release' }],
      });
    }
    const now = new Date();
    const releasedAt = input.releasedAt ? new Date(input.releasedAt) : now;
    // Backdating is for importing an existing catalogue (the seed, a migration), by the operator only.
    if (input.releasedAt && (ctx.actor.type !== 'system' || releasedAt > now)) {
      throw new AppError('validation_failed', "A release date can only be given by the operator's CLI, and not in the future.", {
        errors: [{ path: 'releasedAt', message: 'leave it out: a release takes effect now' }],
      });
    }
    return changeStatus(tx, ctx, before, { status: 'RELEASED', releasedAt }, input.note ? { note: input.note } : {});
  });
}

/** Midnight UTC of `date`'s day: notice periods are counted in whole days. */
function startOfDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

/**
 * Who a change of this version affects: tenants
 * whose non-archived deployments run it or are pinned to it, and tenants an ACTIVE contract
 * entitles to it or its family; with every ACTIVE contract of those tenants and the earliest date a
 * deprecation or end of life may take effect under its notice period (counted in whole days from
 * today, UTC). A tenant actor sees only its own tenant.
 */
async function computeImpact(client: Tx, ctx: Ctx, version: VersionWithFamily, now: Date): Promise<VersionImpactDto> {
  // A deployment's own key sees its deployment only (as everywhere else).
  const deploymentWhere: Prisma.DeploymentWhereInput = {
    AND: [deploymentScope(ctx.actor), { archivedAt: null, OR: [{ pinnedVersionId: version.id }, { runningVersions: { some: { modelVersionId: version.id } } }] }],
  };
  const [deployments, entitledContracts] = await Promise.all([
    client.deployment.findMany({
      where: deploymentWhere,
      select: {
        id: true,
        name: true,
        country: true,
        environment: true,
        connectivity: true,
        tenantId: true,
        pinnedVersionId: true,
        runningVersions: { where: { modelVersionId: version.id }, select: { reportedAt: true } },
      },
      orderBy: { name: 'asc' },
    }),
    client.contract.findMany({
      where: { ...activeContractWhere(now), ...tenantScope(ctx.actor), entitlements: { some: grantsVersionWhere(version) } },
      select: { id: true },
    }),
  ]);
  const entitling = new Set(entitledContracts.map((c) => c.id));
  const contractTenants = entitledContracts.length ? await client.contract.findMany({ where: { id: { in: [...entitling] } }, select: { tenantId: true } }) : [];
  const tenantIds = [...new Set([...deployments.map((d) => d.tenantId), ...contractTenants.map((c) => c.tenantId)])];
  const [tenants, contracts] = await Promise.all([
    client.tenant.findMany({ where: { id: { in: tenantIds } }, select: { id: true, slug: true, legalName: true }, orderBy: { legalName: 'asc' } }),
    client.contract.findMany({
      where: { tenantId: { in: tenantIds }, ...activeContractWhere(now) },
      select: { id: true, tenantId: true, reference: true, noticePeriodDays: true, validUntil: true },
      orderBy: { reference: 'asc' },
    }),
  ]);
  const today = startOfDay(now);
  const earliestFor = (days: number) => new Date(today.getTime() + days * DAY);
  let overall = today;
  const rows = tenants.map((t) => {
    const own = deployments.filter((d) => d.tenantId === t.id);
    const ownContracts = contracts
      .filter((c) => c.tenantId === t.id)
      .map((c) => ({
        id: c.id,
        reference: c.reference,
        noticePeriodDays: c.noticePeriodDays,
        validUntil: c.validUntil.toISOString(),
        entitles: entitling.has(c.id),
        earliestAllowedDate: earliestFor(c.noticePeriodDays).toISOString(),
      }));
    const earliest = new Date(Math.max(today.getTime(), ...ownContracts.map((c) => Date.parse(c.earliestAllowedDate))));
    if (earliest > overall) overall = earliest;
    const reasons: VersionImpactDto['tenants'][number]['reasons'] = [];
    if (own.some((d) => d.runningVersions.length > 0)) reasons.push('RUNS');
    if (own.some((d) => d.pinnedVersionId === version.id)) reasons.push('PINNED');
    if (ownContracts.some((c) => c.entitles)) reasons.push('ENTITLED');
    return {
      tenant: t,
      reasons,
      deployments: own.map((d) => ({
        id: d.id,
        name: d.name,
        country: d.country,
        environment: d.environment,
        connectivity: d.connectivity,
        runs: d.runningVersions.length > 0,
        pinned: d.pinnedVersionId === version.id,
        reportedAt: d.runningVersions[0]?.reportedAt.toISOString() ?? null,
      })),
      contracts: ownContracts,
      earliestAllowedDate: earliest.toISOString(),
    };
  });
  return {
    version: { id: version.id, family: version.family.slug, version: version.version, status: version.status },
    asOf: now.toISOString(),
    earliestAllowedDate: overall.toISOString(),
    tenants: rows,
    totals: { tenants: rows.length, deployments: deployments.length, contracts: contracts.length },
  };
}

/** The impact preview of deprecating (or ending) a version, as of now. */
export async function getVersionImpact(ctx: Ctx, id: string): Promise<VersionImpactDto> {
  authorize(ctx.actor, 'models:read');
  const version = isUuid(id) ? await db.modelVersion.findFirst({ where: { AND: [visibleVersionsWhere(ctx), { id }] }, include: familySelect }) : null;
  if (!version) throw notFound('Model version');
  // One snapshot: the counts and dates agree with each other even while deployments report in.
  return db.$transaction((tx) => computeImpact(tx, ctx, version, new Date()), { isolationLevel: 'RepeatableRead' });
}

/**
 * RELEASED → DEPRECATED, with the dates the deprecation and the end of life take effect. Refused,
 * naming the tenants, when either date gives less notice than an affected active contract promises.
 */
export async function deprecateModelVersion(ctx: Ctx, id: string, input: DeprecateModelVersionInput): Promise<ModelVersionDto> {
  authorize(ctx.actor, 'models:write');
  requirePlatform(ctx);
  return transaction(async (tx) => {
    const before = await lockVersion(tx, id);
    checkTransition(before, 'DEPRECATED');
    const now = new Date();
    const deprecatedAt = new Date(input.deprecatedAt);
    const endOfLifeAt = new Date(input.endOfLifeAt);
    if (deprecatedAt < startOfDay(now)) {
      throw new AppError('validation_failed', 'The deprecation date cannot be in the past.', { errors: [{ path: 'deprecatedAt', message: 'must be today or later' }] });
    }
    const impact = await computeImpact(tx, ctx, before, now);
    const tooEarly = (date: Date) => impact.tenants.filter((t) => Date.parse(t.earliestAllowedDate) > date.getTime());
    const short = [...new Map([...tooEarly(deprecatedAt), ...tooEarly(endOfLifeAt)].map((t) => [t.tenant.id, t])).values()];
    if (short.length) {
      const earliest = impact.earliestAllowedDate;
      const names = short.map((t) => {
        const notice = Math.max(...t.contracts.map((c) => c.noticePeriodDays));
        return `${t.tenant.legalName} (${t.tenant.slug}: ${notice} days' notice, not before ${t.earliestAllowedDate.slice(0, 10)})`;
      });
      const errors = [
        ...(tooEarly(deprecatedAt).length ? [{ path: 'deprecatedAt', message: `must be on or after ${earliest.slice(0, 10)}` }] : []),
        ...(tooEarly(endOfLifeAt).length ? [{ path: 'endOfLifeAt', message: `must be on or after ${earliest.slice(0, 10)}` }] : []),
      ];
      throw new AppError(
        'validation_failed',
        `Deprecating ${refOf(before)} on ${dateOf(deprecatedAt)} with end of life on ${dateOf(endOfLifeAt)} gives less notice than the active contracts of ${short.length === 1 ? 'this tenant' : `these ${short.length} tenants`} require: ${names.join('; ')}. The earliest allowed date is ${earliest.slice(0, 10)}.`,
        {
          errors,
          extra: {
            earliestAllowedDate: earliest,
            affectedTenants: short.map((t) => ({
              id: t.tenant.id,
              slug: t.tenant.slug,
              legalName: t.tenant.legalName,
              earliestAllowedDate: t.earliestAllowedDate,
              contracts: t.contracts.map((c) => ({ reference: c.reference, noticePeriodDays: c.noticePeriodDays })),
            })),
          },
        },
      );
    }
    return changeStatus(
      tx,
      ctx,
      before,
      { status: 'DEPRECATED', deprecatedAt, endOfLifeAt },
      {
        reason: input.reason,
        affected: { tenants: impact.tenants.map((t) => t.tenant.slug), deployments: impact.totals.deployments, earliestAllowedDate: impact.earliestAllowedDate },
      },
    );
  });
}

function checkEndOfLife(v: VersionWithFamily, now: Date): void {
  if (v.endOfLifeAt && v.endOfLifeAt > now) {
    throw new AppError('invalid_transition', `${refOf(v)} reaches its end of life on ${dateOf(v.endOfLifeAt)}; it cannot be retired before.`, {
      extra: { endOfLifeAt: v.endOfLifeAt.toISOString() },
    });
  }
}

/** The retirement itself, in the caller's transaction: at once from the CLI, or when a second administrator approves. */
async function retireIn(tx: Tx, ctx: Ctx, id: string, reason: string, approvalId: string | null): Promise<ModelVersionDto> {
  const before = await lockVersion(tx, id);
  checkTransition(before, 'RETIRED');
  const now = new Date();
  checkEndOfLife(before, now);
  const impact = await computeImpact(tx, ctx, before, now);
  return changeStatus(
    tx,
    ctx,
    before,
    { status: 'RETIRED' },
    {
      reason,
      ...(approvalId ? { approvalId } : {}),
      stillRunning: impact.tenants.flatMap((t) => t.deployments.filter((d) => d.runs).map((d) => `${t.tenant.slug}/${d.name}`)),
    },
  );
}

const retirePayload = z.object({ modelVersionId: z.uuid(), reason: z.string().min(1) });

export const modelVersionRetirement = approvalExecutor('MODEL_VERSION_RETIRE', {
  payload: retirePayload,
  // Refused at once when it could not be carried out anyway; checked again on approval.
  async prepare(tx, _ctx, { payload }) {
    const v = await lockVersion(tx, payload.modelVersionId);
    checkTransition(v, 'RETIRED');
    checkEndOfLife(v, new Date());
  },
  execute: (tx, ctx, { payload, approval }) => retireIn(tx, ctx, payload.modelVersionId, payload.reason, approval?.id ?? null),
});

export type RetireOutcome = { kind: 'requested'; approval: ApprovalDto } | { kind: 'performed'; version: ModelVersionDto };

/**
 * DEPRECATED → RETIRED, once the promised end of life has come. A sensitive action (README
 * "Contracts and four-eyes approvals"): an administrator's request waits for a different administrator's approval
 * (lib/approvals/engine.ts); the operator's CLI retires at once. Retiring changes no deployment —
 * Charter has no remote switch — but a retired version is unsupported and can no longer be pinned.
 */
export async function retireModelVersion(ctx: Ctx, id: string, input: RetireModelVersionInput): Promise<RetireOutcome> {
  authorize(ctx.actor, 'models:write');
  requirePlatform(ctx);
  const v = isUuid(id) ? await db.modelVersion.findUnique({ where: { id }, include: familySelect }) : null;
  if (!v) throw notFound('Model version');
  const outcome = await requestOrPerform(ctx, {
    executor: modelVersionRetirement,
    tenantId: null,
    target: { type: 'model_version', id },
    payload: { modelVersionId: id, reason: input.reason },
    reason: input.reason,
    summary: `Retire model version ${refOf(v)}`,
  });
  return outcome.kind === 'requested' ? outcome : { kind: 'performed', version: outcome.result as ModelVersionDto };
}

// ───────────────────────────── adoption ─────────────────────────────

/**
 * Versions × tenants: how many non-archived deployments of each tenant run each version. Grouped
 * in the database, so it stays one small result however many deployments report. Versions shown:
 * released and deprecated ones, and any other that still runs somewhere.
 */
export async function getAdoption(ctx: Ctx, query: AdoptionQuery = {}): Promise<AdoptionDto> {
  // Adoption is about the actor's deployments; the versions named are the (non-draft) catalogue.
  authorize(ctx.actor, 'deployments:read');
  const cells = await db.$queryRaw<{ version_id: string; tenant_id: string; n: bigint }[]>`
    SELECT dmv.model_version_id::text AS version_id, d.tenant_id::text AS tenant_id, count(*) AS n
    FROM deployment_model_versions dmv
    JOIN deployments d ON d.id = dmv.deployment_id
    JOIN tenants t ON t.id = d.tenant_id
    WHERE d.archived_at IS NULL AND t.archived_at IS NULL
      ${deploymentScopeSql(ctx.actor, 'd')}
    GROUP BY 1, 2`;
  const running = new Set(cells.map((c) => c.version_id));
  const familyFilter = query.family ? { family: familyWhere(query.family) } : {};
  const versions = await db.modelVersion.findMany({
    where: { AND: [visibleVersionsWhere(ctx), familyFilter, { OR: [{ status: { in: ['RELEASED', 'DEPRECATED'] } }, { id: { in: [...running] } }] }] },
    include: familySelect,
    orderBy: [{ family: { slug: 'asc' } }, { id: 'asc' }],
  });
  const shown = new Set(versions.map((v) => v.id));
  const kept = cells.filter((c) => shown.has(c.version_id));
  const tenants = await db.tenant.findMany({
    where: { id: { in: [...new Set(kept.map((c) => c.tenant_id))] } },
    select: { id: true, slug: true, legalName: true },
    orderBy: { legalName: 'asc' },
  });
  return {
    versions: versions.map((v) => ({ id: v.id, family: v.family.slug, familyName: v.family.name, version: v.version, status: v.status })),
    tenants,
    cells: kept.map((c) => ({ versionId: c.version_id, tenantId: c.tenant_id, deployments: Number(c.n) })),
  };
}

export async function getModelFamily(ctx: Ctx, ref: string): Promise<ModelFamilyDto> {
  authorize(ctx.actor, 'models:read');
  const f = await db.modelFamily.findFirst({ where: familyWhere(ref), include: { versions: { where: visibleVersionsWhere(ctx), orderBy: { id: 'desc' } } } });
  if (!f) throw notFound('Model family');
  return { id: f.id, slug: f.slug, name: f.name, description: f.description, modality: f.modality, createdAt: f.createdAt.toISOString(), versions: f.versions.map(toSummary) };
}
