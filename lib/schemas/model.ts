import { z } from 'zod';
import { ModelVersionStatus } from '@/lib/generated/prisma/enums';
import { pageOf, pageQuery, timestamp } from './common';

// The model catalogue (DESIGN.md "Model and model version"): platform-wide, not tenant data.

/** `sha256:` and 64 lowercase hex digits: weights and technical-documentation digests. */
export const sha256Digest = z
  .string()
  .trim()
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
