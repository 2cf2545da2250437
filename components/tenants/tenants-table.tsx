import Link from 'next/link';
import { EmptyRow, TBody, THead, Table, Td, Th, Tr } from '@/components/ui/table';
import { countryName } from '@/lib/core/countries';
import type { TenantDto } from '@/lib/modules/tenants/schema';
import { SECTOR_LABELS } from './labels';
import { TenantStatusBadge } from './tenant-status-badge';

export function TenantsTable({ tenants, emptyMessage }: { tenants: TenantDto[]; emptyMessage: string }) {
  return (
    <Table caption="Tenants">
      <THead>
        <tr>
          <Th>Legal name</Th>
          <Th>Slug</Th>
          <Th>Sector</Th>
          <Th>Home country</Th>
          <Th>Status</Th>
          <Th>LEI</Th>
        </tr>
      </THead>
      <TBody>
        {tenants.length === 0 && <EmptyRow colSpan={6}>{emptyMessage}</EmptyRow>}
        {tenants.map((t) => (
          <Tr key={t.id}>
            <Td className="min-w-48 font-medium">
              <Link href={`/tenants/${t.slug}`} className="text-brand-700 hover:underline">
                {t.legalName}
              </Link>
            </Td>
            <Td className="font-mono text-xs whitespace-nowrap text-slate-700">{t.slug}</Td>
            <Td>{SECTOR_LABELS[t.sector]}</Td>
            <Td className="whitespace-nowrap">
              <span>
                {countryName(t.homeCountry)} <span className="font-mono text-xs text-slate-500">{t.homeCountry}</span>
              </span>
            </Td>
            <Td>
              <TenantStatusBadge status={t.status} archived={t.archivedAt !== null} />
            </Td>
            <Td className="font-mono text-xs text-slate-700">{t.lei ?? <span className="text-slate-500">—</span>}</Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
