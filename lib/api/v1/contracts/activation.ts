import { route } from '@/lib/http/route';
import { ContractChange, contractParams, requestActivationInput } from '@/lib/schemas/contract';
import { requestContractActivation } from '@/lib/services/contracts';

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
