import { z } from 'zod';
import { Connectivity, Environment, Hosting, ModelVersionStatus, RunningSource } from '@/lib/generated/prisma/enums';
import { choice, countryCode, pageOf, pageQuery, queryBoolean, required, timestamp } from '@/lib/core/schema';
import { sha256Digest } from '@/lib/modules/models/schema';

// Deployments (README "Model catalogue, deployments and rollouts") and the heartbeat of their agents.

/**
 * Health derived from the last heartbeat (see `heartbeatStaleMinutes()` in the deployments service):
 * HEALTHY within the threshold, STALE after it, NEVER_SEEN before the first heartbeat. Air-gapped
 * deployments cannot reach Charter, so they have no heartbeat health at all: AIRGAPPED.
 */
export const DEPLOYMENT_STATUSES = ['HEALTHY', 'STALE', 'NEVER_SEEN', 'AIRGAPPED'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

// Lowercase, like a DNS label: the CLI and bundles name deployments (`--deployment NAME`).
const deploymentName = z
  .string(required)
  .trim()
  .toLowerCase()
  .min(2, 'must be at least 2 characters')
  .max(63, 'must be at most 63 characters')
  .regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/, 'use letters, digits and single dots, hyphens or underscores between them')
  .meta({ description: 'Unique within the tenant; stored in lowercase.', example: 'fra-prod-1' });

export const deploymentParams = z.object({ id: z.uuid('must be a deployment id (UUID)') });

const airgappedIsConsistent = (d: { environment?: Environment; connectivity?: Connectivity }) => !(d.environment === 'AIRGAPPED' && d.connectivity === 'CONNECTED');
const airgappedIssue = { message: 'an air-gapped environment cannot have connected connectivity', path: ['connectivity'] };

export const createDeploymentInput = z
  .object({
    tenantId: z.uuid().optional().meta({
      description: 'Platform actors: the tenant the deployment belongs to (required). Tenant actors: leave it out; the tenant is always your own.',
    }),
    name: deploymentName,
    environment: choice(Environment, 'environment'),
    country: countryCode.meta({ description: "ISO 3166-1 alpha-2; must be one of the tenant's allowed data-processing countries." }),
    hosting: choice(Hosting, 'hosting'),
    connectivity: choice(Connectivity, 'connectivity').optional().meta({ description: 'Defaults to AIRGAPPED for the AIRGAPPED environment, CONNECTED otherwise.' }),
  })
  .refine(airgappedIsConsistent, airgappedIssue)
  .meta({ id: 'CreateDeploymentInput' });
export type CreateDeploymentInput = z.infer<typeof createDeploymentInput>;

export const updateDeploymentInput = z
  .object({
    name: deploymentName,
    environment: choice(Environment, 'environment'),
    country: countryCode,
    hosting: choice(Hosting, 'hosting'),
    connectivity: choice(Connectivity, 'connectivity'),
  })
  .partial()
  .refine((d) => Object.keys(d).length > 0, { message: 'change at least one field' })
  .meta({ id: 'UpdateDeploymentInput' });
export type UpdateDeploymentInput = z.infer<typeof updateDeploymentInput>;

export const archiveDeploymentQuery = z.object({
  reason: z.string().trim().min(3, 'give a reason of at least 3 characters').max(500).optional(),
});
export type ArchiveDeploymentQuery = z.infer<typeof archiveDeploymentQuery>;

export const listDeploymentsQuery = pageQuery.extend({
  tenantId: z.uuid().optional().meta({ description: 'Platform actors only; tenant actors always see their own tenant.' }),
  environment: z.enum(Environment).optional(),
  connectivity: z.enum(Connectivity).optional(),
  status: z.enum(DEPLOYMENT_STATUSES).optional(),
  q: z.string().trim().max(100).optional().meta({ description: 'Case-insensitive search in the name.' }),
  includeArchived: queryBoolean.default(false),
});
export type ListDeploymentsQuery = z.infer<typeof listDeploymentsQuery>;

/** The deployments a contract covers: one keyset page of them (by name), never a cut-off list. */
export const listCoveredDeploymentsQuery = pageQuery;
export type ListCoveredDeploymentsQuery = z.infer<typeof listCoveredDeploymentsQuery>;

