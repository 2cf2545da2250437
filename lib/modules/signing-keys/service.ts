import { db, transaction, type Tx } from '@/lib/core/db';
import { record, type AuditContext } from '@/lib/audit/record';
import { signingKeyAad, signingKeyEncryptionKey } from '@/lib/audit/signer';
import { generateSigningKeyPair } from '@/lib/core/crypto/ed25519';
import { seal } from '@/lib/core/crypto/secret-box';

export type PublicSigningKey = { kid: string; alg: 'Ed25519'; publicKey: string; status: 'ACTIVE' | 'RETIRED'; createdAt: string };

// Creating, rotating and publishing the signing keys. The active key is opened for signing by the
// audit core (lib/audit/signer.ts getActiveSigner), which appending an event needs for checkpoints.

async function createKey(tx: Tx, ctx: AuditContext): Promise<string> {
  const pair = generateSigningKeyPair();
  await tx.signingKey.create({
    data: {
      kid: pair.kid,
      publicKey: pair.publicKey,
      // Bound to its kid, so a sealed private key cannot be swapped onto another key's row.
      privateKeyEnc: seal(signingKeyEncryptionKey(), pair.privateKeyPkcs8, signingKeyAad(pair.kid)),
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

/** All keys, active and retired: retired keys still verify old checkpoints and bundles. */
export async function listPublicKeys(): Promise<PublicSigningKey[]> {
  const keys = await db.signingKey.findMany({ orderBy: { createdAt: 'asc' } });
  return keys.map((k) => ({ kid: k.kid, alg: 'Ed25519', publicKey: k.publicKey, status: k.status, createdAt: k.createdAt.toISOString() }));
}

export type RotatedSigningKey = { kid: string; publicKey: string; retired: string[] };

/**
 * Rotation with overlap: a new key becomes the one that signs, the previous active keys are retired
 * but stay published (listPublicKeys, /api/v1/keys), so every bundle and checkpoint they signed keeps
 * verifying. Runs in the caller's transaction when given one (the approved four-eyes request).
 */
export async function rotateSigningKey(ctx: AuditContext, tx?: Tx): Promise<RotatedSigningKey> {
  const run = async (t: Tx): Promise<RotatedSigningKey> => {
    await t.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('charter:signing-key'))`;
    const previous = await t.signingKey.findMany({ where: { status: 'ACTIVE' }, select: { kid: true } });
    await t.signingKey.updateMany({ where: { status: 'ACTIVE' }, data: { status: 'RETIRED', retiredAt: new Date() } });
    const kid = await createKey(t, ctx);
    const created = await t.signingKey.findUniqueOrThrow({ where: { kid }, select: { publicKey: true } });
    const retired = previous.map((k) => k.kid);
    await record(t, ctx, {
      action: 'signing_key.rotated',
      tenantId: null,
      target: { type: 'signing_key', id: kid },
      data: { from: retired, to: kid, publicKey: created.publicKey },
    });
    return { kid, publicKey: created.publicKey, retired };
  };
  return tx ? run(tx) : transaction(run);
}
