import type { Ctx } from '@/lib/access/actor';
import type { WhoAmIDto } from '@/lib/access/whoami-schema';

/**
 * The resolved actor of a request, as its holder may see it. No database access: everything comes
 * from the verified key (or session), so integrators and agents can cheaply check their key's
 * scopes, tenant and expiry.
 */
export function describeCaller(ctx: Ctx): WhoAmIDto {
  const { actor } = ctx;
  return {
    type: actor.type === 'apiKey' ? 'apiKey' : 'user',
    id: actor.id,
    label: actor.label,
    tenantId: actor.tenantId,
    role: actor.role,
    permissions: [...actor.permissions].sort(),
    apiKey: actor.apiKey ? { prefix: actor.apiKey.prefix, name: actor.apiKey.name, expiresAt: actor.apiKey.expiresAt } : null,
  };
}
