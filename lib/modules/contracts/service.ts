import { z } from 'zod';
import { db, Prisma, transaction, type Tx } from '@/lib/core/db';
import type { Ctx } from '@/lib/access/actor';
import { charterCtx } from '@/lib/access/system';
import { authorize, isPlatform } from '@/lib/access/guard';
import { tenantScope } from '@/lib/access/scope';
import { record } from '@/lib/audit/record';
import { AppError, notFound } from '@/lib/core/errors';
import type { ContractScope, ContractStatus, Environment } from '@/lib/generated/prisma/enums';
import { type Page, decodeCursor, encodeCursor, isUuid } from '@/lib/core/schema';
import {
  type AmendContractInput,
  type ContractChangeDto,
  type ContractDto,
  ContractRegisterInfo,
  type ContractTermsInput,
  type ContractVersionDto,
  type CreateContractInput,
  type EntitlementDto,
  type ListContractsQuery,
  type RequestActivationInput,
  type RequestTerminationInput,
  TERMINATION_REASONS,
  type TerminationReason,
  type UpdateContractInput,
  updateContractInput,
} from '@/lib/modules/contracts/schema';
import { approvalExecutor, expireStaleRequests, findLapsedRequestTargets, requestOrPerform } from '@/lib/approvals/engine';
import { type ContractTerms, type TermsEntitlement, diffTerms, hashTerms, normaliseTerms, sortEntitlements } from './terms';
import { activeContractWhere, coveringContractOf } from '@/lib/modules/models/entitlements';

// Contracts (README "Contracts and four-eyes approvals").
//
// Lifecycle: DRAFT → PENDING_APPROVAL → ACTIVE → EXPIRED | TERMINATED.
// - A draft is edited freely by platform administrators; every save is a new immutable version.
// - Activation and termination are four-eyes requests (lib/approvals/service.ts): requesting
//   activation makes the draft PENDING_APPROVAL (frozen), approval makes it ACTIVE, rejection,
//   cancellation or expiry of the request returns it to DRAFT (a request past its 72 hours reads as
//   expired at once, so its contract reads as DRAFT again before the expiry is marked).
// - An amendment of an ACTIVE contract changes its entitlements, so it is a four-eyes request too
//   (ENTITLEMENTS_CHANGE); approval adds the new version.
// - Expiry happens by date: an ACTIVE contract past validUntil reads as EXPIRED at once; the
//   maintenance round marks it EXPIRED, audited as Charter (expireDueContracts). Reads never write:
//   they compute the effective status, so nothing depends on the round having run.
// - At most one ACTIVE contract per tenant and scope, checked under a per-tenant lock.
// Versions: each is the JCS snapshot of the terms with its SHA-256; the database refuses to change
// or delete one (prisma/sql/contract-versions-immutable.sql).

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

const asObject = (v: Prisma.JsonValue): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {});

function toEntitlementDto(e: ContractRow['entitlements'][number]): EntitlementDto {
  return {
    id: e.id,
    modelFamily: e.modelFamily,
    modelVersion: e.modelVersion ? { id: e.modelVersion.id, family: e.modelVersion.family.slug, version: e.modelVersion.version } : null,
    maxDeployments: e.maxDeployments,
    limits: asObject(e.limits),
  };
}

/**
 * ACTIVE past validUntil is EXPIRED, and PENDING_APPROVAL whose activation request has lapsed is
 * DRAFT, whether or not the maintenance round has marked them so yet.
 */
export function effectiveContractStatus(c: { status: ContractStatus; validUntil: Date }, now = new Date(), activationLapsed = false): ContractStatus {
  if (c.status === 'ACTIVE' && c.validUntil <= now) return 'EXPIRED';
  if (c.status === 'PENDING_APPROVAL' && activationLapsed) return 'DRAFT';
  return c.status;
}

/** The contracts among `ids` (default: all) whose activation request lapsed unmarked. */
function lapsedActivations(client: Tx | typeof db, ids?: string[]): Promise<Set<string>> {
  return findLapsedRequestTargets(client, { action: 'CONTRACT_ACTIVATE', targetType: 'contract', targetIds: ids });
}

/** The rows whose effective status is `status` (the filter form of effectiveContractStatus). */
function statusWhere(status: ContractStatus, now: Date, lapsed: Set<string>): Prisma.ContractWhereInput {
  switch (status) {
    case 'ACTIVE':
      return { status: 'ACTIVE', validUntil: { gt: now } };
    case 'EXPIRED':
      return { OR: [{ status: 'EXPIRED' }, { status: 'ACTIVE', validUntil: { lte: now } }] };
    case 'DRAFT':
      return { OR: [{ status: 'DRAFT' }, { status: 'PENDING_APPROVAL', id: { in: [...lapsed] } }] };
    case 'PENDING_APPROVAL':
      return { status: 'PENDING_APPROVAL', id: { notIn: [...lapsed] } };
    default:
      return { status };
  }
}

