import { db, type Prisma } from '@/lib/db';
import type { Ctx } from '@/lib/auth/actor';
import { authorize, isPlatform } from '@/lib/authz/guard';
import { notFound } from '@/lib/errors';
import type { ModelFamily, ModelVersion } from '@/lib/generated/prisma/client';
import { type Page, decodeCursor, decodeIdCursor, encodeCursor, isUuid } from '@/lib/schemas/common';
import type {
  ListModelFamiliesQuery,
  ListModelVersionsQuery,
  ModelFamilyDto,
  ModelVersionDto,
  ModelVersionSummaryDto,
} from '@/lib/schemas/model';

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

/** Newest first (ids are uuid v7, so time-ordered), optionally of one family and one status. */
export async function listModelVersions(ctx: Ctx, query: ListModelVersionsQuery): Promise<Page<ModelVersionDto>> {
  authorize(ctx.actor, 'models:read');
  const and: Prisma.ModelVersionWhereInput[] = [visibleVersionsWhere(ctx)];
  if (query.family) and.push({ family: familyWhere(query.family) });
  if (query.status) and.push({ status: query.status });
  if (query.cursor) and.push({ id: { lt: decodeIdCursor(query.cursor) } });
  const rows = await db.modelVersion.findMany({
    where: { AND: and },
    orderBy: { id: 'desc' },
    take: query.limit + 1,
    include: { family: { select: { slug: true, name: true } } },
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { data: page.map(toModelVersionDto), nextCursor: rows.length > query.limit && last ? encodeCursor([last.id]) : null };
}

export async function getModelVersion(ctx: Ctx, id: string): Promise<ModelVersionDto> {
  authorize(ctx.actor, 'models:read');
  const row = isUuid(id)
    ? await db.modelVersion.findFirst({ where: { AND: [visibleVersionsWhere(ctx), { id }] }, include: { family: { select: { slug: true, name: true } } } })
    : null;
  if (!row) throw notFound('Model version');
  return toModelVersionDto(row);
}
