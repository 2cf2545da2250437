import { randomBytes, randomUUID } from 'node:crypto';
import type { Ctx } from '@/lib/access/actor';
import { systemCtx } from '@/lib/access/system';
import { permissionsOf } from '@/lib/access/permissions';
import type { ContractScope, ModelVersionStatus, Role } from '@/lib/generated/prisma/enums';
import type { ApiKeyScope } from '@/lib/modules/api-keys/schema';
import type { CreateDeploymentInput, DeploymentDto } from '@/lib/modules/deployments/schema';
import type { CreateTenantInput, TenantDto } from '@/lib/modules/tenants/schema';
import { createApiKey } from '@/lib/modules/api-keys/service';
import { verifyApiKey } from '@/lib/access/api-keys/verify';
import { createContract, requestContractActivation } from '@/lib/modules/contracts/service';
import { createDeployment } from '@/lib/modules/deployments/service';
import { type MaintenanceReport, runMaintenance } from '@/lib/runtime/maintenance';
import { createModelFamily, createModelVersion, deprecateModelVersion, getModelFamily, releaseModelVersion, retireModelVersion } from '@/lib/modules/models/service';
import { createTenant } from '@/lib/modules/tenants/service';
import { createUser } from '@/lib/modules/users/service';

// Test factories: every test makes its own tenants and users with unique names, so tests run in
// parallel against one database with no shared state and no table wipes.

export const TEST_PASSWORD = 'correct horse battery staple';

