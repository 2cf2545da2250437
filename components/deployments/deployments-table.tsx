import Link from 'next/link';
import { relativeTime } from '@/components/api-keys/key-status';
import { cn } from '@/components/ui/cn';
import { EmptyRow, TBody, THead, Table, Td, Th, Tr } from '@/components/ui/table';
import { countryName } from '@/lib/core/countries';
import type { DeploymentDto } from '@/lib/modules/deployments/schema';
import { HealthBadge } from './health-badge';
import { ENVIRONMENT_LABELS } from './labels';
import { RunningVersions } from './running-versions';

type TenantName = { slug: string; legalName: string };

/** Stale deployments are highlighted: an agent that stopped reporting is the first thing to look at. */
export function DeploymentsTable({
  deployments,
  tenants,
  emptyMessage,
  now,
}: {
  deployments: DeploymentDto[];
  tenants?: Map<string, TenantName>;
  emptyMessage: string;
  now: number;
}) {
  const cols = tenants ? 7 : 6;
  return (
    <Table caption="Deployments">
      <THead>
        <tr>
          <Th>Name</Th>
          {tenants && <Th>Tenant</Th>}
          <Th>Environment</Th>
          <Th>Health</Th>
          <Th>Last report</Th>
          <Th>Pinned</Th>
          <Th>Running</Th>
        </tr>
      </THead>
      <TBody>
        {deployments.length === 0 && <EmptyRow colSpan={cols}>{emptyMessage}</EmptyRow>}
        {deployments.map((d) => {
          const tenant = tenants?.get(d.tenantId);
          const lastReport =
            d.connectivity === 'AIRGAPPED'
              ? (d.running
                  .map((r) => r.reportedAt)
                  .sort()
                  .at(-1) ?? null)
              : d.lastHeartbeatAt;
          return (
            <Tr key={d.id} data-deployment={d.name} data-health={d.status} className={cn('align-top', d.status === 'STALE' && 'bg-red-50/60 hover:bg-red-50')}>
              <Td className="whitespace-nowrap">
                <Link href={`/deployments/${d.id}`} className="font-mono font-medium text-brand-700 hover:underline">
                  {d.name}
                </Link>
                {d.archivedAt && <span className="block text-xs text-slate-500">archived</span>}
              </Td>
              {tenants && (
                <Td className="max-w-44">
                  {tenant ? (
                    <Link href={`/tenants/${tenant.slug}`} className="block truncate hover:underline" title={tenant.legalName}>
                      {tenant.legalName}
                    </Link>
                  ) : (
                    <span className="font-mono text-xs">{d.tenantId}</span>
                  )}
                </Td>
              )}
              <Td className="whitespace-nowrap">
                {ENVIRONMENT_LABELS[d.environment]}
                <span className="block text-xs text-slate-600" title={countryName(d.country)}>
                  {countryName(d.country)} <span className="font-mono">{d.country}</span>
                </span>
              </Td>
              <Td>
                <HealthBadge status={d.status} />
              </Td>
              <Td className="text-xs whitespace-nowrap">
                {lastReport ? (
                  <time dateTime={lastReport} title={lastReport} className={d.status === 'STALE' ? 'font-semibold text-red-800' : undefined}>
                    {relativeTime(lastReport, now)}
                  </time>
                ) : (
                  <span className="text-slate-500">never</span>
                )}
                {d.connectivity === 'AIRGAPPED' && lastReport && <span className="block text-slate-500">entered / imported</span>}
              </Td>
              <Td className="font-mono text-xs whitespace-nowrap">
                {d.pinnedVersion ? `${d.pinnedVersion.family}@${d.pinnedVersion.version}` : <span className="font-sans text-slate-500">not pinned</span>}
              </Td>
              <Td>
                <RunningVersions deployment={d} />
              </Td>
            </Tr>
          );
        })}
      </TBody>
    </Table>
  );
}
