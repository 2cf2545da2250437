import { route } from '@/lib/http/route';
import { ContractChange, contractParams, requestActivationInput } from '@/lib/modules/contracts/schema';
import { requestContractActivation } from '@/lib/modules/contracts/service';

export const POST = route(
  {
    permission: 'contracts:write',
    params: contractParams,
    body: requestActivationInput,
    response: ContractChange,
    status: 202,
    summary: 'Request activation of a draft (four-eyes): the contract waits in PENDING_APPROVAL until a second administrator approves',
    tags: ['Contracts'],
  },
  ({ ctx, params, body }) => requestContractActivation(ctx, params.id, body),
);
