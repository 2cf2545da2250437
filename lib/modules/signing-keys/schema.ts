import { z } from 'zod';
import { timestamp } from '@/lib/core/schema';

// The published signing keys (GET /api/v1/keys, the Signing keys page): what an auditor pins.

export const PublicKey = z
  .object({
    kid: z.string().meta({ description: 'First 16 hex characters of SHA-256 of the raw key: its fingerprint.', example: '3f9a1c0d5e7b2a64' }),
    alg: z.literal('Ed25519'),
    publicKey: z.string().meta({ description: 'The raw 32-byte Ed25519 public key, base64url without padding.' }),
    status: z.enum(['ACTIVE', 'RETIRED']).meta({ description: 'ACTIVE signs new checkpoints and bundles; RETIRED keys still verify what they signed.' }),
    createdAt: timestamp,
  })
  .meta({ id: 'PublicKey' });

export const PublicKeyList = z.object({ keys: z.array(PublicKey) }).meta({ id: 'PublicKeyList' });
