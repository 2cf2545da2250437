import type { Metadata } from 'next';
import { ContractsTable } from '@/components/contracts/contracts-table';
import { STATUS_FILTER_OPTIONS } from '@/components/contracts/labels';
import { Alert } from '@/components/ui/alert';
import { ButtonLink } from '@/components/ui/button';
import { FilterActions, FilterBar, FilterField } from '@/components/ui/filter-bar';
import { Input } from '@/components/ui/input';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination, hrefWith } from '@/components/ui/pagination';
import { Select } from '@/components/ui/select';
import { requireCtx } from '@/lib/http/session';
import { can, isPlatform } from '@/lib/access/guard';
import { toAppError } from '@/lib/core/errors';
import type { Page } from '@/lib/core/schema';
import { type ContractDto, listContractsQuery } from '@/lib/modules/contracts/schema';
import { listContracts } from '@/lib/modules/contracts/service';
import { loadContractTenants } from './load-options';
import { type SearchParams, firstParam } from '@/lib/http/search-params';

export const metadata: Metadata = { title: 'Contracts' };

const PAGE_SIZE = 25;

export default async function ContractsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const ctx = await requireCtx();
  const params = await searchParams;
  const tenants = can(ctx.actor, 'tenants:read') ? await loadContractTenants(ctx) : [];
  const tenantSlug = firstParam(params.tenant);
  const tenantId = tenants.find((t) => t.slug === tenantSlug)?.id;
  const parsed = listContractsQuery.safeParse({ limit: PAGE_SIZE, q: firstParam(params.q), status: firstParam(params.status), tenantId, cursor: firstParam(params.cursor) });
  const query = parsed.success ? parsed.data : listContractsQuery.parse({ limit: PAGE_SIZE });

  let page: Page<ContractDto> = { data: [], nextCursor: null };
  let notice: string | null = parsed.success ? null : 'Some filters in the address were not valid and have been ignored.';
  try {
    page = await listContracts(ctx, query);
  } catch (err) {
    if (toAppError(err).code !== 'validation_failed') throw err;
    notice = 'This page link is no longer valid. Start again from the first page.';
  }
  const filters = { q: query.q, status: query.status, tenant: tenantId ? tenantSlug : undefined };
  const filtered = Boolean(query.q || query.status || tenantId);
  const names = new Map(tenants.map((t) => [t.id, t.legalName]));

  return (
    <>
      <PageHeader
        title="Contracts"
        description="Agreements with tenants, the entitlements they grant, and their immutable, hashed versions."
        actions={
          <>
            <ButtonLink href="/contracts/dora" variant="ghost">
              DORA register
            </ButtonLink>
            {can(ctx.actor, 'contracts:write') && isPlatform(ctx.actor) && (
              <ButtonLink href="/contracts/new" variant="primary">
                New contract
              </ButtonLink>
            )}
          </>
        }
      />
      <FilterBar label="Filter contracts">
        <FilterField id="q" label="Reference" className="min-w-48 flex-1">
          <Input id="q" name="q" type="search" defaultValue={query.q ?? ''} maxLength={100} />
        </FilterField>
        {isPlatform(ctx.actor) && tenants.length > 0 && (
          <FilterField id="tenant" label="Tenant" className="w-64">
            <Select
              id="tenant"
              name="tenant"
              defaultValue={tenantId ? tenantSlug : ''}
              options={tenants.map((t) => ({ value: t.slug, label: t.legalName }))}
              placeholder="All tenants"
            />
          </FilterField>
        )}
        <FilterField id="status" label="Status" className="w-48">
          <Select id="status" name="status" defaultValue={query.status ?? ''} options={STATUS_FILTER_OPTIONS} placeholder="Any status" />
        </FilterField>
        <FilterActions clearHref="/contracts" filtered={filtered} />
      </FilterBar>
      {notice && (
        <Alert tone="warning" className="mb-4">
          {notice}
        </Alert>
      )}
      <ContractsTable contracts={page.data} tenantNames={names} emptyMessage={filtered ? 'No contract matches these filters.' : 'No contracts yet.'} />
      <Pagination
        label="Contract pages"
        firstHref={query.cursor ? hrefWith('/contracts', filters) : null}
        nextHref={page.nextCursor ? hrefWith('/contracts', { ...filters, cursor: page.nextCursor }) : null}
      />
    </>
  );
}
