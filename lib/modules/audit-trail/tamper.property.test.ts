import { PassThrough, Readable } from 'node:stream';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '@/lib/access/system';
import { canonicalize } from '@/lib/core/crypto/jcs';
import { generateSigningKeyPair, privateKeyFromPkcs8, signEd25519 } from '@/lib/core/crypto/ed25519';
import { bootstrap } from '@/lib/runtime/bootstrap';
import { exportAuditChain } from '@/lib/modules/audit-trail/export';
import { listPublicKeys } from '@/lib/modules/signing-keys/service';
import { changeTenantStatus, updateTenant } from '@/lib/modules/tenants/service';
import { makeTenant } from '@/lib/testing/factories';
import { chainHashOf, eventHashOf, type CanonicalEvent } from '@/lib/audit/chain';
import { buildCheckpoint, signCheckpoint } from '@/lib/audit/checkpoint';
import { type PinnedKey, linesOf, verifyExport, verifyExportStream } from '@/lib/audit/verify';

// At least 10,000 random tamperings of a real (filtered) export, each of which the
// offline verifier must reject with the vendor's key pinned. Kinds: a changed byte anywhere (any
// value, header included), a deleted, duplicated or swapped line, a truncated file, a field changed
// by a careful forger who recomputes every hash after it, a forged checkpoint (re-signed with
// another key, or claiming the vendor's kid), and verification with the wrong pinned key.

const RUNS = 10_000;

type Tamper =
  | { kind: 'byte'; at: number; xor: number }
  | { kind: 'delete'; line: number }
  | { kind: 'duplicate'; line: number; to: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'truncate'; keep: number }
  | { kind: 'rewrite'; line: number; field: number; value: string }
  | { kind: 'forge'; claimVendorKid: boolean; alsoChange: boolean }
  | { kind: 'wrongKey' };

let bytes: Buffer;
let lines: string[];
let vendor: PinnedKey[];
const attacker = (() => {
  const pair = generateSigningKeyPair();
  const key = privateKeyFromPkcs8(pair.privateKeyPkcs8);
  return { kid: pair.kid, publicKey: pair.publicKey, sign: (m: string) => signEd25519(key, m) };
})();

beforeAll(async () => {
  await bootstrap();
  const tenant = await makeTenant();
  const ctx = systemCtx('test');
  await updateTenant(ctx, tenant.id, { legalName: 'Prüfstelle für Aufsicht — 東京 😀' });
  await changeTenantStatus(ctx, tenant.id, { status: 'ACTIVE', reason: 'signed "in full"\nref 12' });
  await updateTenant(ctx, tenant.id, { allowedCountries: ['AT', 'DE', 'FR'] });
  await changeTenantStatus(ctx, tenant.id, { status: 'SUSPENDED', reason: 'overdue' });
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  // Filtered, so the file mixes event and omitted records.
  await exportAuditChain({ ctx, chain: tenant.slug, out, filter: { actionGroup: 'tenant', q: 'system' } });
  await exportAuditChain({ ctx, chain: tenant.slug, out, filter: { action: 'tenant.updated' } }).then(() => undefined);
  // Keep only the second (filtered) export: it holds the first one's event as an omitted record.
  const all = Buffer.concat(chunks).toString('utf8').split('\n');
  const second = all.findIndex((l, i) => i > 0 && l.startsWith('{"chain"') && l.includes('"type":"header"'));
  lines = all.slice(second, -1);
  bytes = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
  vendor = (await listPublicKeys()).map((k) => ({ kid: k.kid, publicKey: k.publicKey }));
});

const join = (ls: string[]) => Buffer.from(`${ls.join('\n')}\n`, 'utf8');

/** Re-chains every event record from `from` on, as a forger who changed an event would. */
function rechain(ls: string[]): string[] {
  const header = JSON.parse(ls[0]) as { prevHash: string };
  let hash = header.prevHash;
  return ls.map((line, i) => {
    if (i === 0) return line;
    const record = JSON.parse(line) as { type: string; event?: CanonicalEvent; eventHash?: string; hash?: string };
    if (record.type === 'event' && record.event) {
      hash = chainHashOf(hash, eventHashOf(record.event));
      return canonicalize({ ...record, hash });
    }
    if (record.type === 'omitted' && record.eventHash) hash = chainHashOf(hash, record.eventHash);
    return line;
  });
}

