import { z } from 'zod';
import { auditExportFilter } from './export-schema';
import { pageOf, pageQuery, timestamp } from '@/lib/core/schema';

// Reading the audit trail (README "Audit events and chains"): canonical events with their hashes.

export const listAuditEventsQuery = pageQuery
  .extend({
    chain: z.string().trim().min(1).max(64).optional().meta({ description: "A tenant slug or id, or `platform`. Tenant actors only ever read their own tenant's chain." }),
    tenantId: z.uuid().optional().meta({ description: "Only this tenant's events (its chain); matches nothing outside the caller's scope." }),
    // The same filters as an export, so a search can be exported as is.
    ...auditExportFilter.shape,
  })
  .refine((f) => !f.from || !f.to || f.from < f.to, { message: 'from must be before to', path: ['to'] })
  .meta({ description: 'Newest first (by occurredAt, then chain and seq). `from` is inclusive, `to` exclusive.' });
export type ListAuditEventsQuery = z.infer<typeof listAuditEventsQuery>;

export const AuditEvent = z
  .object({
    v: z.literal(1),
    chain: z.string().meta({ description: 'The tenant id, or `platform`.' }),
    seq: z.number().int().meta({ description: 'Position in the chain, from 1, without gaps.' }),
    id: z.uuid(),
    occurredAt: timestamp,
    actor: z.object({ type: z.string(), id: z.string().nullable(), label: z.string().nullable() }),
    action: z.string(),
    target: z.object({ type: z.string().nullable(), id: z.string().nullable() }),
    tenantId: z.uuid().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    requestId: z.string().nullable(),
    data: z.unknown().meta({ description: 'Before/after values or an uploaded payload; null when absent.' }),
    eventHash: z.string().meta({ description: 'SHA-256 of the JCS encoding of the canonical event (the fields above), lowercase hex.' }),
    hash: z.string().meta({ description: 'Chain hash up to and including this event: SHA-256(hash(seq-1) || eventHash).' }),
  })
  .meta({ id: 'AuditEvent' });

export const AuditEventPage = pageOf(AuditEvent).meta({ id: 'AuditEventPage' });
