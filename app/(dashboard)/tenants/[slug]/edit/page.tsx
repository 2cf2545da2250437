import type { Metadata } from 'next';
import { countryOptions } from '@/components/tenants/labels';
import { TenantForm } from '@/components/tenants/tenant-form';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { requireCtx } from '@/lib/http/session';
import { can } from '@/lib/access/guard';
import { updateTenantAction } from '../../actions';
import { loadTenant } from '../load-tenant';

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }): Promise<Metadata> {
  const tenant = await loadTenant(await requireCtx(), (await params).slug);
  return { title: `Edit ${tenant.legalName}` };
}

export default async function EditTenantPage({ params }: { params: Promise<{ slug: string }> }) {
  const ctx = await requireCtx();
  const tenant = await loadTenant(ctx, (await params).slug);
  const detailHref = `/tenants/${tenant.slug}`;

  let body;
  if (!can(ctx.actor, 'tenants:write')) body = <Alert tone="info">Your role cannot change tenants.</Alert>;
  else if (tenant.archivedAt) body = <Alert tone="info">This tenant is archived and can no longer be changed.</Alert>;
  else {
    body = (
      <Card className="max-w-4xl">
        <TenantForm
          mode="edit"
          action={updateTenantAction.bind(null, tenant.id)}
          countries={countryOptions()}
          initial={{
            slug: tenant.slug,
            legalName: tenant.legalName,
            lei: tenant.lei,
            sector: tenant.sector,
            sensitivity: tenant.sensitivity,
            homeCountry: tenant.homeCountry,
            allowedCountries: tenant.allowedCountries,
          }}
          cancelHref={detailHref}
        />
      </Card>
    );
  }

  return (
    <>
      <PageHeader title={`Edit ${tenant.legalName}`} crumbs={[{ label: 'Tenants', href: '/tenants' }, { label: tenant.legalName, href: detailHref }, { label: 'Edit' }]} />
      {body}
    </>
  );
}
