import { z } from 'zod';
import { db, transaction, type Prisma } from '@/lib/core/db';
import type { Ctx } from '@/lib/access/actor';
import { authorize, isPlatform } from '@/lib/access/guard';
import { tenantScope } from '@/lib/access/scope';
import { record } from '@/lib/audit/record';
import { changedFields } from '@/lib/audit/diff';
import { AppError, notFound } from '@/lib/core/errors';
import type { Tenant } from '@/lib/generated/prisma/client';
import type { TenantStatus } from '@/lib/generated/prisma/enums';
import type { ApprovalDto } from '@/lib/approvals/schema';
import { type Page, decodeCursor, encodeCursor } from '@/lib/core/schema';
import { announceTenantKeysChanged } from '@/lib/access/api-keys/listener';
import { approvalExecutor, requestApproval } from '@/lib/approvals/engine';
import {
  type ChangeTenantStatusInput,
  type CreateTenantInput,
  type ListTenantsQuery,
  TENANT_TRANSITIONS,
  type TenantDto,
  type UpdateTenantInput,
} from '@/lib/modules/tenants/schema';

export function toTenantDto(t: Tenant): TenantDto {
  return {
    id: t.id,
    slug: t.slug,
    legalName: t.legalName,
    lei: t.lei,
    sector: t.sector,
    homeCountry: t.homeCountry,
    allowedCountries: t.allowedCountries,
    sensitivity: t.sensitivity,
    status: t.status,
    archivedAt: t.archivedAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

const AUDITED_FIELDS = ['legalName', 'lei', 'sector', 'homeCountry', 'allowedCountries', 'sensitivity', 'status', 'archivedAt'] as const;

/** Keyset-paginated by (legalName, id), with a case-insensitive search over name, slug and LEI. */
export async function listTenants(ctx: Ctx, query: ListTenantsQuery): Promise<Page<TenantDto>> {
  authorize(ctx.actor, 'tenants:read');
  const and: Prisma.TenantWhereInput[] = [tenantScope(ctx.actor, 'id')];
  if (!query.includeArchived) and.push({ archivedAt: null });
  if (query.status) and.push({ status: query.status });
  if (query.q) {
    and.push({
      OR: [{ legalName: { contains: query.q, mode: 'insensitive' } }, { slug: { contains: query.q.toLowerCase() } }, { lei: { startsWith: query.q.toUpperCase() } }],
    });
  }
  if (query.cursor) {
    const [name, id] = decodeCursor(query.cursor, 2) as [string, string];
    and.push({ OR: [{ legalName: { gt: name } }, { legalName: name, id: { gt: id } }] });
  }
  const rows = await db.tenant.findMany({
    where: { AND: and },
    orderBy: [{ legalName: 'asc' }, { id: 'asc' }],
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    data: page.map(toTenantDto),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.legalName, last.id]) : null,
  };
}

export type TenantCounts = { byStatus: Record<TenantStatus, number>; archived: number; total: number };

/** Tenants in scope by status (archived ones counted apart), for the overview. */
export async function countTenantsByStatus(ctx: Ctx): Promise<TenantCounts> {
  authorize(ctx.actor, 'tenants:read');
  const [groups, archived] = await Promise.all([
    db.tenant.groupBy({ by: ['status'], where: { AND: [tenantScope(ctx.actor, 'id'), { archivedAt: null }] }, _count: { _all: true } }),
    db.tenant.count({ where: { AND: [tenantScope(ctx.actor, 'id'), { archivedAt: { not: null } }] } }),
  ]);
  const byStatus: Record<TenantStatus, number> = { ONBOARDING: 0, ACTIVE: 0, SUSPENDED: 0, OFFBOARDED: 0 };
  for (const g of groups) byStatus[g.status] = g._count._all;
  const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
  return { byStatus, archived, total };
}

/** By id or slug; another tenant's (or a missing) tenant is the same 404. */
export async function getTenant(ctx: Ctx, idOrSlug: string): Promise<TenantDto> {
  authorize(ctx.actor, 'tenants:read');
  const byId = /^[0-9a-f-]{36}$/i.test(idOrSlug);
  const tenant = await db.tenant.findFirst({
    where: { AND: [tenantScope(ctx.actor, 'id'), byId ? { id: idOrSlug } : { slug: idOrSlug }] },
  });
  if (!tenant) throw notFound('Tenant');
  return toTenantDto(tenant);
}

export async function createTenant(ctx: Ctx, input: CreateTenantInput): Promise<TenantDto> {
  authorize(ctx.actor, 'tenants:write');
  if (!isPlatform(ctx.actor)) throw new AppError('forbidden', 'Only platform administrators create tenants.');
  return transaction(async (tx) => {
    const tenant = await tx.tenant.create({ data: { ...input, lei: input.lei ?? null } });
    await record(tx, ctx, {
      action: 'tenant.created',
      tenantId: tenant.id,
      target: { type: 'tenant', id: tenant.id },
      data: { after: toTenantDto(tenant) },
    });
    return toTenantDto(tenant);
  });
}

async function lockTenant(tx: Prisma.TransactionClient, ctx: Ctx, id: string): Promise<Tenant> {
  // FOR UPDATE: concurrent edits of one tenant serialise, so each audit before/after is exact.
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM tenants WHERE id = ${id}::uuid FOR UPDATE`;
  const tenant = rows.length ? await tx.tenant.findFirst({ where: { AND: [tenantScope(ctx.actor, 'id'), { id }] } }) : null;
  if (!tenant) throw notFound('Tenant');
  return tenant;
}

export async function updateTenant(ctx: Ctx, id: string, input: UpdateTenantInput): Promise<TenantDto> {
  authorize(ctx.actor, 'tenants:write');
  return transaction(async (tx) => {
    const before = await lockTenant(tx, ctx, id);
    if (before.archivedAt) throw new AppError('invalid_transition', 'An archived tenant cannot be changed.');
    const homeCountry = input.homeCountry ?? before.homeCountry;
    const allowedCountries = input.allowedCountries ?? before.allowedCountries;
    if (!allowedCountries.includes(homeCountry)) {
      throw new AppError('validation_failed', 'The home country must be one of the allowed data-processing countries.', {
        errors: [{ path: 'allowedCountries', message: `must include the home country ${homeCountry}` }],
      });
    }
    const after = await tx.tenant.update({ where: { id }, data: input });
    const changes = changedFields(before, after, AUDITED_FIELDS);
    if (Object.keys(changes.after).length === 0) return toTenantDto(after);
    await record(tx, ctx, { action: 'tenant.updated', tenantId: id, target: { type: 'tenant', id }, data: changes });
    return toTenantDto(after);
  });
}

/** The status change itself, in the caller's transaction (also the approved offboarding's executor). */
async function applyTenantStatus(tx: Prisma.TransactionClient, ctx: Ctx, id: string, input: ChangeTenantStatusInput & { approvalId?: string }): Promise<Tenant> {
  const before = await lockTenant(tx, ctx, id);
  if (!TENANT_TRANSITIONS[before.status].includes(input.status)) {
    throw new AppError('invalid_transition', `A tenant cannot go from ${before.status} to ${input.status}.`, {
      extra: { from: before.status, to: input.status, allowed: TENANT_TRANSITIONS[before.status] },
    });
  }
  const after = await tx.tenant.update({ where: { id }, data: { status: input.status } });
  // An offboarded tenant's keys stop working on every instance at once, not after their cache entry.
  if (input.status === 'OFFBOARDED') await announceTenantKeysChanged(tx, id);
  await record(tx, ctx, {
    action: 'tenant.status_changed',
    tenantId: id,
    target: { type: 'tenant', id },
    data: { ...changedFields(before, after, AUDITED_FIELDS), reason: input.reason, ...(input.approvalId ? { approvalId: input.approvalId } : {}) },
  });
  return after;
}

/**
 * Offboarding is final and cuts the tenant's keys off, so it is four-eyes (requestTenantOffboarding);
 * only the operator's CLI (system actor) offboards directly. Other transitions happen at once.
 */
export async function changeTenantStatus(ctx: Ctx, id: string, input: ChangeTenantStatusInput): Promise<TenantDto> {
  authorize(ctx.actor, 'tenants:write');
  if (input.status === 'OFFBOARDED' && ctx.actor.type !== 'system') {
    throw new AppError('forbidden', 'Offboarding a tenant needs four-eyes approval: request it, and a second administrator approves.', { extra: { reason: 'approval_required' } });
  }
  return toTenantDto(await transaction((tx) => applyTenantStatus(tx, ctx, id, input)));
}

const offboardPayload = z.object({ tenantId: z.uuid() });

export const tenantOffboarding = approvalExecutor('TENANT_OFFBOARD', {
  payload: offboardPayload,
  async prepare(tx, ctx, { payload }) {
    const before = await lockTenant(tx, ctx, payload.tenantId);
    if (!TENANT_TRANSITIONS[before.status].includes('OFFBOARDED')) {
      throw new AppError('invalid_transition', `A tenant cannot go from ${before.status} to OFFBOARDED.`, { extra: { from: before.status, to: 'OFFBOARDED' } });
    }
  },
  async execute(tx, ctx, { payload, approval }) {
    const after = await applyTenantStatus(tx, ctx, payload.tenantId, { status: 'OFFBOARDED', reason: approval?.reason ?? 'offboarded by the operator', approvalId: approval?.id });
    return { tenantId: after.id, slug: after.slug, status: after.status };
  },
});

/** Files the four-eyes request to offboard a tenant. */
export async function requestTenantOffboarding(ctx: Ctx, id: string, reason: string): Promise<ApprovalDto> {
  authorize(ctx.actor, 'tenants:write');
  if (!isPlatform(ctx.actor)) throw new AppError('forbidden', 'Only platform administrators offboard tenants.');
  const tenant = await getTenant(ctx, id);
  return requestApproval(ctx, {
    executor: tenantOffboarding,
    tenantId: tenant.id,
    target: { type: 'tenant', id: tenant.id },
    payload: { tenantId: tenant.id },
    reason,
    summary: `Offboard tenant ${tenant.legalName} (${tenant.slug})`,
  });
}

/** Offboarded tenants are archived (hidden from lists), never deleted: their audit trail stays. */
export async function archiveTenant(ctx: Ctx, id: string, reason: string): Promise<TenantDto> {
  authorize(ctx.actor, 'tenants:write');
  return transaction(async (tx) => {
    const before = await lockTenant(tx, ctx, id);
    if (before.status !== 'OFFBOARDED') {
      throw new AppError('invalid_transition', 'Only an offboarded tenant can be archived.', { extra: { status: before.status } });
    }
    if (before.archivedAt) throw new AppError('invalid_transition', 'The tenant is already archived.');
    const after = await tx.tenant.update({ where: { id }, data: { archivedAt: new Date() } });
    await record(tx, ctx, {
      action: 'tenant.archived',
      tenantId: id,
      target: { type: 'tenant', id },
      data: { ...changedFields(before, after, AUDITED_FIELDS), reason },
    });
    return toTenantDto(after);
  });
}
