import type { BadgeTone } from '@/components/ui/badge';
import type { ApprovalAction, ApprovalStatus } from '@/lib/generated/prisma/enums';
import type { ApprovalView } from '@/lib/approvals/schema';

export const ACTION_LABELS: Record<ApprovalAction, string> = {
  CONTRACT_ACTIVATE: 'Activate contract',
  CONTRACT_TERMINATE: 'Terminate contract',
  ENTITLEMENTS_CHANGE: 'Amend contract / entitlements',
  PLATFORM_API_KEY_CREATE: 'Create platform API key',
  MODEL_VERSION_RETIRE: 'Retire model version',
  TENANT_OFFBOARD: 'Offboard tenant',
  AUDIT_RETENTION_CHANGE: 'Change audit retention',
  SIGNING_KEY_ROTATE: 'Rotate signing key',
};

export const STATUS_LABELS: Record<ApprovalStatus, string> = {
  PENDING: 'Pending',
  APPROVED: 'Approved',
  REJECTED: 'Rejected',
  EXPIRED: 'Expired',
  CANCELLED: 'Cancelled',
};

export const STATUS_TONES: Record<ApprovalStatus, BadgeTone> = {
  PENDING: 'warning',
  APPROVED: 'success',
  REJECTED: 'danger',
  EXPIRED: 'muted',
  CANCELLED: 'muted',
};

export const VIEW_LABELS: Record<ApprovalView, string> = {
  inbox: 'Waiting for me',
  mine: 'My requests',
  history: 'History',
  all: 'All',
};

/** "in 2 d 5 h", "in 40 min", "3 h ago": how long until (or since) a deadline. */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const ms = new Date(iso).getTime() - now;
  const abs = Math.abs(ms);
  const minutes = Math.round(abs / 60_000);
  const hours = Math.floor(abs / 3_600_000);
  const days = Math.floor(hours / 24);
  const text = days >= 1 ? `${days} d ${hours % 24} h` : hours >= 1 ? `${hours} h ${Math.floor((abs % 3_600_000) / 60_000)} min` : `${Math.max(1, minutes)} min`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}
