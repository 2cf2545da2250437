import type { ReactNode } from 'react';
import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { EmptyRow, TBody, THead, Table, Td, Th, Tr } from '@/components/ui/table';
import type { ApiKeyDto } from '@/lib/modules/api-keys/schema';
import { KeyRowActions } from './key-actions';
import { STATUS_LABELS, STATUS_TONES, isUsable, keyStatus, relativeTime } from './key-status';
import type { TenantChoice } from './choices';

type ApiKeysTableProps = {
  keys: ApiKeyDto[];
  /** Tenants by id, for the tenant column; null hides the column (a tenant actor sees only their own). */
  tenants: Map<string, TenantChoice> | null;
  /** Names of the deployments keys are bound to, by id. */
  deployments: Map<string, string>;
  /** Whether the viewer may rotate and revoke (keys:write); controls are hidden otherwise. */
  canWrite: boolean;
  emptyMessage: string;
  /** "Now" of the render, so that every row is judged at the same instant. */
  now: number;
};

/** "2026-11-29 11:42", the exact RFC 3339 value in dateTime and on hover. */
function Time({ iso, className }: { iso: string; className?: string }) {
  return (
    <time dateTime={iso} title={iso} className={`block font-mono text-xs whitespace-nowrap ${className ?? ''}`}>
      {iso.slice(0, 10)} {iso.slice(11, 16)}
    </time>
  );
}

function Note({ children }: { children: ReactNode }) {
  return <span className="block text-xs whitespace-nowrap text-slate-600">{children}</span>;
}

export function ApiKeysTable({ keys, tenants, deployments, canWrite, emptyMessage, now }: ApiKeysTableProps) {
  const columns = 6 + (tenants ? 1 : 0) + (canWrite ? 1 : 0);
  return (
    <Table caption="API keys">
      <THead>
        <tr>
          <Th>Key</Th>
          {tenants && <Th>Tenant</Th>}
          <Th>Scopes</Th>
          <Th>Status</Th>
          <Th>Created</Th>
          <Th>Expires</Th>
          <Th>Last used</Th>
          {canWrite && (
            // relative: the absolutely positioned sr-only label must scroll with the table, not widen the page.
            <Th className="relative">
              <span className="sr-only">Actions</span>
            </Th>
          )}
        </tr>
      </THead>
      <TBody>
        {keys.length === 0 && <EmptyRow colSpan={columns}>{emptyMessage}</EmptyRow>}
        {keys.map((k) => {
          const status = keyStatus(k, now);
          const usable = isUsable(k, now);
          const tenant = k.tenantId ? tenants?.get(k.tenantId) : null;
          return (
            <Tr key={k.id} data-key-prefix={k.prefix} data-key-status={status} className="align-top">
              <Td className="max-w-56 min-w-36">
                <span className="block font-medium break-words text-slate-900">{k.name}</span>
                <span className="block font-mono text-xs text-slate-600">{k.prefix}…</span>
                {k.deploymentId && (
                  <span className="mt-0.5 block text-xs break-words text-slate-600">
                    for deployment <span className="font-mono break-all">{deployments.get(k.deploymentId) ?? `${k.deploymentId.slice(0, 8)}…`}</span>
                  </span>
                )}
                {k.allowedCidrs.length > 0 && (
                  <span className="mt-0.5 block text-xs text-slate-600" title={k.allowedCidrs.join(', ')}>
                    only from <span className="font-mono">{k.allowedCidrs[0]}</span>
                    {k.allowedCidrs.length > 1 && ` +${k.allowedCidrs.length - 1}`}
                  </span>
                )}
              </Td>
              {tenants && (
                <Td className="max-w-40">
                  {k.tenantId === null ? (
                    <Badge tone="warning">Platform</Badge>
                  ) : tenant ? (
                    <Link href={`/tenants/${tenant.slug}`} className="group block" title={tenant.legalName}>
                      <span className="block truncate text-brand-700 group-hover:underline">{tenant.legalName}</span>
                      <span className="block truncate font-mono text-xs text-slate-600">{tenant.slug}</span>
                    </Link>
                  ) : (
                    <span className="font-mono text-xs text-slate-600">{k.tenantId}</span>
                  )}
                </Td>
              )}
              <Td className="max-w-48 min-w-36">
                <ul className="flex flex-wrap gap-1" aria-label="Scopes">
                  {k.scopes.map((s) => (
                    <li key={s}>
                      <Badge className="font-mono">{s}</Badge>
                    </li>
                  ))}
                </ul>
              </Td>
              <Td>
                <Badge tone={STATUS_TONES[status]}>
                  <span aria-hidden="true" className="size-1.5 rounded-full bg-current opacity-70" />
                  {STATUS_LABELS[status]}
                </Badge>
                {status === 'rotated' && usable && <span className="mt-0.5 block text-xs text-slate-600">overlap running</span>}
                {k.revokedAt && (
                  <Note>
                    <time dateTime={k.revokedAt} title={k.revokedAt}>
                      {relativeTime(k.revokedAt, now)}
                    </time>
                  </Note>
                )}
              </Td>
              <Td className="max-w-36">
                <Time iso={k.createdAt} />
                <span className="block truncate text-xs text-slate-600" title={k.createdBy}>
                  by {k.createdBy}
                </span>
              </Td>
              <Td>
                <Time iso={k.expiresAt} className={usable ? '' : 'text-slate-500'} />
                {/* A revoked key's expiry no longer matters; say nothing rather than "in 90 days". */}
                {!k.revokedAt && <Note>{Date.parse(k.expiresAt) <= now ? 'expired' : relativeTime(k.expiresAt, now)}</Note>}
              </Td>
              <Td>
                {k.lastUsedAt ? (
                  <>
                    <Time iso={k.lastUsedAt} />
                    <span className="block font-mono text-xs text-slate-600">{k.lastUsedIp ?? 'address unknown'}</span>
                  </>
                ) : (
                  <span className="text-xs text-slate-500">Never</span>
                )}
              </Td>
              {canWrite && (
                <Td className="w-px">
                  <KeyRowActions apiKey={{ id: k.id, prefix: k.prefix, name: k.name, expiresAt: k.expiresAt }} canRotate={status === 'active'} canRevoke={usable} />
                </Td>
              )}
            </Tr>
          );
        })}
      </TBody>
    </Table>
  );
}
