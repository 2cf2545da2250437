import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { relativeTime } from '@/components/api-keys/key-status';
import { AuditEventsTable, formatUtc } from '@/components/audit/audit-events-table';
import { EndRolloutForm } from '@/components/deployments/end-rollout-form';
import { HealthBadge } from '@/components/deployments/health-badge';
import { CONNECTIVITY_LABELS, ENVIRONMENT_LABELS, HOSTING_LABELS, ROLLOUT_KIND_LABELS, ROLLOUT_STATUS_LABELS, ROLLOUT_STATUS_TONES } from '@/components/deployments/labels';
import { RolloutForm } from '@/components/deployments/rollout-form';
import { RunningEditor, RunningImport } from '@/components/deployments/running-editor';
import { VersionStatusBadge } from '@/components/models/version-status-badge';
import { DetailItem, DetailList } from '@/components/ui/detail-list';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { EmptyRow, TBody, THead, Table, Td, Th, Tr } from '@/components/ui/table';
import type { Ctx } from '@/lib/access/actor';
import { requireCtx } from '@/lib/http/session';
import { can } from '@/lib/access/guard';
import { toAppError } from '@/lib/core/errors';
import { countryName } from '@/lib/core/countries';
import type { DeploymentDto } from '@/lib/modules/deployments/schema';
import { listAuditEvents } from '@/lib/modules/audit-trail/search';
import { getDeployment, heartbeatStaleMinutes } from '@/lib/modules/deployments/service';
import { listModelVersions } from '@/lib/modules/models/service';
import { listRollouts } from '@/lib/modules/rollouts/service';
import { getTenant } from '@/lib/modules/tenants/service';
import { createRolloutAction, endRolloutAction, importRunningAction, setRunningAction } from '../actions';

type Props = { params: Promise<{ id: string }> };