function apply(t: Tamper): { file: Buffer; pinned: PinnedKey[] } {
  const pinned = vendor;
  switch (t.kind) {
    case 'byte': {
      const copy = Buffer.from(bytes);
      const i = t.at % copy.length;
      copy[i] = copy[i] ^ t.xor;
      return { file: copy, pinned };
    }
    case 'delete': {
      const ls = [...lines];
      ls.splice(t.line % ls.length, 1);
      return { file: join(ls), pinned };
    }
    case 'duplicate': {
      const ls = [...lines];
      ls.splice(t.to % (ls.length + 1), 0, ls[t.line % ls.length]);
      return { file: join(ls), pinned };
    }
    case 'swap': {
      const ls = [...lines];
      const a = t.a % ls.length;
      let b = t.b % ls.length;
      if (ls[a] === ls[b]) b = (a + 1) % ls.length;
      [ls[a], ls[b]] = [ls[b], ls[a]];
      return { file: join(ls), pinned };
    }
    case 'truncate':
      // Keeps at most all but the last content byte (dropping only the final newline changes nothing).
      return { file: bytes.subarray(0, t.keep % (bytes.length - 1)), pinned };
    case 'rewrite': {
      // A careful forger: change one field of one revealed event, re-serialise canonically, re-chain.
      const eventLines = lines.map((l, i) => [l, i] as const).filter(([l]) => l.includes('"type":"event"'));
      const [line, index] = eventLines[t.line % eventLines.length];
      const record = JSON.parse(line) as { event: Record<string, unknown> };
      const fields = ['action', 'occurredAt', 'ip', 'requestId', 'userAgent', 'data', 'actor', 'target', 'id'];
      const field = fields[t.field % fields.length];
      const before = canonicalize(record.event[field] ?? null);
      record.event[field] = field === 'data' || field === 'actor' || field === 'target' ? { forged: t.value } : t.value;
      if (canonicalize(record.event[field]) === before) record.event[field] = `${t.value}!`;
      const ls = [...lines];
      ls[index] = canonicalize(record);
      return { file: join(rechain(ls)), pinned };
    }
    case 'forge': {
      let ls = [...lines];
      if (t.alsoChange) {
        const i = ls.findIndex((l) => l.includes('"type":"event"'));
        const record = JSON.parse(ls[i]) as { event: { data: unknown } };
        record.event.data = { forged: true };
        ls[i] = canonicalize(record);
        ls = rechain(ls);
      }
      const last = JSON.parse(ls.at(-2) as string) as { hash: string };
      const original = JSON.parse(ls.at(-1) as string) as { chain: string; seq: number; issuedAt: string; kid: string };
      const kid = t.claimVendorKid ? original.kid : attacker.kid;
      const forged = signCheckpoint(buildCheckpoint({ chain: original.chain, seq: original.seq, hash: last.hash, issuedAt: original.issuedAt, kid }), attacker.sign);
      ls[ls.length - 1] = canonicalize({ type: 'checkpoint', ...forged });
      const header = JSON.parse(ls[0]) as { keys: { kid: string; alg: string; publicKey: string }[] };
      if (!t.claimVendorKid) header.keys.push({ kid: attacker.kid, alg: 'Ed25519', publicKey: attacker.publicKey });
      ls[0] = canonicalize(header);
      return { file: join(ls), pinned };
    }
    case 'wrongKey':
      return { file: bytes, pinned: [{ kid: attacker.kid, publicKey: attacker.publicKey }] };
  }
}

const tamper: fc.Arbitrary<Tamper> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), line: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), line: fc.nat(), to: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rewrite' as const), line: fc.nat(), field: fc.nat(), value: fc.string({ minLength: 1, maxLength: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('forge' as const), claimVendorKid: fc.boolean(), alsoChange: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'wrongKey' as const }) },
);

describe('the offline verifier under random tampering (property)', () => {
  it('accepts the untouched export', async () => {
    expect(await verifyExport(linesOf(Readable.from([bytes])), { pinnedKeys: vendor })).toMatchObject({ ok: true });
    // Cut into odd chunks (inside multi-byte characters too), the byte stream verifier agrees.
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
    expect(await verifyExportStream(Readable.from(chunks), { pinnedKeys: vendor })).toEqual(await verifyExport(linesOf(Readable.from([bytes])), { pinnedKeys: vendor }));
    expect(lines.some((l) => l.includes('"type":"omitted"'))).toBe(true);
  });

  it(`rejects ${RUNS.toLocaleString('en')} random tamperings, every one of them`, async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(tamper, async (t) => {
        const { file, pinned } = apply(t);
        // Both entry points: the line-by-line verifier, and the byte stream one the CLI uses (fast path).
        const result = await verifyExport(linesOf(Readable.from([file])), { pinnedKeys: pinned });
        const streamed = await verifyExportStream(Readable.from([file]), { pinnedKeys: pinned });
        seen.set(t.kind, (seen.get(t.kind) ?? 0) + 1);
        if (result.ok || streamed.ok) return false;
        // Same reason, except where a forger re-chained a malformed event: the fast path does not parse
        // an event whose hash chains, so it stops at the checkpoint instead (still rejected).
        return t.kind === 'rewrite' || streamed.reason === result.reason;
      }),
      { numRuns: RUNS },
    );
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(RUNS);
    expect([...seen.keys()].sort()).toEqual(['byte', 'delete', 'duplicate', 'forge', 'rewrite', 'swap', 'truncate', 'wrongKey']);
  }, 120_000);
});
