import Link from 'next/link';
import { EmptyRow, TBody, THead, Table, Td, Th, Tr } from '@/components/ui/table';
import type { ContractDto } from '@/lib/modules/contracts/schema';
import { ContractStatusBadge } from './contract-status-badge';
import { SCOPE_LABELS, TYPE_LABELS, daysFromNow, formatDate } from './labels';

type Props = { contracts: ContractDto[]; tenantNames: Map<string, string>; emptyMessage: string };

function entitlementSummary(c: ContractDto): string {
  if (c.entitlements.length === 0) return 'None';
  return c.entitlements.map((e) => (e.modelFamily ? e.modelFamily.slug : `${e.modelVersion?.family}@${e.modelVersion?.version}`)).join(', ');
}

export function ContractsTable({ contracts, tenantNames, emptyMessage }: Props) {
  return (
    <Table caption="Contracts">
      <THead>
        <tr>
          <Th>Reference</Th>
          <Th>Tenant</Th>
          <Th>Type / scope</Th>
          <Th>Status</Th>
          <Th>Valid until</Th>
          <Th>Entitlements</Th>
          <Th>Version</Th>
        </tr>
      </THead>
      <TBody>
        {contracts.length === 0 && <EmptyRow colSpan={7}>{emptyMessage}</EmptyRow>}
        {contracts.map((c) => (
          <Tr key={c.id} data-contract-reference={c.reference}>
            <Td>
              <Link href={`/contracts/${c.id}`} className="font-medium text-brand-800 hover:underline">
                {c.reference}
              </Link>
            </Td>
            <Td>{tenantNames.get(c.tenantId) ?? <span className="font-mono text-xs">{c.tenantId}</span>}</Td>
            <Td>
              {TYPE_LABELS[c.type]}
              <span className="block text-xs text-slate-600">{SCOPE_LABELS[c.scope]}</span>
            </Td>
            <Td>
              <ContractStatusBadge status={c.status} />
            </Td>
            <Td className="whitespace-nowrap">
              <span className="font-mono text-xs">{formatDate(c.validUntil)}</span>
              {c.status === 'ACTIVE' && <span className="block text-xs text-slate-600">{daysFromNow(c.validUntil)}</span>}
            </Td>
            <Td className="max-w-xs truncate text-xs">{entitlementSummary(c)}</Td>
            <Td className="font-mono text-xs">v{c.currentVersion}</Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
