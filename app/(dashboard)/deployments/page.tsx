import type { Metadata } from 'next';
import { DeploymentsTable } from '@/components/deployments/deployments-table';
import { ENVIRONMENT_OPTIONS, HEALTH_OPTIONS } from '@/components/deployments/labels';
import { Alert } from '@/components/ui/alert';
import { ButtonLink } from '@/components/ui/button';
import { FilterActions, FilterBar, FilterField } from '@/components/ui/filter-bar';
import { Checkbox, Input } from '@/components/ui/input';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination, hrefWith } from '@/components/ui/pagination';
import { Select } from '@/components/ui/select';
import { requireCtx } from '@/lib/http/session';
import { can, isPlatform } from '@/lib/access/guard';
import { toAppError } from '@/lib/core/errors';
import type { Page } from '@/lib/core/schema';
import { type DeploymentDto, listDeploymentsQuery } from '@/lib/modules/deployments/schema';
import { heartbeatStaleMinutes, listDeployments } from '@/lib/modules/deployments/service';
import { loadKeyTenants } from '../api-keys/load-tenants';
import { type SearchParams, firstParam } from '@/lib/http/search-params';

export const metadata: Metadata = { title: 'Deployments' };

const PAGE_SIZE = 50;

export default async function DeploymentsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const ctx = await requireCtx();
  const { actor } = ctx;
  if (!can(actor, 'deployments:read')) {
    return (
      <>
        <PageHeader title="Deployments" />
        <Alert tone="info">Your role does not include deployments.</Alert>
      </>
    );
  }
  const params = await searchParams;
  const tenants = await loadKeyTenants(ctx);
  const tenantSlug = isPlatform(actor) ? firstParam(params.tenant) : undefined;
  const tenant = tenantSlug ? tenants.find((t) => t.slug === tenantSlug) : undefined;
  const raw = {
    limit: PAGE_SIZE,
    tenantId: tenant?.id,
    environment: firstParam(params.environment),
    status: firstParam(params.status),
    q: firstParam(params.q),
    cursor: firstParam(params.cursor),
    includeArchived: ['1', 'on', 'true'].includes(firstParam(params.includeArchived) ?? ''),
  };
  const parsed = listDeploymentsQuery.safeParse(raw);
  const query = parsed.success ? parsed.data : listDeploymentsQuery.parse({ limit: PAGE_SIZE });
  let notice = parsed.success && (!tenantSlug || tenant) ? null : 'Some filters in the address were not valid and have been ignored.';
  let page: Page<DeploymentDto> = { data: [], nextCursor: null };
  try {
    page = await listDeployments(ctx, query);
  } catch (err) {
    if (toAppError(err).code !== 'validation_failed') throw err;
    notice = 'This page link is no longer valid. Start again from the first page.';
  }
  const stale = page.data.filter((d) => d.status === 'STALE').length;
  const names = new Map(tenants.map((t) => [t.id, { slug: t.slug, legalName: t.legalName }]));
  const filters = { tenant: tenant?.slug, environment: query.environment, status: query.status, q: query.q, includeArchived: query.includeArchived && '1' };
  const filtered = Boolean(tenant || query.environment || query.status || query.q || query.includeArchived);

  return (
    <>
      <PageHeader
        title="Deployments"
        description={`Self-hosted installations and what they run. A connected deployment is stale after ${heartbeatStaleMinutes()} minutes without a heartbeat.`}
        actions={
          can(actor, 'deployments:write') ? (
            <ButtonLink href="/deployments/new" variant="primary">
              New deployment
            </ButtonLink>
          ) : null
        }
      />
      <FilterBar label="Filter deployments">
        <FilterField id="q" label="Name" className="min-w-44 flex-1">
          <Input id="q" name="q" type="search" defaultValue={query.q ?? ''} maxLength={100} placeholder="e.g. prod" />
        </FilterField>
        {isPlatform(actor) && (
          <FilterField id="tenant" label="Tenant" className="w-56">
            <Select id="tenant" name="tenant" defaultValue={tenant?.slug ?? ''} options={tenants.map((t) => ({ value: t.slug, label: t.legalName }))} placeholder="All tenants" />
          </FilterField>
        )}
        <FilterField id="environment" label="Environment" className="w-40">
          <Select id="environment" name="environment" defaultValue={query.environment ?? ''} options={ENVIRONMENT_OPTIONS} placeholder="Any" />
        </FilterField>
        <FilterField id="status" label="Health" className="w-40">
          <Select id="status" name="status" defaultValue={query.status ?? ''} options={HEALTH_OPTIONS} placeholder="Any" />
        </FilterField>
        <label className="flex h-9 items-center gap-2 text-sm text-slate-800">
          <Checkbox name="includeArchived" value="1" defaultChecked={query.includeArchived} />
          Include archived
        </label>
        <FilterActions clearHref="/deployments" filtered={filtered} />
      </FilterBar>
      {notice && (
        <Alert tone="warning" className="mb-4">
          {notice}
        </Alert>
      )}
      {stale > 0 && query.status !== 'STALE' && (
        <Alert tone="error" className="mb-4">
          {stale} deployment{stale === 1 ? ' has' : 's have'} not sent a heartbeat for more than {heartbeatStaleMinutes()} minutes.{' '}
          <a href={hrefWith('/deployments', { ...filters, status: 'STALE' })} className="font-medium underline">
            Show only stale
          </a>
        </Alert>
      )}
      <DeploymentsTable
        deployments={page.data}
        tenants={isPlatform(actor) ? names : undefined}
        emptyMessage={filtered ? 'No deployment matches these filters.' : 'No deployments yet.'}
        now={Date.now()}
      />
      <Pagination
        label="Deployment pages"
        firstHref={query.cursor ? hrefWith('/deployments', filters) : null}
        nextHref={page.nextCursor ? hrefWith('/deployments', { ...filters, cursor: page.nextCursor }) : null}
      />
    </>
  );
}