/** The deployment of the page, or the 404 page: another tenant's and a missing one look the same. */
const loadDeployment = cache(async (ctx: Ctx, id: string): Promise<DeploymentDto> => {
  try {
    return await getDeployment(ctx, id);
  } catch (err) {
    if (toAppError(err).code === 'not_found') notFound();
    throw err;
  }
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const d = await loadDeployment(await requireCtx(), (await params).id);
  return { title: d.name };
}

const SOURCE_LABELS = { HEARTBEAT: 'heartbeat', MANUAL: 'entered by an administrator', IMPORT: 'imported from the site’s file' } as const;

export default async function DeploymentPage({ params }: Props) {
  const ctx = await requireCtx();
  const { actor } = ctx;
  const d = await loadDeployment(ctx, (await params).id);
  const now = Date.now();
  const canWrite = can(actor, 'deployments:write') && !d.archivedAt;
  const [tenant, rollouts, audit, catalogue] = await Promise.all([
    can(actor, 'tenants:read') ? getTenant(ctx, d.tenantId).catch(() => null) : null,
    listRollouts(ctx, d.id, { limit: 20 }),
    can(actor, 'audit:read') ? listAuditEvents(ctx, { chain: d.tenantId, targetId: d.id, limit: 25 }) : null,
    canWrite && can(actor, 'models:read') ? listModelVersions(ctx, { limit: 200 }) : null,
  ]);
  const released = (catalogue?.data ?? []).filter((v) => v.status === 'RELEASED');
  const runnable = (catalogue?.data ?? []).filter((v) => v.status !== 'DRAFT');
  const open = rollouts.data.filter((r) => r.status === 'SCHEDULED' || r.status === 'IN_PROGRESS');
  const staleMinutes = heartbeatStaleMinutes();
  const scheduled = open.find((r) => r.status === 'SCHEDULED');
  const inProgress = open.find((r) => r.status === 'IN_PROGRESS');
  const editor = (
    <RunningEditor
      choices={runnable.map((v) => ({ id: v.id, label: `${v.family}@${v.version}`, note: v.status === 'RELEASED' ? undefined : v.status.toLowerCase() }))}
      selected={d.running.map((r) => r.modelVersionId)}
      action={setRunningAction.bind(null, d.id)}
    />
  );

  return (
    <>
      <PageHeader
        title={<span className="font-mono">{d.name}</span>}
        meta={
          <>
            <HealthBadge status={d.status} />
            {d.archivedAt && <Badge tone="muted">Archived</Badge>}
          </>
        }
        description={tenant ? tenant.legalName : undefined}
        crumbs={[{ label: 'Deployments', href: '/deployments' }, { label: d.name }]}
      />

      {d.status === 'STALE' && d.lastHeartbeatAt && (
        <Alert tone="error" className="mb-4" title="No heartbeat">
          The agent last reported {relativeTime(d.lastHeartbeatAt, now)} ({formatUtc(d.lastHeartbeatAt)}); a connected deployment is stale after {staleMinutes} minutes. Its running
          versions below are as of that report.
        </Alert>
      )}

      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="Details" titleId="deployment-details" className="lg:col-span-2">
          <DetailList>
            <DetailItem label="Tenant">
              {tenant ? (
                <Link href={`/tenants/${tenant.slug}`} className="text-brand-700 hover:underline">
                  {tenant.legalName}
                </Link>
              ) : (
                <span className="font-mono text-xs">{d.tenantId}</span>
              )}
            </DetailItem>
            <DetailItem label="Environment">{ENVIRONMENT_LABELS[d.environment]}</DetailItem>
            <DetailItem label="Country">
              {countryName(d.country)} <span className="font-mono text-xs text-slate-500">{d.country}</span>
            </DetailItem>
            <DetailItem label="Hosting">{HOSTING_LABELS[d.hosting]}</DetailItem>
            <DetailItem label="Connectivity">{CONNECTIVITY_LABELS[d.connectivity]}</DetailItem>
            <DetailItem label="Heartbeat">
              {d.connectivity === 'AIRGAPPED' ? (
                <span className="text-slate-600">None: an air-gapped site reports through an administrator or an exported file.</span>
              ) : d.lastHeartbeatAt ? (
                <>
                  <time dateTime={d.lastHeartbeatAt} className="font-mono text-xs" data-testid="last-heartbeat">
                    {formatUtc(d.lastHeartbeatAt)}
                  </time>{' '}
                  <span className="text-xs text-slate-600">
                    ({relativeTime(d.lastHeartbeatAt, now)}; stale after {staleMinutes} minutes)
                  </span>
                </>
              ) : (
                <span className="text-slate-600">Never — the agent has not checked in yet.</span>
              )}
            </DetailItem>
            <DetailItem label="Agent version">
              {d.agentVersion ? <span className="font-mono text-xs">{d.agentVersion}</span> : <span className="text-slate-500">unknown</span>}
            </DetailItem>
            <DetailItem label="Deployment id">
              <span className="font-mono text-xs">{d.id}</span>
            </DetailItem>
          </DetailList>
        </Card>

        <Card title="Pinned version" titleId="pinned-version" className="self-start">
          <div className="space-y-3">
            {d.pinnedVersion ? (
              <p className="flex flex-wrap items-center gap-2 text-sm" data-testid="pinned">
                <Link href={`/models/${d.pinnedVersion.id}`} className="font-mono font-medium text-brand-700 hover:underline">
                  {d.pinnedVersion.family}@{d.pinnedVersion.version}
                </Link>
                <VersionStatusBadge status={d.pinnedVersion.status} />
              </p>
            ) : (
              <p className="text-sm text-slate-600" data-testid="pinned">
                Not pinned: the site runs what its operators install.
              </p>
            )}
            {inProgress && (
              <p className="text-xs text-amber-800" data-testid="rollout-in-progress">
                Waiting for the deployment to report {inProgress.to.family}@{inProgress.to.version}.
              </p>
            )}
            {scheduled && (
              <p className="text-xs text-sky-900" data-testid="rollout-scheduled">
                Upgrade to{' '}
                <span className="font-mono">
                  {scheduled.to.family}@{scheduled.to.version}
                </span>{' '}
                scheduled for <span className="font-mono">{scheduled.scheduledFor?.slice(0, 10)}</span> (notice given {scheduled.noticeAt?.slice(0, 10) ?? '—'}).
              </p>
            )}
            {canWrite && catalogue && (
              <div className="border-t border-slate-200 pt-3">
                <RolloutForm
                  action={createRolloutAction.bind(null, d.id)}
                  airgapped={d.connectivity === 'AIRGAPPED'}
                  versions={released.map((v) => ({ value: v.id, label: `${v.family}@${v.version}` }))}
                />
              </div>
            )}
          </div>
        </Card>
      </div>

      <section aria-labelledby="running-heading" className="mt-8 space-y-3">
        <h2 id="running-heading" className="text-base font-semibold text-slate-900">
          Running versions
        </h2>
        <Table caption="Model versions this deployment runs">
          <THead>
            <tr>
              <Th>Version</Th>
              <Th>Status</Th>
              <Th>Reported</Th>
              <Th>Source</Th>
            </tr>
          </THead>
          <TBody>
            {d.running.length === 0 && <EmptyRow colSpan={4}>Nothing reported yet.</EmptyRow>}
            {d.running.map((r) => (
              <Tr key={r.modelVersionId} data-running={`${r.family}@${r.version}`}>
                <Td>
                  <Link href={`/models/${r.modelVersionId}`} className="font-mono text-brand-700 hover:underline">
                    {r.family}@{r.version}
                  </Link>
                  {d.pinnedVersion && r.family === d.pinnedVersion.family && r.modelVersionId !== d.pinnedVersion.id && (
                    <span className="ml-2 text-xs text-amber-800">differs from the pin ({d.pinnedVersion.version})</span>
                  )}
                </Td>
                <Td>
                  <VersionStatusBadge status={r.versionStatus} />
                </Td>
                <Td className="font-mono text-xs whitespace-nowrap">
                  <time dateTime={r.reportedAt}>{formatUtc(r.reportedAt)}</time>
                </Td>
                <Td className="text-xs text-slate-700">{SOURCE_LABELS[r.source]}</Td>
              </Tr>
            ))}
          </TBody>
        </Table>
        {canWrite && catalogue && d.connectivity === 'AIRGAPPED' && (
          <div className="grid gap-6 lg:grid-cols-2">
            <Card title="Enter what the site runs" titleId="running-entry">
              {editor}
            </Card>
            <Card title="Import the site's report" titleId="running-import">
              <RunningImport action={importRunningAction.bind(null, d.id)} />
            </Card>
          </div>
        )}
        {canWrite && catalogue && d.connectivity === 'CONNECTED' && (
          <details className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
            <summary className="cursor-pointer text-sm font-medium text-slate-800">Correct the running versions by hand</summary>
            <p className="mt-2 mb-2 text-xs text-slate-600">For a connected deployment the agent&apos;s next heartbeat replaces this entry.</p>
            {editor}
          </details>
        )}
      </section>

      <section aria-labelledby="rollouts-heading" className="mt-8 space-y-3">
        <div className="flex items-baseline justify-between">
          <h2 id="rollouts-heading" className="text-base font-semibold text-slate-900">
            Rollouts
          </h2>
          <p className="text-xs text-slate-600">{open.length ? `${open.length} open` : 'none open'} · newest first</p>
        </div>
        <Table caption="Rollouts of this deployment">
          <THead>
            <tr>
              <Th>Kind</Th>
              <Th>Status</Th>
              <Th>From → to</Th>
              <Th>Notice / scheduled</Th>
              <Th>Started / completed</Th>
              <Th>By · note</Th>
              {canWrite && <Th>Action</Th>}
            </tr>
          </THead>
          <TBody>
            {rollouts.data.length === 0 && <EmptyRow colSpan={canWrite ? 7 : 6}>No rollouts yet.</EmptyRow>}
            {rollouts.data.map((r) => {
              const current = d.pinnedVersion?.id === r.to.id && (r.status === 'IN_PROGRESS' || r.status === 'COMPLETED');
              return (
                <Tr key={r.id} className="align-top" data-rollout={r.kind} data-status={r.status}>
                  <Td className="whitespace-nowrap">{ROLLOUT_KIND_LABELS[r.kind]}</Td>
                  <Td>
                    <Badge tone={ROLLOUT_STATUS_TONES[r.status]}>{ROLLOUT_STATUS_LABELS[r.status]}</Badge>
                  </Td>
                  <Td className="font-mono text-xs whitespace-nowrap">
                    {r.from ? `${r.from.family}@${r.from.version}` : '—'} → {r.to.family}@{r.to.version}
                  </Td>
                  <Td className="font-mono text-xs whitespace-nowrap">
                    {r.scheduledFor ? (
                      <>
                        {r.noticeAt?.slice(0, 10) ?? '—'} / {r.scheduledFor.slice(0, 10)}
                      </>
                    ) : (
                      '—'
                    )}
                  </Td>
                  <Td className="font-mono text-xs whitespace-nowrap">
                    {r.startedAt ? formatUtc(r.startedAt).slice(0, 16) : '—'}
                    {r.completedAt && <span className="block">{formatUtc(r.completedAt).slice(0, 16)}</span>}
                  </Td>
                  <Td className="max-w-64 text-xs">
                    <span className="block truncate text-slate-700">{r.createdBy ?? '—'}</span>
                    {r.note && <span className="block text-slate-600">{r.note}</span>}
                  </Td>
                  {canWrite && (
                    <Td>
                      {r.status === 'SCHEDULED' && <EndRolloutForm intent="cancel" label="Cancel" action={endRolloutAction.bind(null, d.id, r.id)} />}
                      {current && r.from && <EndRolloutForm intent="rollback" label={`Roll back to ${r.from.version}`} action={endRolloutAction.bind(null, d.id, r.id)} />}
                    </Td>
                  )}
                </Tr>
              );
            })}
          </TBody>
        </Table>
      </section>

      {audit && (
        <section aria-labelledby="audit-heading" className="mt-8 space-y-3">
          <div className="flex items-baseline justify-between">
            <h2 id="audit-heading" className="text-base font-semibold text-slate-900">
              Recent audit events
            </h2>
            <p className="text-xs text-slate-600">Newest first · this deployment</p>
          </div>
          <AuditEventsTable events={audit.data} caption={`Audit events of ${d.name}`} />
        </section>
      )}
    </>
  );
}
