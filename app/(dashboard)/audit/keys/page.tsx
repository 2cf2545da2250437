import type { Metadata } from 'next';
import { formatUtc } from '@/components/audit/audit-events-table';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { EmptyRow, TBody, THead, Table, Td, Th, Tr } from '@/components/ui/table';
import { requireCtx } from '@/lib/http/session';
import { sha256Hex } from '@/lib/core/crypto/hash';
import { listPublicKeys } from '@/lib/modules/signing-keys/service';

export const metadata: Metadata = { title: 'Signing keys' };

/** The full SHA-256 fingerprint of the raw key in groups of four, for reading aloud when pinning. */
function fingerprint(publicKey: string): string {
  return (sha256Hex(Buffer.from(publicKey, 'base64url')).match(/.{4}/g) ?? []).join(' ');
}

export default async function SigningKeysPage() {
  await requireCtx();
  const keys = await listPublicKeys();
  return (
    <>
      <PageHeader
        title="Signing keys"
        crumbs={[{ label: 'Audit log', href: '/audit' }, { label: 'Signing keys' }]}
        description="The Ed25519 keys that sign audit checkpoints and entitlement bundles. Pin them out of band: compare the fingerprint with the vendor's published value before trusting an export."
      />
      <Table caption="Published signing keys" className="mb-6">
        <THead>
          <tr>
            <Th>kid</Th>
            <Th>Status</Th>
            <Th>Public key (base64url)</Th>
            <Th>SHA-256 fingerprint</Th>
            <Th>Created (UTC)</Th>
          </tr>
        </THead>
        <TBody>
          {keys.length === 0 && <EmptyRow colSpan={5}>No signing key yet.</EmptyRow>}
          {keys.map((k) => (
            <Tr key={k.kid} className="align-top">
              <Td className="font-mono text-xs">{k.kid}</Td>
              <Td>
                <Badge tone={k.status === 'ACTIVE' ? 'success' : 'neutral'}>{k.status === 'ACTIVE' ? 'Active' : 'Retired (verifies only)'}</Badge>
              </Td>
              <Td className="font-mono text-xs break-all">{k.publicKey}</Td>
              <Td className="max-w-64 font-mono text-xs">{fingerprint(k.publicKey)}</Td>
              <Td className="whitespace-nowrap font-mono text-xs">{formatUtc(k.createdAt)}</Td>
            </Tr>
          ))}
        </TBody>
      </Table>
      <Card title="Verify an export offline" titleId="verify-offline">
        <ol className="list-decimal space-y-1 pl-5 text-sm text-slate-800">
          <li>
            Save the keys: <span className="font-mono text-xs">GET /api/v1/keys</span> (public, no sign-in) as <span className="font-mono text-xs">keys.json</span>, and check their
            fingerprints against this page.
          </li>
          <li>
            Run <span className="font-mono text-xs">npx charter audit verify export.ndjson --keys keys.json</span>: no database, no network. It exits 0 only when every hash, the
            checkpoint and its signature hold, and otherwise names the first bad seq.
          </li>
        </ol>
      </Card>
    </>
  );
}