/** DTOs of `rows`, reading lapsed activations in one query (only when a row waits for one). */
async function toContractDtos(client: Tx | typeof db, rows: ContractRow[]): Promise<ContractDto[]> {
  const waiting = rows.filter((r) => r.status === 'PENDING_APPROVAL').map((r) => r.id);
  const lapsed = waiting.length ? await lapsedActivations(client, waiting) : new Set<string>();
  return rows.map((r) => toContractDto(r, lapsed.has(r.id)));
}

export function toContractDto(c: ContractRow, activationLapsed = false): ContractDto {
  // The mirrored fields follow the latest version; its hash is the one that matters to the tenant.
  const current = c.versions.find((v) => v.version === c.currentVersion) ?? null;
  const registerInfo = ContractRegisterInfo.safeParse(c.registerInfo);
  return {
    id: c.id,
    tenantId: c.tenantId,
    reference: c.reference,
    type: c.type,
    status: effectiveContractStatus(c, new Date(), activationLapsed),
    scope: c.scope,
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
    registerInfo: registerInfo.success ? registerInfo.data : {},
    activatedAt: c.activatedAt?.toISOString() ?? null,
    terminatedAt: c.terminatedAt?.toISOString() ?? null,
    terminationReason: c.terminationReason && c.terminationReason in TERMINATION_REASONS ? (c.terminationReason as TerminationReason) : null,
    expiredAt: c.expiredAt?.toISOString() ?? null,
    entitlements: c.entitlements.map(toEntitlementDto),
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

// ───────────────────────────── expiry by date ─────────────────────────────

const EXPIRY_BATCH = 200;

/**
 * Marks ACTIVE contracts past validUntil EXPIRED, each audited as Charter: the maintenance round's
 * work (lib/runtime/maintenance.ts), optionally confined to some tenants. Reads never call it: they
 * read such a contract as EXPIRED already. SKIP LOCKED lets instances share the work.
 */
export async function expireDueContracts(scope: { tenantIds?: string[] } = {}): Promise<number> {
  const tenants = scope.tenantIds ? Prisma.sql`AND tenant_id = ANY(${scope.tenantIds}::uuid[])` : Prisma.empty;
  let total = 0;
  for (;;) {
    const expired = await transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string; tenant_id: string; reference: string; valid_until: Date }[]>`
        SELECT id, tenant_id, reference, valid_until FROM contracts
        WHERE status = 'ACTIVE' AND valid_until <= now() ${tenants}
        ORDER BY valid_until LIMIT ${EXPIRY_BATCH} FOR UPDATE SKIP LOCKED`;
      const ctx = charterCtx('contract-expiry');
      for (const r of rows) {
        await tx.contract.update({ where: { id: r.id }, data: { status: 'EXPIRED', expiredAt: new Date() } });
        await record(tx, ctx, {
          action: 'contract.status_changed',
          tenantId: r.tenant_id,
          target: { type: 'contract', id: r.id },
          data: { before: { status: 'ACTIVE' }, after: { status: 'EXPIRED' }, reference: r.reference, validUntil: r.valid_until.toISOString(), reason: 'validUntil reached' },
        });
      }
      return rows.length;
    });
    total += expired;
    if (expired < EXPIRY_BATCH) return total;
  }
}

/**
 * Before a draft is changed: a lapsed activation request still freezes it in PENDING_APPROVAL, so
 * persist that request's expiry (as Charter, in its own transaction), which returns it to DRAFT.
 */
async function settleLapsedActivation(contractId: string): Promise<void> {
  await expireStaleRequests({ target: { type: 'contract', id: contractId } }, [contractActivation]);
}

// ───────────────────────────── reading ─────────────────────────────

/** Keyset-paginated by reference (unique). */
export async function listContracts(ctx: Ctx, query: ListContractsQuery): Promise<Page<ContractDto>> {
  authorize(ctx.actor, 'contracts:read');
  const and: Prisma.ContractWhereInput[] = [tenantScope(ctx.actor)];
  if (query.tenantId) and.push({ tenantId: query.tenantId });
  if (query.status) {
    const draftOrPending = query.status === 'DRAFT' || query.status === 'PENDING_APPROVAL';
    and.push(statusWhere(query.status, new Date(), draftOrPending ? await lapsedActivations(db) : new Set()));
  }
  if (query.q) and.push({ reference: { contains: query.q, mode: 'insensitive' } });
  if (query.cursor) and.push({ reference: { gt: String(decodeCursor(query.cursor, 1)[0]) } });
  const rows = await db.contract.findMany({ where: { AND: and }, orderBy: { reference: 'asc' }, take: query.limit + 1, include });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { data: await toContractDtos(db, page), nextCursor: rows.length > query.limit && last ? encodeCursor([last.reference]) : null };
}

