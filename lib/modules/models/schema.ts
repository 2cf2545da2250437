import { z } from 'zod';
import { ModelVersionStatus } from '@/lib/generated/prisma/enums';
import { countryCode, pageOf, pageQuery, required, slug, timestamp } from '@/lib/core/schema';

// The model catalogue (README "Model catalogue, deployments and rollouts"): platform-wide, not tenant data.

/** `sha256:` and 64 lowercase hex digits: weights and technical-documentation digests. */
export const sha256Digest = z
  .string(required)
  .trim()
  .toLowerCase()
  .regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256: followed by 64 lowercase hex digits')
  .meta({ example: `sha256:${'0'.repeat(64)}` });

export const modelVersionParams = z.object({ id: z.uuid('must be a model version id (UUID)') });

export const listModelFamiliesQuery = pageQuery.extend({
  q: z.string().trim().max(100).optional().meta({ description: 'Case-insensitive search in the slug and name.' }),
});
export type ListModelFamiliesQuery = z.infer<typeof listModelFamiliesQuery>;

export const listModelVersionsQuery = pageQuery.extend({
  family: z.string().trim().min(1).max(64).optional().meta({ description: 'Family slug or id.' }),
  status: z.enum(ModelVersionStatus).optional(),
});
export type ListModelVersionsQuery = z.infer<typeof listModelVersionsQuery>;

export const ModelVersion = z
  .object({
    id: z.uuid(),
    familyId: z.uuid(),
    family: z.string().meta({ description: 'Family slug' }),
    familyName: z.string(),
    version: z.string(),
    weightsDigest: z.string(),
    parameterCount: z.number().int(),
    contextLength: z.number().int(),
    licence: z.string(),
    releaseNotes: z.string().nullable().meta({ description: 'Markdown; render it as untrusted input.' }),
    techDocDigest: z.string().nullable().meta({ description: 'Digest of the EU AI Act Annex XI technical documentation.' }),
    exportRestrictions: z.array(z.string()).meta({ description: 'Countries (ISO 3166-1 alpha-2) the version must not be exported to.' }),
    status: z.enum(ModelVersionStatus),
    releasedAt: timestamp.nullable(),
    deprecatedAt: timestamp.nullable(),
    endOfLifeAt: timestamp.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'ModelVersion' });
export type ModelVersionDto = z.infer<typeof ModelVersion>;

export const ModelVersionSummary = ModelVersion.pick({
  id: true,
  version: true,
  status: true,
  releasedAt: true,
  deprecatedAt: true,
  endOfLifeAt: true,
}).meta({ id: 'ModelVersionSummary' });
export type ModelVersionSummaryDto = z.infer<typeof ModelVersionSummary>;

export const ModelFamily = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    modality: z.string().nullable(),
    createdAt: timestamp,
    versions: z.array(ModelVersionSummary).meta({ description: 'Newest first.' }),
  })
  .meta({ id: 'ModelFamily' });
export type ModelFamilyDto = z.infer<typeof ModelFamily>;

export const ModelFamilyPage = pageOf(ModelFamily).meta({ id: 'ModelFamilyPage' });
export const ModelVersionPage = pageOf(ModelVersion).meta({ id: 'ModelVersionPage' });

// ───────────────────────────── catalogue changes (platform administrators) ─────────────────────────────

/** The lifecycle: a version only moves forward (README "Model catalogue, deployments and rollouts"). */
export const VERSION_TRANSITIONS: Record<ModelVersionStatus, readonly ModelVersionStatus[]> = {
  DRAFT: ['RELEASED'],
  RELEASED: ['DEPRECATED'],
  DEPRECATED: ['RETIRED'],
  RETIRED: [],
};

export const modelFamilyRef = z.string(required).trim().min(1, 'is required').max(64).meta({ description: 'Family slug or id.', example: 'aurora' });

