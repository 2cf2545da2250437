import { route } from '@/lib/http/route';
import { ContractPage, listContractsQuery } from '@/lib/schemas/contract';
import { listContracts } from '@/lib/services/contracts';

export const dynamic = 'force-dynamic';

export const GET = route(
  { permission: 'contracts:read', query: listContractsQuery, response: ContractPage, summary: 'List contracts with their entitlements', tags: ['Contracts'] },
  ({ ctx, query }) => listContracts(ctx, query),
);