/** Another tenant's (or a missing) contract is the same 404. */
export async function getContract(ctx: Ctx, id: string): Promise<ContractDto> {
  authorize(ctx.actor, 'contracts:read');
  const row = isUuid(id) ? await db.contract.findFirst({ where: { AND: [tenantScope(ctx.actor), { id }] }, include }) : null;
  if (!row) throw notFound('Contract');
  const [dto] = await toContractDtos(db, [row]);
  return dto;
}

/** By reference (CLI, links); the same scope and 404 as getContract. */
export async function getContractByReference(ctx: Ctx, reference: string): Promise<ContractDto> {
  authorize(ctx.actor, 'contracts:read');
  const row = await db.contract.findFirst({ where: { AND: [tenantScope(ctx.actor), { reference }] }, select: { id: true } });
  if (!row) throw notFound('Contract');
  return getContract(ctx, row.id);
}

/** Every version, newest first, with its terms and hash (a contract has a handful, not thousands). */
export async function listContractVersions(ctx: Ctx, id: string): Promise<ContractVersionDto[]> {
  authorize(ctx.actor, 'contracts:read');
  const row = isUuid(id) ? await db.contract.findFirst({ where: { AND: [tenantScope(ctx.actor), { id }] }, select: { id: true } }) : null;
  if (!row) throw notFound('Contract');
  const versions = await db.contractVersion.findMany({ where: { contractId: id }, orderBy: { version: 'desc' } });
  return versions.map((v) => ({ version: v.version, hash: v.hash, terms: asObject(v.terms), createdAt: v.createdAt.toISOString(), createdBy: v.createdBy }));
}

/** Whether each version's stored hash still matches its terms (shown next to the history). */
export function verifyVersionHash(v: Pick<ContractVersionDto, 'terms' | 'hash'>): boolean {
  return hashTerms(v.terms) === v.hash;
}

// ───────────────────────────── terms and versions ─────────────────────────────

type TenantRow = { id: string; slug: string; legalName: string; allowedCountries: string[]; status: string; archivedAt: Date | null };

async function loadTenant(tx: Tx, tenantId: string): Promise<TenantRow> {
  const tenant = await tx.tenant.findUnique({ where: { id: tenantId }, select: { id: true, slug: true, legalName: true, allowedCountries: true, status: true, archivedAt: true } });
  if (!tenant) throw notFound('Tenant');
  return tenant;
}

function fieldError(path: string, message: string, detail?: string): AppError {
  return new AppError('validation_failed', detail ?? `${path} ${message}.`, { errors: [{ path, message }] });
}

/** Resolves the entitlements' families and versions; unknown or retired ones are field errors. */
async function resolveEntitlements(tx: Tx, input: ContractTermsInput['entitlements']): Promise<TermsEntitlement[]> {
  const familyIds = input.flatMap((e) => (e.modelFamilyId ? [e.modelFamilyId] : []));
  const versionIds = input.flatMap((e) => (e.modelVersionId ? [e.modelVersionId] : []));
  // One after the other: a transaction is one connection.
  const families = await tx.modelFamily.findMany({ where: { id: { in: familyIds } }, select: { id: true, slug: true } });
  const versions = await tx.modelVersion.findMany({ where: { id: { in: versionIds } }, select: { id: true, version: true, status: true, family: { select: { slug: true } } } });
  const seen = new Set<string>();
  return sortEntitlements(
    input.map((e, i) => {
      let out: TermsEntitlement;
      if (e.modelFamilyId) {
        const f = families.find((x) => x.id === e.modelFamilyId);
        if (!f) throw fieldError(`entitlements.${i}.modelFamilyId`, 'is not a model family in the catalogue');
        out = { modelFamily: { id: f.id, slug: f.slug }, modelVersion: null, maxDeployments: e.maxDeployments, limits: e.limits };
      } else {
        const v = versions.find((x) => x.id === e.modelVersionId);
        if (!v) throw fieldError(`entitlements.${i}.modelVersionId`, 'is not a model version in the catalogue');
        if (v.status === 'RETIRED') throw fieldError(`entitlements.${i}.modelVersionId`, 'is retired and can no longer be granted');
        out = { modelFamily: null, modelVersion: { id: v.id, family: v.family.slug, version: v.version }, maxDeployments: e.maxDeployments, limits: e.limits };
      }
      const key = out.modelFamily ? `f:${out.modelFamily.id}` : `v:${out.modelVersion?.id}`;
      if (seen.has(key)) throw fieldError(`entitlements.${i}`, 'grants the same model twice');
      seen.add(key);
      return out;
    }),
  );
}