export function uniqueSlug(prefix = 't'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A random LEI with valid ISO 7064 MOD 97-10 check digits (LEIs are unique per tenant). */
export function randomLei(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const base = Array.from(randomBytes(18), (b) => alphabet[b % 36]).join('');
  const digits = Array.from(`${base}00`, (c) => Number.parseInt(c, 36).toString()).join('');
  const check = 98 - Number(BigInt(digits) % 97n);
  return `${base}${String(check).padStart(2, '0')}`;
}

export async function makeTenant(overrides: Partial<CreateTenantInput> = {}): Promise<TenantDto> {
  const slug = overrides.slug ?? uniqueSlug();
  return createTenant(systemCtx('test'), {
    slug,
    legalName: `Test Tenant ${slug}`,
    sector: 'FINANCE',
    homeCountry: 'DE',
    allowedCountries: ['DE', 'FR'],
    sensitivity: 'CONFIDENTIAL',
    ...overrides,
  });
}

export async function makeUser(role: Role, tenantId: string | null): Promise<{ id: string; email: string; ctx: Ctx }> {
  const email = `${role.toLowerCase()}-${randomUUID().slice(0, 8)}@test.example`;
  const user = await createUser(systemCtx('test'), { email, name: `Test ${role}`, password: TEST_PASSWORD, role, tenantId });
  return { id: user.id, email, ctx: ctxFor({ id: user.id, email, role, tenantId }) };
}

/** The context a signed-in user with this membership would have. */
export function ctxFor(user: { id: string; email: string; role: Role; tenantId: string | null }): Ctx {
  return {
    actor: { type: 'user', id: user.id, label: user.email, tenantId: user.tenantId, role: user.role, permissions: permissionsOf(user.role) },
    request: { ip: '127.0.0.1', userAgent: 'vitest', requestId: randomUUID() },
  };
}

// ── Deployments, the catalogue and contracts go through their services.

export async function makeDeployment(tenant: Pick<TenantDto, 'id' | 'allowedCountries'>, overrides: Partial<CreateDeploymentInput> = {}): Promise<DeploymentDto> {
  return createDeployment(systemCtx('test'), {
    tenantId: tenant.id,
    name: uniqueSlug('dep'),
    environment: 'PRODUCTION',
    country: tenant.allowedCountries[0],
    hosting: 'ON_PREMISES',
    ...overrides,
  });
}

export type TestModelVersion = { id: string; familyId: string; family: string; version: string; status: ModelVersionStatus };

/**
 * A model version in a new family (or in `familyId`'s), with valid digests, taken through the
 * catalogue services to `status`. A DEPRECATED or RETIRED one reaches its end of life today (its
 * new family has no contracts, so no notice period applies).
 */
export async function makeModelVersion(
  options: { familyId?: string; version?: string; status?: ModelVersionStatus; exportRestrictions?: string[] } = {},
): Promise<TestModelVersion> {
  const ctx = systemCtx('test');
  const family = options.familyId ? await getModelFamily(ctx, options.familyId) : await createModelFamily(ctx, { slug: uniqueSlug('fam'), name: 'Test family', modality: 'text' });
  const status = options.status ?? 'RELEASED';
  const created = await createModelVersion(ctx, {
    family: family.id,
    version: options.version ?? `1.0.${randomBytes(3).readUIntBE(0, 3)}`,
    weightsDigest: `sha256:${randomBytes(32).toString('hex')}`,
    techDocDigest: `sha256:${randomBytes(32).toString('hex')}`,
    parameterCount: 7_000_000_000,
    contextLength: 32_768,
    licence: 'Test licence',
    exportRestrictions: options.exportRestrictions ?? [],
  });
  if (status !== 'DRAFT') await releaseModelVersion(ctx, created.id);
  if (status === 'DEPRECATED' || status === 'RETIRED') {
    const today = new Date().toISOString().slice(0, 10);
    await deprecateModelVersion(ctx, created.id, { deprecatedAt: `${today}T00:00:00.000Z`, endOfLifeAt: `${today}T00:00:00.000Z`, reason: 'test factory' });
  }
  if (status === 'RETIRED') await retireModelVersion(ctx, created.id, { reason: 'test factory' });
  return { id: created.id, familyId: family.id, family: family.slug, version: created.version, status };
}

/**
 * A contract of `tenantId` through the contracts service (as the operator's CLI, so activation
 * needs no second approver): ACTIVE by default, version 1 hashed, granting the given families and
 * versions. Dates default to 2026-01-01 … 2028-01-01, countries to ['DE'].
 */
export async function makeContract(
  tenantId: string,
  options: {
    familyIds?: string[];
    versionIds?: string[];
    status?: 'DRAFT' | 'ACTIVE';
    countries?: string[];
    scope?: ContractScope;
    validFrom?: Date;
    validUntil?: Date;
    graceDays?: number;
    limits?: Record<string, number | string | boolean>;
    noticePeriodDays?: number;
    maxDeployments?: number;
  } = {},
): Promise<{ id: string; reference: string; hash: string }> {
  const ctx = systemCtx('test');
  const contract = await createContract(ctx, {
    tenantId,
    reference: `T-${randomUUID()}`,
    type: 'SUBSCRIPTION',
    scope: options.scope ?? 'ALL',
    validFrom: options.validFrom ?? new Date(Date.UTC(2026, 0, 1)),
    validUntil: options.validUntil ?? new Date(Date.UTC(2028, 0, 1)),
    renewal: 'NONE',
    noticePeriodDays: options.noticePeriodDays ?? 90,
    graceDays: options.graceDays ?? 30,
    governingLaw: 'Law of Germany',
    dataProcessingCountries: options.countries ?? ['DE'],
    sla: { availability: 99.9, supportResponseHours: 4 },
    exitPeriodDays: 180,
    auditRights: null,
    entitlements: [
      ...(options.familyIds ?? []).map((modelFamilyId) => ({
        modelFamilyId,
        modelVersionId: null,
        maxDeployments: options.maxDeployments ?? 3,
        limits: options.limits ?? { maxGpus: 8 },
      })),
      ...(options.versionIds ?? []).map((modelVersionId) => ({
        modelFamilyId: null,
        modelVersionId,
        maxDeployments: options.maxDeployments ?? 3,
        limits: options.limits ?? { maxGpus: 8 },
      })),
    ],
    registerInfo: {},
  });
  if ((options.status ?? 'ACTIVE') === 'ACTIVE') await requestContractActivation(ctx, contract.id, { reason: 'test contract' });
  return { id: contract.id, reference: contract.reference, hash: contract.currentVersionHash ?? '' };
}

/** An API key (made by the system) and the context a request made with it would have. */
export async function makeKey(tenantId: string | null, scopes: ApiKeyScope[], options: { deploymentId?: string } = {}): Promise<{ key: string; id: string; ctx: Ctx }> {
  const { key, apiKey } = await createApiKey(systemCtx('test'), {
    name: 'test key',
    tenantId,
    deploymentId: options.deploymentId ?? null,
    scopes,
    expiresInDays: 30,
    allowedCidrs: [],
  });
  const verdict = await verifyApiKey(key, { ip: '198.51.100.7', permission: scopes[0] });
  if (!verdict.ok) throw new Error(`test key refused: ${verdict.reason}`);
  return { key, id: apiKey.id, ctx: { actor: verdict.actor, request: { ip: '198.51.100.7', userAgent: 'vitest', requestId: randomUUID() } } };
}

/**
 * One maintenance round confined to `chains` (tenant ids, `platform`), as the periodic loop runs it.
 * Tests confine their rounds so that they never expire what another test file is looking at; a round
 * of another file may hold the lock for a moment, so this waits for its own to run.
 */
export async function runMaintenanceOf(chains: string[]): Promise<MaintenanceReport> {
  for (let attempt = 0; ; attempt++) {
    const report = await runMaintenance({ chains });
    if (report.ran || attempt === 50) return report;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
