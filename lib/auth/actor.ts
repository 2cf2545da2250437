import type { Role } from '@/lib/generated/prisma/enums';
import type { Permission } from '@/lib/authz/permissions';

/**
 * Who is acting. A session and an API key both resolve to this, before any data is touched.
 * `tenantId` null means platform scope; otherwise every query is confined to that tenant.
 */
export type Actor = {
  type: 'user' | 'apiKey' | 'system';
  id: string;
  label: string;
  tenantId: string | null;
  role: Role | null;
  permissions: ReadonlySet<Permission>;
  sessionId?: string;
  /** For an API key: how its holder recognises it (display prefix, name, expiry as RFC 3339). */
  apiKey?: { readonly prefix: string; readonly name: string; readonly expiresAt: string };
};

/** Facts about the request that the audit trail records. */
export type RequestMeta = { ip: string | null; userAgent: string | null; requestId: string };

/** What every service function receives first: the actor and the request it acts in. */
export type Ctx = { actor: Actor; request: RequestMeta };
