import type { Metadata } from 'next';
import { FamilyForm } from '@/components/models/family-form';
import { Alert } from '@/components/ui/alert';
import { PageHeader } from '@/components/ui/page-header';
import { requireCtx } from '@/lib/http/session';
import { can, isPlatform } from '@/lib/access/guard';
import { createModelFamilyAction } from '../../actions';

export const metadata: Metadata = { title: 'New model family' };

export default async function NewFamilyPage() {
  const ctx = await requireCtx();
  const crumbs = [{ label: 'Models', href: '/models' }, { label: 'New family' }];
  if (!can(ctx.actor, 'models:write') || !isPlatform(ctx.actor)) {
    return (
      <>
        <PageHeader title="New model family" crumbs={crumbs} />
        <Alert tone="info">Only platform administrators change the model catalogue.</Alert>
      </>
    );
  }
  return (
    <>
      <PageHeader title="New model family" crumbs={crumbs} description="A family groups the versions of one model; contracts can grant a whole family." />
      <FamilyForm action={createModelFamilyAction} />
    </>
  );
}
