import { publicRoute } from '@/lib/http/route';
import { PublicKeyList } from '@/lib/modules/signing-keys/schema';
import { listPublicKeys } from '@/lib/modules/signing-keys/service';

export const GET = publicRoute(
  {
    response: PublicKeyList,
    summary: 'Published signing keys (Ed25519), for pinning out of band',
    description:
      'Every key that signs audit checkpoints and entitlement bundles, retired ones included (they keep verifying what they signed). `kid` is the first 16 hex characters of SHA-256 of the raw 32-byte key, so it doubles as a fingerprint. Save this document and pass it to `npx charter audit verify FILE --keys keys.json`.',
    tags: ['Audit'],
    operationId: 'listPublicKeys',
  },
  async () => ({ keys: await listPublicKeys() }),
);