/** The contract's data-processing countries must be ones the tenant allows. */
function checkCountries(tenant: TenantRow, countries: string[]): void {
  const outside = countries.filter((c) => !tenant.allowedCountries.includes(c));
  if (outside.length) {
    const allowed = [...tenant.allowedCountries].sort().join(', ');
    throw new AppError(
      'validation_failed',
      `${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} not among the allowed data-processing countries of tenant ${tenant.slug} (${allowed}).`,
      {
        errors: [{ path: 'dataProcessingCountries', message: `must be among ${allowed}` }],
      },
    );
  }
}

async function buildTerms(tx: Tx, contract: { id: string; tenantId: string }, input: ContractTermsInput, tenant: TenantRow): Promise<ContractTerms> {
  checkCountries(tenant, input.dataProcessingCountries);
  const entitlements = await resolveEntitlements(tx, input.entitlements);
  return normaliseTerms({
    v: 1,
    contractId: contract.id,
    tenantId: contract.tenantId,
    reference: input.reference,
    type: input.type,
    scope: input.scope,
    validFrom: input.validFrom.toISOString(),
    validUntil: input.validUntil.toISOString(),
    renewal: input.renewal,
    noticePeriodDays: input.noticePeriodDays,
    graceDays: input.graceDays,
    governingLaw: input.governingLaw,
    dataProcessingCountries: input.dataProcessingCountries,
    sla: input.sla,
    exitPeriodDays: input.exitPeriodDays,
    auditRights: input.auditRights,
    entitlements,
    registerInfo: input.registerInfo,
  });
}

/** The contract row's mirrored fields for a version's terms. */
function mirrorOf(terms: ContractTerms, input: ContractTermsInput) {
  return {
    reference: terms.reference,
    type: input.type,
    scope: input.scope,
    validFrom: input.validFrom,
    validUntil: input.validUntil,
    renewal: input.renewal,
    noticePeriodDays: terms.noticePeriodDays,
    graceDays: terms.graceDays,
    governingLaw: terms.governingLaw,
    dataProcessingCountries: terms.dataProcessingCountries,
    sla: terms.sla as Prisma.InputJsonValue,
    exitPeriodDays: terms.exitPeriodDays,
    auditRights: terms.auditRights,
    registerInfo: terms.registerInfo as Prisma.InputJsonValue,
  };
}

async function replaceEntitlements(tx: Tx, contractId: string, list: TermsEntitlement[]): Promise<void> {
  await tx.entitlement.deleteMany({ where: { contractId } });
  if (list.length === 0) return;
  await tx.entitlement.createMany({
    data: list.map((e) => ({
      contractId,
      modelFamilyId: e.modelFamily?.id ?? null,
      modelVersionId: e.modelVersion?.id ?? null,
      maxDeployments: e.maxDeployments,
      limits: e.limits as Prisma.InputJsonValue,
    })),
  });
}

async function checkReferenceFree(tx: Tx, reference: string, contractId: string | null): Promise<void> {
  const other = await tx.contract.findUnique({ where: { reference }, select: { id: true } });
  if (other && other.id !== contractId) {
    throw new AppError('conflict', `A contract with the reference ${reference} already exists.`, { errors: [{ path: 'reference', message: 'is already taken' }] });
  }
}

/** Writes version N+1 with its terms and mirrors them onto the contract, audited as an amendment. */
async function writeVersion(
  tx: Tx,
  ctx: Ctx,
  input: { contractId: string; previous: ContractTerms | null; terms: ContractTerms; termsInput: ContractTermsInput; version: number; approvalId?: string },
): Promise<string> {
  const hash = hashTerms(input.terms);
  await tx.contractVersion.create({
    data: { contractId: input.contractId, version: input.version, terms: input.terms as unknown as Prisma.InputJsonValue, hash, createdBy: ctx.actor.label },
  });
  const row = await tx.contract.update({
    where: { id: input.contractId },
    data: { ...mirrorOf(input.terms, input.termsInput), currentVersion: input.version },
  });
  await replaceEntitlements(tx, input.contractId, input.terms.entitlements);
  await record(tx, ctx, {
    action: input.previous ? 'contract.amended' : 'contract.created',
    tenantId: row.tenantId,
    target: { type: 'contract', id: row.id },
    data: {
      reference: row.reference,
      status: row.status,
      version: input.version,
      hash,
      ...(input.previous ? { changes: diffTerms(input.previous, input.terms) } : { after: input.terms }),
      ...(input.approvalId ? { approvalId: input.approvalId } : {}),
    },
  });
  return hash;
}

