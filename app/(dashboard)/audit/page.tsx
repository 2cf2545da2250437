import type { Metadata } from 'next';
import Link from 'next/link';
import { AuditEventsTable } from '@/components/audit/audit-events-table';
import { ExportPanel } from '@/components/audit/export-panel';
import { Alert } from '@/components/ui/alert';
import { ButtonLink } from '@/components/ui/button';
import { FilterActions, FilterBar, FilterField } from '@/components/ui/filter-bar';
import { Input } from '@/components/ui/input';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination, hrefWith } from '@/components/ui/pagination';
import { Select } from '@/components/ui/select';
import { AUDIT_ACTIONS, AUDIT_ACTION_GROUPS } from '@/lib/audit/actions';
import { requireCtx } from '@/lib/http/session';
import { can } from '@/lib/access/guard';
import { toAppError } from '@/lib/core/errors';
import { type ListAuditEventsQuery, listAuditEventsQuery } from '@/lib/modules/audit-trail/search-schema';
import { AUDIT_FILTER_KEYS } from '@/lib/modules/audit-trail/export-schema';
import type { Page } from '@/lib/core/schema';
import { type AuditEventDto, listAuditEvents } from '@/lib/modules/audit-trail/search';
import { listTenants } from '@/lib/modules/tenants/service';
import { type SearchParams, firstParam } from '@/lib/http/search-params';

export const metadata: Metadata = { title: 'Audit log' };

const PAGE_SIZE = 50;
const ACTOR_TYPES = [
  { value: 'user', label: 'User' },
  { value: 'apiKey', label: 'API key' },
  { value: 'deployment', label: 'Deployment' },
  { value: 'system', label: 'System (CLI)' },
  { value: 'anonymous', label: 'Anonymous' },
];

/** Filters are typed by hand into the URL too: surrounding blanks don't count. */
function trimmedParam(v: string | string[] | undefined): string | undefined {
  return firstParam(v)?.trim() || undefined;
}

