import type { ReactNode } from 'react';
import { ROLE_LABELS } from '@/components/shell/labels';
import { type NavItem, Sidebar } from '@/components/shell/sidebar';
import { TopBar } from '@/components/shell/top-bar';
import { requireCtx } from '@/lib/http/session';
import { can } from '@/lib/access/guard';
import { getTenant } from '@/lib/modules/tenants/service';
import { signOutAction } from './actions';

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const ctx = await requireCtx();
  const { actor } = ctx;
  const scope = actor.tenantId
    ? await getTenant(ctx, actor.tenantId).then(
        (t) => t.legalName,
        () => 'Tenant',
      )
    : 'Platform';

  const nav: NavItem[] = [{ href: '/', label: 'Overview', exact: true }];
  if (can(actor, 'tenants:read')) nav.push({ href: '/tenants', label: 'Tenants' });
  if (can(actor, 'deployments:read')) nav.push({ href: '/deployments', label: 'Deployments' });
  if (can(actor, 'models:read')) nav.push({ href: '/models', label: 'Models' });
  if (can(actor, 'contracts:read')) nav.push({ href: '/contracts', label: 'Contracts' });
  if (can(actor, 'approvals:read')) nav.push({ href: '/approvals', label: 'Approvals' });
  if (can(actor, 'keys:read')) nav.push({ href: '/api-keys', label: 'API keys' });
  if (can(actor, 'audit:read')) nav.push({ href: '/audit', label: 'Audit log' });
  if (can(actor, 'settings:read') && !actor.tenantId) nav.push({ href: '/settings/signing-keys', label: 'Signing keys' });
  nav.push({ href: '/api-reference', label: 'API reference' });

  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      <Sidebar items={nav} />
      <div className="flex min-w-0 flex-1 flex-col">
        <TopBar email={actor.label} role={actor.role ? ROLE_LABELS[actor.role] : actor.type} scope={scope} signOut={signOutAction} />
        <main id="main" className="mx-auto w-full max-w-7xl flex-1 px-4 py-6 md:px-6">
          {children}
        </main>
      </div>
    </div>
  );
}
