import { z } from 'zod';
import type { Permission } from '@/lib/access/permissions';
import { parseCidr } from '@/lib/core/cidr';
import { approvalReason, blankAsText, pageQuery, queryBoolean, required } from '@/lib/core/schema';

/** What an API key may be granted. Least privilege: a key holds exactly its scopes. */
export const API_KEY_SCOPES = [
  'tenants:read',
  'tenants:write',
  'deployments:read',
  'deployments:write',
  'models:read',
  'contracts:read',
  'contracts:write',
  'entitlements:read',
  'audit:read',
  'audit:write',
  'approvals:read',
  'approvals:decide',
] as const satisfies readonly Permission[];

export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Scopes that act across tenants, so only a platform key may hold them. */
// Contracts and four-eyes decisions are the vendor's: a key deciding approvals counts as the user
// who created it, so it can never approve that user's own requests (lib/approvals/service.ts).
export const PLATFORM_ONLY_SCOPES: readonly ApiKeyScope[] = ['tenants:write', 'contracts:write', 'approvals:read', 'approvals:decide'];

/** "90d", "12h", "2w" → milliseconds. */
const DURATION = /^(\d{1,5})([hdw])$/;
export function parseDuration(value: string): number | null {
  const m = DURATION.exec(value.trim());
  if (!m) return null;
  const unit = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 }[m[2] as 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}

// The message names the entry: "allowedCidrs.2" alone does not tell a user which line of the form
// (or which element of a request body) is wrong.
const cidr = z
  .string()
  .trim()
  .refine((v) => parseCidr(v) !== null, { error: (issue) => `“${String(issue.input)}” must be an IPv4 or IPv6 address or CIDR block, e.g. 10.0.0.0/8` });

export const createApiKeyInput = z.object({
  name: z.string(required).trim().min(2, 'must be at least 2 characters').max(80),
  /** null = platform key (platform administrators only); otherwise the tenant it is bound to. */
  tenantId: z.uuid(required).nullable(),
  deploymentId: z.uuid().nullable().default(null),
  scopes: z
    .array(z.enum(API_KEY_SCOPES))
    .min(1, 'grant at least one scope')
    .transform((s) => [...new Set(s)].sort()),
  expiresInDays: z.coerce.number().int().min(1, 'must be at least 1 day').max(3650),
  allowedCidrs: z.array(cidr).max(32).default([]),
});
export type CreateApiKeyInput = z.infer<typeof createApiKeyInput>;

/** A platform key is four-eyes: requested with a reason, created once approved. */
export const requestPlatformApiKeyInput = createApiKeyInput.and(z.object({ reason: approvalReason }));

/** The create form's choice for a platform key in its tenant select. */
export const PLATFORM_KEY = 'platform';

/** The create form's fields → createApiKeyInput: networks are one per line, and a platform key has no tenant. */
function keyFromForm(v: Record<string, unknown>): Record<string, unknown> {
  const lines =
    typeof v.allowedCidrs === 'string'
      ? v.allowedCidrs
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter(Boolean)
      : [];
  return {
    name: v.name,
    tenantId: v.tenantId === PLATFORM_KEY ? null : v.tenantId,
    deploymentId: v.deploymentId ?? null,
    scopes: v.scopes ?? [],
    expiresInDays: v.expiresInDays,
    allowedCidrs: lines,
  };
}

export const createApiKeyForm = z.preprocess(keyFromForm, createApiKeyInput);
export const requestPlatformApiKeyForm = z.preprocess((v: Record<string, unknown>) => ({ ...keyFromForm(v), tenantId: null, reason: v.reason }), requestPlatformApiKeyInput);

export const rotateApiKeyInput = z.object({
  /** How long the old key keeps working next to the new one. */
  overlapHours: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 30)
    .default(24),
});
export type RotateApiKeyInput = z.infer<typeof rotateApiKeyInput>;

export const revokeApiKeyInput = z.object({ reason: z.string(required).trim().min(3, 'give a reason of at least 3 characters').max(500) });
export const revokeApiKeyForm = blankAsText(revokeApiKeyInput, 'reason');

export const listApiKeysQuery = pageQuery.extend({
  tenantId: z.uuid().optional(),
  includeInactive: queryBoolean.default(false),
});
export type ListApiKeysQuery = z.infer<typeof listApiKeysQuery>;

export const ApiKey = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  tenantId: z.uuid().nullable(),
  deploymentId: z.uuid().nullable(),
  scopes: z.array(z.string()),
  allowedCidrs: z.array(z.string()),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  lastUsedIp: z.string().nullable(),
  rotatedFromId: z.uuid().nullable(),
  /** The key that replaced this one by rotation, if any. */
  rotatedToId: z.uuid().nullable(),
});
export type ApiKeyDto = z.infer<typeof ApiKey>;

/** A new key, in clear exactly once: in the answer to the request that made it. */
export type CreatedApiKey = { apiKey: ApiKeyDto; key: string };
/** A rotated key: the new one in clear once, and the old one with its new expiry. */
export type RotatedApiKey = CreatedApiKey & { previous: ApiKeyDto };
/** What the create form shows next: the new key, or the four-eyes request filed for a platform key. */
export type ApiKeyCreation = { created: CreatedApiKey } | { requested: { approvalId: string } };