export const createModelFamilyInput = z
  .object({
    slug: slug.meta({ description: 'Permanent handle, e.g. in heartbeats (`family`) and bundles.', example: 'aurora' }),
    name: z.string(required).trim().min(2, 'must be at least 2 characters').max(100),
    description: z.string().trim().max(1000).optional(),
    modality: z.string().trim().max(50).optional().meta({ example: 'text' }),
  })
  .meta({ id: 'CreateModelFamilyInput' });
export type CreateModelFamilyInput = z.infer<typeof createModelFamilyInput>;

const versionString = z
  .string(required)
  .trim()
  .min(1, 'is required')
  .max(64)
  .regex(/^[0-9A-Za-z]+(?:[.+-][0-9A-Za-z]+)*$/, 'use letters and digits separated by dots, hyphens or plus signs, e.g. 4.2.0 or 4.2.0-rc.1')
  .meta({ example: '4.2.0' });

const countryList = z
  .array(countryCode)
  .max(250)
  .transform((cs) => [...new Set(cs)].sort());

/** Markdown, stored as written and rendered as untrusted input (no raw HTML, no images). */
const releaseNotes = z.string().max(20_000, 'must be at most 20,000 characters');

export const createModelVersionInput = z
  .object({
    family: modelFamilyRef,
    version: versionString,
    weightsDigest: sha256Digest.meta({ description: 'SHA-256 of the weights: `sha256:` and 64 hex digits.' }),
    parameterCount: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive('must be positive').max(1e14),
    contextLength: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive('must be positive').max(1e9),
    licence: z.string(required).trim().min(2, 'must be at least 2 characters').max(200),
    releaseNotes: releaseNotes.optional(),
    techDocDigest: sha256Digest.optional().meta({ description: 'Digest of the EU AI Act Annex XI technical documentation; required before release.' }),
    exportRestrictions: countryList.default([]).meta({ description: 'Countries the version must not be deployed in.' }),
  })
  .meta({ id: 'CreateModelVersionInput' });
export type CreateModelVersionInput = z.infer<typeof createModelVersionInput>;

/**
 * Weights, version, size and context are fixed once a version is released (the digest is what
 * tenants verify); notes, licence text, documentation digest and export restrictions can follow later.
 */
export const updateModelVersionInput = z
  .object({
    version: versionString,
    weightsDigest: sha256Digest,
    parameterCount: z.coerce.number().int().positive().max(1e14),
    contextLength: z.coerce.number().int().positive().max(1e9),
    licence: z.string().trim().min(2).max(200),
    releaseNotes: releaseNotes.nullable(),
    techDocDigest: sha256Digest.nullable(),
    exportRestrictions: countryList,
  })
  .partial()
  .refine((d) => Object.keys(d).length > 0, { message: 'change at least one field' })
  .meta({ id: 'UpdateModelVersionInput' });
export type UpdateModelVersionInput = z.infer<typeof updateModelVersionInput>;

/** The edit form → updateModelVersionInput: emptied release notes or documentation digest mean "remove". */
export const updateModelVersionForm = z.preprocess(
  (v: Record<string, unknown>) => ({ ...v, releaseNotes: v.releaseNotes ?? null, techDocDigest: v.techDocDigest ?? null }),
  updateModelVersionInput,
);

/** A calendar date (`2027-06-30`, midnight UTC) or an RFC 3339 timestamp. */
export const lifecycleDate = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'must be a date (YYYY-MM-DD) or an RFC 3339 timestamp' })
  .transform((v) => new Date(v.length === 10 ? `${v}T00:00:00.000Z` : v).toISOString())
  .meta({ example: '2027-06-30' });

const lifecycleReason = z.string(required).trim().min(3, 'give a reason of at least 3 characters').max(1000);

