import type { Metadata } from 'next';
import { STATUS_OPTIONS } from '@/components/tenants/labels';
import { TenantsTable } from '@/components/tenants/tenants-table';
import { Alert } from '@/components/ui/alert';
import { ButtonLink } from '@/components/ui/button';
import { FilterActions, FilterBar, FilterField } from '@/components/ui/filter-bar';
import { Checkbox, Input } from '@/components/ui/input';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination, hrefWith } from '@/components/ui/pagination';
import { Select } from '@/components/ui/select';
import { requireCtx } from '@/lib/http/session';
import { can } from '@/lib/access/guard';
import { toAppError } from '@/lib/core/errors';
import { type ListTenantsQuery, listTenantsQuery } from '@/lib/modules/tenants/schema';
import type { Page } from '@/lib/core/schema';
import type { TenantDto } from '@/lib/modules/tenants/schema';
import { listTenants } from '@/lib/modules/tenants/service';
import { type SearchParams, firstParam } from '@/lib/http/search-params';

export const metadata: Metadata = { title: 'Tenants' };

const PAGE_SIZE = 25;

/** The page's filters from the URL; anything malformed is dropped rather than failing the page. */
function filtersFrom(params: SearchParams): { query: ListTenantsQuery; invalid: boolean } {
  const raw = {
    q: firstParam(params.q),
    status: firstParam(params.status),
    cursor: firstParam(params.cursor),
    limit: PAGE_SIZE,
    // z.coerce.boolean() would read "false" as true: only an explicit "on"/"1"/"true" turns it on.
    includeArchived: ['1', 'on', 'true'].includes(firstParam(params.includeArchived) ?? ''),
  };
  const parsed = listTenantsQuery.safeParse(raw);
  if (parsed.success) return { query: parsed.data, invalid: false };
  return { query: listTenantsQuery.parse({ limit: PAGE_SIZE }), invalid: true };
}

export default async function TenantsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const ctx = await requireCtx();
  const { query, invalid } = filtersFrom(await searchParams);

  let page: Page<TenantDto> = { data: [], nextCursor: null };
  let notice: string | null = invalid ? 'Some filters in the address were not valid and have been ignored.' : null;
  try {
    page = await listTenants(ctx, query);
  } catch (err) {
    // A stale or hand-edited cursor: say so, and offer the first page.
    if (toAppError(err).code !== 'validation_failed') throw err;
    notice = 'This page link is no longer valid. Start again from the first page.';
  }

  const filters = { q: query.q, status: query.status, includeArchived: query.includeArchived && '1' };
  const filtered = Boolean(query.q || query.status || query.includeArchived);

  return (
    <>
      <PageHeader
        title="Tenants"
        description={ctx.actor.tenantId ? 'The organisation you belong to.' : 'Customer organisations and their data-processing jurisdictions.'}
        actions={
          can(ctx.actor, 'tenants:write') && !ctx.actor.tenantId ? (
            <ButtonLink href="/tenants/new" variant="primary">
              New tenant
            </ButtonLink>
          ) : null
        }
      />

      <FilterBar label="Filter tenants">
        <FilterField id="q" label="Search" className="min-w-56 flex-1">
          <Input id="q" name="q" type="search" defaultValue={query.q ?? ''} placeholder="Legal name, slug or LEI" maxLength={100} />
        </FilterField>
        <FilterField id="status" label="Status">
          <Select id="status" name="status" defaultValue={query.status ?? ''} options={STATUS_OPTIONS} placeholder="Any status" />
        </FilterField>
        <label className="flex h-9 items-center gap-2 text-sm text-slate-800">
          <Checkbox name="includeArchived" value="1" defaultChecked={query.includeArchived} />
          Include archived
        </label>
        <FilterActions clearHref="/tenants" filtered={filtered} />
      </FilterBar>

      {notice && (
        <Alert tone="warning" className="mb-4">
          {notice}
        </Alert>
      )}

      <TenantsTable tenants={page.data} emptyMessage={filtered ? 'No tenant matches these filters.' : 'No tenants yet.'} />

      <Pagination
        label="Tenants pages"
        firstHref={query.cursor ? hrefWith('/tenants', filters) : null}
        nextHref={page.nextCursor ? hrefWith('/tenants', { ...filters, cursor: page.nextCursor }) : null}
      />
    </>
  );
}
