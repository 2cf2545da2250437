import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '@/lib/access/system';
import { bootstrap } from '@/lib/runtime/bootstrap';
import { exportAuditChain } from '@/lib/modules/audit-trail/export';
import { listPublicKeys } from '@/lib/modules/signing-keys/service';
import { changeTenantStatus, updateTenant } from '@/lib/modules/tenants/service';
import { makeTenant } from '@/lib/testing/factories';

// ─────────────────────────────────────────────────────────────────────────────────────────────────
// An independent verifier, written from the README's "Formats" alone, as a third party would write
// it. This file deliberately imports nothing from lib/audit or lib/crypto (only the services that
// produce a real export): if Charter's code and this reading of the specification ever disagree,
// these tests fail. lib/modules/audit-trail/export.test.ts runs the same tampering on lib/audit/verify.
// ─────────────────────────────────────────────────────────────────────────────────────────────────

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type PublishedKey = { kid: string; publicKey: string };
type Verdict = { ok: true; events: number; omitted: number; toSeq: number } | { ok: false; reason: string };

/** RFC 8785 order: property names compared as arrays of UTF-16 code units. */
function byUtf16CodeUnits(a: string, b: string): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** RFC 8785 for the JSON value types: ES number and string serialisation, sorted object keys. */
function jcs(value: Json): string {
  if (value === undefined) throw new Error('missing value');
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('non-finite number');
    return JSON.stringify(value); // ECMAScript Number serialisation, as RFC 8785 §3.2.2.3 requires
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  const keys = Object.keys(value).sort(byUtf16CodeUnits);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${jcs(value[k])}`).join(',')}}`;
}

const sha256 = (...parts: Buffer[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** base64url without padding, refusing non-canonical encodings. */
function fromBase64Url(s: unknown): Buffer | null {
  if (typeof s !== 'string' || !/^[A-Za-z0-9_-]*$/.test(s)) return null;
  const bytes = Buffer.from(s, 'base64url');
  return bytes.toString('base64url') === s ? bytes : null;
}

function independentVerify(text: string, pinned: PublishedKey[]): Verdict {
  try {
    return verifyLines(text, pinned);
  } catch (err) {
    return { ok: false, reason: `malformed: ${(err as Error).message}` };
  }
}

function verifyLines(text: string, pinned: PublishedKey[]): Verdict {
  const fail = (reason: string): Verdict => ({ ok: false, reason });
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let records: { [key: string]: Json }[];
  try {
    records = lines.map((l) => JSON.parse(l) as { [key: string]: Json });
  } catch {
    return fail('a line is not JSON');
  }
  const header = records[0];
  if (!header || header.type !== 'header' || header.v !== 1) return fail('no header');
  const { chain, fromSeq, toSeq, prevHash } = header;
  if (typeof fromSeq !== 'number' || typeof toSeq !== 'number' || typeof prevHash !== 'string' || !/^[0-9a-f]{64}$/.test(prevHash)) {
    return fail('bad header');
  }
  if (records.length !== toSeq - fromSeq + 3) return fail('wrong number of records');

  let hash: Buffer = Buffer.from(prevHash, 'hex'); // hash(fromSeq - 1)
  let events = 0;
  let omitted = 0;
  for (let seq = fromSeq; seq <= toSeq; seq++) {
    const r = records[seq - fromSeq + 1];
    if (r.type === 'event') {
      const event = r.event as { [key: string]: Json } | null;
      if (!event || typeof event !== 'object' || event.seq !== seq || event.chain !== chain || event.v !== 1) return fail(`record for seq ${seq} does not match`);
      const eventHash = sha256(Buffer.from(jcs(event), 'utf8')); // eventHash = SHA-256(UTF-8(JCS(event)))
      hash = sha256(hash, eventHash); // hash(seq) = SHA-256(hash(seq-1) || eventHash(seq))
      if (r.hash !== hash.toString('hex')) return fail(`hash of seq ${seq} does not match`);
      events += 1;
    } else if (r.type === 'omitted') {
      if (r.seq !== seq || typeof r.eventHash !== 'string' || !/^[0-9a-f]{64}$/.test(r.eventHash)) return fail(`record for seq ${seq} does not match`);
      hash = sha256(hash, Buffer.from(r.eventHash, 'hex'));
      omitted += 1;
    } else {
      return fail(`no record for seq ${seq}`);
    }
  }

  const c = records.at(-1) as { [key: string]: Json };
  if (c.type !== 'checkpoint' || c.v !== 1 || c.chain !== chain || c.seq !== toSeq || c.hash !== hash.toString('hex')) return fail('checkpoint does not match');
  const key = pinned.find((k) => k.kid === c.kid);
  const raw = key && fromBase64Url(key.publicKey);
  // The kid is the first 16 hex characters of SHA-256 of the raw 32-byte key: a fingerprint.
  if (!key || !raw || raw.length !== 32 || sha256(raw).toString('hex').slice(0, 16) !== key.kid) return fail('checkpoint key is not pinned');
  const signature = fromBase64Url(c.signature);
  if (!signature || signature.length !== 64) return fail('bad signature encoding');
  const signed = jcs({ v: c.v, chain: c.chain, seq: c.seq, hash: c.hash, issuedAt: c.issuedAt, kid: c.kid });
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.publicKey }, format: 'jwk' });
  if (!verifySignature(null, Buffer.from(signed, 'utf8'), publicKey, signature)) return fail('signature does not verify');
  return { ok: true, events, omitted, toSeq };
}

