// Offline verifier of Charter entitlement bundles (README "Entitlement bundles").
//
// Self-contained on purpose: it imports only node:crypto, so a deployment agent can copy this one
// file (or its compiled JavaScript) and verify its bundle with the vendor's public key alone — no
// Charter, no database, no network. It never tells a deployment to stop: an expired bundle is
// reported as `grace` for its grace period and then as `expired`, and what to do about that is the
// deployment operator's decision (Charter has no kill switch).
//
//   import { verifyBundle } from './verify';
//   const verdict = verifyBundle(fs.readFileSync('bundle.json', 'utf8'), { keys: ['<publicKey b64url>'] });
//   // verdict.status: 'valid' | 'grace' | 'expired' | 'not_yet_valid' | 'bad_signature' | 'unknown_key'
//   // verdict.reason: one sentence for a person
//
// Bundle: { "v": 1, "alg": "Ed25519", "kid", "payload": {…}, "signature" }, the signature being
// Ed25519 over the UTF-8 bytes of the RFC 8785 (JCS) canonical JSON of `payload`, base64url without
// padding. A key is the raw 32-byte Ed25519 public key in base64url; its kid is the first 16 hex
// characters of SHA-256 of those 32 bytes.

import { createHash, createPublicKey, verify } from 'node:crypto';

export type BundleStatus = 'valid' | 'grace' | 'expired' | 'not_yet_valid' | 'bad_signature' | 'unknown_key';

export type BundlePayload = {
  tenant: { id: string; name: string; lei: string | null };
  contract: { id: string; reference: string; version: number; validFrom: string; validUntil: string; graceDays: number };
  deployments: { id: string; name: string; country: string }[];
  models: { family: string; version: string; digest: string }[];
  limits: Record<string, unknown>;
  allowedCountries: string[];
  issuedAt: string;
  notBefore: string;
};

export type Bundle = { v: 1; alg: 'Ed25519'; kid: string; payload: BundlePayload; signature: string };

export type BundleVerdict = {
  status: BundleStatus;
  reason: string;
  kid: string | null;
  /** Present once the signature has verified: the payload can be trusted. */
  payload?: BundlePayload;
  /** End of validity and of the grace period (RFC 3339), once the signature has verified. */
  validUntil?: string;
  graceUntil?: string;
};

/** A pinned public key: raw base64url, or with its kid (which is then checked against the key). */
export type PinnedKey = string | { kid?: string; publicKey: string };

const DAY_MS = 86_400_000;

/** RFC 8785 canonical JSON for the JSON types a bundle holds (ECMAScript number and string forms). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('JCS cannot encode a non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    // Default sort compares UTF-16 code units, as RFC 8785 requires.
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  throw new TypeError(`JCS cannot encode a ${typeof value}`);
}

/** kid = first 16 lowercase hex characters of SHA-256 of the raw 32-byte public key. */
export function kidOfPublicKey(publicKeyB64url: string): string {
  return createHash('sha256').update(Buffer.from(publicKeyB64url, 'base64url')).digest('hex').slice(0, 16);
}

const B64URL = /^[A-Za-z0-9_-]+$/;

function isRawKey(publicKey: string): boolean {
  return B64URL.test(publicKey) && Buffer.from(publicKey, 'base64url').length === 32 && Buffer.from(publicKey, 'base64url').toString('base64url') === publicKey;
}

