import { randomUUID } from 'node:crypto';
import { db, transaction } from '@/lib/core/db';
import type { Actor, Ctx, RequestMeta } from '@/lib/access/actor';
import { permissionsOf } from '@/lib/access/permissions';
import { record } from '@/lib/audit/record';
import { dummyPasswordHash, verifyPassword } from '@/lib/core/crypto/password';
import { getEnv } from '@/lib/core/env';
import type { Membership } from '@/lib/generated/prisma/client';

// Sessions live in PostgreSQL behind the next-auth JWT: the cookie only names a session row, and
// every request checks that row, so sign-out and disabling a user take effect at once, on every
// app instance. Idle and absolute timeouts are enforced here, not by the cookie's lifetime.

/** Last-seen is written at most this often, so that active users don't cost a write per request. */
const TOUCH_INTERVAL_MS = 60_000;

export type SignInResult = { ok: true; userId: string; sessionId: string } | { ok: false };

/** A user's platform membership wins; otherwise the first tenant membership sets their scope. */
export function primaryMembership(memberships: Membership[]): Membership | undefined {
  return memberships.find((m) => m.tenantId === null) ?? [...memberships].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0];
}

/** Checks a password and opens a session. Every outcome is audited; callers show one uniform message. */
export async function signIn(input: { email: string; password: string; request: RequestMeta }): Promise<SignInResult> {
  const env = getEnv();
  const email = input.email.trim().toLowerCase().slice(0, 254);
  const user = await db.user.findUnique({ where: { email }, include: { memberships: true } });
  const now = new Date();

  // Always run Argon2, so the response time does not tell whether the email exists.
  const passwordOk = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), input.password);
  const home = user ? (primaryMembership(user.memberships)?.tenantId ?? null) : null;
  const anonymous = { actor: { type: 'anonymous' as const, id: null, label: email }, request: input.request };

  let reason: string | null = null;
  if (!user) reason = 'unknown_user';
  else if (user.status !== 'ACTIVE') reason = 'user_disabled';
  else if (user.lockedUntil && user.lockedUntil > now) reason = 'locked';
  else if (!passwordOk) reason = 'bad_password';
  else if (user.memberships.length === 0) reason = 'no_membership';

  if (reason || !user) {
    await transaction(async (tx) => {
      let lockedUntil: Date | null = null;
      if (user && reason === 'bad_password') {
        const failures = user.failedSignIns + 1;
        lockedUntil = failures >= env.CHARTER_SIGNIN_MAX_FAILURES ? new Date(now.getTime() + env.CHARTER_SIGNIN_LOCK_MINUTES * 60_000) : null;
        await tx.user.update({ where: { id: user.id }, data: { failedSignIns: lockedUntil ? 0 : failures, lockedUntil } });
      }
      await record(tx, user ? { ...anonymous, actor: { type: 'user', id: user.id, label: user.email } } : anonymous, {
        action: 'auth.sign_in_failed',
        tenantId: home,
        target: user ? { type: 'user', id: user.id } : null,
        data: { reason, ...(lockedUntil ? { lockedUntil: lockedUntil.toISOString() } : {}) },
      });
    });
    return { ok: false };
  }

  const sessionId = await transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { failedSignIns: 0, lockedUntil: null, lastSignInAt: now } });
    const session = await tx.session.create({
      data: {
        id: randomUUID(),
        userId: user.id,
        expiresAt: new Date(now.getTime() + env.CHARTER_SESSION_MAX_HOURS * 3_600_000),
        ip: input.request.ip,
        userAgent: input.request.userAgent?.slice(0, 500) ?? null,
      },
    });
    await record(
      tx,
      { actor: { type: 'user', id: user.id, label: user.email }, request: input.request },
      {
        action: 'auth.sign_in',
        tenantId: home,
        target: { type: 'session', id: session.id },
        data: { method: 'password' },
      },
    );
    return session.id;
  });
  return { ok: true, userId: user.id, sessionId };
}

/**
 * The actor behind a session id, or null if the session is unknown, revoked, idle too long, past
 * its absolute lifetime, or its user is disabled.
 */
export async function resolveSessionActor(sessionId: string): Promise<Actor | null> {
  const env = getEnv();
  const session = await db.session.findUnique({ where: { id: sessionId }, include: { user: { include: { memberships: true } } } });
  if (!session || session.revokedAt || session.user.status !== 'ACTIVE') return null;
  const now = Date.now();
  const idleExpired = now - session.lastSeenAt.getTime() > env.CHARTER_SESSION_IDLE_MINUTES * 60_000;
  if (idleExpired || session.expiresAt.getTime() <= now) {
    await db.session.updateMany({
      where: { id: session.id, revokedAt: null },
      data: { revokedAt: new Date(), revokeReason: idleExpired ? 'idle_timeout' : 'absolute_timeout' },
    });
    return null;
  }
  const membership = primaryMembership(session.user.memberships);
  if (!membership) return null;
  if (now - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    await db.session.update({ where: { id: session.id }, data: { lastSeenAt: new Date(now) } });
  }
  return {
    type: 'user',
    id: session.user.id,
    label: session.user.email,
    tenantId: membership.tenantId,
    role: membership.role,
    permissions: permissionsOf(membership.role),
    sessionId: session.id,
  };
}

/** Sign-out: the session row is revoked, so the cookie is worthless even if it was copied. */
export async function signOut(ctx: Ctx): Promise<void> {
  const sessionId = ctx.actor.sessionId;
  if (!sessionId) return;
  await transaction(async (tx) => {
    const res = await tx.session.updateMany({
      where: { id: sessionId, userId: ctx.actor.id, revokedAt: null },
      data: { revokedAt: new Date(), revokeReason: 'sign_out' },
    });
    if (res.count === 0) return;
    await record(tx, ctx, { action: 'auth.sign_out', tenantId: ctx.actor.tenantId, target: { type: 'session', id: sessionId } });
  });
}

export async function getUserName(userId: string): Promise<string | null> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { name: true } });
  return user?.name ?? null;
}
