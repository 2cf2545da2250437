import { route } from '@/lib/http/route';
import { ContractVersionList, contractParams } from '@/lib/modules/contracts/schema';
import { listContractVersions } from '@/lib/modules/contracts/service';

export const GET = route(
  {
    permission: 'contracts:read',
    params: contractParams,
    response: ContractVersionList,
    summary: 'List the immutable versions of a contract, newest first, with their terms and hashes',
    description: 'Each `hash` is SHA-256 (lowercase hex) of the RFC 8785 (JCS) encoding of `terms`, so anyone can recompute it.',
    tags: ['Contracts'],
  },
  async ({ ctx, params }) => ({ data: await listContractVersions(ctx, params.id) }),
);
