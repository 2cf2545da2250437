import { AUTHENTICATED, route } from '@/lib/http/route';
import { WhoAmI } from '@/lib/access/whoami-schema';
import { describeCaller } from '@/lib/access/whoami';

export const GET = route(
  {
    permission: AUTHENTICATED,
    response: WhoAmI,
    summary: 'Describe the caller: key prefix, scopes, tenant and expiry',
    description:
      'Any valid API key (whatever its scopes) or session may call this; an invalid, revoked or expired key gets the usual 401. It reads nothing from the database, so agents can use it to check their key cheaply.',
    tags: ['Identity'],
    operationId: 'whoami',
  },
  ({ ctx }) => Promise.resolve(describeCaller(ctx)),
);
