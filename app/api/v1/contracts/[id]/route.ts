import { route } from '@/lib/http/route';
import { Contract, contractParams } from '@/lib/schemas/contract';
import { getContract } from '@/lib/services/contracts';

export const dynamic = 'force-dynamic';

export const GET = route(
  { permission: 'contracts:read', params: contractParams, response: Contract, summary: 'Get a contract with its entitlements and current version hash', tags: ['Contracts'] },
  ({ ctx, params }) => getContract(ctx, params.id),
);
