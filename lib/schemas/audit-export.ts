import { z } from 'zod';
import { AUDIT_ACTIONS } from '@/lib/audit/actions';

// Input of a verifiable audit export (DESIGN.md "Audit export"). Shared by the CLI, the export route
// and the UI form. Events outside the filter are exported as `omitted` records.

const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((v) => new Date(v).toISOString())
  .meta({ description: 'RFC 3339 timestamp (or a date, meaning its start in UTC)', example: '2026-01-01T00:00:00.000Z' });

export const auditExportFilter = z
  .object({
    action: z.enum(AUDIT_ACTIONS).optional(),
    actorId: z.string().trim().min(1).max(200).optional(),
    /** Inclusive. */
    from: instant.optional(),
    /** Exclusive. */
    to: instant.optional(),
  })
  .refine((f) => !f.from || !f.to || f.from < f.to, { message: 'from must be before to', path: ['to'] });
export type AuditExportFilter = z.infer<typeof auditExportFilter>;

export const AUDIT_EXPORT_FORMATS = ['ndjson'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

export const auditExportInput = z.object({
  /** A tenant slug (or id), or `platform` for the vendor's own chain. */
  chain: z.string().trim().min(1).max(64),
  format: z.enum(AUDIT_EXPORT_FORMATS).default('ndjson'),
  filter: auditExportFilter.optional(),
});
export type AuditExportInput = z.infer<typeof auditExportInput>;
