import type { Metadata } from 'next';
import { ContractForm } from '@/components/contracts/contract-form';
import { countryOptions } from '@/components/tenants/labels';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { requireCtx } from '@/lib/http/session';
import { can, isPlatform } from '@/lib/access/guard';
import { createContractAction } from '../actions';
import { emptyFormValues } from '../form-values';
import { loadContractTenants, loadFamilies } from '../load-options';

export const metadata: Metadata = { title: 'New contract' };

export default async function NewContractPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireCtx();
  const allowed = can(ctx.actor, 'contracts:write') && isPlatform(ctx.actor);
  const tenantSlug = (await searchParams).tenant;
  const tenants = allowed ? await loadContractTenants(ctx) : [];
  const preselected = tenants.find((t) => t.slug === tenantSlug)?.id ?? '';
  return (
    <>
      <PageHeader
        title="New contract"
        description="A draft: edit it freely (each save is a new hashed version), then request its activation, which a second administrator approves."
        crumbs={[{ label: 'Contracts', href: '/contracts' }, { label: 'New' }]}
      />
      {allowed ? (
        <Card className="max-w-5xl">
          <ContractForm
            mode="create"
            tenants={tenants}
            families={await loadFamilies(ctx)}
            countries={countryOptions()}
            initial={emptyFormValues(preselected)}
            cancelHref="/contracts"
            action={createContractAction}
          />
        </Card>
      ) : (
        <Alert tone="info">Only platform administrators create contracts.</Alert>
      )}
    </>
  );
}
