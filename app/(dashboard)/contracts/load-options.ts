import { cache } from 'react';
import type { FamilyOption, TenantOption } from '@/components/contracts/contract-form';
import type { Ctx } from '@/lib/access/actor';
import { listModelFamilies } from '@/lib/modules/models/service';
import { listTenants } from '@/lib/modules/tenants/service';

// The choices of the contract form: tenants that can still sign, and the catalogue. Bounded
// (a vendor has hundreds of customers and tens of model families, not more).
const PAGE = 200;
const MAX_PAGES = 25;

export const loadContractTenants = cache(async (ctx: Ctx): Promise<TenantOption[]> => {
  const out: TenantOption[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await listTenants(ctx, { limit: PAGE, cursor, includeArchived: false });
    out.push(...page.data.filter((t) => t.status !== 'OFFBOARDED').map((t) => ({ id: t.id, slug: t.slug, legalName: t.legalName, allowedCountries: t.allowedCountries })));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
});

export const loadFamilies = cache(async (ctx: Ctx): Promise<FamilyOption[]> => {
  const out: FamilyOption[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await listModelFamilies(ctx, { limit: PAGE, cursor });
    out.push(...page.data.map((f) => ({ id: f.id, slug: f.slug, name: f.name, versions: f.versions.map((v) => ({ id: v.id, version: v.version, status: v.status })) })));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
});
