import type { Metadata } from 'next';
import { ContractsTable } from '@/components/contracts/contracts-table';
import { STATUS_FILTER_OPTIONS } from '@/components/contracts/labels';
import { Alert } from '@/components/ui/alert';
import { Button, ButtonLink } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination, hrefWith } from '@/components/ui/pagination';
import { Select } from '@/components/ui/select';
import { requireCtx } from '@/lib/auth/session';
import { can, isPlatform } from '@/lib/authz/guard';
import { toAppError } from '@/lib/errors';
import type { Page } from '@/lib/schemas/common';
import { type ContractDto, listContractsQuery } from '@/lib/schemas/contract';
import { listContracts } from '@/lib/services/contracts';
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
      <form method="get" role="search" aria-label="Filter contracts" className="mb-4 flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
        <div className="min-w-48 flex-1 space-y-1">
          <label htmlFor="q" className="block text-xs font-medium text-slate-700">
            Reference
          </label>
          <Input id="q" name="q" type="search" defaultValue={query.q ?? ''} maxLength={100} />
        </div>
        {isPlatform(ctx.actor) && tenants.length > 0 && (
          <div className="w-64 space-y-1">
            <label htmlFor="tenant" className="block text-xs font-medium text-slate-700">
              Tenant
            </label>
            <Select id="tenant" name="tenant" defaultValue={tenantId ? tenantSlug : ''} options={tenants.map((t) => ({ value: t.slug, label: t.legalName }))} placeholder="All tenants" />
          </div>
        )}
        <div className="w-48 space-y-1">
          <label htmlFor="status" className="block text-xs font-medium text-slate-700">
            Status
          </label>
          <Select id="status" name="status" defaultValue={query.status ?? ''} options={STATUS_FILTER_OPTIONS} placeholder="Any status" />
        </div>
        <div className="flex gap-2">
          <Button type="submit" variant="secondary">
            Apply
          </Button>
          {filtered && (
            <ButtonLink href="/contracts" variant="ghost">
              Clear
            </ButtonLink>
          )}
        </div>
      </form>
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
