import { randomBytes, randomUUID } from 'node:crypto';
import type { Ctx } from '@/lib/auth/actor';
import { systemCtx } from '@/lib/auth/system';
import { permissionsOf } from '@/lib/authz/permissions';
import { transaction } from '@/lib/db';
import { record } from '@/lib/audit/record';
import { sha256Hex } from '@/lib/crypto/hash';
import { canonicalize } from '@/lib/crypto/jcs';
import type { ModelVersionStatus, Role } from '@/lib/generated/prisma/enums';
import type { ApiKeyScope } from '@/lib/schemas/api-key';
import type { CreateDeploymentInput, DeploymentDto } from '@/lib/schemas/deployment';
import type { CreateTenantInput, TenantDto } from '@/lib/schemas/tenant';
import { createApiKey, verifyApiKey } from '@/lib/services/api-keys';
import { createDeployment } from '@/lib/services/deployments';
import { createTenant } from '@/lib/services/tenants';
import { createUser } from '@/lib/services/users';

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
  const digits = [...`${base}00`].map((c) => Number.parseInt(c, 36).toString()).join('');
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

// ── Catalogue and contracts: no write services yet (issues 4 and 6), so written here inside an
// audited transaction, like prisma/seed.ts. Deployments go through their service.

export async function makeDeployment(
  tenant: Pick<TenantDto, 'id' | 'allowedCountries'>,
  overrides: Partial<CreateDeploymentInput> = {},
): Promise<DeploymentDto> {
  return createDeployment(systemCtx('test'), {
    tenantId: tenant.id,
    name: uniqueSlug('dep'),
    environment: 'PRODUCTION',
    country: tenant.allowedCountries[0] as string,
    hosting: 'ON_PREMISES',
    ...overrides,
  });
}

export type TestModelVersion = { id: string; familyId: string; family: string; version: string; status: ModelVersionStatus };

/** A model version in a new family (or in `familyId`'s), with valid digests. */
export async function makeModelVersion(options: { familyId?: string; version?: string; status?: ModelVersionStatus } = {}): Promise<TestModelVersion> {
  const ctx = systemCtx('test');
  return transaction(async (tx) => {
    const family = options.familyId
      ? await tx.modelFamily.findUniqueOrThrow({ where: { id: options.familyId } })
      : await tx.modelFamily.create({ data: { slug: uniqueSlug('fam'), name: 'Test family', modality: 'text' } });
    const version = options.version ?? `1.0.${randomBytes(3).readUIntBE(0, 3)}`;
    const status = options.status ?? 'RELEASED';
    const mv = await tx.modelVersion.create({
      data: {
        familyId: family.id,
        version,
        weightsDigest: `sha256:${randomBytes(32).toString('hex')}`,
        parameterCount: 7_000_000_000n,
        contextLength: 32_768,
        licence: 'Test licence',
        exportRestrictions: [],
        status,
        releasedAt: status === 'DRAFT' ? null : new Date(),
      },
    });
    await record(tx, ctx, { action: 'model_version.created', tenantId: null, target: { type: 'model_version', id: mv.id }, data: { after: { family: family.slug, version, status } } });
    return { id: mv.id, familyId: family.id, family: family.slug, version, status };
  });
}

/** An active contract of `tenantId`, version 1 hashed, granting the given families. */
export async function makeContract(tenantId: string, options: { familyIds?: string[] } = {}): Promise<{ id: string; reference: string; hash: string }> {
  const ctx = systemCtx('test');
  return transaction(async (tx) => {
    const reference = `T-${randomUUID()}`;
    const validFrom = new Date(Date.UTC(2026, 0, 1));
    const validUntil = new Date(Date.UTC(2028, 0, 1));
    const terms = { reference, type: 'SUBSCRIPTION', validFrom: validFrom.toISOString(), validUntil: validUntil.toISOString(), noticePeriodDays: 90 };
    const hash = sha256Hex(canonicalize(terms));
    const contract = await tx.contract.create({
      data: {
        tenantId,
        reference,
        type: 'SUBSCRIPTION',
        status: 'ACTIVE',
        validFrom,
        validUntil,
        noticePeriodDays: 90,
        governingLaw: 'Law of Germany',
        dataProcessingCountries: ['DE'],
        sla: { availability: 99.9, supportResponseHours: 4 },
        exitPeriodDays: 180,
        activatedAt: validFrom,
        versions: { create: { version: 1, terms, hash, createdBy: ctx.actor.label } },
        entitlements: { create: (options.familyIds ?? []).map((modelFamilyId) => ({ modelFamilyId, maxDeployments: 3, limits: { maxGpus: 8 } })) },
      },
    });
    await record(tx, ctx, { action: 'contract.created', tenantId, target: { type: 'contract', id: contract.id }, data: { after: { reference, status: 'ACTIVE' } } });
    return { id: contract.id, reference, hash };
  });
}

/** An API key (made by the system) and the context a request made with it would have. */
export async function makeKey(
  tenantId: string | null,
  scopes: ApiKeyScope[],
  options: { deploymentId?: string } = {},
): Promise<{ key: string; id: string; ctx: Ctx }> {
  const { key, apiKey } = await createApiKey(systemCtx('test'), {
    name: 'test key',
    tenantId,
    deploymentId: options.deploymentId ?? null,
    scopes,
    expiresInDays: 30,
    allowedCidrs: [],
  });
  const verdict = await verifyApiKey(key, { ip: '198.51.100.7', permission: scopes[0] as ApiKeyScope });
  if (!verdict.ok) throw new Error(`test key refused: ${verdict.reason}`);
  return { key, id: apiKey.id, ctx: { actor: verdict.actor, request: { ip: '198.51.100.7', userAgent: 'vitest', requestId: randomUUID() } } };
}