async function lockContract(tx: Tx, ctx: Ctx, id: string) {
  if (!isUuid(id)) throw notFound('Contract');
  await tx.$queryRaw`SELECT id FROM contracts WHERE id = ${id}::uuid FOR UPDATE`;
  const row = await tx.contract.findFirst({ where: { AND: [tenantScope(ctx.actor), { id }] } });
  if (!row) throw notFound('Contract');
  return row;
}

async function currentTerms(tx: Tx, contractId: string, version: number): Promise<ContractTerms> {
  const v = await tx.contractVersion.findUniqueOrThrow({ where: { contractId_version: { contractId, version } } });
  return v.terms as unknown as ContractTerms;
}

async function loadDto(tx: Tx | typeof db, id: string): Promise<ContractDto> {
  const [dto] = await toContractDtos(tx, [await tx.contract.findUniqueOrThrow({ where: { id }, include })]);
  return dto;
}

function requirePlatform(ctx: Ctx): void {
  if (!isPlatform(ctx.actor)) throw new AppError('forbidden', 'Only platform administrators manage contracts.');
}

// ───────────────────────────── writing ─────────────────────────────

/** A new DRAFT contract with version 1. */
export async function createContract(ctx: Ctx, input: CreateContractInput): Promise<ContractDto> {
  authorize(ctx.actor, 'contracts:write');
  requirePlatform(ctx);
  return transaction(async (tx) => {
    const tenant = await loadTenant(tx, input.tenantId);
    if (tenant.archivedAt || tenant.status === 'OFFBOARDED') throw new AppError('invalid_transition', 'An offboarded tenant cannot get new contracts.');
    await checkReferenceFree(tx, input.reference, null);
    const row = await tx.contract.create({
      data: {
        tenantId: tenant.id,
        reference: input.reference,
        type: input.type,
        scope: input.scope,
        status: 'DRAFT',
        currentVersion: 0,
        validFrom: input.validFrom,
        validUntil: input.validUntil,
        noticePeriodDays: input.noticePeriodDays,
        governingLaw: input.governingLaw,
        dataProcessingCountries: input.dataProcessingCountries,
        sla: {},
        exitPeriodDays: input.exitPeriodDays,
      },
    });
    const terms = await buildTerms(tx, row, input, tenant);
    await writeVersion(tx, ctx, { contractId: row.id, previous: null, terms, termsInput: input, version: 1 });
    return loadDto(tx, row.id);
  });
}

/** Saves new terms of a DRAFT as its next version. Other statuses: amendContract (four-eyes). */
export async function updateContract(ctx: Ctx, id: string, input: UpdateContractInput): Promise<ContractDto> {
  authorize(ctx.actor, 'contracts:write');
  requirePlatform(ctx);
  if (isUuid(id)) await settleLapsedActivation(id);
  return transaction(async (tx) => {
    const row = await lockContract(tx, ctx, id);
    if (row.status !== 'DRAFT') {
      const hint =
        row.status === 'PENDING_APPROVAL'
          ? ' Its activation is waiting for approval: cancel or reject that request first.'
          : row.status === 'ACTIVE'
            ? ' Amend it instead (four-eyes).'
            : '';
      throw new AppError('invalid_transition', `Only a draft can be edited; this contract is ${row.status}.${hint}`, { extra: { status: row.status } });
    }
    await checkReferenceFree(tx, input.reference, row.id);
    const previous = await currentTerms(tx, row.id, row.currentVersion);
    const terms = await buildTerms(tx, row, input, await loadTenant(tx, row.tenantId));
    if (hashTerms(terms) === hashTerms(previous)) return loadDto(tx, row.id);
    await writeVersion(tx, ctx, { contractId: row.id, previous, terms, termsInput: input, version: row.currentVersion + 1 });
    return loadDto(tx, row.id);
  });
}