function verifySignature(publicKey: string, message: string, signature: string): boolean {
  try {
    const sig = Buffer.from(signature, 'base64url');
    if (!B64URL.test(signature) || sig.length !== 64 || sig.toString('base64url') !== signature) return false;
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
    return verify(null, Buffer.from(message, 'utf8'), key, sig);
  } catch {
    return false;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function parseTime(value: unknown): number | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}

/** The payload fields the verdict depends on; anything else malformed is a bad bundle. */
function checkPayload(payload: unknown): string | null {
  if (!isObject(payload)) return 'the payload is not an object';
  const c = payload.contract;
  if (!isObject(c)) return 'the payload has no contract';
  if (parseTime(c.validUntil) === null) return 'contract.validUntil is not an RFC 3339 timestamp';
  if (parseTime(payload.notBefore) === null) return 'notBefore is not an RFC 3339 timestamp';
  if (typeof c.graceDays !== 'number' || !Number.isInteger(c.graceDays) || c.graceDays < 0) return 'contract.graceDays is not a whole number of days';
  if (!Array.isArray(payload.deployments) || !Array.isArray(payload.models)) return 'the payload lacks deployments or models';
  return null;
}

/**
 * Verifies a bundle (its JSON text or the parsed object) against pinned public keys, at `at`
 * (default: now). Never throws for a bad bundle: every problem is a verdict with a reason.
 */
export function verifyBundle(input: unknown, options: { keys: readonly PinnedKey[]; at?: Date }): BundleVerdict {
  let bundle: unknown = input;
  if (typeof input === 'string') {
    try {
      bundle = JSON.parse(input) as unknown;
    } catch {
      return { status: 'bad_signature', reason: 'The file is not JSON, so it cannot be a signed bundle.', kid: null };
    }
  }
  if (!isObject(bundle)) return { status: 'bad_signature', reason: 'The bundle is not a JSON object.', kid: null };
  const kid = typeof bundle.kid === 'string' ? bundle.kid : null;
  if (bundle.v !== 1) return { status: 'bad_signature', reason: `Unsupported bundle version ${JSON.stringify(bundle.v)} (this verifier reads version 1).`, kid };
  if (bundle.alg !== 'Ed25519') return { status: 'bad_signature', reason: `Unsupported signature algorithm ${JSON.stringify(bundle.alg)}.`, kid };
  if (!kid || typeof bundle.signature !== 'string' || !('payload' in bundle)) return { status: 'bad_signature', reason: 'The bundle lacks its kid, payload or signature.', kid };

  // Only keys whose kid is their fingerprint count: a key listed under another kid is ignored.
  const pinned = options.keys
    .map((k) => (typeof k === 'string' ? { publicKey: k.trim() } : { kid: k.kid, publicKey: k.publicKey.trim() }))
    .filter((k) => isRawKey(k.publicKey) && (k.kid === undefined || k.kid === kidOfPublicKey(k.publicKey)));
  const key = pinned.find((k) => kidOfPublicKey(k.publicKey) === kid);
  if (!key) {
    const known = pinned.map((k) => kidOfPublicKey(k.publicKey));
    return {
      status: 'unknown_key',
      reason: `The bundle is signed with key ${kid}, which is not among the pinned keys${known.length ? ` (${known.join(', ')})` : ' (none given)'}; obtain the vendor's public key out of band.`,
      kid,
    };
  }

  let message: string;
  try {
    message = canonicalJson(bundle.payload);
  } catch {
    return { status: 'bad_signature', reason: 'The payload cannot be canonicalised (RFC 8785).', kid };
  }
  if (!verifySignature(key.publicKey, message, bundle.signature)) {
    return { status: 'bad_signature', reason: `The signature does not match the payload under key ${kid}: the bundle was altered or not issued by this key.`, kid };
  }
  const problem = checkPayload(bundle.payload);
  if (problem) return { status: 'bad_signature', reason: `The signed payload is malformed: ${problem}.`, kid };

  const payload = bundle.payload as BundlePayload;
  const at = (options.at ?? new Date()).getTime();
  const notBefore = parseTime(payload.notBefore) as number;
  const validUntil = parseTime(payload.contract.validUntil) as number;
  const graceUntil = validUntil + payload.contract.graceDays * DAY_MS;
  const times = { validUntil: new Date(validUntil).toISOString(), graceUntil: new Date(graceUntil).toISOString() };
  const what = `contract ${payload.contract.reference} version ${payload.contract.version}`;
  if (at < notBefore) return { status: 'not_yet_valid', reason: `The entitlement of ${what} starts at ${new Date(notBefore).toISOString()}.`, kid, payload, ...times };
  if (at <= validUntil) return { status: 'valid', reason: `Signed by key ${kid}; ${what} is valid until ${times.validUntil}.`, kid, payload, ...times };
  if (at <= graceUntil) {
    return {
      status: 'grace',
      reason: `${what} ended at ${times.validUntil}; its grace period of ${payload.contract.graceDays} days runs until ${times.graceUntil}. Import a renewed bundle.`,
      kid,
      payload,
      ...times,
    };
  }
  return { status: 'expired', reason: `${what} ended at ${times.validUntil} and its grace period at ${times.graceUntil}. Import a renewed bundle.`, kid, payload, ...times };
}
