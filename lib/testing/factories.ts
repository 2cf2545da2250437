import { randomBytes, randomUUID } from 'node:crypto';
import type { Ctx } from '@/lib/auth/actor';
import { systemCtx } from '@/lib/auth/system';
import { permissionsOf } from '@/lib/authz/permissions';
import type { Role } from '@/lib/generated/prisma/enums';
import type { CreateTenantInput, TenantDto } from '@/lib/schemas/tenant';
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
