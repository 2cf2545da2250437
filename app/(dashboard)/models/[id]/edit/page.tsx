import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { VersionForm } from '@/components/models/version-form';
import { countryOptions } from '@/components/tenants/labels';
import { Alert } from '@/components/ui/alert';
import { PageHeader } from '@/components/ui/page-header';
import { requireCtx } from '@/lib/http/session';
import { can, isPlatform } from '@/lib/access/guard';
import { toAppError } from '@/lib/core/errors';
import { getModelVersion } from '@/lib/modules/models/service';
import { updateModelVersionAction } from '../../actions';

export const metadata: Metadata = { title: 'Edit model version' };

export default async function EditVersionPage({ params }: { params: Promise<{ id: string }> }) {
  const ctx = await requireCtx();
  const { id } = await params;
  const v = await getModelVersion(ctx, id).catch((err: unknown) => {
    if (toAppError(err).code === 'not_found') notFound();
    throw err;
  });
  const crumbs = [{ label: 'Models', href: '/models' }, { label: `${v.family}@${v.version}`, href: `/models/${v.id}` }, { label: 'Edit' }];
  if (!can(ctx.actor, 'models:write') || !isPlatform(ctx.actor) || v.status === 'RETIRED') {
    return (
      <>
        <PageHeader title="Edit model version" crumbs={crumbs} />
        <Alert tone="info">{v.status === 'RETIRED' ? 'A retired version can no longer change.' : 'Only platform administrators change the model catalogue.'}</Alert>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title={`Edit ${v.familyName} ${v.version}`}
        crumbs={crumbs}
        description={v.status === 'DRAFT' ? 'A draft can change freely until it is released.' : 'Released: notes, documentation digest and export restrictions can still change.'}
      />
      <VersionForm
        action={updateModelVersionAction.bind(null, v.id)}
        families={[]}
        countries={countryOptions()}
        fixed={v.status !== 'DRAFT'}
        cancelHref={`/models/${v.id}`}
        initial={{
          family: v.family,
          version: v.version,
          weightsDigest: v.weightsDigest,
          techDocDigest: v.techDocDigest ?? '',
          parameterCount: String(v.parameterCount),
          contextLength: String(v.contextLength),
          licence: v.licence,
          releaseNotes: v.releaseNotes ?? '',
          exportRestrictions: v.exportRestrictions,
        }}
      />
    </>
  );
}
