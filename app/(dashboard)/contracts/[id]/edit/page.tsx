import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ContractForm } from '@/components/contracts/contract-form';
import { countryOptions } from '@/components/tenants/labels';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { requireCtx } from '@/lib/http/session';
import { can, isPlatform } from '@/lib/access/guard';
import { toAppError } from '@/lib/core/errors';
import { getContract } from '@/lib/modules/contracts/service';
import { amendContractAction, updateContractAction } from '../../actions';
import { formValuesOf } from '../../form-values';
import { loadContractTenants, loadFamilies } from '../../load-options';

export const metadata: Metadata = { title: 'Edit contract' };

export default async function EditContractPage({ params }: { params: Promise<{ id: string }> }) {
  const ctx = await requireCtx();
  const { id } = await params;
  const contract = await getContract(ctx, id).catch((err: unknown) => {
    if (toAppError(err).code === 'not_found') notFound();
    throw err;
  });
  const allowed = can(ctx.actor, 'contracts:write') && isPlatform(ctx.actor);
  const mode = contract.status === 'DRAFT' ? 'edit' : 'amend';
  const editable = contract.status === 'DRAFT' || contract.status === 'ACTIVE';
  return (
    <>
      <PageHeader
        title={mode === 'edit' ? `Edit ${contract.reference}` : `Amend ${contract.reference}`}
        description={
          mode === 'edit' ? `Saving adds version ${contract.currentVersion + 1}; earlier versions stay as they were.` : 'An amendment of an active contract is a four-eyes request.'
        }
        crumbs={[{ label: 'Contracts', href: '/contracts' }, { label: contract.reference, href: `/contracts/${contract.id}` }, { label: mode === 'edit' ? 'Edit' : 'Amend' }]}
      />
      {!allowed && <Alert tone="info">Only platform administrators change contracts.</Alert>}
      {allowed && !editable && <Alert tone="info">A contract that is {contract.status.toLowerCase().replace('_', ' ')} cannot be changed.</Alert>}
      {allowed && editable && (
        <Card className="max-w-5xl">
          <ContractForm
            mode={mode}
            tenants={await loadContractTenants(ctx)}
            families={await loadFamilies(ctx)}
            countries={countryOptions()}
            initial={formValuesOf(contract)}
            cancelHref={`/contracts/${contract.id}`}
            action={mode === 'edit' ? updateContractAction.bind(null, contract.id) : amendContractAction.bind(null, contract.id)}
          />
        </Card>
      )}
    </>
  );
}
