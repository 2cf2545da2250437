import Link from 'next/link';
import { EmptyRow, TBody, THead, Table, Td, Th, Tr } from '@/components/ui/table';
import type { AdoptionDto } from '@/lib/modules/models/schema';
import { VersionStatusBadge } from './version-status-badge';

type Version = AdoptionDto['versions'][number];
type Tenant = AdoptionDto['tenants'][number];

/**
 * Colours by lifecycle: released versions in blues, newest darkest; deprecated in amber, retired
 * and draft in greys. Neighbouring segments always differ, and every number is also in the matrix.
 */
const RELEASED_SHADES = ['#193f6f', '#2f6db3', '#6f9fd8', '#a9c6ea', '#d6e4f5'];
function colourOf(v: Version, releasedRank: number): string {
  if (v.status === 'DEPRECATED') return releasedRank % 2 ? '#f59e0b' : '#fcd34d';
  if (v.status === 'RETIRED') return '#b91c1c';
  if (v.status === 'DRAFT') return '#94a3b8';
  return RELEASED_SHADES[Math.min(releasedRank, RELEASED_SHADES.length - 1)];
}

const DARK = new Set(['#193f6f', '#2f6db3', '#b91c1c']);
const textOn = (colour: string | undefined) => (colour && DARK.has(colour) ? '#ffffff' : '#0f172a');

function countOf(data: AdoptionDto): (versionId: string, tenantId: string) => number {
  const map = new Map(data.cells.map((c) => [`${c.versionId}/${c.tenantId}`, c.deployments]));
  return (versionId, tenantId) => map.get(`${versionId}/${tenantId}`) ?? 0;
}

function familiesOf(data: AdoptionDto): { slug: string; name: string; versions: Version[] }[] {
  const families = new Map<string, { slug: string; name: string; versions: Version[] }>();
  for (const v of data.versions) {
    const f = families.get(v.family) ?? { slug: v.family, name: v.familyName, versions: [] };
    f.versions.push(v);
    families.set(v.family, f);
  }
  return [...families.values()];
}

/** Per model family: one 100 % bar per tenant, split by the versions its deployments run. */
export function AdoptionChart({ data, tenantHref }: { data: AdoptionDto; tenantHref?: (t: Tenant) => string }) {
  const count = countOf(data);
  const families = familiesOf(data).filter((f) => data.tenants.some((t) => f.versions.some((v) => count(v.id, t.id) > 0)));
  if (families.length === 0) return <p className="text-sm text-slate-600">No deployment reports a model version yet.</p>;
  return (
    <div className="space-y-6">
      {families.map((f) => {
        // Newest first for the colour ranks: the latest release gets the strongest colour.
        const newestFirst = [...f.versions].reverse();
        const colours = new Map<string, string>();
        let rank = 0;
        for (const v of newestFirst) colours.set(v.id, colourOf(v, v.status === 'RELEASED' ? rank++ : rank));
        const rows = data.tenants
          .map((t) => ({ tenant: t, parts: newestFirst.map((v) => ({ v, n: count(v.id, t.id) })).filter((p) => p.n > 0) }))
          .filter((r) => r.parts.length > 0);
        return (
          <figure key={f.slug} aria-labelledby={`adoption-${f.slug}`} className="space-y-2" data-testid={`adoption-chart-${f.slug}`}>
            <figcaption id={`adoption-${f.slug}`} className="flex flex-wrap items-baseline justify-between gap-2">
              <span className="text-sm font-semibold text-slate-900">{f.name}</span>
              <ul className="flex flex-wrap gap-x-3 gap-y-1 text-xs text-slate-700" aria-label={`Versions of ${f.name}`}>
                {newestFirst.map((v) => (
                  <li key={v.id} className="inline-flex items-center gap-1">
                    <span aria-hidden="true" className="inline-block size-2.5 rounded-sm" style={{ backgroundColor: colours.get(v.id) }} />
                    <span className="font-mono">{v.version}</span>
                    {v.status !== 'RELEASED' && <span className="text-slate-500">({v.status.toLowerCase()})</span>}
                  </li>
                ))}
              </ul>
            </figcaption>
            <ul className="space-y-1.5">
              {rows.map(({ tenant, parts }) => {
                const total = parts.reduce((n, p) => n + p.n, 0);
                const label = `${tenant.legalName}: ${parts.map((p) => `${p.v.version} on ${p.n}`).join(', ')} of ${total} deployment${total === 1 ? '' : 's'}`;
                return (
                  <li key={tenant.id} className="grid grid-cols-[minmax(8rem,14rem)_1fr_3rem] items-center gap-3">
                    <span className="truncate text-xs text-slate-800" title={tenant.legalName}>
                      {tenantHref ? (
                        <Link href={tenantHref(tenant)} className="hover:underline">
                          {tenant.legalName}
                        </Link>
                      ) : (
                        tenant.legalName
                      )}
                    </span>
                    <div role="img" aria-label={label} title={label} className="flex h-5 overflow-hidden rounded bg-slate-100 ring-1 ring-slate-200">
                      {parts.map((p) => (
                        <div
                          key={p.v.id}
                          className="flex items-center justify-center border-r border-white text-[10px] font-semibold last:border-r-0"
                          style={{ width: `${(p.n / total) * 100}%`, backgroundColor: colours.get(p.v.id), color: textOn(colours.get(p.v.id)) }}
                        >
                          {p.n}
                        </div>
                      ))}
                    </div>
                    <span className="text-right text-xs text-slate-600 tabular-nums">{total}</span>
                  </li>
                );
              })}
            </ul>
          </figure>
        );
      })}
    </div>
  );
}

/** Versions (rows) × tenants (columns): deployments running each version. The exact numbers behind the chart. */
export function AdoptionMatrix({ data }: { data: AdoptionDto }) {
  const count = countOf(data);
  const cols = data.tenants.length + 3;
  return (
    <Table caption="Adoption matrix: deployments running each model version, per tenant" data-testid="adoption-matrix">
      <THead>
        <tr>
          <Th>Version</Th>
          <Th>Status</Th>
          {data.tenants.map((t) => (
            <Th key={t.id} className="text-right normal-case" title={t.legalName}>
              <span className="block max-w-32 truncate">{t.legalName}</span>
            </Th>
          ))}
          <Th className="text-right">Total</Th>
        </tr>
      </THead>
      <TBody>
        {data.versions.length === 0 && <EmptyRow colSpan={cols}>No released versions yet.</EmptyRow>}
        {data.versions.map((v) => {
          const total = data.tenants.reduce((n, t) => n + count(v.id, t.id), 0);
          return (
            <Tr key={v.id} data-version={`${v.family}@${v.version}`}>
              <Td className="whitespace-nowrap">
                <Link href={`/models/${v.id}`} className="font-mono text-brand-700 hover:underline">
                  {v.family}@{v.version}
                </Link>
              </Td>
              <Td>
                <VersionStatusBadge status={v.status} />
              </Td>
              {data.tenants.map((t) => {
                const n = count(v.id, t.id);
                return (
                  <Td key={t.id} className={n ? 'text-right font-medium tabular-nums' : 'text-right text-slate-400 tabular-nums'} data-tenant={t.slug}>
                    {n || '·'}
                  </Td>
                );
              })}
              <Td className="text-right font-semibold tabular-nums" data-total>
                {total}
              </Td>
            </Tr>
          );
        })}
      </TBody>
    </Table>
  );
}
