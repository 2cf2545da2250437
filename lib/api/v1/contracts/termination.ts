import { route } from '@/lib/http/route';
import { ContractChange, contractParams, requestTerminationInput } from '@/lib/modules/contracts/schema';
import { requestContractTermination } from '@/lib/modules/contracts/service';

export const POST = route(
  {
    permission: 'contracts:write',
    params: contractParams,
    body: requestTerminationInput,
    response: ContractChange,
    status: 202,
    summary: 'Request termination of an active contract (four-eyes)',
    description: 'Deployments keep their bundles: a bundle past its validity enters its grace period and is never a shutdown instruction.',
    tags: ['Contracts'],
  },
  ({ ctx, params, body }) => requestContractTermination(ctx, params.id, body),
);