/** One running model version, by catalogue id or by family slug and version string. */
export const runningVersionRef = z
  .union(
    [
      z.strictObject({ modelVersionId: z.uuid() }),
      z.strictObject({
        family: z.string().trim().toLowerCase().min(1).max(64).meta({ description: 'Model family slug', example: 'aurora' }),
        version: z.string().trim().min(1).max(64).meta({ example: '4.1.0' }),
      }),
    ],
    { error: 'give either { modelVersionId } or { family, version }' },
  )
  .meta({ id: 'RunningVersionRef' });
export type RunningVersionRef = z.infer<typeof runningVersionRef>;

export const heartbeatInput = z
  .object({
    agentVersion: z
      .string(required)
      .trim()
      .min(1)
      .max(64)
      .regex(/^[\x21-\x7e]+$/, 'use printable ASCII without spaces')
      .meta({ example: '1.8.2' }),
    running: z.array(runningVersionRef).max(100, 'report at most 100 running versions').meta({
      description: 'Every model version the deployment runs now; replaces the previous report.',
    }),
    reportedAt: z.iso
      .datetime({ offset: true })
      .optional()
      .meta({ description: 'When the agent took this report (its clock). A report older than the last one applied does not change the running versions.' }),
  })
  .meta({ id: 'HeartbeatInput' });
export type HeartbeatInput = z.infer<typeof heartbeatInput>;

export const RunningVersion = z
  .object({
    modelVersionId: z.uuid(),
    family: z.string(),
    version: z.string(),
    versionStatus: z.enum(ModelVersionStatus),
    source: z.enum(RunningSource),
    reportedAt: timestamp,
  })
  .meta({ id: 'RunningVersion' });
export type RunningVersionDto = z.infer<typeof RunningVersion>;

export const Deployment = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid(),
    name: z.string(),
    environment: z.enum(Environment),
    country: z.string(),
    hosting: z.enum(Hosting),
    connectivity: z.enum(Connectivity),
    status: z.enum(DEPLOYMENT_STATUSES),
    agentVersion: z.string().nullable(),
    lastHeartbeatAt: timestamp.nullable(),
    pinnedVersionId: z.uuid().nullable(),
    pinnedVersion: z
      .object({ id: z.uuid(), family: z.string(), version: z.string(), status: z.enum(ModelVersionStatus) })
      .nullable()
      .meta({ description: 'The version the deployment is pinned to (see its rollouts).' }),
    running: z.array(RunningVersion),
    archivedAt: timestamp.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Deployment' });
export type DeploymentDto = z.infer<typeof Deployment>;

export const DeploymentPage = pageOf(Deployment).meta({ id: 'DeploymentPage' });

export const HeartbeatAck = z
  .object({
    receivedAt: timestamp,
    nextHeartbeatBefore: timestamp.meta({ description: 'After this the deployment shows as STALE.' }),
    runningChanged: z.boolean().meta({ description: 'Whether this report changed the running versions.' }),
    deployment: Deployment,
  })
  .meta({ id: 'HeartbeatAck' });
export type HeartbeatAckDto = z.infer<typeof HeartbeatAck>;

/** Running versions entered by an administrator (air-gapped sites): the catalogue ids. */
export const setRunningVersionsInput = z
  .object({
    modelVersionIds: z.array(z.uuid()).max(100, 'at most 100 running versions').default([]),
  })
  .meta({ id: 'SetRunningVersionsInput' });
export type SetRunningVersionsInput = z.infer<typeof setRunningVersionsInput>;

/**
 * The file an air-gapped site's agent writes (`charter-agent report --out FILE`, or by hand) and an
 * administrator imports: what the site runs, with the weights digests it measured. Version 1.
 */
export const runningVersionsFile = z
  .object({
    v: z.literal(1, 'must be 1 (the only version of this format)'),
    type: z.literal('charter.running-versions', 'must be "charter.running-versions"'),
    deployment: z.object({
      id: z.uuid('must be the deployment id (UUID) the file was written for'),
      name: z.string().trim().min(1).max(63),
    }),
    reportedAt: z.iso.datetime({ offset: true, error: 'must be an RFC 3339 timestamp' }),
    agentVersion: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .regex(/^[\x21-\x7e]+$/)
      .optional(),
    running: z
      .array(
        z.object({
          family: z.string(required).trim().toLowerCase().min(1).max(64),
          version: z.string(required).trim().min(1).max(64),
          weightsDigest: sha256Digest.optional().meta({ description: 'As measured on site; must equal the catalogue digest.' }),
        }),
      )
      .max(100, 'at most 100 running versions'),
  })
  .meta({ id: 'RunningVersionsFile' });
export type RunningVersionsFile = z.infer<typeof runningVersionsFile>;
