import { canonicalize } from '@/lib/core/crypto/jcs';
import { verifyEd25519 } from '@/lib/core/crypto/ed25519';
import { formatTimestamp } from './chain';

// README "Audit events and chains": a checkpoint seals a chain head. It is the JCS object
// { v, chain, seq, hash, issuedAt, kid }, signed with Ed25519 over its canonical bytes. This module
// is pure (no database), shared by the exporter, the offline verifier and the tests.

export type Checkpoint = { v: 1; chain: string; seq: number; hash: string; issuedAt: string; kid: string };
export type SignedCheckpoint = Checkpoint & { signature: string };

export function buildCheckpoint(input: { chain: string; seq: number; hash: string; issuedAt: Date | string; kid: string }): Checkpoint {
  return {
    v: 1,
    chain: input.chain,
    seq: input.seq,
    hash: input.hash,
    issuedAt: typeof input.issuedAt === 'string' ? input.issuedAt : formatTimestamp(input.issuedAt),
    kid: input.kid,
  };
}

/**
 * The signed bytes. Only the six checkpoint fields are taken, so a checkpoint carried inside an
 * export record (with `type` and `signature` next to them) yields exactly the same bytes.
 */
export function checkpointBytes(checkpoint: Checkpoint): string {
  const { v, chain, seq, hash, issuedAt, kid } = checkpoint;
  return canonicalize({ v, chain, seq, hash, issuedAt, kid });
}

export function signCheckpoint(checkpoint: Checkpoint, sign: (message: string) => string): SignedCheckpoint {
  return { ...checkpoint, signature: sign(checkpointBytes(checkpoint)) };
}

/** True when `signature` is a valid Ed25519 signature of the checkpoint under `publicKey` (raw, base64url). */
export function verifyCheckpointSignature(checkpoint: SignedCheckpoint, publicKey: string): boolean {
  return verifyEd25519(publicKey, checkpointBytes(checkpoint), checkpoint.signature);
}
