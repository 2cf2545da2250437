import { z } from 'zod';
import { required } from '@/lib/core/schema';

// Audit retention and legal hold per tenant. At least six months (EU AI Act
// Art. 19 and 26(6): logs kept at least six months), at most ten years.

export const MIN_RETENTION_DAYS = 183;
export const MAX_RETENTION_DAYS = 3653;

const reason = z.string(required).trim().min(3, 'give a reason of at least 3 characters').max(500);

export const changeRetentionInput = z.object({
  retentionDays: z.coerce
    .number(required)
    .int()
    .min(MIN_RETENTION_DAYS, `must be at least ${MIN_RETENTION_DAYS} days (six months)`)
    .max(MAX_RETENTION_DAYS, `must be at most ${MAX_RETENTION_DAYS} days (ten years)`),
  reason,
});
export type ChangeRetentionInput = z.infer<typeof changeRetentionInput>;

export const setLegalHoldInput = z.object({
  legalHold: z.union([z.boolean(), z.stringbool()]),
  reason,
});
export type SetLegalHoldInput = z.infer<typeof setLegalHoldInput>;

export type RetentionDto = {
  tenantId: string;
  slug: string;
  legalName: string;
  retentionDays: number;
  legalHold: boolean;
  /** The chain's first retained seq (baseSeq + 1) and its head. */
  firstSeq: number;
  lastSeq: number;
  /** Events older than this may be purged (whole months only). */
  cutoff: string;
};

export type PurgeOutcome = {
  chain: string;
  label: string;
  status: 'purged' | 'nothing_to_purge' | 'legal_hold';
  /** The seqs removed (from..to), when purged. */
  removed: { fromSeq: number; toSeq: number } | null;
  /** The new first retained seq and the hash it chains from (the export's prevHash). */
  baseSeq: number;
  baseHash: string;
  partitions: string[];
};
