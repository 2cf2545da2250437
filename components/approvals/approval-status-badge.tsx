import { Badge } from '@/components/ui/badge';
import type { ApprovalStatus } from '@/lib/generated/prisma/enums';
import { STATUS_LABELS, STATUS_TONES } from './labels';

export function ApprovalStatusBadge({ status }: { status: ApprovalStatus }) {
  return <Badge tone={STATUS_TONES[status]}>{STATUS_LABELS[status]}</Badge>;
}
