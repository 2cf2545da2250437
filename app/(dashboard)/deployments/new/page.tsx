import type { Metadata } from 'next';
import { DeploymentForm } from '@/components/deployments/deployment-form';
import { countryOptions } from '@/components/tenants/labels';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { requireCtx } from '@/lib/http/session';
import { can, isPlatform } from '@/lib/access/guard';
import { acceptsNewKeys, loadKeyTenants } from '../../api-keys/load-tenants';
import { createDeploymentAction } from '../actions';

export const metadata: Metadata = { title: 'New deployment' };

export default async function NewDeploymentPage() {
  const ctx = await requireCtx();
  const { actor } = ctx;
  const allowed = can(actor, 'deployments:write');
  const header = (
    <PageHeader
      title="New deployment"
      description="One self-hosted installation of a tenant. Its agent reports with an API key bound to it once it is created."
      crumbs={[{ label: 'Deployments', href: '/deployments' }, { label: 'New' }]}
    />
  );
  if (!allowed) {
    return (
      <>
        {header}
        <Alert tone="info">Your role does not include creating deployments.</Alert>
      </>
    );
  }
  const tenants = await loadKeyTenants(ctx);
  const all = countryOptions();
  // A tenant actor picks among their own allowed countries; a platform actor's tenant is chosen on
  // the form, so all countries are offered and the service checks residency.
  const own = isPlatform(actor) ? null : tenants.find((t) => t.id === actor.tenantId);
  const countries = (own ? all.filter((c) => own.allowedCountries.includes(c.code)) : all).map((c) => ({ value: c.code, label: `${c.name} (${c.code})` }));
  return (
    <>
      {header}
      <Card className="max-w-4xl">
        <DeploymentForm
          action={createDeploymentAction}
          // The service refuses offboarded and archived tenants, so they are not offered.
          tenants={isPlatform(actor) ? tenants.filter(acceptsNewKeys).map((t) => ({ value: t.id, label: `${t.legalName} (${t.slug})` })) : undefined}
          countries={countries}
          cancelHref="/deployments"
        />
      </Card>
    </>
  );
}
