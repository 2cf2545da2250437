import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize } from '@/lib/core/crypto/jcs';
import { kidOf, privateKeyFromPkcs8, signEd25519 } from '@/lib/core/crypto/ed25519';
import { type CanonicalEvent, ZERO_HASH, canonicalData, canonicalEventJson, canonicalEventParts, canonicalJson, chainHashOf, eventHashOf, normaliseData } from './chain';
import { buildCheckpoint, checkpointBytes, signCheckpoint, verifyCheckpointSignature } from './checkpoint';
import { normaliseFilter, serializeEventRecord, serializeRecord } from './export-format';

// Test vectors for README "Audit events and chains". The expected canonical JSON is written out by
// hand and the expected digests are computed here with node:crypto alone, so these tests pin the
// format independently of lib/core/crypto/jcs and lib/audit/chain. Third-party verifiers can reuse them.

const event: CanonicalEvent = {
  v: 1,
  chain: 'platform',
  seq: 1,
  id: '00000000-0000-4000-8000-000000000001',
  occurredAt: '2026-01-02T03:04:05.678Z',
  actor: { type: 'system', id: 'system:ops', label: 'system:ops' },
  action: 'tenant.created',
  target: { type: 'tenant', id: 't1' },
  tenantId: null,
  ip: '192.0.2.1',
  userAgent: null,
  requestId: 'req-1',
  data: { zeta: 1, alpha: [true, null, 'é€😀'], B: 1.5, nested: { b: 2, a: 'x"y\n' }, big: 1e21, small: 1e-7, neg: -0 },
};

// Keys sorted by UTF-16 code units ("B" < "alpha"), numbers in ECMAScript form (1e+21, 1e-7, -0 → 0),
// strings with only the mandatory escapes, non-ASCII characters as raw UTF-8.
const EVENT_JCS = String.raw`{"action":"tenant.created","actor":{"id":"system:ops","label":"system:ops","type":"system"},"chain":"platform","data":{"B":1.5,"alpha":[true,null,"é€😀"],"big":1e+21,"neg":0,"nested":{"a":"x\"y\n","b":2},"small":1e-7,"zeta":1},"id":"00000000-0000-4000-8000-000000000001","ip":"192.0.2.1","occurredAt":"2026-01-02T03:04:05.678Z","requestId":"req-1","seq":1,"target":{"id":"t1","type":"tenant"},"tenantId":null,"userAgent":null,"v":1}`;

const sha256 = (...parts: Buffer[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

// RFC 8032 §7.1, TEST 1: a published Ed25519 key pair and its signature of the empty message.
const RFC8032_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC8032_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const RFC8032_EMPTY_SIG = 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
const rfcPkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(RFC8032_SEED, 'hex')]);
const rfcPublicB64 = Buffer.from(RFC8032_PUBLIC, 'hex').toString('base64url');

