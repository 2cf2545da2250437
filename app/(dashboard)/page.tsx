import type { Metadata } from 'next';
import Link from 'next/link';
import { STATUS_LABELS } from '@/components/tenants/labels';
import { TenantStatusBadge } from '@/components/tenants/tenant-status-badge';
import { ButtonLink } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { requireCtx } from '@/lib/http/session';
import { can } from '@/lib/access/guard';
import { TenantStatus } from '@/lib/generated/prisma/enums';
import { AdoptionChart } from '@/components/models/adoption';
import { HEALTH_LABELS } from '@/components/deployments/labels';
import { NotificationsPanel } from '@/components/notifications/notifications-panel';
import { listContractsEndingBefore } from '@/lib/modules/contracts/service';
import { listNotifications } from '@/lib/modules/notifications/service';
import { countDeploymentsByStatus } from '@/lib/modules/deployments/service';
import { getAdoption } from '@/lib/modules/models/service';
import { countTenantsByStatus, getTenant, listTenants } from '@/lib/modules/tenants/service';

export const metadata: Metadata = { title: 'Overview' };

export default async function OverviewPage() {
  const ctx = await requireCtx();
  const { actor } = ctx;
  const canReadTenants = can(actor, 'tenants:read');
  const now = Date.now();
  const canReadDeployments = can(actor, 'deployments:read');
  const [counts, ownTenant, health, adoption, expiring, tenants] = await Promise.all([
    canReadTenants ? countTenantsByStatus(ctx) : null,
    canReadTenants && actor.tenantId ? getTenant(ctx, actor.tenantId) : null,
    canReadDeployments ? countDeploymentsByStatus(ctx) : null,
    canReadDeployments ? getAdoption(ctx) : null,
    can(actor, 'contracts:read') ? listContractsEndingBefore(ctx, new Date(now + 180 * 86_400_000)) : null,
    canReadTenants && !actor.tenantId ? listTenants(ctx, { limit: 200, includeArchived: false }) : null,
  ]);
  const notifications = await listNotifications(ctx);
  const tenantNames = new Map((tenants?.data ?? (ownTenant ? [ownTenant] : [])).map((t) => [t.id, t.legalName]));

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

      <NotificationsPanel notifications={notifications} />

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

      {(health || expiring) && (
        <div className="mt-8 grid gap-6 lg:grid-cols-3">
          {health && adoption && (
            <Card
              title="Model-version adoption"
              titleId="overview-adoption"
              className="lg:col-span-2"
              actions={
                <Link href="/models/adoption" className="text-xs font-medium text-brand-700 hover:underline">
                  Matrix →
                </Link>
              }
            >
              <ul className="mb-4 flex flex-wrap gap-2 text-xs" aria-label="Deployments by health">
                {(['HEALTHY', 'STALE', 'NEVER_SEEN', 'AIRGAPPED'] as const).map((s) => (
                  <li key={s}>
                    <Link
                      href={`/deployments?status=${s}`}
                      className={`inline-flex items-center gap-1.5 rounded-md border px-2 py-1 hover:border-brand-600 ${s === 'STALE' && health[s] > 0 ? 'border-red-300 bg-red-50 text-red-900' : 'border-slate-200 bg-white text-slate-800'}`}
                      data-testid={`health-${s}`}
                    >
                      {HEALTH_LABELS[s]} <span className="font-semibold tabular-nums">{health[s]}</span>
                    </Link>
                  </li>
                ))}
              </ul>
              <AdoptionChart data={adoption} />
            </Card>
          )}
          {expiring && (
            <Card title="Contracts ending within 180 days" titleId="overview-expiring" className="self-start">
              {expiring.length === 0 ? (
                <p className="text-sm text-slate-600">None.</p>
              ) : (
                <ul className="divide-y divide-slate-100 text-sm" data-testid="contracts-expiring">
                  {expiring.slice(0, 8).map((c) => {
                    const days = Math.ceil((Date.parse(c.validUntil) - now) / 86_400_000);
                    return (
                      <li key={c.id} className="flex items-baseline justify-between gap-2 py-1.5">
                        <span className="min-w-0">
                          <Link href={`/contracts/${c.id}`} className="font-mono text-xs text-brand-700 hover:underline">
                            {c.reference}
                          </Link>
                          <span className="block truncate text-xs text-slate-600">{tenantNames.get(c.tenantId) ?? ''}</span>
                        </span>
                        <span className={`shrink-0 text-right text-xs ${days <= 30 ? 'font-semibold text-red-800' : days <= 90 ? 'text-amber-800' : 'text-slate-700'}`}>
                          <span className="block font-mono">{c.validUntil.slice(0, 10)}</span>
                          in {days} day{days === 1 ? '' : 's'}
                        </span>
                      </li>
                    );
                  })}
                </ul>
              )}
            </Card>
          )}
        </div>
      )}

      {!canReadTenants && <p className="text-sm text-slate-600">There is nothing here for your role yet.</p>}
    </>
  );
}
