import type { Metadata } from 'next';
import Link from 'next/link';
import { ReasonRequestForm } from '@/components/approvals/reason-request-form';
import { formatUtc } from '@/components/audit/audit-events-table';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { TBody, THead, Table, Td, Th, Tr } from '@/components/ui/table';
import { requireCtx } from '@/lib/http/session';
import { can, isPlatform } from '@/lib/access/guard';
import { findPendingApproval } from '@/lib/approvals/service';
import { listPublicKeys } from '@/lib/modules/signing-keys/service';
import { requestRotationAction } from './actions';

export const metadata: Metadata = { title: 'Signing keys' };

export default async function SigningKeysPage() {
  const ctx = await requireCtx();
  const visible = can(ctx.actor, 'settings:read') && isPlatform(ctx.actor);
  const keys = visible ? (await listPublicKeys()).reverse() : [];
  const pending =
    visible && can(ctx.actor, 'approvals:read') ? await findPendingApproval(ctx, { action: 'SIGNING_KEY_ROTATE', target: { type: 'signing_key', id: 'active' } }) : null;
  return (
    <>
      <PageHeader
        title="Signing keys"
        description="Ed25519 keys that sign entitlement bundles and audit checkpoints. Pin the public keys out of band: the kid is the first 16 hex characters of SHA-256 of the key, so it is also its fingerprint. Retired keys stay published, so everything they signed keeps verifying."
      />
      {!visible ? (
        <Alert tone="info">Signing keys are managed by the platform.</Alert>
      ) : (
        <div className="grid gap-6 lg:grid-cols-3">
          <div className="space-y-2 lg:col-span-2">
            <Table caption="Signing keys, newest first">
              <THead>
                <tr>
                  <Th>kid</Th>
                  <Th>Public key (base64url)</Th>
                  <Th>Status</Th>
                  <Th>Created</Th>
                </tr>
              </THead>
              <TBody>
                {keys.map((k) => (
                  <Tr key={k.kid} data-kid={k.kid}>
                    <Td className="font-mono text-xs">{k.kid}</Td>
                    <Td className="font-mono text-xs break-all" data-testid="public-key">
                      {k.publicKey}
                    </Td>
                    <Td>{k.status === 'ACTIVE' ? <Badge tone="success">Active (signs)</Badge> : <Badge tone="muted">Retired (verifies)</Badge>}</Td>
                    <Td className="font-mono text-xs whitespace-nowrap">{formatUtc(k.createdAt)}</Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
            <p className="text-xs text-slate-600">
              Also published at <span className="font-mono">/api/v1/keys</span>. Verify a bundle offline with{' '}
              <span className="font-mono">npx charter bundle verify FILE --key PUBLIC_KEY</span>.
            </p>
          </div>
          <Card title="Rotate" titleId="rotate-key" className="self-start">
            {pending ? (
              <Alert tone="warning">
                A rotation is waiting for approval:{' '}
                <Link href={`/approvals/${pending.id}`} className="underline">
                  {pending.requestedBy.name}, expires {formatUtc(pending.expiresAt)}
                </Link>
              </Alert>
            ) : can(ctx.actor, 'settings:write') ? (
              <ReasonRequestForm id="rotate-reason" action={requestRotationAction} submitLabel="Request rotation" />
            ) : (
              <p className="text-sm text-slate-600">
                Owners request a rotation; a second administrator approves it. Operators can also rotate on the server with npx charter signing-key rotate.
              </p>
            )}
          </Card>
        </div>
      )}
    </>
  );
}