/** The URL's filters; anything malformed is dropped (and said so) rather than failing the page. */
function queryFrom(params: SearchParams): { query: ListAuditEventsQuery; raw: Record<string, string>; invalid: boolean } {
  const raw: Record<string, string> = {};
  for (const key of ['chain', ...AUDIT_FILTER_KEYS, 'cursor']) {
    const value = trimmedParam(params[key]);
    if (value !== undefined) raw[key] = value;
  }
  // The action picker offers whole groups as "group:<name>".
  if (raw.action?.startsWith('group:')) {
    raw.actionGroup = raw.action.slice('group:'.length);
    delete raw.action;
  }
  const parsed = listAuditEventsQuery.safeParse({ ...raw, limit: PAGE_SIZE });
  if (parsed.success) return { query: parsed.data, raw, invalid: false };
  // Keep the valid filters, drop the bad ones.
  const bad = new Set(parsed.error.issues.map((i) => String(i.path[0])));
  const kept = Object.fromEntries(Object.entries(raw).filter(([k]) => !bad.has(k)));
  const retry = listAuditEventsQuery.safeParse({ ...kept, limit: PAGE_SIZE });
  return { query: retry.success ? retry.data : listAuditEventsQuery.parse({ limit: PAGE_SIZE }), raw: kept, invalid: true };
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const ctx = await requireCtx();
  const { query, raw, invalid } = queryFrom(await searchParams);
  const tenantScoped = ctx.actor.tenantId !== null;

  // Chain labels (slug) for the table and the chain pickers.
  const tenants = (await listTenants(ctx, { limit: 200, includeArchived: true })).data;
  const labels: Record<string, string> = { platform: 'platform' };
  for (const t of tenants) labels[t.id] = t.slug;
  const chainOptions = [
    ...(tenantScoped ? [] : [{ value: 'platform', label: 'Platform (vendor)' }]),
    ...tenants.map((t) => ({ value: t.slug, label: `${t.legalName} (${t.slug})` })),
  ];

  let page: Page<AuditEventDto> = { data: [], nextCursor: null };
  let notice: string | null = invalid ? 'Some filters in the address were not valid and have been ignored.' : null;
  try {
    page = await listAuditEvents(ctx, query);
  } catch (err) {
    const code = toAppError(err).code;
    if (code === 'validation_failed') notice = 'This page link is no longer valid. Start again from the newest events.';
    else if (code === 'not_found') notice = 'No such chain in your scope.';
    else throw err;
  }

  const filters = Object.fromEntries(Object.entries(raw).filter(([key]) => key !== 'cursor'));
  const exportFilter = Object.fromEntries(Object.entries(filters).filter(([key]) => key !== 'chain'));
  const filtered = Object.keys(filters).length > 0;
  const actionValue = query.action ?? (query.actionGroup ? `group:${query.actionGroup}` : '');

  return (
    <>
      <PageHeader
        title="Audit log"
        description={
          tenantScoped
            ? 'Every change, sign-in, export and denied request of your organisation, and the events your deployments uploaded: one tamper-evident hash chain.'
            : 'Every change, sign-in, export and denied request, per tenant chain and the platform chain, tamper-evident and signed.'
        }
        actions={
          <>
            <ButtonLink href="/audit/retention" variant="ghost">
              Retention
            </ButtonLink>
            <ButtonLink href="/audit/keys" variant="ghost">
              Signing keys
            </ButtonLink>
          </>
        }
      />

      <FilterBar label="Filter audit events" action="/audit" className="space-y-3">
        <div className="flex flex-wrap items-end gap-3">
          {!tenantScoped && (
            <FilterField id="chain" label="Chain" className="w-72">
              <Select id="chain" name="chain" defaultValue={raw.chain ?? ''} options={chainOptions} placeholder="All chains" />
            </FilterField>
          )}
          <FilterField id="q" label="Text" className="min-w-56 flex-1">
            <Input id="q" name="q" type="search" defaultValue={query.q ?? ''} placeholder="Actor, target id or action" maxLength={200} />
          </FilterField>
          <FilterField id="action" label="Action" className="w-60">
            <select
              id="action"
              name="action"
              defaultValue={actionValue}
              className="h-9 w-full rounded-md border border-slate-300 bg-white px-2 text-sm text-slate-900 shadow-sm focus:border-sky-600 focus:ring-2 focus:ring-sky-600/30 focus:outline-none"
            >
              <option value="">Any action</option>
              {AUDIT_ACTION_GROUPS.map((group) => (
                <optgroup key={group} label={group}>
                  <option value={`group:${group}`}>{`${group}.* (all)`}</option>
                  {AUDIT_ACTIONS.filter((a) => a.startsWith(`${group}.`)).map((a) => (
                    <option key={a} value={a}>
                      {a}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          </FilterField>
          <FilterField id="from" label="From (UTC, inclusive)">
            <Input id="from" name="from" defaultValue={raw.from ?? ''} placeholder="2026-01-31 or …T12:00:00Z" />
          </FilterField>
          <FilterField id="to" label="Before (UTC)">
            <Input id="to" name="to" defaultValue={raw.to ?? ''} placeholder="2026-02-01" />
          </FilterField>
        </div>
        <details className="group" open={Boolean(query.actorId || query.actorType || query.targetType || query.targetId || query.ip || query.requestId)}>
          <summary className="cursor-pointer text-xs font-medium text-slate-700 hover:text-slate-900">More filters: actor, target, IP, request id</summary>
          <div className="mt-3 flex flex-wrap items-end gap-3">
            <FilterField id="actorType" label="Actor type">
              <Select id="actorType" name="actorType" defaultValue={query.actorType ?? ''} options={ACTOR_TYPES} placeholder="Any" />
            </FilterField>
            <FilterField id="actorId" label="Actor id" className="w-72">
              <Input id="actorId" name="actorId" defaultValue={query.actorId ?? ''} placeholder="user, key or deployment id" />
            </FilterField>
            <FilterField id="targetType" label="Target type">
              <Input id="targetType" name="targetType" defaultValue={query.targetType ?? ''} placeholder="tenant, deployment…" />
            </FilterField>
            <FilterField id="targetId" label="Target id" className="w-72">
              <Input id="targetId" name="targetId" defaultValue={query.targetId ?? ''} />
            </FilterField>
            <FilterField id="ip" label="IP address">
              <Input id="ip" name="ip" defaultValue={query.ip ?? ''} placeholder="192.0.2.7" />
            </FilterField>
            <FilterField id="requestId" label="Request id" className="w-72">
              <Input id="requestId" name="requestId" defaultValue={query.requestId ?? ''} />
            </FilterField>
          </div>
        </details>
        <FilterActions clearHref="/audit" filtered={filtered} applyLabel="Search" />
      </FilterBar>

      {notice && (
        <Alert tone="warning" className="mb-4">
          {notice}
        </Alert>
      )}

      {can(ctx.actor, ctx.actor.type === 'apiKey' ? 'audit:read' : 'audit:export') && (
        <div className="mb-4">
          <ExportPanel filter={exportFilter} chain={tenantScoped ? (tenants[0]?.slug ?? null) : (raw.chain ?? null)} chains={chainOptions} />
        </div>
      )}

      <AuditEventsTable
        events={page.data}
        caption="Audit events, newest first"
        chainLabels={tenantScoped || raw.chain ? undefined : labels}
        linkEvents
        emptyMessage={filtered ? 'No audit event matches these filters.' : 'No audit events yet.'}
      />
      <Pagination
        label="Audit event pages"
        firstLabel="Newest"
        nextLabel="Older"
        firstHref={query.cursor ? hrefWith('/audit', filters) : null}
        nextHref={page.nextCursor ? hrefWith('/audit', { ...filters, cursor: page.nextCursor }) : null}
      />
      <p className="mt-2 text-xs text-slate-600">
        Newest first. Seq numbers link to each event with its hashes;{' '}
        <Link href="/audit/keys" className="underline">
          published keys
        </Link>{' '}
        verify exports offline.
      </p>
    </>
  );
}
