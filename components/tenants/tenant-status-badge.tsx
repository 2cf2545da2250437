import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { TenantStatus } from '@/lib/generated/prisma/enums';
import { STATUS_LABELS } from './labels';

const TONES: Record<TenantStatus, BadgeTone> = {
  ONBOARDING: 'info',
  ACTIVE: 'success',
  SUSPENDED: 'warning',
  OFFBOARDED: 'neutral',
};

export function TenantStatusBadge({ status, archived = false }: { status: TenantStatus; archived?: boolean }) {
  return (
    <span className="inline-flex items-center gap-1">
      <Badge tone={TONES[status]}>
        <span aria-hidden="true" className="size-1.5 rounded-full bg-current opacity-70" />
        {STATUS_LABELS[status]}
      </Badge>
      {archived && <Badge tone="muted">Archived</Badge>}
    </span>
  );
}