export const deprecateModelVersionInput = z
  .object({
    deprecatedAt: lifecycleDate.meta({ description: 'From when the version is deprecated. Must give every affected active contract its notice period.' }),
    endOfLifeAt: lifecycleDate.meta({ description: 'When support ends. Must give every affected active contract its notice period.' }),
    reason: lifecycleReason,
  })
  .refine((d) => d.endOfLifeAt >= d.deprecatedAt, { message: 'must not be before the deprecation date', path: ['endOfLifeAt'] })
  .meta({ id: 'DeprecateModelVersionInput' });
export type DeprecateModelVersionInput = z.infer<typeof deprecateModelVersionInput>;

export const releaseModelVersionInput = z
  .object({
    note: z.string().trim().max(1000).optional(),
    releasedAt: lifecycleDate.optional().meta({ description: "Operator's CLI only, for importing an existing catalogue: a past release date. Default: now." }),
  })
  .meta({ id: 'ReleaseModelVersionInput' });
export type ReleaseModelVersionInput = z.infer<typeof releaseModelVersionInput>;

/** What the release button sends: a past release date is the operator CLI's, never a form's. */
export const releaseModelVersionForm = releaseModelVersionInput.omit({ releasedAt: true });

export const retireModelVersionInput = z.object({ reason: lifecycleReason }).meta({ id: 'RetireModelVersionInput' });
export type RetireModelVersionInput = z.infer<typeof retireModelVersionInput>;

// ───────────────────────────── usage, impact and adoption ─────────────────────────────

const tenantRef = z.object({ id: z.uuid(), slug: z.string(), legalName: z.string() });

export const IMPACT_REASONS = ['RUNS', 'PINNED', 'ENTITLED'] as const;

export const VersionImpact = z
  .object({
    version: z.object({ id: z.uuid(), family: z.string(), version: z.string(), status: z.enum(ModelVersionStatus) }),
    asOf: timestamp,
    earliestAllowedDate: timestamp.meta({
      description: 'The earliest deprecation or end-of-life date that gives every affected active contract its notice period (now, if none is affected).',
    }),
    tenants: z.array(
      z.object({
        tenant: tenantRef,
        reasons: z
          .array(z.enum(IMPACT_REASONS))
          .meta({ description: 'RUNS: a deployment reports it; PINNED: a deployment is pinned to it; ENTITLED: an active contract grants it or its family.' }),
        deployments: z.array(
          z.object({
            id: z.uuid(),
            name: z.string(),
            country: z.string(),
            environment: z.string(),
            connectivity: z.string(),
            runs: z.boolean(),
            pinned: z.boolean(),
            reportedAt: timestamp.nullable(),
          }),
        ),
        contracts: z.array(
          z.object({
            id: z.uuid(),
            reference: z.string(),
            noticePeriodDays: z.number().int(),
            validUntil: timestamp,
            entitles: z.boolean().meta({ description: 'Whether this contract grants the version or its family.' }),
            earliestAllowedDate: timestamp,
          }),
        ),
        earliestAllowedDate: timestamp,
      }),
    ),
    totals: z.object({ tenants: z.number().int(), deployments: z.number().int(), contracts: z.number().int() }),
  })
  .meta({ id: 'VersionImpact' });
export type VersionImpactDto = z.infer<typeof VersionImpact>;

export const adoptionQuery = z.object({ family: z.string().trim().min(1).max(64).optional().meta({ description: 'Family slug or id.' }) });
export type AdoptionQuery = z.infer<typeof adoptionQuery>;

export const Adoption = z
  .object({
    versions: z.array(z.object({ id: z.uuid(), family: z.string(), familyName: z.string(), version: z.string(), status: z.enum(ModelVersionStatus) })),
    tenants: z.array(tenantRef),
    cells: z.array(z.object({ versionId: z.uuid(), tenantId: z.uuid(), deployments: z.number().int() })).meta({
      description: 'Non-archived deployments of the tenant that run the version; absent cells are 0.',
    }),
  })
  .meta({ id: 'Adoption' });
export type AdoptionDto = z.infer<typeof Adoption>;
