import type { Metadata } from 'next';
import { countryOptions } from '@/components/tenants/labels';
import { TenantForm } from '@/components/tenants/tenant-form';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { requireCtx } from '@/lib/http/session';
import { can, isPlatform } from '@/lib/access/guard';
import { createTenantAction } from '../actions';

export const metadata: Metadata = { title: 'New tenant' };

export default async function NewTenantPage() {
  const { actor } = await requireCtx();
  const allowed = can(actor, 'tenants:write') && isPlatform(actor);
  return (
    <>
      <PageHeader
        title="New tenant"
        description="A customer organisation. It starts in Onboarding; activate it once its contract is in place."
        crumbs={[{ label: 'Tenants', href: '/tenants' }, { label: 'New' }]}
      />
      {allowed ? (
        <Card className="max-w-4xl">
          <TenantForm mode="create" action={createTenantAction} countries={countryOptions()} cancelHref="/tenants" />
        </Card>
      ) : (
        <Alert tone="info">Only platform administrators create tenants.</Alert>
      )}
    </>
  );
}
