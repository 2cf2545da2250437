import { z } from 'zod';
import { Role } from '@/lib/generated/prisma/enums';

/** The caller of GET /api/v1/whoami as Charter sees it: who, in which tenant, allowed to do what. */
export const WhoAmI = z
  .object({
    type: z.enum(['apiKey', 'user']).meta({ description: 'An API key (bearer) or a signed-in user (session cookie)' }),
    id: z.string().meta({ description: 'The API key id or user id; audit events name this actor id' }),
    label: z.string().meta({ description: 'How audit events label the actor' }),
    tenantId: z.uuid().nullable().meta({ description: 'The tenant every request is confined to; null for platform scope' }),
    role: z.enum(Role).nullable().meta({ description: "The signed-in user's role; null for API keys" }),
    permissions: z.array(z.string()).meta({ description: "An API key's scopes, or the permissions of the user's role, sorted" }),
    apiKey: z
      .object({
        prefix: z.string().meta({ description: 'Display prefix (chr_ + 6 characters)', example: 'chr_a1B2c3' }),
        name: z.string(),
        expiresAt: z.string().meta({ description: 'RFC 3339; rotate the key before then' }),
      })
      .nullable()
      .meta({ description: 'Set for API keys' }),
  })
  .meta({ id: 'WhoAmI' });
export type WhoAmIDto = z.infer<typeof WhoAmI>;
