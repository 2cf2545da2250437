import type { Metadata } from 'next';
import Link from 'next/link';
import { STATUS_LABELS } from '@/components/tenants/labels';
import { TenantStatusBadge } from '@/components/tenants/tenant-status-badge';
import { ButtonLink } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { requireCtx } from '@/lib/auth/session';
import { can } from '@/lib/authz/guard';
import { TenantStatus } from '@/lib/generated/prisma/enums';
import { countTenantsByStatus, getTenant } from '@/lib/services/tenants';

export const metadata: Metadata = { title: 'Overview' };

export default async function OverviewPage() {
  const ctx = await requireCtx();
  const { actor } = ctx;
  const canReadTenants = can(actor, 'tenants:read');
  const [counts, ownTenant] = await Promise.all([
    canReadTenants ? countTenantsByStatus(ctx) : null,
    canReadTenants && actor.tenantId ? getTenant(ctx, actor.tenantId) : null,
  ]);

  return (
    <>
      <PageHeader
        title="Overview"
        description={actor.tenantId ? 'Your organisation at a glance.' : 'Tenants across the platform at a glance.'}
        actions={
          can(actor, 'tenants:write') && !actor.tenantId ? (
            <ButtonLink href="/tenants/new" variant="primary">
              New tenant
            </ButtonLink>
          ) : null
        }
      />

      {ownTenant && (
        <Card title="Your tenant" titleId="own-tenant" className="mb-6">
          <div className="flex flex-wrap items-center justify-between gap-3">
            <div>
              <Link href={`/tenants/${ownTenant.slug}`} className="text-base font-semibold text-brand-700 hover:underline">
                {ownTenant.legalName}
              </Link>
              <p className="font-mono text-xs text-slate-600">{ownTenant.slug}</p>
            </div>
            <TenantStatusBadge status={ownTenant.status} archived={ownTenant.archivedAt !== null} />
          </div>
        </Card>
      )}

      {counts && !actor.tenantId && (
        <section aria-labelledby="tenants-by-status" className="space-y-3">
          <div className="flex items-baseline justify-between">
            <h2 id="tenants-by-status" className="text-sm font-semibold text-slate-900">
              Tenants by status
            </h2>
            <Link href="/tenants" className="text-xs font-medium text-brand-700 hover:underline">
              All tenants ({counts.total}) →
            </Link>
          </div>
          <ul className="grid grid-cols-2 gap-3 lg:grid-cols-5">
            {Object.values(TenantStatus).map((status) => (
              <li key={status}>
                <Link
                  href={`/tenants?status=${status}`}
                  className="block rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:border-brand-600"
                  data-testid={`count-${status}`}
                >
                  <span className="block text-xs font-medium text-slate-600 uppercase">{STATUS_LABELS[status]}</span>
                  <span className="mt-1 block text-2xl font-semibold text-slate-900 tabular-nums">{counts.byStatus[status]}</span>
                </Link>
              </li>
            ))}
            <li>
              <Link
                href="/tenants?includeArchived=1&status=OFFBOARDED"
                className="block rounded-lg border border-dashed border-slate-300 bg-white p-4 hover:border-brand-600"
                data-testid="count-archived"
              >
                <span className="block text-xs font-medium text-slate-600 uppercase">Archived</span>
                <span className="mt-1 block text-2xl font-semibold text-slate-900 tabular-nums">{counts.archived}</span>
              </Link>
            </li>
          </ul>
        </section>
      )}

      {!canReadTenants && <p className="text-sm text-slate-600">There is nothing here for your role yet.</p>}
    </>
  );
}
