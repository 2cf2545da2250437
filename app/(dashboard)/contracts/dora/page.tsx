import type { Metadata } from 'next';
import Link from 'next/link';
import { DoraExportPanel } from '@/components/contracts/dora-export';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { hrefWith } from '@/components/ui/pagination';
import { requireCtx } from '@/lib/http/session';
import { can } from '@/lib/access/guard';
import { listTenants } from '@/lib/modules/tenants/service';
import { exportDoraAction } from '../actions';

export const metadata: Metadata = { title: 'DORA register of information' };

export default async function DoraPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireCtx();
  const wanted = (await searchParams).tenant;
  const financial =
    can(ctx.actor, 'tenants:read') && can(ctx.actor, 'contracts:read')
      ? (await listTenants(ctx, { limit: 200, includeArchived: false })).data.filter((t) => t.sector === 'FINANCE')
      : [];
  const tenant = financial.find((t) => t.slug === wanted) ?? (financial.length === 1 ? financial[0] : undefined);
  return (
    <>
      <PageHeader
        title="DORA register of information"
        description="For financial entities: what Charter holds about their arrangements with the vendor, as the register templates of Commission Implementing Regulation (EU) 2024/2956 (one CSV per template, column codes c0010 …). Columns Charter cannot know stay empty and are listed."
        crumbs={[{ label: 'Contracts', href: '/contracts' }, { label: 'DORA register' }]}
      />
      {financial.length === 0 && <Alert tone="info">No financial-entity tenant in your scope.</Alert>}
      {financial.length > 1 && (
        <nav aria-label="Financial entities" className="mb-4 flex flex-wrap gap-2">
          {financial.map((t) => (
            <Link
              key={t.id}
              href={hrefWith('/contracts/dora', { tenant: t.slug })}
              aria-current={t.id === tenant?.id ? 'page' : undefined}
              className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50 aria-[current=page]:border-brand-600 aria-[current=page]:bg-brand-50"
            >
              {t.legalName}
            </Link>
          ))}
        </nav>
      )}
      {tenant && (
        <Card title={tenant.legalName} titleId="dora-tenant">
          <DoraExportPanel key={tenant.id} tenantId={tenant.id} tenantSlug={tenant.slug} action={exportDoraAction} />
        </Card>
      )}
      {!tenant && financial.length > 1 && <p className="text-sm text-slate-600">Choose a financial entity above.</p>}
    </>
  );
}
