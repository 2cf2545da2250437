import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { formatUtc, show } from '@/components/audit/audit-events-table';
import { BundleDownload } from '@/components/contracts/bundle-download';
import { ContractStatusBadge } from '@/components/contracts/contract-status-badge';
import {
  CONTRACT_STATUS_LABELS,
  REGISTER_FIELD_LABELS,
  RENEWAL_LABELS,
  SCOPE_LABELS,
  TERMINATION_REASON_OPTIONS,
  TYPE_LABELS,
  daysFromNow,
  formatDate,
} from '@/components/contracts/labels';
import { LifecycleControls } from '@/components/contracts/lifecycle-controls';
import { DetailItem, DetailList } from '@/components/ui/detail-list';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { ButtonLink } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination, hrefWith } from '@/components/ui/pagination';
import { EmptyRow, TBody, THead, Table, Td, Th, Tr } from '@/components/ui/table';
import { requireCtx } from '@/lib/http/session';
import { can, isPlatform } from '@/lib/access/guard';
import { toAppError } from '@/lib/core/errors';
import { countryName } from '@/lib/core/countries';
import { listCoveredDeploymentsQuery } from '@/lib/modules/deployments/schema';
import { firstParam } from '@/lib/http/search-params';
import { findPendingApproval } from '@/lib/approvals/service';
import { diffTerms } from '@/lib/modules/contracts/terms';
import { getContract, listContractVersions, verifyVersionHash } from '@/lib/modules/contracts/service';
import { type CoveredDeploymentsPage, listCoveredDeployments } from '@/lib/modules/deployments/service';
import { getTenant } from '@/lib/modules/tenants/service';
import { contractLifecycleAction, issueBundleAction } from '../actions';

export const metadata: Metadata = { title: 'Contract' };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
const COVERED_PAGE_SIZE = 50;
const numberParam = (v: string | string[] | undefined) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);

