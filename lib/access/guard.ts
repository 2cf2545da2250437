import type { Actor } from '@/lib/access/actor';
import { AppError } from '@/lib/core/errors';
import type { Permission } from './permissions';

export function can(actor: Pick<Actor, 'permissions'>, permission: Permission): boolean {
  return actor.permissions.has(permission);
}

/** The one guard. Route and action wrappers call it with the permission they declare. */
export function authorize(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) {
    throw new AppError('forbidden', `This action needs the permission ${permission}.`, { extra: { permission } });
  }
}

export function isPlatform(actor: Actor): boolean {
  return actor.tenantId === null;
}
