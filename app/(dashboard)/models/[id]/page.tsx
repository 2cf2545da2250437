import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { cache } from 'react';
import { ImpactView } from '@/components/models/impact-view';
import { formatContext, formatDate, formatParameters } from '@/components/models/labels';
import { LifecycleControls } from '@/components/models/lifecycle-controls';
import { ReleaseNotes } from '@/components/models/release-notes';
import { VersionStatusBadge } from '@/components/models/version-status-badge';
import { DetailItem, DetailList } from '@/components/ui/detail-list';
import { ButtonLink } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import type { Ctx } from '@/lib/access/actor';
import { requireCtx } from '@/lib/http/session';
import { can, isPlatform } from '@/lib/access/guard';
import { toAppError } from '@/lib/core/errors';
import { countryName } from '@/lib/core/countries';
import type { ModelVersionDto } from '@/lib/modules/models/schema';
import { findPendingApproval } from '@/lib/approvals/service';
import { getModelVersion, getVersionImpact } from '@/lib/modules/models/service';
import { changeVersionStatusAction } from '../actions';

type Props = { params: Promise<{ id: string }> };

/** The version of the page, or the 404 page (a draft is "not found" for tenants). Cached per request. */
const loadVersion = cache(async (ctx: Ctx, id: string): Promise<ModelVersionDto> => {
  try {
    return await getModelVersion(ctx, id);
  } catch (err) {
    if (toAppError(err).code === 'not_found') notFound();
    throw err;
  }
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const v = await loadVersion(await requireCtx(), (await params).id);
  return { title: `${v.familyName} ${v.version}` };
}

const IMPACT_TITLES = {
  DRAFT: 'Who is entitled to it',
  RELEASED: 'Impact of deprecating this version',
  DEPRECATED: 'Impact of retiring this version',
  RETIRED: 'Who still runs it',
} as const;

export default async function ModelVersionPage({ params }: Props) {
  const ctx = await requireCtx();
  const { actor } = ctx;
  const v = await loadVersion(ctx, (await params).id);
  const impact = await getVersionImpact(ctx, v.id);
  const canWrite = can(actor, 'models:write') && isPlatform(actor);
  const pending =
    canWrite && v.status === 'DEPRECATED' && can(actor, 'approvals:read')
      ? await findPendingApproval(ctx, { action: 'MODEL_VERSION_RETIRE', target: { type: 'model_version', id: v.id } })
      : null;
  const showNotice = v.status === 'RELEASED' || v.status === 'DEPRECATED';

  return (
    <>
      <PageHeader
        title={
          <>
            {v.familyName} <span className="font-mono">{v.version}</span>
          </>
        }
        meta={<VersionStatusBadge status={v.status} />}
        description={<span className="font-mono text-xs">{`${v.family}@${v.version}`}</span>}
        crumbs={[{ label: 'Models', href: '/models' }, { label: v.familyName, href: `/models?family=${encodeURIComponent(v.family)}` }, { label: v.version }]}
        actions={
          canWrite && v.status !== 'RETIRED' ? (
            <ButtonLink href={`/models/${v.id}/edit`} variant="secondary">
              Edit
            </ButtonLink>
          ) : null
        }
      />

      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="Details" titleId="version-details" className={canWrite ? 'lg:col-span-2' : 'lg:col-span-3'}>
          <DetailList>
            <DetailItem label="Weights digest">
              <span className="font-mono text-xs break-all" data-testid="weights-digest">
                {v.weightsDigest}
              </span>
            </DetailItem>
            <DetailItem label="Technical documentation (Annex XI)">
              {v.techDocDigest ? <span className="font-mono text-xs break-all">{v.techDocDigest}</span> : <span className="text-amber-800">Not recorded</span>}
            </DetailItem>
            <DetailItem label="Parameters">
              {formatParameters(v.parameterCount)} <span className="text-xs text-slate-500">({v.parameterCount.toLocaleString('en')})</span>
            </DetailItem>
            <DetailItem label="Context length">
              {formatContext(v.contextLength)} tokens <span className="text-xs text-slate-500">({v.contextLength.toLocaleString('en')})</span>
            </DetailItem>
            <DetailItem label="Licence">{v.licence}</DetailItem>
            <DetailItem label="Export restrictions">
              {v.exportRestrictions.length ? (
                <ul className="flex flex-wrap gap-1.5" aria-label="Export restrictions">
                  {v.exportRestrictions.map((c) => (
                    <li key={c} className="rounded bg-red-50 px-1.5 py-0.5 text-xs text-red-900 ring-1 ring-red-200 ring-inset">
                      {countryName(c)} <span className="font-mono">{c}</span>
                    </li>
                  ))}
                </ul>
              ) : (
                <span className="text-slate-600">None</span>
              )}
            </DetailItem>
            <DetailItem label="Released">
              <span className="font-mono text-xs">{formatDate(v.releasedAt)}</span>
            </DetailItem>
            <DetailItem label="Deprecated from">
              <span className="font-mono text-xs">{formatDate(v.deprecatedAt)}</span>
            </DetailItem>
            <DetailItem label="End of life">
              <span className="font-mono text-xs">{formatDate(v.endOfLifeAt)}</span>
            </DetailItem>
            <DetailItem label="Version id">
              <span className="font-mono text-xs">{v.id}</span>
            </DetailItem>
          </DetailList>
        </Card>

        {canWrite && (
          <Card title="Lifecycle" titleId="version-lifecycle" className="self-start">
            <LifecycleControls
              status={v.status}
              hasTechDoc={Boolean(v.techDocDigest)}
              earliestDate={impact.earliestAllowedDate.slice(0, 10)}
              endOfLife={v.endOfLifeAt}
              pendingRetirement={pending !== null}
              action={changeVersionStatusAction.bind(null, v.id)}
            />
          </Card>
        )}
      </div>

      <Card title="Release notes" titleId="release-notes" className="mt-6">
        <ReleaseNotes markdown={v.releaseNotes} />
      </Card>

      <section aria-labelledby="impact-heading" className="mt-8 space-y-3">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="impact-heading" className="text-base font-semibold text-slate-900">
            {IMPACT_TITLES[v.status]}
          </h2>
          <p className="text-xs text-slate-600">
            {actor.tenantId ? 'Your organisation only · ' : ''}as of {impact.asOf.replace('T', ' ').slice(0, 16)} UTC
          </p>
        </div>
        {showNotice && (
          <p className="text-sm text-slate-700">
            A deprecation or end of life must give every affected tenant the notice period of its active contracts, counted in whole days from today (UTC).
          </p>
        )}
        <ImpactView impact={impact} showNotice={showNotice} />
      </section>
    </>
  );
}