export default async function ContractPage({ params, searchParams }: Props) {
  const ctx = await requireCtx();
  const { id } = await params;
  const search = await searchParams;
  const contract = await getContract(ctx, id).catch((err: unknown) => {
    if (toAppError(err).code === 'not_found') notFound();
    throw err;
  });
  const tenant = await getTenant(ctx, contract.tenantId).catch(() => null);
  const versions = await listContractVersions(ctx, contract.id);
  const pending = can(ctx.actor, 'approvals:read') ? await findPendingApproval(ctx, { target: { type: 'contract', id: contract.id } }) : null;
  const canWrite = can(ctx.actor, 'contracts:write') && isPlatform(ctx.actor);

  // Which deployments this contract covers is the contracts rule (the one bundles and pins follow),
  // a page at a time: ?deployments=<cursor>.
  let covered: CoveredDeploymentsPage | null = null;
  let coveredNotice: string | null = null;
  if (contract.status === 'ACTIVE' && can(ctx.actor, 'deployments:read') && can(ctx.actor, 'entitlements:read')) {
    const parsed = listCoveredDeploymentsQuery.safeParse({ limit: COVERED_PAGE_SIZE, cursor: firstParam(search.deployments) });
    const firstPage = { limit: COVERED_PAGE_SIZE };
    try {
      covered = await listCoveredDeployments(ctx, contract.id, parsed.success ? parsed.data : firstPage);
    } catch (err) {
      if (toAppError(err).code !== 'validation_failed') throw err;
      covered = null;
    }
    if (!covered || !parsed.success) {
      coveredNotice = 'This page link of the deployments is no longer valid; this is the first page.';
      covered ??= await listCoveredDeployments(ctx, contract.id, firstPage);
    }
  }
  const deployments = covered?.data ?? [];

  // Version diff: ?from=N&to=M, by default the previous version against the current one.
  const to = versions.find((v) => v.version === (numberParam(search.to) ?? contract.currentVersion)) ?? versions[0];
  const from = versions.find((v) => v.version === (numberParam(search.from) ?? (to ? to.version - 1 : 0))) ?? null;
  const changes = from && to ? diffTerms(from.terms, to.terms) : [];
  const base = `/contracts/${contract.id}`;
  const registerEntries = Object.entries(contract.registerInfo);

  return (
    <>
      <PageHeader
        title={contract.reference}
        meta={<ContractStatusBadge status={contract.status} />}
        description={
          <>
            {tenant ? (
              <Link href={`/tenants/${tenant.slug}`} className="hover:underline">
                {tenant.legalName}
              </Link>
            ) : null}{' '}
            · {TYPE_LABELS[contract.type]} · {SCOPE_LABELS[contract.scope]}
          </>
        }
        crumbs={[{ label: 'Contracts', href: '/contracts' }, { label: contract.reference }]}
        actions={
          canWrite && (contract.status === 'DRAFT' || contract.status === 'ACTIVE') && !pending ? (
            <ButtonLink href={`${base}/edit`} variant="secondary">
              {contract.status === 'DRAFT' ? 'Edit draft' : 'Amend'}
            </ButtonLink>
          ) : null
        }
      />

      {pending && (
        <Alert tone="warning" className="mb-4" title="Waiting for a second administrator">
          <Link href={`/approvals/${pending.id}`} className="underline">
            {pending.summary}
          </Link>{' '}
          — requested by {pending.requestedBy.name}, expires {formatUtc(pending.expiresAt)}.
        </Alert>
      )}

      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="Terms" titleId="contract-terms" className="lg:col-span-2">
          <DetailList>
            <DetailItem label="Status">
              <ContractStatusBadge status={contract.status} />
              {contract.terminatedAt && <span className="ml-2 text-xs text-slate-600">on {formatUtc(contract.terminatedAt)}</span>}
              {contract.terminationReason && (
                <span className="block text-xs text-slate-600">{TERMINATION_REASON_OPTIONS.find((o) => o.value === contract.terminationReason)?.label}</span>
              )}
            </DetailItem>
            <DetailItem label="Valid">
              <span className="font-mono text-xs">{formatDate(contract.validFrom)}</span> – <span className="font-mono text-xs">{formatDate(contract.validUntil)}</span>
              {contract.status === 'ACTIVE' && <span className="ml-2 text-xs text-slate-600">(ends {daysFromNow(contract.validUntil)})</span>}
            </DetailItem>
            <DetailItem label="Renewal">{RENEWAL_LABELS[contract.renewal]}</DetailItem>
            <DetailItem label="Notice period">{days(contract.noticePeriodDays)}</DetailItem>
            <DetailItem label="Grace period">{days(contract.graceDays)} after the end: bundles verify as “grace”, nothing stops.</DetailItem>
            <DetailItem label="Exit / transition">{days(contract.exitPeriodDays)}</DetailItem>
            <DetailItem label="Governing law">{contract.governingLaw}</DetailItem>
            <DetailItem label="Data-processing countries">
              <ul className="flex flex-wrap gap-1.5" aria-label="Data-processing countries">
                {contract.dataProcessingCountries.map((c) => (
                  <li key={c} className="rounded bg-slate-100 px-1.5 py-0.5 text-xs ring-1 ring-slate-200 ring-inset">
                    {countryName(c)} <span className="font-mono text-slate-500">{c}</span>
                  </li>
                ))}
              </ul>
            </DetailItem>
            <DetailItem label="SLA">
              {[
                contract.sla.availability !== undefined && `${contract.sla.availability} % availability`,
                contract.sla.supportResponseHours !== undefined && `support response ${contract.sla.supportResponseHours} h`,
                contract.sla.rtoHours !== undefined && `RTO ${contract.sla.rtoHours} h`,
                contract.sla.rpoHours !== undefined && `RPO ${contract.sla.rpoHours} h`,
              ]
                .filter(Boolean)
                .join(' · ') || '—'}
            </DetailItem>
            <DetailItem label="Audit rights">{contract.auditRights ?? '—'}</DetailItem>
            <DetailItem label="Current version">
              v{contract.currentVersion} · <span className="font-mono text-xs break-all">{contract.currentVersionHash}</span>
            </DetailItem>
          </DetailList>
        </Card>

        <Card title="Lifecycle" titleId="contract-lifecycle" className="self-start">
          {canWrite && !pending ? (
            <LifecycleControls status={contract.status} action={contractLifecycleAction.bind(null, contract.id)} />
          ) : (
            <p className="text-sm text-slate-700">
              {CONTRACT_STATUS_LABELS[contract.status]}
              {pending ? ': a request is waiting for approval.' : '.'}
            </p>
          )}
          <p className="mt-3 text-xs text-slate-600">
            Activation, termination and amendments of an active contract need a second administrator&apos;s approval. Expiry happens by date.
          </p>
        </Card>
      </div>

      <section aria-labelledby="entitlements-heading" className="mt-8 space-y-3">
        <h2 id="entitlements-heading" className="text-base font-semibold text-slate-900">
          Entitlements
        </h2>
        <Table caption="Entitlements">
          <THead>
            <tr>
              <Th>Grants</Th>
              <Th>Max deployments</Th>
              <Th>Other limits</Th>
            </tr>
          </THead>
          <TBody>
            {contract.entitlements.length === 0 && <EmptyRow colSpan={3}>This contract grants no model yet.</EmptyRow>}
            {contract.entitlements.map((e) => (
              <Tr key={e.id}>
                <Td>{e.modelFamily ? `${e.modelFamily.name} (all versions)` : `${e.modelVersion?.family} ${e.modelVersion?.version}`}</Td>
                <Td>{e.maxDeployments}</Td>
                <Td className="font-mono text-xs">
                  {Object.entries(e.limits)
                    .map(([k, v]) => `${k}=${String(v)}`)
                    .join(', ') || '—'}
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      </section>

      {covered && (
        <section aria-labelledby="bundles-heading" className="mt-8 space-y-3">
          <div className="flex items-baseline justify-between">
            <h2 id="bundles-heading" className="text-base font-semibold text-slate-900">
              Deployments and entitlement bundles
            </h2>
            <p className="text-xs text-slate-600">Verify offline: npx charter bundle verify FILE --key …</p>
          </div>
          {coveredNotice && <Alert tone="info">{coveredNotice}</Alert>}
          {covered.total > 0 && (
            <p className="text-sm text-slate-700" data-testid="covered-count">
              {covered.total === 1 ? '1 deployment' : `${covered.total} deployments`} covered ({covered.environments.map((e) => e.toLowerCase()).join(', ')})
              {covered.total > deployments.length ? `, ${deployments.length} on this page` : ''}
            </p>
          )}
          <Table caption="Deployments covered by this contract">
            <THead>
              <tr>
                <Th>Deployment</Th>
                <Th>Environment</Th>
                <Th>Country</Th>
                <Th>Bundle</Th>
              </tr>
            </THead>
            <TBody>
              {deployments.length === 0 && <EmptyRow colSpan={4}>No deployment of this tenant is covered by this contract.</EmptyRow>}
              {deployments.map((d) => {
                const outside = !contract.dataProcessingCountries.includes(d.country);
                return (
                  <Tr key={d.id} data-deployment-name={d.name}>
                    <Td className="font-medium">{d.name}</Td>
                    <Td>{d.environment.toLowerCase()}</Td>
                    <Td>
                      {countryName(d.country)} <span className="font-mono text-xs text-slate-500">{d.country}</span>
                      {outside && (
                        <Badge tone="danger" className="ml-2">
                          outside contract countries
                        </Badge>
                      )}
                    </Td>
                    <Td>
                      <BundleDownload deploymentName={d.name} issue={issueBundleAction.bind(null, d.id)} />
                    </Td>
                  </Tr>
                );
              })}
            </TBody>
          </Table>
          <Pagination
            label="Covered deployments"
            firstHref={search.deployments ? `${hrefWith(base, { from: firstParam(search.from), to: firstParam(search.to) })}#bundles-heading` : null}
            nextHref={
              covered.nextCursor ? `${hrefWith(base, { from: firstParam(search.from), to: firstParam(search.to), deployments: covered.nextCursor })}#bundles-heading` : null
            }
            firstLabel="First deployments"
            nextLabel="More deployments"
          />
        </section>
      )}

      {registerEntries.length > 0 && (
        <section aria-labelledby="register-heading" className="mt-8 space-y-3">
          <h2 id="register-heading" className="text-base font-semibold text-slate-900">
            DORA register details
          </h2>
          <DetailList className="rounded-lg border border-slate-200 bg-white px-4 py-2 shadow-sm">
            {registerEntries.map(([k, v]) => (
              <DetailItem key={k} label={REGISTER_FIELD_LABELS[k] ?? k}>
                <span className="font-mono text-xs">{typeof v === 'boolean' ? (v ? 'yes' : 'no') : show(v)}</span>
              </DetailItem>
            ))}
          </DetailList>
        </section>
      )}

      <section aria-labelledby="versions-heading" className="mt-8 space-y-3">
        <div className="flex items-baseline justify-between">
          <h2 id="versions-heading" className="text-base font-semibold text-slate-900">
            Version history
          </h2>
          <p className="text-xs text-slate-600">Each version is immutable; its hash is SHA-256 of the RFC 8785 canonical JSON of its terms.</p>
        </div>
        <Table caption="Contract versions">
          <THead>
            <tr>
              <Th>Version</Th>
              <Th>Created</Th>
              <Th>By</Th>
              <Th>SHA-256</Th>
              <Th>Compare</Th>
            </tr>
          </THead>
          <TBody>
            {versions.map((v) => {
              const intact = verifyVersionHash(v);
              return (
                <Tr key={v.version} data-version={v.version}>
                  <Td className="font-medium">
                    v{v.version}
                    {v.version === contract.currentVersion && (
                      <Badge tone="info" className="ml-2">
                        current
                      </Badge>
                    )}
                  </Td>
                  <Td>
                    <time dateTime={v.createdAt} className="font-mono text-xs whitespace-nowrap">
                      {formatUtc(v.createdAt)}
                    </time>
                  </Td>
                  <Td className="text-xs">{v.createdBy}</Td>
                  <Td className="font-mono text-xs break-all">
                    {v.hash}
                    <span className={intact ? 'ml-1 text-emerald-700' : 'ml-1 font-semibold text-red-700'}>{intact ? '✓ verified' : '✗ does not match its terms'}</span>
                  </Td>
                  <Td className="text-xs whitespace-nowrap">
                    {v.version > 1 && (
                      <Link href={`${hrefWith(base, { from: String(v.version - 1), to: String(v.version) })}#versions-heading`} className="text-brand-800 hover:underline">
                        changes from v{v.version - 1}
                      </Link>
                    )}
                  </Td>
                </Tr>
              );
            })}
          </TBody>
        </Table>
        {from && to && (
          <div className="space-y-2" data-testid="version-diff">
            <h3 className="text-sm font-semibold text-slate-900">
              Changes from v{from.version} to v{to.version}
            </h3>
            <Table caption={`Changes from version ${from.version} to version ${to.version}`}>
              <THead>
                <tr>
                  <Th>Field</Th>
                  <Th>v{from.version}</Th>
                  <Th>v{to.version}</Th>
                </tr>
              </THead>
              <TBody>
                {changes.length === 0 && <EmptyRow colSpan={3}>No difference in the terms.</EmptyRow>}
                {changes.map((c) => (
                  <Tr key={c.path}>
                    <Td className="font-mono text-xs">{c.path}</Td>
                    <Td className="font-mono text-xs text-red-800">
                      <del>{show(c.before)}</del>
                    </Td>
                    <Td className="font-mono text-xs text-emerald-800">
                      <ins className="no-underline">{show(c.after)}</ins>
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          </div>
        )}
      </section>
    </>
  );
}
