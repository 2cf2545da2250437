import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { EmptyRow, TBody, THead, Table, Td, Th, Tr } from '@/components/ui/table';
import type { VersionImpactDto } from '@/lib/modules/models/schema';
import { formatDate } from './labels';

const REASON_LABELS = { RUNS: 'Runs it', PINNED: 'Pinned to it', ENTITLED: 'Entitled' } as const;

/** Tenants, deployments and contracts a version touches, with the earliest date a change may take effect for each tenant. */
export function ImpactView({ impact, showNotice }: { impact: VersionImpactDto; showNotice: boolean }) {
  return (
    <div className="space-y-3">
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="impact-summary">
        {[
          ['Tenants', impact.totals.tenants],
          ['Deployments', impact.totals.deployments],
          ['Active contracts', impact.totals.contracts],
        ].map(([label, value]) => (
          <div key={label} className="rounded-md border border-slate-200 bg-white px-3 py-2">
            <dt className="text-xs text-slate-600">{label}</dt>
            <dd className="text-lg font-semibold text-slate-900 tabular-nums">{value}</dd>
          </div>
        ))}
        {showNotice && (
          <div className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2">
            <dt className="text-xs text-amber-900">Earliest allowed date</dt>
            <dd className="font-mono text-lg font-semibold text-amber-950" data-testid="earliest-allowed-date">
              {formatDate(impact.earliestAllowedDate)}
            </dd>
          </div>
        )}
      </dl>
      <Table caption="Affected tenants, their deployments and contracts">
        <THead>
          <tr>
            <Th>Tenant</Th>
            <Th>Why</Th>
            <Th>Deployments</Th>
            <Th>Active contracts (notice)</Th>
            {showNotice && <Th>Not before</Th>}
          </tr>
        </THead>
        <TBody>
          {impact.tenants.length === 0 && <EmptyRow colSpan={showNotice ? 5 : 4}>No tenant runs, is pinned to or is entitled to this version.</EmptyRow>}
          {impact.tenants.map((t) => (
            <Tr key={t.tenant.id} className="align-top" data-tenant={t.tenant.slug}>
              <Td className="min-w-44">
                <Link href={`/tenants/${t.tenant.slug}`} className="font-medium text-brand-700 hover:underline">
                  {t.tenant.legalName}
                </Link>
                <span className="block font-mono text-xs text-slate-600">{t.tenant.slug}</span>
              </Td>
              <Td>
                <ul className="flex flex-wrap gap-1">
                  {t.reasons.map((r) => (
                    <li key={r}>
                      <Badge tone={r === 'ENTITLED' ? 'neutral' : 'info'}>{REASON_LABELS[r]}</Badge>
                    </li>
                  ))}
                </ul>
              </Td>
              <Td>
                {t.deployments.length === 0 ? (
                  <span className="text-xs text-slate-500">none</span>
                ) : (
                  <ul className="space-y-0.5 text-xs">
                    {t.deployments.map((d) => (
                      <li key={d.id}>
                        <Link href={`/deployments/${d.id}`} className="font-mono text-brand-700 hover:underline">
                          {d.name}
                        </Link>{' '}
                        <span className="text-slate-600">
                          {d.country} · {[d.runs && 'runs', d.pinned && 'pinned', d.connectivity === 'AIRGAPPED' && 'air-gapped'].filter(Boolean).join(', ')}
                        </span>
                      </li>
                    ))}
                  </ul>
                )}
              </Td>
              <Td>
                {t.contracts.length === 0 ? (
                  <span className="text-xs text-slate-500">none active</span>
                ) : (
                  <ul className="space-y-0.5 text-xs">
                    {t.contracts.map((c) => (
                      <li key={c.id}>
                        <span className="font-mono">{c.reference}</span> <span className="text-slate-600">{c.noticePeriodDays} days</span>
                        {!c.entitles && <span className="text-slate-500"> (other models)</span>}
                      </li>
                    ))}
                  </ul>
                )}
              </Td>
              {showNotice && (
                <Td className="font-mono text-xs whitespace-nowrap">
                  {t.contracts.length ? formatDate(t.earliestAllowedDate) : <span className="font-sans text-slate-500">no notice due</span>}
                </Td>
              )}
            </Tr>
          ))}
        </TBody>
      </Table>
    </div>
  );
}
