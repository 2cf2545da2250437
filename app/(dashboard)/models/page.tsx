import type { Metadata } from 'next';
import Link from 'next/link';
import { VERSION_STATUS_OPTIONS, formatContext, formatDate, formatParameters } from '@/components/models/labels';
import { VersionStatusBadge } from '@/components/models/version-status-badge';
import { Alert } from '@/components/ui/alert';
import { ButtonLink } from '@/components/ui/button';
import { FilterActions, FilterBar, FilterField } from '@/components/ui/filter-bar';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination, hrefWith } from '@/components/ui/pagination';
import { Select } from '@/components/ui/select';
import { EmptyRow, TBody, THead, Table, Td, Th, Tr } from '@/components/ui/table';
import { requireCtx } from '@/lib/http/session';
import { can, isPlatform } from '@/lib/access/guard';
import { toAppError } from '@/lib/core/errors';
import type { Page } from '@/lib/core/schema';
import { type ModelVersionDto, listModelVersionsQuery } from '@/lib/modules/models/schema';
import { getAdoption, listModelFamilies, listModelVersions } from '@/lib/modules/models/service';
import { type SearchParams, firstParam } from '@/lib/http/search-params';

export const metadata: Metadata = { title: 'Model catalogue' };

const PAGE_SIZE = 25;

export default async function ModelsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const ctx = await requireCtx();
  const { actor } = ctx;
  if (!can(actor, 'models:read')) {
    return (
      <>
        <PageHeader title="Model catalogue" />
        <Alert tone="info">Your role does not include the model catalogue.</Alert>
      </>
    );
  }
  const params = await searchParams;
  const parsed = listModelVersionsQuery.safeParse({ limit: PAGE_SIZE, family: firstParam(params.family), status: firstParam(params.status), cursor: firstParam(params.cursor) });
  const query = parsed.success ? parsed.data : listModelVersionsQuery.parse({ limit: PAGE_SIZE });
  let notice = parsed.success ? null : 'Some filters in the address were not valid and have been ignored.';
  let page: Page<ModelVersionDto> = { data: [], nextCursor: null };
  try {
    page = await listModelVersions(ctx, query);
  } catch (err) {
    if (toAppError(err).code !== 'validation_failed') throw err;
    notice = 'This page link is no longer valid. Start again from the first page.';
  }
  const [families, adoption] = await Promise.all([listModelFamilies(ctx, { limit: 200 }), can(actor, 'deployments:read') ? getAdoption(ctx) : null]);
  const running = new Map<string, number>();
  for (const c of adoption?.cells ?? []) running.set(c.versionId, (running.get(c.versionId) ?? 0) + c.deployments);
  const canWrite = can(actor, 'models:write') && isPlatform(actor);
  const filters = { family: query.family, status: query.status };
  const filtered = Boolean(query.family || query.status);

  return (
    <>
      <PageHeader
        title="Model catalogue"
        description="Model families and their versions: weights digests, licences, export restrictions and lifecycle."
        actions={
          <>
            {adoption && (
              <ButtonLink href="/models/adoption" variant="ghost">
                Adoption
              </ButtonLink>
            )}
            {canWrite && (
              <>
                <ButtonLink href="/models/families/new" variant="secondary">
                  New family
                </ButtonLink>
                <ButtonLink href="/models/new" variant="primary">
                  New version
                </ButtonLink>
              </>
            )}
          </>
        }
      />

      <FilterBar label="Filter model versions">
        <FilterField id="family" label="Family" className="w-56">
          <Select id="family" name="family" defaultValue={query.family ?? ''} options={families.data.map((f) => ({ value: f.slug, label: f.name }))} placeholder="All families" />
        </FilterField>
        <FilterField id="status" label="Status">
          <Select
            id="status"
            name="status"
            defaultValue={query.status ?? ''}
            options={VERSION_STATUS_OPTIONS.filter((o) => o.value !== 'DRAFT' || isPlatform(actor))}
            placeholder="Any status"
          />
        </FilterField>
        <FilterActions clearHref="/models" filtered={filtered} />
      </FilterBar>

      {notice && (
        <Alert tone="warning" className="mb-4">
          {notice}
        </Alert>
      )}

      <Table caption="Model versions">
        <THead>
          <tr>
            <Th>Version</Th>
            <Th>Status</Th>
            <Th>Released</Th>
            <Th>Deprecated / end of life</Th>
            <Th className="text-right">Parameters</Th>
            <Th className="text-right">Context</Th>
            <Th>Export restrictions</Th>
            {adoption && <Th className="text-right">Deployments</Th>}
          </tr>
        </THead>
        <TBody>
          {page.data.length === 0 && <EmptyRow colSpan={adoption ? 8 : 7}>{filtered ? 'No version matches these filters.' : 'The catalogue is empty.'}</EmptyRow>}
          {page.data.map((v) => (
            <Tr key={v.id} data-version={`${v.family}@${v.version}`}>
              <Td className="whitespace-nowrap">
                <Link href={`/models/${v.id}`} className="font-medium text-brand-700 hover:underline">
                  {v.familyName} <span className="font-mono">{v.version}</span>
                </Link>
                <span className="block font-mono text-xs text-slate-600">
                  {v.family}@{v.version}
                </span>
              </Td>
              <Td>
                <VersionStatusBadge status={v.status} />
              </Td>
              <Td className="font-mono text-xs whitespace-nowrap">{formatDate(v.releasedAt)}</Td>
              <Td className="font-mono text-xs whitespace-nowrap">
                {v.deprecatedAt ? `${formatDate(v.deprecatedAt)} / ${formatDate(v.endOfLifeAt)}` : <span className="text-slate-400">—</span>}
              </Td>
              <Td className="text-right tabular-nums">{formatParameters(v.parameterCount)}</Td>
              <Td className="text-right tabular-nums">{formatContext(v.contextLength)}</Td>
              <Td className="font-mono text-xs">{v.exportRestrictions.length ? v.exportRestrictions.join(', ') : <span className="text-slate-400">none</span>}</Td>
              {adoption && <Td className="text-right tabular-nums">{running.get(v.id) ?? 0}</Td>}
            </Tr>
          ))}
        </TBody>
      </Table>
      <Pagination
        label="Model version pages"
        firstHref={query.cursor ? hrefWith('/models', filters) : null}
        nextHref={page.nextCursor ? hrefWith('/models', { ...filters, cursor: page.nextCursor }) : null}
      />
    </>
  );
}
