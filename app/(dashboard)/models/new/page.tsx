import type { Metadata } from 'next';
import { countryOptions } from '@/components/tenants/labels';
import { VersionForm } from '@/components/models/version-form';
import { Alert } from '@/components/ui/alert';
import { ButtonLink } from '@/components/ui/button';
import { PageHeader } from '@/components/ui/page-header';
import { requireCtx } from '@/lib/http/session';
import { can, isPlatform } from '@/lib/access/guard';
import { listModelFamilies } from '@/lib/modules/models/service';
import { createModelVersionAction } from '../actions';

export const metadata: Metadata = { title: 'New model version' };

export default async function NewVersionPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireCtx();
  const crumbs = [{ label: 'Models', href: '/models' }, { label: 'New version' }];
  if (!can(ctx.actor, 'models:write') || !isPlatform(ctx.actor)) {
    return (
      <>
        <PageHeader title="New model version" crumbs={crumbs} />
        <Alert tone="info">Only platform administrators change the model catalogue.</Alert>
      </>
    );
  }
  const { family } = await searchParams;
  const families = await listModelFamilies(ctx, { limit: 200 });
  return (
    <>
      <PageHeader
        title="New model version"
        crumbs={crumbs}
        description="A new version starts as a draft, visible to platform staff only, until it is released."
        actions={
          <ButtonLink href="/models/families/new" variant="ghost">
            New family
          </ButtonLink>
        }
      />
      <VersionForm
        action={createModelVersionAction}
        families={families.data.map((f) => ({ value: f.slug, label: `${f.name} (${f.slug})` }))}
        family={typeof family === 'string' ? family : undefined}
        countries={countryOptions()}
      />
    </>
  );
}