// ─────────────────────────────────────────────────────────────────────────────────────────────────

async function exportText(chain: string, filter?: { action: 'tenant.updated' }): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportAuditChain({ ctx: systemCtx('test'), chain, out, filter });
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

/** Replaces one byte of the export. */
function withByte(text: string, index: number, byte: number): string {
  const bytes = Buffer.from(text, 'utf8');
  bytes[index] = byte;
  return bytes.toString('utf8');
}

describe('independent verifier (written from the published formats only) on a real export', () => {
  let text = '';
  let pinned: PublishedKey[] = [];
  let slug = '';

  beforeAll(async () => {
    await bootstrap();
    const tenant = await makeTenant();
    slug = tenant.slug;
    const ctx = systemCtx('test');
    await updateTenant(ctx, tenant.id, { legalName: 'Bundesamt für Prüfung — 東京 Branch 😀' });
    await updateTenant(ctx, tenant.id, { allowedCountries: ['AT', 'DE', 'FR'] });
    await changeTenantStatus(ctx, tenant.id, { status: 'ACTIVE', reason: 'contract signed "in full"\nsee ref 12' });
    await changeTenantStatus(ctx, tenant.id, { status: 'SUSPENDED', reason: 'payment overdue' });
    text = await exportText(slug);
    // The keys as published at /api/v1/keys, pinned out of band.
    pinned = (await listPublicKeys()).map((k) => ({ kid: k.kid, publicKey: k.publicKey }));
  });

  it('accepts the export', () => {
    // 5 events and the export's own audit.exported event, which ends every export.
    expect(independentVerify(text, pinned)).toEqual({ ok: true, events: 6, omitted: 0, toSeq: 6 });
  });

  it('accepts a filtered export whose other events are omitted', async () => {
    const filtered = await exportText(slug, { action: 'tenant.updated' });
    // The first export's event (seq 6) is omitted; this export's own (seq 7) is always revealed.
    expect(independentVerify(filtered, pinned)).toEqual({ ok: true, events: 3, omitted: 4, toSeq: 7 });
  });

  it('rejects the export with one changed byte in an event field, a hash or the signature', () => {
    const lines = text.split('\n');
    const offsetOfLine = (n: number) => lines.slice(0, n).reduce((sum, l) => sum + Buffer.byteLength(l) + 1, 0);
    const byteAt = (s: string, i: number) => Buffer.from(s)[i];

    const nameAt = Buffer.from(text).indexOf('Bundesamt');
    const hashAt = offsetOfLine(3) + Buffer.from(lines[3]).indexOf('"hash":"') + 8 + 10;
    const checkpoint = lines[lines.length - 2];
    const sigAt = offsetOfLine(lines.length - 2) + Buffer.from(checkpoint).indexOf('"signature":"') + 13 + 20;
    const seqAt = offsetOfLine(2) + Buffer.from(lines[2]).indexOf('"seq":') + 6;
    const cases = {
      'event field': withByte(text, nameAt, 'b'.charCodeAt(0)),
      'event hash': withByte(text, hashAt, byteAt(text, hashAt) === 0x30 ? 0x31 : 0x30),
      'checkpoint signature': withByte(text, sigAt, byteAt(text, sigAt) === 0x41 ? 0x42 : 0x41),
      'event seq': withByte(text, seqAt, byteAt(text, seqAt) + 1),
    };
    for (const [what, tampered] of Object.entries(cases)) {
      expect(tampered, what).not.toBe(text);
      expect(independentVerify(tampered, pinned), what).toMatchObject({ ok: false });
    }

    // Changing only the unused low bits of the signature's last character decodes to the same
    // 64 bytes: a lax base64url decoder would accept it. Non-canonical base64url is refused.
    const sigEnd = offsetOfLine(lines.length - 2) + Buffer.from(checkpoint).indexOf('","type":"checkpoint"') - 1;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(String.fromCharCode(byteAt(text, sigEnd)));
    const padded = withByte(text, sigEnd, alphabet[last ^ 1].charCodeAt(0));
    expect(independentVerify(padded, pinned)).toMatchObject({ ok: false, reason: 'bad signature encoding' });
  });

  it('rejects every single-byte change after the header', () => {
    // The header itself is not signed (its metadata, e.g. exportedAt, is informative); everything
    // the chain and the checkpoint cover is.
    const bytes = Buffer.from(text, 'utf8');
    const start = bytes.indexOf(0x0a) + 1;
    const accepted: number[] = [];
    for (let i = start; i < bytes.length; i++) {
      const copy = Buffer.from(bytes);
      copy[i] = copy[i] ^ 0x01;
      if (independentVerify(copy.toString('utf8'), pinned).ok) accepted.push(i);
    }
    expect(accepted).toEqual([]);
  });

  it('rejects a checkpoint signed by a key that is not pinned', () => {
    expect(independentVerify(text, [])).toMatchObject({ ok: false, reason: 'checkpoint key is not pinned' });
  });
});
