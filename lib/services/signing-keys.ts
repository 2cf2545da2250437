import { db, transaction, type Tx } from '@/lib/db';
import { getEnv } from '@/lib/env';
import { record, type AuditContext } from '@/lib/audit/record';
import { generateSigningKeyPair, privateKeyFromPkcs8, signEd25519 } from '@/lib/crypto/ed25519';
import { open, seal } from '@/lib/crypto/secret-box';
import type { KeyObject } from 'node:crypto';

export type PublicSigningKey = { kid: string; alg: 'Ed25519'; publicKey: string; status: 'ACTIVE' | 'RETIRED'; createdAt: string };

function encryptionKey(): Buffer {
  return Buffer.from(getEnv().CHARTER_ENCRYPTION_KEY, 'base64');
}

async function createKey(tx: Tx, ctx: AuditContext): Promise<string> {
  const pair = generateSigningKeyPair();
  await tx.signingKey.create({
    data: {
      kid: pair.kid,
      publicKey: pair.publicKey,
      // Bound to its kid, so a sealed private key cannot be swapped onto another key's row.
      privateKeyEnc: seal(encryptionKey(), pair.privateKeyPkcs8, `signing-key:${pair.kid}`),
    },
  });
  await record(tx, ctx, {
    action: 'signing_key.created',
    tenantId: null,
    target: { type: 'signing_key', id: pair.kid },
    data: { kid: pair.kid, publicKey: pair.publicKey },
  });
  return pair.kid;
}

/** Creates the first signing key if there is none (first start). Idempotent under concurrency. */
export async function ensureSigningKey(ctx: AuditContext): Promise<string> {
  return transaction(async (tx) => {
    // Serialise first-start across several app instances.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('charter:signing-key'))`;
    const active = await tx.signingKey.findFirst({ where: { status: 'ACTIVE' }, orderBy: { createdAt: 'desc' } });
    return active ? active.kid : createKey(tx, ctx);
  });
}

/** The active key, decrypted, for signing checkpoints and bundles. */
export async function getActiveSigner(): Promise<{ kid: string; publicKey: string; sign: (message: string) => string }> {
  const key = await db.signingKey.findFirst({ where: { status: 'ACTIVE' }, orderBy: { createdAt: 'desc' } });
  if (!key) throw new Error('no active signing key: run `npx charter start` or `npx charter signing-key rotate` first');
  const privateKey: KeyObject = privateKeyFromPkcs8(open(encryptionKey(), key.privateKeyEnc, `signing-key:${key.kid}`));
  return { kid: key.kid, publicKey: key.publicKey, sign: (message) => signEd25519(privateKey, message) };
}

/** All keys, active and retired: retired keys still verify old checkpoints and bundles. */
export async function listPublicKeys(): Promise<PublicSigningKey[]> {
  const keys = await db.signingKey.findMany({ orderBy: { createdAt: 'asc' } });
  return keys.map((k) => ({ kid: k.kid, alg: 'Ed25519', publicKey: k.publicKey, status: k.status, createdAt: k.createdAt.toISOString() }));
}
