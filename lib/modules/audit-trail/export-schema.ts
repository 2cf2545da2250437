import { z } from 'zod';
import { AUDIT_ACTIONS, AUDIT_ACTION_GROUPS } from '@/lib/audit/actions';

// The audit filter (search, verifiable export, CSV export) and the export input. Shared by the CLI,
// the API routes, the search page and the export form. In a verifiable export, events outside the
// filter are exported as `omitted` records. lib/modules/audit-trail/query.ts turns it into SQL, once.

const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((v) => new Date(v).toISOString())
  .meta({ description: 'RFC 3339 timestamp (or a date, meaning its start in UTC)', example: '2026-01-01T00:00:00.000Z' });

const text = (max: number) => z.string().trim().min(1).max(max);

export const auditExportFilter = z
  .object({
    action: z.enum(AUDIT_ACTIONS).optional().meta({ description: 'Exactly this action.' }),
    actionGroup: z.enum(AUDIT_ACTION_GROUPS).optional().meta({ description: 'Every action of this group, e.g. `tenant` for `tenant.*`.' }),
    actorId: text(200).optional().meta({ description: 'A user id, an API key id, a deployment id or `system:<os-user>`.' }),
    actorType: z.enum(['user', 'apiKey', 'system', 'anonymous', 'deployment']).optional(),
    /** Inclusive. */
    from: instant.optional(),
    /** Exclusive. */
    to: instant.optional(),
    targetType: text(64).optional(),
    targetId: text(200).optional(),
    ip: z.union([z.ipv4(), z.ipv6()]).optional().meta({ description: 'The client IP address recorded with the event (exact).' }),
    requestId: text(200).optional(),
    q: text(200)
      .optional()
      .meta({ description: "Free text, case-insensitive, in the actor's label and id, the target id and the action (for uploaded events also in the source's action and actor)." }),
  })
  .refine((f) => !f.from || !f.to || f.from < f.to, { message: 'from must be before to', path: ['to'] });
export type AuditExportFilter = z.infer<typeof auditExportFilter>;

/** The filter's keys, in the order forms and query strings use them. */
export const AUDIT_FILTER_KEYS = Object.keys(auditExportFilter.shape) as (keyof AuditExportFilter)[];

export const AUDIT_EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

export const auditExportInput = z.object({
  /** A tenant slug (or id), or `platform` for the vendor's own chain. */
  chain: z.string().trim().min(1).max(64),
  format: z.enum(AUDIT_EXPORT_FORMATS).default('ndjson'),
  filter: auditExportFilter.optional(),
});
export type AuditExportInput = z.infer<typeof auditExportInput>;

/** GET /api/v1/audit-events/export: the chain, the format and the filter, all in the query string. */
export const auditExportQuery = z
  .object({
    ...auditExportFilter.shape,
    chain: z.string().trim().min(1).max(64).meta({ description: 'A tenant slug or id, or `platform`.' }),
    format: z
      .enum(AUDIT_EXPORT_FORMATS)
      .default('ndjson')
      .meta({ description: '`ndjson`: the verifiable export. `csv`: the same event fields flattened, for spreadsheets (not verifiable).' }),
  })
  .refine((f) => !f.from || !f.to || f.from < f.to, { message: 'from must be before to', path: ['to'] });
export type AuditExportQuery = z.infer<typeof auditExportQuery>;
