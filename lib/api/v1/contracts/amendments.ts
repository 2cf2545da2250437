import { route } from '@/lib/http/route';
import { ContractChange, amendContractInput, contractParams } from '@/lib/modules/contracts/schema';
import { amendContract } from '@/lib/modules/contracts/service';

export const POST = route(
  {
    permission: 'contracts:write',
    params: contractParams,
    body: amendContractInput,
    response: ContractChange,
    status: 202,
    summary: 'Amend a contract: the full new terms (four-eyes for an active contract; a draft is saved at once)',
    description: 'Approval adds a new immutable version; the request is refused if the contract changed in between.',
    tags: ['Contracts'],
  },
  ({ ctx, params, body }) => amendContract(ctx, params.id, body),
);
