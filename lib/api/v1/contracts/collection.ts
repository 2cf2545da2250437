import { route } from '@/lib/http/route';
import { Contract, ContractPage, createContractInput, listContractsQuery } from '@/lib/modules/contracts/schema';
import { createContract, listContracts } from '@/lib/modules/contracts/service';

export const GET = route(
  { permission: 'contracts:read', query: listContractsQuery, response: ContractPage, summary: 'List contracts with their entitlements', tags: ['Contracts'] },
  ({ ctx, query }) => listContracts(ctx, query),
);

export const POST = route(
  {
    permission: 'contracts:write',
    body: createContractInput,
    response: Contract,
    summary: 'Create a draft contract (version 1)',
    description: 'A draft is edited freely; every save is a new immutable, hashed version. Activation is a four-eyes request.',
    tags: ['Contracts'],
  },
  ({ ctx, body }) => createContract(ctx, body),
);
