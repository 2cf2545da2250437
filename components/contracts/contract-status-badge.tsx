import { Badge } from '@/components/ui/badge';
import type { ContractStatus } from '@/lib/generated/prisma/enums';
import { CONTRACT_STATUS_LABELS, CONTRACT_STATUS_TONES } from './labels';

export function ContractStatusBadge({ status }: { status: ContractStatus }) {
  return (
    <Badge tone={CONTRACT_STATUS_TONES[status]}>
      <span aria-hidden="true" className="size-1.5 rounded-full bg-current opacity-70" />
      {CONTRACT_STATUS_LABELS[status]}
    </Badge>
  );
}
