import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { ModelVersionStatus } from '@/lib/generated/prisma/enums';
import { VERSION_STATUS_LABELS } from './labels';

const TONES: Record<ModelVersionStatus, BadgeTone> = {
  DRAFT: 'muted',
  RELEASED: 'success',
  DEPRECATED: 'warning',
  RETIRED: 'neutral',
};

export function VersionStatusBadge({ status }: { status: ModelVersionStatus }) {
  return (
    <Badge tone={TONES[status]}>
      <span aria-hidden="true" className="size-1.5 rounded-full bg-current opacity-70" />
      {VERSION_STATUS_LABELS[status]}
    </Badge>
  );
}
