import { Badge } from '@/components/ui/badge';
import type { DeploymentStatus } from '@/lib/modules/deployments/schema';
import { HEALTH_LABELS, HEALTH_TONES } from './labels';

export function HealthBadge({ status }: { status: DeploymentStatus }) {
  return (
    <Badge tone={HEALTH_TONES[status]}>
      <span aria-hidden="true" className="size-1.5 rounded-full bg-current opacity-70" />
      {HEALTH_LABELS[status]}
    </Badge>
  );
}
