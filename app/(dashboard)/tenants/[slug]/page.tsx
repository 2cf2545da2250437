import type { Metadata } from 'next';
import { AuditEventsTable, formatUtc } from '@/components/audit/audit-events-table';
import { SECTOR_LABELS, SENSITIVITY_LABELS } from '@/components/tenants/labels';
import { TenantStatusBadge } from '@/components/tenants/tenant-status-badge';
import { TenantStatusControls } from '@/components/tenants/tenant-status-controls';
import { DetailItem, DetailList } from '@/components/ui/detail-list';
import { Alert } from '@/components/ui/alert';
import { ButtonLink } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination, hrefWith } from '@/components/ui/pagination';
import { requireCtx } from '@/lib/http/session';
import { can } from '@/lib/access/guard';
import { toAppError } from '@/lib/core/errors';
import { type Page } from '@/lib/core/schema';
import { countryName } from '@/lib/core/countries';
import { TENANT_TRANSITIONS } from '@/lib/modules/tenants/schema';
import { type AuditEventDto, listTenantAuditEvents } from '@/lib/modules/audit-trail/search';
import { changeTenantStatusAction } from '../actions';
import { loadTenant } from './load-tenant';

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }): Promise<Metadata> {
  const tenant = await loadTenant(await requireCtx(), (await params).slug);
  return { title: tenant.legalName };
}

const AUDIT_PAGE_SIZE = 20;

type Props = { params: Promise<{ slug: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function TenantPage({ params, searchParams }: Props) {
  const ctx = await requireCtx();
  const { actor } = ctx;
  const tenant = await loadTenant(ctx, (await params).slug);
  const search = await searchParams;
  const auditCursor = typeof search.auditCursor === 'string' && search.auditCursor ? search.auditCursor : undefined;

  const canWrite = can(actor, 'tenants:write');
  const canReadAudit = can(actor, 'audit:read');
  let audit: Page<AuditEventDto> | null = null;
  let auditNotice: string | null = null;
  if (canReadAudit) {
    try {
      audit = await listTenantAuditEvents(ctx, { tenantId: tenant.id, limit: AUDIT_PAGE_SIZE, cursor: auditCursor });
    } catch (err) {
      if (toAppError(err).code !== 'validation_failed') throw err;
      auditNotice = 'This page link is no longer valid. Start again from the newest events.';
    }
  }

  const detailHref = `/tenants/${tenant.slug}`;
  const archived = tenant.archivedAt !== null;

  return (
    <>
      <PageHeader
        title={tenant.legalName}
        meta={<TenantStatusBadge status={tenant.status} archived={archived} />}
        description={<span className="font-mono text-xs">{tenant.slug}</span>}
        crumbs={[{ label: 'Tenants', href: '/tenants' }, { label: tenant.legalName }]}
        actions={
          <>
            {can(actor, 'keys:read') && (
              <ButtonLink href={actor.tenantId ? '/api-keys' : `/api-keys?tenant=${encodeURIComponent(tenant.slug)}`} variant="ghost">
                API keys
              </ButtonLink>
            )}
            {canWrite && !archived && (
              <ButtonLink href={`${detailHref}/edit`} variant="secondary">
                Edit
              </ButtonLink>
            )}
          </>
        }
      />

      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="Details" titleId="tenant-details" className="lg:col-span-2">
          <DetailList>
            <DetailItem label="Legal name">{tenant.legalName}</DetailItem>
            <DetailItem label="Slug">
              <span className="font-mono">{tenant.slug}</span>
            </DetailItem>
            <DetailItem label="LEI">{tenant.lei ? <span className="font-mono">{tenant.lei}</span> : <span className="text-slate-500">Not recorded</span>}</DetailItem>
            <DetailItem label="Sector">{SECTOR_LABELS[tenant.sector]}</DetailItem>
            <DetailItem label="Sensitivity">{SENSITIVITY_LABELS[tenant.sensitivity]}</DetailItem>
            <DetailItem label="Home country">
              {countryName(tenant.homeCountry)} <span className="font-mono text-xs text-slate-500">{tenant.homeCountry}</span>
            </DetailItem>
            <DetailItem label="Allowed data-processing countries">
              <ul className="flex flex-wrap gap-1.5" aria-label="Allowed countries">
                {tenant.allowedCountries.map((c) => (
                  <li key={c} className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-800 ring-1 ring-slate-200 ring-inset">
                    {countryName(c)} <span className="font-mono text-slate-500">{c}</span>
                  </li>
                ))}
              </ul>
            </DetailItem>
            <DetailItem label="Status">
              <TenantStatusBadge status={tenant.status} archived={archived} />
            </DetailItem>
            <DetailItem label="Created">
              <time dateTime={tenant.createdAt} className="font-mono text-xs">
                {formatUtc(tenant.createdAt)}
              </time>
            </DetailItem>
            <DetailItem label="Last changed">
              <time dateTime={tenant.updatedAt} className="font-mono text-xs">
                {formatUtc(tenant.updatedAt)}
              </time>
            </DetailItem>
            {tenant.archivedAt && (
              <DetailItem label="Archived">
                <time dateTime={tenant.archivedAt} className="font-mono text-xs">
                  {formatUtc(tenant.archivedAt)}
                </time>
              </DetailItem>
            )}
            <DetailItem label="Tenant id">
              <span className="font-mono text-xs">{tenant.id}</span>
            </DetailItem>
          </DetailList>
        </Card>

        {canWrite && (
          <Card title="Status" titleId="tenant-status" className="self-start">
            {archived ? (
              <p className="text-sm text-slate-600">Archived tenants keep their records and audit trail but can no longer change.</p>
            ) : (
              <TenantStatusControls
                status={tenant.status}
                transitions={TENANT_TRANSITIONS[tenant.status]}
                canArchive={tenant.status === 'OFFBOARDED'}
                action={changeTenantStatusAction.bind(null, tenant.id)}
              />
            )}
          </Card>
        )}
      </div>

      {canReadAudit && (
        <section aria-labelledby="audit-heading" className="mt-8 space-y-3">
          <div className="flex items-baseline justify-between">
            <h2 id="audit-heading" className="text-base font-semibold text-slate-900">
              Recent audit events
            </h2>
            <p className="text-xs text-slate-600">Newest first · this tenant&apos;s hash chain</p>
          </div>
          {auditNotice && <Alert tone="warning">{auditNotice}</Alert>}
          {audit && (
            <>
              <AuditEventsTable events={audit.data} caption={`Audit events of ${tenant.legalName}`} />
              <Pagination
                label="Audit event pages"
                firstLabel="Newest"
                nextLabel="Older"
                firstHref={auditCursor ? `${detailHref}#audit-heading` : null}
                nextHref={audit.nextCursor ? `${hrefWith(detailHref, { auditCursor: audit.nextCursor })}#audit-heading` : null}
              />
            </>
          )}
        </section>
      )}
    </>
  );
}
