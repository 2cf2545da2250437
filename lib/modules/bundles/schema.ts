import { z } from 'zod';
import { pageOf, timestamp } from '@/lib/core/schema';

// Entitlement bundles (README "Entitlement bundles"): the signed document an air-gapped
// deployment needs from Charter. The verifier (lib/modules/bundles/verify.ts) depends on nothing here.

export const bundleParams = z.object({ id: z.uuid('must be a deployment id (UUID)') });

export const bundleQuery = z.object({
  download: z
    .union([z.boolean(), z.stringbool()])
    .default(false)
    .meta({ description: 'true: answer with Content-Disposition: attachment (a file to carry to an air-gapped site).' }),
});

export const BundlePayload = z
  .object({
    tenant: z.object({ id: z.uuid(), name: z.string(), lei: z.string().nullable() }),
    contract: z.object({
      id: z.uuid(),
      reference: z.string(),
      version: z.number().int(),
      validFrom: timestamp,
      validUntil: timestamp,
      graceDays: z.number().int().meta({ description: 'Days after validUntil during which the bundle verifies as `grace`; never a shutdown.' }),
    }),
    deployments: z.array(z.object({ id: z.uuid(), name: z.string(), country: z.string() })),
    models: z.array(z.object({ family: z.string(), version: z.string(), digest: z.string().meta({ description: 'Weights digest, sha256:<64 hex>.' }) })),
    limits: z.record(z.string(), z.unknown()).meta({
      description: 'Per entitlement, keyed by the model family slug or `family@version`: `{ "maxDeployments": n, …other limits }`.',
    }),
    allowedCountries: z.array(z.string()).meta({ description: "The contract's data-processing countries (ISO 3166-1 alpha-2)." }),
    issuedAt: timestamp,
    notBefore: timestamp,
  })
  .meta({ id: 'BundlePayload' });
export type BundlePayloadDto = z.infer<typeof BundlePayload>;

export const Bundle = z
  .object({
    v: z.literal(1),
    alg: z.literal('Ed25519'),
    kid: z.string().meta({ description: 'First 16 hex characters of SHA-256 of the signing public key (see GET /api/v1/keys).' }),
    payload: BundlePayload,
    signature: z.string().meta({ description: 'Ed25519 over the RFC 8785 (JCS) bytes of `payload`, base64url without padding.' }),
  })
  .meta({ id: 'EntitlementBundle' });
export type BundleDto = z.infer<typeof Bundle>;

export const BundleRecord = z
  .object({
    id: z.uuid(),
    deploymentId: z.uuid(),
    deploymentName: z.string(),
    contractId: z.uuid(),
    contractReference: z.string(),
    contractVersion: z.number().int(),
    kid: z.string(),
    payloadHash: z.string().meta({ description: 'SHA-256 of the JCS bytes of the payload.' }),
    issuedAt: timestamp,
    issuedBy: z.string(),
  })
  .meta({ id: 'BundleRecord' });
export type BundleRecordDto = z.infer<typeof BundleRecord>;
export const BundleRecordPage = pageOf(BundleRecord);