describe('audit chain rules (hand-computed vectors)', () => {
  it('canonicalises an event exactly as written out by hand (RFC 8785)', () => {
    expect(canonicalize(event)).toBe(EVENT_JCS);
  });

  it('the event serialiser for the fixed shape writes the same bytes', () => {
    expect(canonicalEventJson(event)).toBe(EVENT_JCS);
    expect(canonicalEventParts(event)).toEqual({ json: EVENT_JCS, dataJson: canonicalize(event.data) });
  });

  it('eventHash = SHA-256(UTF-8(JCS(event)))', () => {
    const expected = sha256(Buffer.from(EVENT_JCS, 'utf8'));
    expect(eventHashOf(event)).toBe(expected);
    // Also computed outside Node (Python hashlib), as a fixed vector for third-party verifiers.
    expect(expected).toBe('2e0aec0b37e4bebe3b03bd34253e5a839245aaa0513fb199daf19a1b5817d205');
  });

  it('hash(seq) = SHA-256(bytes(hash(seq-1)) || bytes(eventHash)), hash(0) = 32 zero bytes', () => {
    const eventHash = sha256(Buffer.from(EVENT_JCS, 'utf8'));
    const hash1 = sha256(Buffer.alloc(32), Buffer.from(eventHash, 'hex'));
    expect(ZERO_HASH).toBe(Buffer.alloc(32).toString('hex'));
    expect(chainHashOf(ZERO_HASH, eventHash)).toBe(hash1);
    expect(hash1).toBe('e1266597b4e4ed8adff59f24d3a8b1f9a2c25a817d1250563a321bcfed9f8faa');
    // A second link: the previous hash enters as 32 raw bytes, not as its 64 hex characters.
    const second = { ...event, seq: 2, id: '00000000-0000-4000-8000-000000000002', data: null };
    const eventHash2 = sha256(Buffer.from(canonicalize(second), 'utf8'));
    expect(chainHashOf(hash1, eventHash2)).toBe(sha256(Buffer.from(hash1, 'hex'), Buffer.from(eventHash2, 'hex')));
    expect(chainHashOf(hash1, eventHash2)).not.toBe(
      createHash('sha256')
        .update(hash1 + eventHash2)
        .digest('hex'),
    );
  });

  it('kid = first 16 hex characters of SHA-256 of the raw 32-byte public key', () => {
    expect(kidOf(rfcPublicB64)).toBe(sha256(Buffer.from(RFC8032_PUBLIC, 'hex')).slice(0, 16));
  });

  it('signs with Ed25519 as RFC 8032 specifies (TEST 1)', () => {
    const key = privateKeyFromPkcs8(rfcPkcs8);
    expect(Buffer.from(createPublicKey(key).export({ format: 'jwk' }).x as string, 'base64url').toString('hex')).toBe(RFC8032_PUBLIC);
    expect(Buffer.from(signEd25519(key, ''), 'base64url').toString('hex')).toBe(RFC8032_EMPTY_SIG);
  });

  it('a checkpoint is the JCS object { v, chain, seq, hash, issuedAt, kid } signed over its canonical bytes', () => {
    const eventHash = sha256(Buffer.from(EVENT_JCS, 'utf8'));
    const hash1 = sha256(Buffer.alloc(32), Buffer.from(eventHash, 'hex'));
    const kid = kidOf(rfcPublicB64);
    const checkpoint = buildCheckpoint({ chain: 'platform', seq: 1, hash: hash1, issuedAt: new Date('2026-01-02T03:04:06Z'), kid });
    const bytes = `{"chain":"platform","hash":"${hash1}","issuedAt":"2026-01-02T03:04:06.000Z","kid":"${kid}","seq":1,"v":1}`;
    expect(checkpointBytes(checkpoint)).toBe(bytes);

    const rawPrivate = createPrivateKey({ key: rfcPkcs8, format: 'der', type: 'pkcs8' });
    const expectedSignature = sign(null, Buffer.from(bytes, 'utf8'), rawPrivate).toString('base64url');
    const signed = signCheckpoint(checkpoint, (m) => signEd25519(privateKeyFromPkcs8(rfcPkcs8), m));
    expect(signed.signature).toBe(expectedSignature);
    expect(
      verify(null, Buffer.from(bytes), createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: rfcPublicB64 }, format: 'jwk' }), Buffer.from(signed.signature, 'base64url')),
    ).toBe(true);
    expect(verifyCheckpointSignature(signed, rfcPublicB64)).toBe(true);
    // The export record carries `type` and `signature` beside the fields: they are not signed.
    expect(checkpointBytes({ ...signed, type: 'checkpoint' } as typeof signed)).toBe(bytes);
    expect(verifyCheckpointSignature({ ...signed, seq: 2 }, rfcPublicB64)).toBe(false);
    expect(verifyCheckpointSignature({ ...signed, issuedAt: '2026-01-02T03:04:07.000Z' }, rfcPublicB64)).toBe(false);
  });

  it('rejects a signature that differs only in the unused bits of its last base64url character', () => {
    const checkpoint = buildCheckpoint({ chain: 'platform', seq: 0, hash: ZERO_HASH, issuedAt: '2026-01-02T03:04:06.000Z', kid: kidOf(rfcPublicB64) });
    const signed = signCheckpoint(checkpoint, (m) => signEd25519(privateKeyFromPkcs8(rfcPkcs8), m));
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(signed.signature.at(-1) as string);
    const sameBytes = `${signed.signature.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(sameBytes, 'base64url').equals(Buffer.from(signed.signature, 'base64url'))).toBe(true);
    expect(verifyCheckpointSignature({ ...signed, signature: sameBytes }, rfcPublicB64)).toBe(false);
  });
});

describe('export records', () => {
  it('serialises an event line in one pass exactly as the generic JCS serialiser does', () => {
    const hash = chainHashOf(ZERO_HASH, eventHashOf(event));
    const fast = serializeEventRecord(event, hash);
    expect(fast.line).toBe(serializeRecord({ type: 'event', event, hash }));
    expect(fast.line).toBe(`{"event":${EVENT_JCS},"hash":"${hash}","type":"event"}\n`);
    expect(fast.eventHash).toBe(eventHashOf(event));
  });

  it('writes only the criteria given into the header, times as RFC 3339 UTC', () => {
    expect(normaliseFilter({})).toBeNull();
    expect(normaliseFilter(undefined)).toBeNull();
    expect(normaliseFilter({ action: 'tenant.created', q: undefined })).toEqual({ action: 'tenant.created' });
    expect(normaliseFilter({ from: '2026-01-02T00:00:00+01:00' })).toEqual({ from: '2026-01-01T23:00:00.000Z' });
  });
});

// canonicalEventParts writes the fixed event shape field by field (lib/audit/chain.ts); it must give
// exactly what the canonicalize library gives, for any event, and refuse what canonicalize refuses.
describe('the fixed-shape event serialiser', () => {
  // Any text, including lone surrogates, escapes, control characters and astral characters.
  const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.constantFrom('', '"', '\\', '\u2028', '\ud800', '\udc00x', 'é€😀', '\u0007'));
  const nullableText = fc.option(text, { nil: null });
  const canonicalEvent: fc.Arbitrary<CanonicalEvent> = fc.record({
    v: fc.constant(1 as const),
    chain: text,
    seq: fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom(1, 1000, 2 ** 40)),
    id: fc.oneof(fc.uuid(), text),
    occurredAt: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      text,
    ),
    actor: fc.record({ type: text, id: nullableText, label: nullableText }),
    action: text,
    target: fc.record({ type: nullableText, id: nullableText }),
    tenantId: nullableText,
    ip: nullableText,
    userAgent: nullableText,
    requestId: nullableText,
    data: fc.oneof(fc.constant(null), fc.jsonValue(), fc.object()),
  });
  // Off the fixed shape: a key missing, an extra key, a value of another type, an undefined value.
  const offShape = fc.tuple(canonicalEvent, fc.constantFrom('drop', 'extra', 'number', 'undefined', 'actorExtra', 'targetNumber', 'seqFraction')).map(([e, how]) => {
    const event = { ...e, actor: { ...e.actor }, target: { ...e.target } } as Record<string, unknown> & { actor: Record<string, unknown>; target: Record<string, unknown> };
    if (how === 'drop') delete event.ip;
    if (how === 'extra') event.zzz = 'extra';
    if (how === 'number') event.requestId = 42;
    if (how === 'undefined') event.userAgent = undefined;
    if (how === 'actorExtra') event.actor.email = 'a@b.example';
    if (how === 'targetNumber') event.target.id = 7;
    if (how === 'seqFraction') event.seq = 1.5;
    return event as unknown as CanonicalEvent;
  });
  // Refused alike (which of two faults is named first may differ).
  const outcome = (f: () => unknown): { ok: unknown } | { refused: true } => {
    try {
      return { ok: f() };
    } catch {
      return { refused: true };
    }
  };

  it('is byte-identical to canonicalize, on the fixed shape and off it, and fails where it fails', () => {
    fc.assert(
      fc.property(fc.oneof(canonicalEvent, offShape), (e) => {
        const expected = outcome(() => ({ json: canonicalize(e), dataJson: canonicalize(e.data ?? null) }));
        expect(outcome(() => canonicalEventParts(e))).toEqual(expected);
        // With JCS(data) handed in, as the ingest does.
        if ('ok' in expected && e.data !== undefined) {
          expect(canonicalEventParts({ ...e, data: null }, canonicalize(e.data))).toEqual(expected.ok);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('canonicalData', () => {
  const outcome = (f: () => string): string => {
    try {
      return f();
    } catch {
      return 'refused';
    }
  };
  class Point {
    constructor(readonly x: number) {}
  }
  const odd = fc.constantFrom<unknown>(
    undefined,
    -0,
    NaN,
    Infinity,
    10n,
    new Date(0),
    new Point(1),
    { toJSON: () => 'x' },
    { toJSON: 1 },
    // eslint-disable-next-line no-sparse-arrays -- a hole is the input under test (JSON writes it as null)
    [1, , 3],
    '\u0000',
    'a\ud800',
    { '\ud800': 1 },
    { a: undefined },
    [undefined],
    () => 1,
    Symbol('s'),
    JSON.parse('{"__proto__":{"a":1}}'),
  );
  const value = fc.letrec((tie) => ({
    any: fc.oneof({ depthSize: 'small' }, fc.jsonValue(), odd, fc.array(tie('any'), { maxLength: 4 }), fc.dictionary(fc.string({ unit: 'binary' }), tie('any'), { maxKeys: 4 })),
  })).any;

  it('canonicalJson is canonicalize for any value, and fails where it fails', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(outcome(() => canonicalJson(v))).toBe(outcome(() => canonicalize(v)));
      }),
      { numRuns: 5000 },
    );
  });

  it('is canonicalize(normaliseData(data)) for any value, and fails where it fails', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(outcome(() => canonicalData(v))).toBe(outcome(() => canonicalize(normaliseData(v))));
      }),
      { numRuns: 5000 },
    );
    const deep: unknown[] = [];
    let at = deep;
    for (let i = 0; i < 150; i++) at = at[0] = [];
    expect(canonicalData(deep)).toBe(canonicalize(deep));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalData(cyclic)).toThrow();
  });
});
