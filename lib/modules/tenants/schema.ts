import { z } from 'zod';
import { Sector, Sensitivity, TenantStatus } from '@/lib/generated/prisma/enums';
import { blankAsText, choice, countryCode, lei, pageOf, pageQuery, queryBoolean, required, slug } from '@/lib/core/schema';

const legalName = z.string(required).trim().min(2, 'must be at least 2 characters').max(200);

// "platform" names the vendor's own audit chain (CLI --chain platform); "new" is the create page.
const RESERVED_SLUGS = new Set(['platform', 'new', 'edit', 'api']);
const tenantSlug = slug.refine((s) => !RESERVED_SLUGS.has(s), { message: 'is reserved; choose another slug' });

const tenantFields = z.object({
  slug: tenantSlug,
  legalName,
  lei: lei.optional(),
  sector: choice(Sector, 'sector'),
  homeCountry: countryCode,
  allowedCountries: z
    .array(countryCode)
    .min(1, 'list at least one country where data may be processed')
    .max(60)
    .transform((cs) => [...new Set(cs)].sort()),
  sensitivity: choice(Sensitivity, 'sensitivity level'),
});

const homeCountryAllowed = (t: { homeCountry?: string; allowedCountries?: string[] }) => !t.homeCountry || !t.allowedCountries || t.allowedCountries.includes(t.homeCountry);
const homeCountryIssue = {
  message: 'the home country must be one of the allowed data-processing countries',
  path: ['allowedCountries'],
};

export const createTenantInput = tenantFields.refine(homeCountryAllowed, homeCountryIssue).meta({ id: 'CreateTenantInput' });
export type CreateTenantInput = z.infer<typeof createTenantInput>;

// The slug is the tenant's stable handle (CLI, URLs); it is fixed at creation.
export const updateTenantInput = tenantFields
  .omit({ slug: true })
  .extend({ lei: lei.nullable().optional() })
  .partial()
  .refine((t) => Object.keys(t).length > 0, { message: 'change at least one field' })
  .refine(homeCountryAllowed, homeCountryIssue)
  .meta({ id: 'UpdateTenantInput' });
export type UpdateTenantInput = z.infer<typeof updateTenantInput>;

/** The edit form → updateTenantInput: an emptied LEI means "remove it". */
export const updateTenantForm = z.preprocess((v: Record<string, unknown>) => ({ ...v, lei: v.lei ?? null }), updateTenantInput);

export const changeTenantStatusInput = z.object({
  status: choice(TenantStatus, 'status'),
  reason: z.string(required).trim().min(3, 'give a reason of at least 3 characters').max(500),
});
export type ChangeTenantStatusInput = z.infer<typeof changeTenantStatusInput>;

export const archiveTenantInput = changeTenantStatusInput.pick({ reason: true });
export type ArchiveTenantInput = z.infer<typeof archiveTenantInput>;

/** The status form: each button sends the new `status` (or archives), all with the reason typed. */
export const changeTenantStatusForm = blankAsText(changeTenantStatusInput, 'reason');
export const archiveTenantForm = blankAsText(archiveTenantInput, 'reason');

export const listTenantsQuery = pageQuery.extend({
  q: z.string().trim().max(100).optional(),
  status: z.enum(TenantStatus).optional(),
  includeArchived: queryBoolean.default(false),
});
export type ListTenantsQuery = z.infer<typeof listTenantsQuery>;

/** The public shape of a tenant (API responses, OpenAPI). */
export const Tenant = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    legalName: z.string(),
    lei: z.string().nullable(),
    sector: z.enum(Sector),
    homeCountry: z.string(),
    allowedCountries: z.array(z.string()),
    sensitivity: z.enum(Sensitivity),
    status: z.enum(TenantStatus),
    archivedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Tenant' });
export type TenantDto = z.infer<typeof Tenant>;

export const TenantPage = pageOf(Tenant).meta({ id: 'TenantPage' });

/** A status in words, as the UI and its messages name it. */
export const TENANT_STATUS_LABELS: Record<TenantStatus, string> = {
  ONBOARDING: 'Onboarding',
  ACTIVE: 'Active',
  SUSPENDED: 'Suspended',
  OFFBOARDED: 'Offboarded',
};

/** Allowed status changes; OFFBOARDED is final (the tenant is then archived, never deleted). */
export const TENANT_TRANSITIONS: Record<TenantStatus, readonly TenantStatus[]> = {
  ONBOARDING: ['ACTIVE', 'OFFBOARDED'],
  ACTIVE: ['SUSPENDED', 'OFFBOARDED'],
  SUSPENDED: ['ACTIVE', 'OFFBOARDED'],
  OFFBOARDED: [],
};
