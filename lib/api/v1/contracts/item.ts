import { route } from '@/lib/http/route';
import { Contract, contractParams, updateContractInput } from '@/lib/modules/contracts/schema';
import { getContract, updateContract } from '@/lib/modules/contracts/service';

export const GET = route(
  { permission: 'contracts:read', params: contractParams, response: Contract, summary: 'Get a contract with its entitlements and current version hash', tags: ['Contracts'] },
  ({ ctx, params }) => getContract(ctx, params.id),
);

export const PUT = route(
  {
    permission: 'contracts:write',
    params: contractParams,
    body: updateContractInput,
    response: Contract,
    summary: 'Replace the terms of a draft (adds a version)',
    description: 'Only a DRAFT can be edited. An ACTIVE contract is amended through `POST /api/v1/contracts/{id}/amendments` (four-eyes).',
    tags: ['Contracts'],
  },
  ({ ctx, params, body }) => updateContract(ctx, params.id, body),
);
