import type { Role } from '@/lib/generated/prisma/enums';
import type { Permission } from '@/lib/access/permissions';

/** What an API key's holder and the services need to know about the key, read with the key itself. */
export type ApiKeyIdentity = {
  /** How its holder recognises it: display prefix, name, expiry as RFC 3339. */
  readonly prefix: string;
  readonly name: string;
  readonly expiresAt: string;
  /** The deployment whose agent holds the key: the key then sees that one deployment only. */
  readonly deploymentId: string | null;
  /** The user who created the key, whom four-eyes counts it as; null for a key the CLI made. */
  readonly createdById: string | null;
};

/**
 * Who is acting. A session and an API key both resolve to this, before any data is touched.
 * `tenantId` null means platform scope; otherwise every query is confined to that tenant.
 * An API key actor always carries its key's identity, resolved once when the key is verified (and
 * cached with it), so no service reads the key row again.
 */
export type Actor = {
  id: string;
  label: string;
  tenantId: string | null;
  role: Role | null;
  permissions: ReadonlySet<Permission>;
  sessionId?: string;
} & ({ type: 'user' | 'system'; apiKey?: undefined } | { type: 'apiKey'; apiKey: ApiKeyIdentity });

/**
 * The person behind an actor, for four-eyes: a user is themselves, an API key counts as the user who
 * created it (so a user's key cannot approve that user's request); the system and keys the CLI made
 * have nobody behind them.
 */
export function personOf(actor: Actor): string | null {
  if (actor.type === 'user') return actor.id;
  if (actor.type === 'apiKey') return actor.apiKey.createdById;
  return null;
}

/** The deployment an API key is bound to (its agent's key), or null for any other actor. */
export function boundDeploymentOf(actor: Actor): string | null {
  return actor.type === 'apiKey' ? actor.apiKey.deploymentId : null;
}

/** Facts about the request that the audit trail records. */
export type RequestMeta = { ip: string | null; userAgent: string | null; requestId: string };

/** What every service function receives first: the actor and the request it acts in. */
export type Ctx = { actor: Actor; request: RequestMeta };
