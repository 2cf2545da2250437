import { db, type Prisma } from '@/lib/db';
import type { Ctx } from '@/lib/auth/actor';
import { authorize } from '@/lib/authz/guard';
import { notFound } from '@/lib/errors';
import { type Page, decodeCursor, encodeCursor, isUuid } from '@/lib/schemas/common';
import type { ContractDto, EntitlementDto, ListContractsQuery } from '@/lib/schemas/contract';

// Contracts, read-only for now (amendments, activation and four-eyes approvals come with issue 6).

const include = {
  entitlements: {
    orderBy: { id: 'asc' },
    include: {
      modelFamily: { select: { id: true, slug: true, name: true } },
      modelVersion: { select: { id: true, version: true, family: { select: { slug: true } } } },
    },
  },
  versions: { select: { version: true, hash: true }, orderBy: { version: 'desc' }, take: 1 },
} satisfies Prisma.ContractInclude;

type ContractRow = Prisma.ContractGetPayload<{ include: typeof include }>;

const asObject = (v: Prisma.JsonValue): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

function toEntitlementDto(e: ContractRow['entitlements'][number]): EntitlementDto {
  return {
    id: e.id,
    modelFamily: e.modelFamily,
    modelVersion: e.modelVersion ? { id: e.modelVersion.id, family: e.modelVersion.family.slug, version: e.modelVersion.version } : null,
    maxDeployments: e.maxDeployments,
    limits: asObject(e.limits),
  };
}

export function toContractDto(c: ContractRow): ContractDto {
  // The mirrored fields follow the latest version; its hash is the one that matters to the tenant.
  const current = c.versions.find((v) => v.version === c.currentVersion) ?? null;
  return {
    id: c.id,
    tenantId: c.tenantId,
    reference: c.reference,
    type: c.type,
    status: c.status,
    currentVersion: c.currentVersion,
    currentVersionHash: current?.hash ?? null,
    validFrom: c.validFrom.toISOString(),
    validUntil: c.validUntil.toISOString(),
    renewal: c.renewal,
    noticePeriodDays: c.noticePeriodDays,
    graceDays: c.graceDays,
    governingLaw: c.governingLaw,
    dataProcessingCountries: c.dataProcessingCountries,
    sla: asObject(c.sla),
    exitPeriodDays: c.exitPeriodDays,
    auditRights: c.auditRights,
    activatedAt: c.activatedAt?.toISOString() ?? null,
    terminatedAt: c.terminatedAt?.toISOString() ?? null,
    entitlements: c.entitlements.map(toEntitlementDto),
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

/** A tenant-scoped actor only ever sees its own tenant's contracts. */
function scopeWhere(ctx: Ctx): Prisma.ContractWhereInput {
  return ctx.actor.tenantId ? { tenantId: ctx.actor.tenantId } : {};
}

/** Keyset-paginated by reference (unique). */
export async function listContracts(ctx: Ctx, query: ListContractsQuery): Promise<Page<ContractDto>> {
  authorize(ctx.actor, 'contracts:read');
  const and: Prisma.ContractWhereInput[] = [scopeWhere(ctx)];
  if (query.tenantId) and.push({ tenantId: query.tenantId });
  if (query.status) and.push({ status: query.status });
  if (query.cursor) and.push({ reference: { gt: String(decodeCursor(query.cursor, 1)[0]) } });
  const rows = await db.contract.findMany({ where: { AND: and }, orderBy: { reference: 'asc' }, take: query.limit + 1, include });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { data: page.map(toContractDto), nextCursor: rows.length > query.limit && last ? encodeCursor([last.reference]) : null };
}

/** Another tenant's (or a missing) contract is the same 404. */
export async function getContract(ctx: Ctx, id: string): Promise<ContractDto> {
  authorize(ctx.actor, 'contracts:read');
  const row = isUuid(id) ? await db.contract.findFirst({ where: { AND: [scopeWhere(ctx), { id }] }, include }) : null;
  if (!row) throw notFound('Contract');
  return toContractDto(row);
}
