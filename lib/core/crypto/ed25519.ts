import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { sha256Hex } from './hash';

// README "Formats": publicKey is the raw 32-byte Ed25519 key, base64url without padding; its kid
// is the first 16 hex characters of SHA-256 of those 32 bytes, so a kid is also a fingerprint.

export type GeneratedKeyPair = { kid: string; publicKey: string; privateKeyPkcs8: Buffer };

export function kidOf(publicKeyB64url: string): string {
  return sha256Hex(Buffer.from(publicKeyB64url, 'base64url')).slice(0, 16);
}

export function generateSigningKeyPair(): GeneratedKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  if (!jwk.x) throw new Error('Ed25519 public key export failed');
  return {
    kid: kidOf(jwk.x),
    publicKey: jwk.x,
    privateKeyPkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }),
  };
}

export function privateKeyFromPkcs8(der: Buffer): KeyObject {
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

export function publicKeyFromRaw(publicKeyB64url: string): KeyObject {
  const raw = Buffer.from(publicKeyB64url, 'base64url');
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKeyB64url }, format: 'jwk' });
}

/** Ed25519 signature over `message`, base64url without padding. */
export function signEd25519(privateKey: KeyObject, message: string | Uint8Array): string {
  const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  return sign(null, bytes, privateKey).toString('base64url');
}

export function verifyEd25519(publicKeyB64url: string, message: string | Uint8Array, signatureB64url: string): boolean {
  try {
    const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
    const sig = Buffer.from(signatureB64url, 'base64url');
    if (sig.length !== 64 || sig.toString('base64url') !== signatureB64url) return false;
    return verify(null, bytes, publicKeyFromRaw(publicKeyB64url), sig);
  } catch {
    return false;
  }
}
