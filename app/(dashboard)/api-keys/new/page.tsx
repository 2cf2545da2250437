import type { Metadata } from 'next';
import { CreateApiKeyForm } from '@/components/api-keys/create-api-key-form';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { hrefWith } from '@/components/ui/pagination';
import { requireCtx } from '@/lib/http/session';
import { can, isPlatform } from '@/lib/access/guard';
import { maxKeyDays } from '@/lib/modules/api-keys/rules';
import { createApiKeyAction } from '../actions';
import { acceptsNewKeys, loadKeyDeployments, loadKeyTenants } from '../load-tenants';

export const metadata: Metadata = { title: 'New API key' };

export default async function NewApiKeyPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireCtx();
  const { actor } = ctx;
  const params = await searchParams;
  const slug = typeof params.tenant === 'string' ? params.tenant : undefined;
  const platform = isPlatform(actor);
  const crumbs = [{ label: 'API keys', href: '/api-keys' }, { label: 'New' }];

  if (!can(actor, 'keys:write')) {
    return (
      <>
        <PageHeader title="New API key" crumbs={crumbs} />
        <Alert tone="info">Your role cannot create API keys.</Alert>
      </>
    );
  }

  const [tenants, deployments] = await Promise.all([loadKeyTenants(ctx), loadKeyDeployments(ctx)]);
  const open = tenants.filter(acceptsNewKeys);
  const preselected = platform && slug ? open.find((t) => t.slug === slug) : undefined;
  const own = platform ? null : (tenants[0] ?? null);
  const listHref = hrefWith('/api-keys', { tenant: preselected?.slug });
  const pick = (t: (typeof tenants)[number]) => ({ id: t.id, slug: t.slug, legalName: t.legalName });

  return (
    <>
      <PageHeader title="New API key" description="For an integration or a deployment agent. The key is shown once, right after it is created." crumbs={crumbs} />
      {own && !acceptsNewKeys(own) ? (
        <Alert tone="info">Your tenant has been offboarded: it cannot get new keys.</Alert>
      ) : (
        <Card className="max-w-4xl">
          <CreateApiKeyForm
            action={createApiKeyAction}
            tenants={platform ? open.map(pick) : null}
            ownTenant={own ? pick(own) : null}
            deployments={deployments}
            defaultTenantId={preselected?.id}
            maxDays={maxKeyDays()}
            listHref={listHref}
          />
        </Card>
      )}
    </>
  );
}
