import { randomBytes } from 'node:crypto';
import { systemCtx } from '@/lib/access/system';
import type { Role } from '@/lib/generated/prisma/enums';
import { isValidLei } from '@/lib/core/schema';
import type { CreateTenantInput, TenantDto } from '@/lib/modules/tenants/schema';
import { createTenant } from '@/lib/modules/tenants/service';
import { createUser } from '@/lib/modules/users/service';

// Test data is made through the same services the app runs, as the system actor (so it is audited
// like any operator action). Every name carries a random suffix: tests share one database and run
// in parallel, and none of them depends on, or cleans up after, another.

/** 10 lowercase hex characters, unique enough for parallel runs. */
export function uniqueSuffix(): string {
  return randomBytes(5).toString('hex');
}

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** ISO 7064 MOD 97-10 over letters-as-numbers (A=10 … Z=35), as ISO 17442 defines it. */
function mod97(value: string): number {
  let remainder = 0;
  for (const ch of value) {
    const n = Number.parseInt(ch, 36);
    remainder = n < 10 ? (remainder * 10 + n) % 97 : (remainder * 100 + n) % 97;
  }
  return remainder;
}

/** A random LEI with correct check digits. */
export function validLei(): string {
  const bytes = randomBytes(18);
  const base = Array.from(bytes, (b) => ALNUM[b % ALNUM.length]).join('');
  const check = String(98 - mod97(`${base}00`)).padStart(2, '0');
  const lei = `${base}${check}`;
  if (!isValidLei(lei)) throw new Error(`generated an invalid LEI ${lei}`);
  return lei;
}

/** A well-formed LEI whose check digits are wrong. */
export function invalidLei(): string {
  const lei = validLei();
  const wrong = String((Number(lei.slice(18)) + 1) % 100).padStart(2, '0');
  return `${lei.slice(0, 18)}${wrong}`;
}

export async function makeTenant(overrides: Partial<CreateTenantInput> = {}): Promise<TenantDto> {
  const suffix = uniqueSuffix();
  return createTenant(systemCtx('e2e'), {
    slug: `e2e-${suffix}`,
    legalName: `E2E Tenant ${suffix}`,
    lei: validLei(),
    sector: 'FINANCE',
    homeCountry: 'DE',
    allowedCountries: ['AT', 'DE'],
    sensitivity: 'CONFIDENTIAL',
    ...overrides,
  });
}

export type TestUser = { id: string; email: string; password: string; role: Role; tenantId: string | null };

export async function makeUser(options: { role: Role; tenantId?: string | null; name?: string }): Promise<TestUser> {
  const email = `e2e-${options.role.toLowerCase().replace('_', '-')}-${uniqueSuffix()}@charter.test`;
  const password = `pw-${randomBytes(12).toString('base64url')}`;
  const tenantId = options.tenantId ?? null;
  const user = await createUser(systemCtx('e2e'), {
    email,
    name: options.name ?? `E2E ${options.role}`,
    password,
    role: options.role,
    tenantId,
  });
  return { id: user.id, email, password, role: options.role, tenantId };
}
