import type { BadgeTone } from '@/components/ui/badge';
import type { ApiKeyDto } from '@/lib/modules/api-keys/schema';

export type KeyStatus = 'active' | 'rotated' | 'revoked' | 'expired';

/**
 * Revoked wins over everything; a key with a successor is "rotated" (usable until its overlap
 * ends, which its expiry shows); otherwise it is active until it expires.
 */
export function keyStatus(key: Pick<ApiKeyDto, 'revokedAt' | 'expiresAt' | 'rotatedToId'>, now: number): KeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.rotatedToId) return 'rotated';
  return Date.parse(key.expiresAt) <= now ? 'expired' : 'active';
}

export const STATUS_LABELS: Record<KeyStatus, string> = { active: 'Active', rotated: 'Rotated', revoked: 'Revoked', expired: 'Expired' };
export const STATUS_TONES: Record<KeyStatus, BadgeTone> = { active: 'success', rotated: 'info', revoked: 'danger', expired: 'muted' };

/** Whether the key still authenticates (before its expiry, not revoked). */
export function isUsable(key: Pick<ApiKeyDto, 'revokedAt' | 'expiresAt'>, now: number): boolean {
  return !key.revokedAt && Date.parse(key.expiresAt) > now;
}

/** "in 3 days", "in 5 hours", "2 days ago", "just now": coarse on purpose, the exact time is beside it. */
export function relativeTime(iso: string, now: number): string {
  const diff = Date.parse(iso) - now;
  const abs = Math.abs(diff);
  const minutes = Math.round(abs / 60_000);
  const hours = Math.round(abs / 3_600_000);
  const days = Math.round(abs / 86_400_000);
  let span: string;
  if (minutes < 1) return 'just now';
  if (minutes < 60) span = `${minutes} minute${minutes === 1 ? '' : 's'}`;
  else if (hours < 48) span = `${hours} hour${hours === 1 ? '' : 's'}`;
  else span = `${days} days`;
  return diff > 0 ? `in ${span}` : `${span} ago`;
}
