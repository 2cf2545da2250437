import { z } from 'zod';
import { RolloutKind, RolloutStatus } from '@/lib/generated/prisma/enums';
import { pageOf, pageQuery, required, timestamp } from '@/lib/core/schema';
import { lifecycleDate } from '@/lib/modules/models/schema';

// Rollouts: which model version a deployment is pinned to, and how it gets there.
// A pin takes effect at once; an upgrade is scheduled for a date, with the date the tenant was (or
// will be) given notice; a rollback returns to the version a rollout replaced.

export const rolloutParams = z.object({ id: z.uuid('must be a rollout id (UUID)') });
export const deploymentRolloutParams = z.object({ id: z.uuid('must be a deployment id (UUID)') });

export const createRolloutInput = z
  .object({
    modelVersionId: z.uuid({ error: (i) => (i.input === undefined ? 'is required' : 'must be a model version id (UUID)') }),
    scheduledFor: lifecycleDate.optional().meta({ description: 'Leave out to pin at once. A future date schedules an upgrade: the pin moves at the first contact after it.' }),
    noticeAt: lifecycleDate.optional().meta({ description: 'When the tenant is given notice of a scheduled upgrade (default: now). Not after `scheduledFor`.' }),
    note: z.string().trim().max(500).optional().meta({ description: 'Why; recorded with the rollout and in the audit trail.' }),
  })
  .refine((d) => !d.noticeAt || d.scheduledFor, { message: 'a notice date needs a scheduled date', path: ['noticeAt'] })
  .refine((d) => !d.noticeAt || !d.scheduledFor || d.noticeAt <= d.scheduledFor, { message: 'must not be after the scheduled date', path: ['noticeAt'] })
  .meta({ id: 'CreateRolloutInput' });
export type CreateRolloutInput = z.infer<typeof createRolloutInput>;

/**
 * The rollout form → createRolloutInput. "Pin now" ignores any dates left in the hidden fields;
 * "Schedule an upgrade" needs its date (the API tells the two apart by whether a date is given).
 */
export const createRolloutForm = z.preprocess((v: Record<string, unknown>, ctx) => {
  if (v.when !== 'scheduled') return { modelVersionId: v.modelVersionId, note: v.note };
  if (v.scheduledFor === undefined) ctx.addIssue({ code: 'custom', path: ['scheduledFor'], message: 'is required for a scheduled upgrade', input: v.scheduledFor });
  return v;
}, createRolloutInput);

export const endRolloutInput = z.object({ reason: z.string(required).trim().min(3, 'give a reason of at least 3 characters').max(500) }).meta({ id: 'EndRolloutInput' });
export type EndRolloutInput = z.infer<typeof endRolloutInput>;

export const listRolloutsQuery = pageQuery.extend({ status: z.enum(RolloutStatus).optional() });
export type ListRolloutsQuery = z.infer<typeof listRolloutsQuery>;

const versionRef = z.object({ id: z.uuid(), family: z.string(), version: z.string() });

export const Rollout = z
  .object({
    id: z.uuid(),
    tenantId: z.uuid(),
    deploymentId: z.uuid(),
    kind: z.enum(RolloutKind),
    status: z.enum(RolloutStatus).meta({
      description:
        'SCHEDULED: waiting for `scheduledFor`; IN_PROGRESS: the deployment is pinned to `to` and should install it; COMPLETED: the deployment reported running `to`; ROLLED_BACK; CANCELLED.',
    }),
    from: versionRef.nullable().meta({ description: 'The version the deployment was pinned to before (null for a first pin).' }),
    to: versionRef,
    noticeAt: timestamp.nullable(),
    scheduledFor: timestamp.nullable(),
    startedAt: timestamp.nullable(),
    completedAt: timestamp.nullable(),
    endedAt: timestamp.nullable().meta({ description: 'When it was cancelled or rolled back.' }),
    note: z.string().nullable(),
    createdBy: z.string().nullable(),
    rollsBackId: z.uuid().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Rollout' });
export type RolloutDto = z.infer<typeof Rollout>;

export const RolloutPage = pageOf(Rollout).meta({ id: 'RolloutPage' });