/** Fails unless no other ACTIVE contract of the tenant covers the same scope. */
async function checkOneActivePerScope(tx: Tx, contract: { id: string; tenantId: string; scope: ContractScope }): Promise<void> {
  // Serialises activations and scope changes of one tenant.
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`contract-scope:${contract.tenantId}`}))`;
  const other = await tx.contract.findFirst({
    where: { tenantId: contract.tenantId, scope: contract.scope, status: 'ACTIVE', validUntil: { gt: new Date() }, id: { not: contract.id } },
    select: { reference: true },
  });
  if (other) {
    throw new AppError('conflict', `Contract ${other.reference} is already active for this tenant and scope ${contract.scope}; terminate it or choose another scope.`, {
      extra: { activeContract: other.reference },
    });
  }
}

type ContractTarget = { contractId: string; version: number; hash: string };
const contractTarget = z.object({ contractId: z.uuid(), version: z.number().int(), hash: z.string() });

/** The version a request was made for must still be the current one: approvers approve what they saw. */
async function checkUnchanged(tx: Tx, row: { id: string; currentVersion: number }, target: ContractTarget): Promise<void> {
  const v = await tx.contractVersion.findUnique({ where: { contractId_version: { contractId: row.id, version: row.currentVersion } }, select: { hash: true } });
  if (row.currentVersion !== target.version || v?.hash !== target.hash) {
    throw new AppError('conflict', 'The contract has changed since this request was made; reject it and request again.');
  }
}

async function lockForExecution(tx: Tx, contractId: string) {
  await tx.$queryRaw`SELECT id FROM contracts WHERE id = ${contractId}::uuid FOR UPDATE`;
  const row = await tx.contract.findUnique({ where: { id: contractId } });
  if (!row) throw notFound('Contract');
  return row;
}

async function recordStatus(
  tx: Tx,
  ctx: Ctx,
  row: { id: string; tenantId: string; reference: string },
  change: { from: ContractStatus; to: ContractStatus; approvalId?: string | null; reason?: string; extra?: Record<string, unknown> },
): Promise<void> {
  await record(tx, ctx, {
    action: 'contract.status_changed',
    tenantId: row.tenantId,
    target: { type: 'contract', id: row.id },
    data: {
      before: { status: change.from },
      after: { status: change.to },
      reference: row.reference,
      approvalId: change.approvalId ?? null,
      reason: change.reason ?? null,
      ...change.extra,
    },
  });
}

export const contractActivation = approvalExecutor('CONTRACT_ACTIVATE', {
  payload: contractTarget,
  async prepare(tx, ctx, { payload }) {
    const row = await lockForExecution(tx, payload.contractId);
    if (row.status !== 'DRAFT') throw new AppError('invalid_transition', `Only a draft can be activated; this contract is ${row.status}.`, { extra: { status: row.status } });
    if (row.validUntil <= new Date()) throw new AppError('invalid_transition', 'The contract ends in the past; change its dates first.');
    const tenant = await loadTenant(tx, row.tenantId);
    if (tenant.archivedAt || tenant.status === 'OFFBOARDED') throw new AppError('invalid_transition', 'The tenant is offboarded.');
    await checkUnchanged(tx, row, payload);
    await checkOneActivePerScope(tx, row);
    await tx.contract.update({ where: { id: row.id }, data: { status: 'PENDING_APPROVAL' } });
    await recordStatus(tx, ctx, row, { from: 'DRAFT', to: 'PENDING_APPROVAL' });
  },
  async execute(tx, ctx, { payload, approval }) {
    const row = await lockForExecution(tx, payload.contractId);
    const from = row.status;
    // The CLI activates a draft directly; through four-eyes the contract waits in PENDING_APPROVAL.
    if (from !== 'PENDING_APPROVAL') throw new AppError('invalid_transition', `The contract is ${from}, not waiting for activation.`, { extra: { status: from } });
    if (row.validUntil <= new Date()) throw new AppError('invalid_transition', 'The contract has ended in the meantime; it cannot be activated.');
    await checkUnchanged(tx, row, payload);
    await checkOneActivePerScope(tx, row);
    await tx.contract.update({ where: { id: row.id }, data: { status: 'ACTIVE', activatedAt: new Date() } });
    await recordStatus(tx, ctx, row, { from, to: 'ACTIVE', approvalId: approval?.id, reason: approval?.reason });
    return { contractId: row.id, reference: row.reference, version: row.currentVersion, status: 'ACTIVE' };
  },
  async onClosed(tx, ctx, { payload, outcome }) {
    const row = await lockForExecution(tx, payload.contractId);
    if (row.status !== 'PENDING_APPROVAL') return;
    await tx.contract.update({ where: { id: row.id }, data: { status: 'DRAFT' } });
    await recordStatus(tx, ctx, row, { from: 'PENDING_APPROVAL', to: 'DRAFT', reason: `activation request ${outcome.toLowerCase()}` });
  },
});

const terminatePayload = contractTarget.extend({ terminationReason: z.enum(Object.keys(TERMINATION_REASONS) as [TerminationReason, ...TerminationReason[]]) });

export const contractTermination = approvalExecutor('CONTRACT_TERMINATE', {
  payload: terminatePayload,
  async prepare(tx, _ctx, { payload }) {
    const row = await lockForExecution(tx, payload.contractId);
    if (effectiveContractStatus(row) !== 'ACTIVE')
      throw new AppError('invalid_transition', `Only an active contract can be terminated; this one is ${effectiveContractStatus(row)}.`);
  },
  async execute(tx, ctx, { payload, approval }) {
    const row = await lockForExecution(tx, payload.contractId);
    if (effectiveContractStatus(row) !== 'ACTIVE')
      throw new AppError('invalid_transition', `Only an active contract can be terminated; this one is ${effectiveContractStatus(row)}.`);
    await tx.contract.update({ where: { id: row.id }, data: { status: 'TERMINATED', terminatedAt: new Date(), terminationReason: payload.terminationReason } });
    await recordStatus(tx, ctx, row, {
      from: 'ACTIVE',
      to: 'TERMINATED',
      approvalId: approval?.id,
      reason: approval?.reason,
      extra: { terminationReason: payload.terminationReason },
    });
    return { contractId: row.id, reference: row.reference, status: 'TERMINATED' };
  },
});

// An amendment carries the full new terms as they were submitted (JSON: dates as strings).
const amendPayload = contractTarget.extend({ terms: z.record(z.string(), z.unknown()) });
type AmendPayload = z.infer<typeof amendPayload>;

function parseAmendment(payload: AmendPayload): UpdateContractInput {
  return updateContractInput.parse(payload.terms);
}

export const entitlementsChange = approvalExecutor('ENTITLEMENTS_CHANGE', {
  payload: amendPayload,
  async prepare(tx, _ctx, { payload }) {
    const row = await lockForExecution(tx, payload.contractId);
    if (effectiveContractStatus(row) !== 'ACTIVE')
      throw new AppError('invalid_transition', `Only an active contract is amended through approval; this one is ${effectiveContractStatus(row)}.`);
    await checkUnchanged(tx, row, payload);
  },
  async execute(tx, ctx, { payload, approval }) {
    const row = await lockForExecution(tx, payload.contractId);
    if (effectiveContractStatus(row) !== 'ACTIVE') throw new AppError('invalid_transition', `The contract is ${effectiveContractStatus(row)}; the amendment no longer applies.`);
    await checkUnchanged(tx, row, payload);
    const input = parseAmendment(payload);
    if (input.validUntil <= new Date()) throw new AppError('invalid_transition', 'The amended contract would already have ended.');
    await checkReferenceFree(tx, input.reference, row.id);
    const previous = await currentTerms(tx, row.id, row.currentVersion);
    const terms = await buildTerms(tx, row, input, await loadTenant(tx, row.tenantId));
    if (input.scope !== row.scope) await checkOneActivePerScope(tx, { ...row, scope: input.scope });
    const version = row.currentVersion + 1;
    const hash = await writeVersion(tx, ctx, { contractId: row.id, previous, terms, termsInput: input, version, approvalId: approval?.id });
    return { contractId: row.id, reference: terms.reference, version, hash };
  },
});

/** The current version's number and hash: what a four-eyes request is about. */
async function targetOf(ctx: Ctx, id: string): Promise<{ target: ContractTarget; tenantId: string; reference: string; tenantName: string }> {
  const row = isUuid(id) ? await db.contract.findFirst({ where: { AND: [tenantScope(ctx.actor), { id }] }, include: { tenant: { select: { legalName: true } } } }) : null;
  if (!row) throw notFound('Contract');
  const v = await db.contractVersion.findUnique({ where: { contractId_version: { contractId: row.id, version: row.currentVersion } }, select: { hash: true } });
  return { target: { contractId: row.id, version: row.currentVersion, hash: v?.hash ?? '' }, tenantId: row.tenantId, reference: row.reference, tenantName: row.tenant.legalName };
}

export type ContractRequestResult = ContractChangeDto;

async function finish(id: string, outcome: Awaited<ReturnType<typeof requestOrPerform>>): Promise<ContractRequestResult> {
  const contract = await loadDto(db, id);
  return outcome.kind === 'requested' ? { kind: 'requested', approval: outcome.approval, contract } : { kind: 'performed', approval: null, contract };
}

/** Asks for four-eyes activation of a draft (the operator's CLI activates at once). */
export async function requestContractActivation(ctx: Ctx, id: string, input: RequestActivationInput): Promise<ContractRequestResult> {
  authorize(ctx.actor, 'contracts:write');
  requirePlatform(ctx);
  const t = await targetOf(ctx, id);
  const outcome = await requestOrPerform(ctx, {
    executor: contractActivation,
    tenantId: t.tenantId,
    target: { type: 'contract', id: t.target.contractId },
    payload: t.target,
    reason: input.reason,
    summary: `Activate contract ${t.reference} (version ${t.target.version}) of ${t.tenantName}`,
  });
  return finish(id, outcome);
}

export async function requestContractTermination(ctx: Ctx, id: string, input: RequestTerminationInput): Promise<ContractRequestResult> {
  authorize(ctx.actor, 'contracts:write');
  requirePlatform(ctx);
  const t = await targetOf(ctx, id);
  const outcome = await requestOrPerform(ctx, {
    executor: contractTermination,
    tenantId: t.tenantId,
    target: { type: 'contract', id: t.target.contractId },
    payload: { ...t.target, terminationReason: input.terminationReason },
    reason: input.reason,
    summary: `Terminate contract ${t.reference} of ${t.tenantName} (${TERMINATION_REASONS[input.terminationReason].toLowerCase()})`,
  });
  return finish(id, outcome);
}

/** Serialises terms for an approval payload (JSON: dates as RFC 3339 strings). */
function termsPayload(input: UpdateContractInput): Record<string, unknown> {
  return JSON.parse(JSON.stringify(input)) as Record<string, unknown>;
}

/**
 * Amends an ACTIVE contract: a four-eyes request whose approval adds the new version. A DRAFT is
 * simply updated (updateContract). The proposed terms are validated now, so a bad amendment is
 * refused before anyone is asked to approve it.
 */
export async function amendContract(ctx: Ctx, id: string, input: AmendContractInput): Promise<ContractRequestResult> {
  authorize(ctx.actor, 'contracts:write');
  requirePlatform(ctx);
  const { reason, ...terms } = input;
  const t = await targetOf(ctx, id);
  await settleLapsedActivation(t.target.contractId);
  const current = await db.contract.findUniqueOrThrow({ where: { id: t.target.contractId }, select: { status: true, validUntil: true, tenantId: true } });
  if (current.status === 'DRAFT') return { kind: 'performed', approval: null, contract: await updateContract(ctx, id, terms) };
  // Validate what can be validated before the request (countries, catalogue) in a read-only pass.
  const preview = await transaction(async (tx) => {
    const tenant = await loadTenant(tx, current.tenantId);
    const proposed = await buildTerms(tx, { id: t.target.contractId, tenantId: current.tenantId }, terms, tenant);
    return diffTerms(await currentTerms(tx, t.target.contractId, t.target.version), proposed);
  });
  if (preview.length === 0) throw new AppError('validation_failed', 'The amendment changes nothing.');
  const outcome = await requestOrPerform(ctx, {
    executor: entitlementsChange,
    tenantId: t.tenantId,
    target: { type: 'contract', id: t.target.contractId },
    payload: { ...t.target, terms: termsPayload(terms) },
    reason,
    summary: `Amend contract ${t.reference} of ${t.tenantName}: ${preview
      .map((c) => c.path)
      .slice(0, 4)
      .join(', ')}${preview.length > 4 ? ', …' : ''}`,
  });
  return finish(id, outcome);
}

// ───────────────────────────── for other services ─────────────────────────────

/**
 * The ACTIVE (not yet expired) contract that covers a deployment of this environment, if any, by
 * the rule of coveringContractOf (which also answers the converse, listCoveredDeployments).
 */
export async function findCoveringContract(client: Tx | typeof db, input: { tenantId: string; environment: Environment }) {
  const candidates = await client.contract.findMany({
    where: { tenantId: input.tenantId, ...activeContractWhere(new Date()), scope: { in: ['ALL', input.environment] } },
    orderBy: { id: 'asc' },
    include,
  });
  return coveringContractOf(candidates, input.environment);
}

export type CoveringContract = NonNullable<Awaited<ReturnType<typeof findCoveringContract>>>;

/** For notifications: ACTIVE contracts in scope ending before `before`. */
export async function listContractsEndingBefore(ctx: Ctx, before: Date): Promise<ContractDto[]> {
  authorize(ctx.actor, 'contracts:read');
  const rows = await db.contract.findMany({
    where: { AND: [tenantScope(ctx.actor), { status: 'ACTIVE', validUntil: { gt: new Date(), lte: before } }] },
    orderBy: { validUntil: 'asc' },
    take: 100,
    include,
  });
  return toContractDtos(db, rows);
}
