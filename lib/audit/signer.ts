import type { KeyObject } from 'node:crypto';
import { db, type Tx } from '@/lib/core/db';
import { getEnv } from '@/lib/core/env';
import { privateKeyFromPkcs8, signEd25519 } from '@/lib/core/crypto/ed25519';
import { open } from '@/lib/core/crypto/secret-box';

// The key that signs checkpoints (and bundles), read from signing_keys. It belongs to the audit
// core so that appending an event can seal the chain head when a checkpoint is due without
// reaching up into the services; creating, rotating and publishing keys is the signing-keys
// service's job, which seals private keys the same way.

/** Signs checkpoints and bundles: the active signing key. */
export type CheckpointSigner = { kid: string; sign: (message: string) => string };

/** The key that seals the private signing keys at rest (CHARTER_ENCRYPTION_KEY). */
export function signingKeyEncryptionKey(): Buffer {
  return Buffer.from(getEnv().CHARTER_ENCRYPTION_KEY, 'base64');
}

/** The associated data a private key is sealed with: binds it to its kid, so it cannot be swapped onto another key's row. */
export function signingKeyAad(kid: string): string {
  return `signing-key:${kid}`;
}

// Opened private keys by kid and sealed text: the deployment ingest signs a checkpoint per batch, and
// decrypting and parsing the key each time cost about a millisecond. The row is still read each time,
// so a rotation takes effect at once.
const openedKeys = new Map<string, KeyObject>();

function openedKey(kid: string, sealed: string): KeyObject {
  const cacheKey = `${kid}|${sealed}`;
  let key = openedKeys.get(cacheKey);
  if (!key) {
    key = privateKeyFromPkcs8(open(signingKeyEncryptionKey(), sealed, signingKeyAad(kid)));
    openedKeys.set(cacheKey, key);
  }
  return key;
}

/**
 * The active key, decrypted, for signing checkpoints and bundles. Inside a transaction pass its `tx`
 * (a query on another pooled connection while holding a chain lock could deadlock the pool).
 */
export async function getActiveSigner(client: Tx | typeof db = db): Promise<CheckpointSigner & { publicKey: string }> {
  const key = await client.signingKey.findFirst({ where: { status: 'ACTIVE' }, orderBy: { createdAt: 'desc' } });
  if (!key) throw new Error('no active signing key: run `npx charter start` or `npx charter signing-key rotate` first');
  const privateKey = openedKey(key.kid, key.privateKeyEnc);
  return { kid: key.kid, publicKey: key.publicKey, sign: (message) => signEd25519(privateKey, message) };
}
