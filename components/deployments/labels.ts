import type { BadgeTone } from '@/components/ui/badge';
import type { SelectOption } from '@/components/ui/select';
import { Connectivity, Environment, Hosting, RolloutKind, RolloutStatus } from '@/lib/generated/prisma/enums';
import { DEPLOYMENT_STATUSES, type DeploymentStatus } from '@/lib/modules/deployments/schema';

export const HEALTH_LABELS: Record<DeploymentStatus, string> = { HEALTHY: 'Healthy', STALE: 'Stale', NEVER_SEEN: 'Never seen', AIRGAPPED: 'Air-gapped' };
export const HEALTH_TONES: Record<DeploymentStatus, BadgeTone> = { HEALTHY: 'success', STALE: 'danger', NEVER_SEEN: 'muted', AIRGAPPED: 'info' };
export const HEALTH_OPTIONS: SelectOption[] = DEPLOYMENT_STATUSES.map((s) => ({ value: s, label: HEALTH_LABELS[s] }));

export const ENVIRONMENT_LABELS: Record<Environment, string> = { PRODUCTION: 'Production', STAGING: 'Staging', AIRGAPPED: 'Air-gapped' };
export const ENVIRONMENT_OPTIONS: SelectOption[] = Object.values(Environment).map((v) => ({ value: v, label: ENVIRONMENT_LABELS[v] }));
export const HOSTING_LABELS: Record<Hosting, string> = { ON_PREMISES: 'On premises', SOVEREIGN_CLOUD: 'Sovereign cloud', PRIVATE_CLOUD: 'Private cloud', EDGE: 'Edge' };
export const CONNECTIVITY_LABELS: Record<Connectivity, string> = { CONNECTED: 'Connected', AIRGAPPED: 'Air-gapped' };

export const ROLLOUT_KIND_LABELS: Record<RolloutKind, string> = { PIN: 'Pin', UPGRADE: 'Scheduled upgrade', ROLLBACK: 'Rollback' };
export const ROLLOUT_STATUS_LABELS: Record<RolloutStatus, string> = {
  SCHEDULED: 'Scheduled',
  IN_PROGRESS: 'In progress',
  COMPLETED: 'Completed',
  ROLLED_BACK: 'Rolled back',
  CANCELLED: 'Cancelled',
};
export const ROLLOUT_STATUS_TONES: Record<RolloutStatus, BadgeTone> = {
  SCHEDULED: 'info',
  IN_PROGRESS: 'warning',
  COMPLETED: 'success',
  ROLLED_BACK: 'neutral',
  CANCELLED: 'muted',
};
export const ROLLOUT_KINDS = Object.values(RolloutKind);
