import { z } from 'zod';
import { timestamp } from '@/lib/core/schema';

// POST /api/v1/audit-events: a deployment uploads its own audit events. Each is
// appended to the tenant's chain as an `audit.ingested` event whose actor is the deployment and
// whose data.source is the uploaded event as sent (minus its id, which becomes the event's id).

export const MAX_INGEST_BATCH = 1000;

const label = (max: number) => z.string().trim().min(1).max(max);

export const ingestAuditEvent = z
  .object({
    id: z.uuid().meta({
      description:
        "The deployment's own id of the event (e.g. a UUID v7). Idempotency: an id already in the chain with the same content is not stored again; with different content the batch is refused.",
    }),
    occurredAt: z.iso
      .datetime({ offset: true })
      .meta({ description: "When it happened, by the deployment's clock (RFC 3339). Kept in data.source; the chain's occurredAt is the time Charter appended it." }),
    action: z
      .string()
      .max(100)
      .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/, 'must be dotted lowercase words, e.g. inference.request or admin.sign_in')
      .meta({ example: 'model.loaded' }),
    actor: z
      .object({ type: label(32), id: label(200).nullable().default(null), label: label(200).nullable().default(null) })
      .strict()
      .meta({ description: 'Who acted at the deployment (a local user, a service…).' }),
    target: z
      .object({ type: label(64), id: label(200) })
      .strict()
      .nullable()
      .default(null),
    data: z.unknown().optional().meta({ description: 'Any JSON details. Never secrets.' }),
  })
  .strict()
  .meta({ id: 'IngestAuditEvent' });
export type IngestAuditEvent = z.infer<typeof ingestAuditEvent>;

export const ingestAuditEventsInput = z
  .object({
    deploymentId: z.uuid().optional().meta({ description: 'The source deployment. Implied (and must match if given) when the key is bound to a deployment; required otherwise.' }),
    events: z
      .array(ingestAuditEvent)
      .min(1)
      .max(MAX_INGEST_BATCH, `at most ${MAX_INGEST_BATCH} events per batch`)
      .superRefine((events, ctx) => {
        const seen = new Map<string, number>();
        events.forEach((e, i) => {
          const first = seen.get(e.id);
          if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `repeats the id of event ${first}` });
          else seen.set(e.id, i);
        });
      }),
  })
  .strict()
  .meta({ id: 'IngestAuditEventsInput', description: `A batch of 1 to ${MAX_INGEST_BATCH} events, stored all or nothing.` });
export type IngestAuditEventsInput = z.infer<typeof ingestAuditEventsInput>;

export const IngestResult = z
  .object({
    chain: z.string(),
    deploymentId: z.uuid(),
    appended: z.number().int().meta({ description: 'Events stored by this request.' }),
    duplicates: z.number().int().meta({ description: 'Events already stored by an earlier request with the same id and content.' }),
    events: z.array(z.object({ id: z.uuid(), seq: z.number().int(), status: z.enum(['appended', 'duplicate']) })),
    receivedAt: timestamp,
  })
  .meta({ id: 'IngestResult' });
export type IngestResultDto = z.infer<typeof IngestResult>;
