import { db, transaction, type Tx } from '@/lib/core/db';
import type { Ctx } from '@/lib/access/actor';
import { authorize } from '@/lib/access/guard';
import { inTenantScope, tenantScope } from '@/lib/access/scope';
import { PLATFORM_ONLY_ROLES, TENANT_ONLY_ROLES } from '@/lib/access/permissions';
import { record } from '@/lib/audit/record';
import { hashPassword } from '@/lib/core/crypto/password';
import { AppError, notFound } from '@/lib/core/errors';
import type { Role } from '@/lib/generated/prisma/enums';
import { type CreateUserInput, createUserInput } from '@/lib/modules/users/schema';
import { systemCtx } from '@/lib/access/system';

export type UserDto = { id: string; email: string; name: string; status: string; memberships: { tenantId: string | null; role: Role }[] };

function checkRoleScope(role: Role, tenantId: string | null): void {
  if (tenantId === null && TENANT_ONLY_ROLES.includes(role)) {
    throw new AppError('validation_failed', `${role} needs a tenant.`, { errors: [{ path: 'tenantId', message: 'required for this role' }] });
  }
  if (tenantId !== null && PLATFORM_ONLY_ROLES.includes(role)) {
    throw new AppError('validation_failed', `${role} is a platform role and cannot belong to a tenant.`, {
      errors: [{ path: 'tenantId', message: 'must be empty for this role' }],
    });
  }
}

async function insertUser(tx: Tx, ctx: Ctx, input: CreateUserInput): Promise<UserDto> {
  checkRoleScope(input.role, input.tenantId);
  if (input.tenantId && !(await tx.tenant.findUnique({ where: { id: input.tenantId }, select: { id: true } }))) {
    throw notFound('Tenant');
  }
  const user = await tx.user.create({
    data: {
      email: input.email,
      name: input.name,
      passwordHash: await hashPassword(input.password),
      memberships: { create: { role: input.role, tenantId: input.tenantId } },
    },
  });
  // The password hash never enters the audit trail.
  await record(tx, ctx, {
    action: 'user.created',
    tenantId: input.tenantId,
    target: { type: 'user', id: user.id },
    data: { after: { email: user.email, name: user.name, role: input.role, tenantId: input.tenantId } },
  });
  return { id: user.id, email: user.email, name: user.name, status: user.status, memberships: [{ tenantId: input.tenantId, role: input.role }] };
}

/**
 * Creates a user with one membership. Platform owners manage everyone; a tenant admin only manages
 * users of their own tenant, with tenant roles.
 */
export async function createUser(ctx: Ctx, raw: CreateUserInput): Promise<UserDto> {
  authorize(ctx.actor, 'users:write');
  const input = createUserInput.parse(raw);
  if (!inTenantScope(ctx.actor, input.tenantId)) throw notFound('Tenant');
  return transaction(async (tx) => insertUser(tx, ctx, input));
}

/** `npx charter create-owner`: the operator on the server creates a platform owner. */
export async function createOwner(input: { email: string; name?: string; password: string }): Promise<UserDto> {
  const ctx = systemCtx('create-owner');
  const parsed = createUserInput.parse({
    email: input.email,
    name: input.name ?? input.email.split('@')[0],
    password: input.password,
    role: 'OWNER',
    tenantId: null,
  });
  return transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email: parsed.email }, select: { id: true } })) {
      throw new AppError('conflict', `A user with the email ${parsed.email} already exists.`);
    }
    return insertUser(tx, ctx, parsed);
  });
}

/** Disabling a user ends all their sessions at once. */
export async function disableUser(ctx: Ctx, userId: string): Promise<void> {
  authorize(ctx.actor, 'users:write');
  await transaction(async (tx) => {
    const user = await tx.user.findFirst({
      where: { id: userId, ...(ctx.actor.tenantId ? { memberships: { some: tenantScope(ctx.actor) } } : {}) },
      include: { memberships: true },
    });
    if (!user) throw notFound('User');
    if (user.id === ctx.actor.id) throw new AppError('conflict', 'You cannot disable your own account.');
    if (user.status === 'DISABLED') return;
    await tx.user.update({ where: { id: userId }, data: { status: 'DISABLED' } });
    const revoked = await tx.session.updateMany({
      where: { userId, revokedAt: null },
      data: { revokedAt: new Date(), revokeReason: 'user_disabled' },
    });
    await record(tx, ctx, {
      action: 'user.disabled',
      tenantId: ctx.actor.tenantId ?? user.memberships.find((m) => m.tenantId)?.tenantId ?? null,
      target: { type: 'user', id: userId },
      data: { before: { status: user.status }, after: { status: 'DISABLED' }, sessionsRevoked: revoked.count },
    });
  });
}

export async function countUsers(): Promise<number> {
  return db.user.count();
}
