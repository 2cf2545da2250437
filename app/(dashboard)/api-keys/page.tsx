import type { Metadata } from 'next';
import { ApiKeysTable } from '@/components/api-keys/api-keys-table';
import { KeyActionsProvider } from '@/components/api-keys/key-actions';
import type { TenantChoice } from '@/components/api-keys/choices';
import { Alert } from '@/components/ui/alert';
import { ButtonLink } from '@/components/ui/button';
import { FilterActions, FilterBar, FilterField } from '@/components/ui/filter-bar';
import { Checkbox } from '@/components/ui/input';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination, hrefWith } from '@/components/ui/pagination';
import { Select } from '@/components/ui/select';
import { requireCtx } from '@/lib/http/session';
import { can, isPlatform } from '@/lib/access/guard';
import { toAppError } from '@/lib/core/errors';
import { type ApiKeyDto, listApiKeysQuery } from '@/lib/modules/api-keys/schema';
import type { Page } from '@/lib/core/schema';
import { listApiKeys } from '@/lib/modules/api-keys/service';
import { revokeApiKeyAction, rotateApiKeyAction } from './actions';
import { deploymentNames, loadKeyTenants } from './load-tenants';
import { type SearchParams, firstParam } from '@/lib/http/search-params';

export const metadata: Metadata = { title: 'API keys' };

const PAGE_SIZE = 25;

export default async function ApiKeysPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const ctx = await requireCtx();
  const { actor } = ctx;
  if (!can(actor, 'keys:read')) {
    return (
      <>
        <PageHeader title="API keys" />
        <Alert tone="info">Your role does not include API keys.</Alert>
      </>
    );
  }

  const params = await searchParams;
  const platform = isPlatform(actor);
  const tenants = await loadKeyTenants(ctx);
  // Tenant actors see their own tenant's keys only (the service confines them); they get no filter.
  const tenantSlug = platform ? firstParam(params.tenant) : undefined;
  const filterTenant = tenantSlug ? tenants.find((t) => t.slug === tenantSlug) : undefined;
  const includeInactive = ['1', 'on', 'true'].includes(firstParam(params.includeInactive) ?? '');
  const cursor = firstParam(params.cursor);

  let notice: string | null = tenantSlug && !filterTenant ? `There is no tenant “${tenantSlug}”; showing the keys of all tenants.` : null;
  let page: Page<ApiKeyDto> = { data: [], nextCursor: null };
  const parsed = listApiKeysQuery.safeParse({ limit: PAGE_SIZE, cursor, tenantId: filterTenant?.id, includeInactive });
  try {
    page = await listApiKeys(ctx, parsed.success ? parsed.data : { limit: PAGE_SIZE, includeInactive });
    if (!parsed.success) notice = 'Some filters in the address were not valid and have been ignored.';
  } catch (err) {
    // A stale or hand-edited cursor: say so, and offer the first page.
    if (toAppError(err).code !== 'validation_failed') throw err;
    notice = 'This page link is no longer valid. Start again from the first page.';
  }

  const canWrite = can(actor, 'keys:write');
  const filters = { tenant: filterTenant?.slug, includeInactive: includeInactive && '1' };
  const filtered = Boolean(filterTenant || includeInactive);
  const byId = platform ? new Map<string, TenantChoice>(tenants.map((t) => [t.id, t])) : null;
  const own = !platform ? tenants[0] : undefined;
  const deployments = await deploymentNames(
    ctx,
    page.data.map((k) => k.deploymentId),
  );
  const now = Date.now();

  const table = (
    <ApiKeysTable
      keys={page.data}
      tenants={byId}
      deployments={deployments}
      canWrite={canWrite}
      now={now}
      emptyMessage={includeInactive ? 'No API keys.' : filtered || cursor ? 'No active API keys match these filters.' : 'No active API keys. Revoked and expired keys are hidden.'}
    />
  );

  return (
    <>
      <PageHeader
        title="API keys"
        description={
          platform
            ? 'Keys for integrations and deployment agents, across all tenants. Charter stores only a digest of each key. Times are UTC.'
            : `Keys for ${own ? own.legalName : 'your tenant'}’s integrations and deployment agents. Charter stores only a digest of each key. Times are UTC.`
        }
        actions={
          canWrite ? (
            <ButtonLink href={hrefWith('/api-keys/new', { tenant: filterTenant?.slug })} variant="primary">
              New API key
            </ButtonLink>
          ) : null
        }
      />

      <FilterBar label="Filter API keys">
        {platform && (
          <FilterField id="tenant" label="Tenant" className="w-72">
            <Select
              id="tenant"
              name="tenant"
              defaultValue={filterTenant?.slug ?? ''}
              options={tenants.map((t) => ({ value: t.slug, label: `${t.legalName} (${t.slug})${t.archivedAt ? ' — archived' : ''}` }))}
              placeholder="All tenants and platform keys"
            />
          </FilterField>
        )}
        <label className="flex h-9 items-center gap-2 text-sm text-slate-800">
          <Checkbox name="includeInactive" value="1" defaultChecked={includeInactive} />
          Include revoked and expired
        </label>
        <FilterActions clearHref="/api-keys" filtered={filtered} />
      </FilterBar>

      {notice && (
        <Alert tone="warning" className="mb-4">
          {notice}
        </Alert>
      )}

      {canWrite ? (
        <KeyActionsProvider rotateAction={rotateApiKeyAction} revokeAction={revokeApiKeyAction}>
          {table}
        </KeyActionsProvider>
      ) : (
        table
      )}

      <Pagination
        label="API key pages"
        firstHref={cursor ? hrefWith('/api-keys', filters) : null}
        nextHref={page.nextCursor ? hrefWith('/api-keys', { ...filters, cursor: page.nextCursor }) : null}
      />
    </>
  );
}
