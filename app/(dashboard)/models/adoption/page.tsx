import type { Metadata } from 'next';
import { AdoptionChart, AdoptionMatrix } from '@/components/models/adoption';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { requireCtx } from '@/lib/http/session';
import { can } from '@/lib/access/guard';
import { getAdoption } from '@/lib/modules/models/service';

export const metadata: Metadata = { title: 'Model adoption' };

export default async function AdoptionPage() {
  const ctx = await requireCtx();
  if (!can(ctx.actor, 'deployments:read')) {
    return (
      <>
        <PageHeader title="Model adoption" crumbs={[{ label: 'Models', href: '/models' }, { label: 'Adoption' }]} />
        <Alert tone="info">Your role does not include deployments.</Alert>
      </>
    );
  }
  const adoption = await getAdoption(ctx);
  return (
    <>
      <PageHeader
        title="Model adoption"
        description="Which model versions the deployments of each tenant run, as last reported by heartbeat, by an administrator or from an air-gapped site's file."
        crumbs={[{ label: 'Models', href: '/models' }, { label: 'Adoption' }]}
      />
      <div className="space-y-6">
        <Card title="Deployments by version, per tenant" titleId="adoption-chart">
          <AdoptionChart data={adoption} tenantHref={(t) => `/tenants/${t.slug}`} />
        </Card>
        <section aria-labelledby="adoption-matrix" className="space-y-2">
          <h2 id="adoption-matrix" className="text-sm font-semibold text-slate-900">
            Versions × tenants
          </h2>
          <AdoptionMatrix data={adoption} />
        </section>
      </div>
    </>
  );
}
