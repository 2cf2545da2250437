import { describe, expect, it } from 'vitest';
import { db } from '@/lib/core/db';
import { TEST_PASSWORD, makeTenant, makeUser } from '@/lib/testing/factories';
import { resolveSessionActor, signIn, signOut } from './sessions';
import { disableUser } from '@/lib/modules/users/service';

const request = { ip: '192.0.2.10', userAgent: 'vitest', requestId: 'req-sessions-test' };

async function lastEvent(userId: string) {
  return db.auditEvent.findFirst({ where: { OR: [{ actorId: userId }, { targetId: userId }] }, orderBy: { occurredAt: 'desc' } });
}

describe('sign-in and server-side sessions', () => {
  it('opens a session for the right password and audits it', async () => {
    const tenant = await makeTenant();
    const user = await makeUser('TENANT_ADMIN', tenant.id);
    const result = await signIn({ email: user.email.toUpperCase(), password: TEST_PASSWORD, request });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const actor = await resolveSessionActor(result.sessionId);
    expect(actor).toMatchObject({ type: 'user', id: user.id, tenantId: tenant.id, role: 'TENANT_ADMIN' });
    const event = await db.auditEvent.findFirst({ where: { action: 'auth.sign_in', actorId: user.id } });
    expect(event).toMatchObject({ chain: tenant.id, ip: '192.0.2.10', targetId: result.sessionId });
  });

  it('gives one uniform failure for a wrong password and an unknown email, audits both, never the password', async () => {
    const user = await makeUser('ADMIN', null);
    expect(await signIn({ email: user.email, password: 'wrong password!!', request })).toEqual({ ok: false });
    const unknown = `nobody-${Date.now()}@test.example`;
    expect(await signIn({ email: unknown, password: TEST_PASSWORD, request })).toEqual({ ok: false });
    const failures = await db.auditEvent.findMany({ where: { action: 'auth.sign_in_failed', OR: [{ actorId: user.id }, { actorLabel: unknown }] } });
    expect(failures.map((f) => (f.data as { reason: string }).reason).sort()).toEqual(['bad_password', 'unknown_user']);
    for (const f of failures) expect(JSON.stringify(f, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('wrong password');
  });

  it('locks an account after repeated failures, even for the right password', async () => {
    const user = await makeUser('ADMIN', null);
    for (let i = 0; i < 10; i++) await signIn({ email: user.email, password: `wrong-${i}-password`, request });
    expect(await signIn({ email: user.email, password: TEST_PASSWORD, request })).toEqual({ ok: false });
    expect((await lastEvent(user.id))?.data).toMatchObject({ reason: 'locked' });
  });

  it('ends the session at once on sign-out', async () => {
    const user = await makeUser('AUDITOR', null);
    const result = await signIn({ email: user.email, password: TEST_PASSWORD, request });
    if (!result.ok) throw new Error('sign-in failed');
    const actor = await resolveSessionActor(result.sessionId);
    if (!actor) throw new Error('no actor');
    await signOut({ actor, request });
    expect(await resolveSessionActor(result.sessionId)).toBeNull();
    expect((await lastEvent(user.id))?.action).toBe('auth.sign_out');
  });

  it('ends every session of a disabled user at once', async () => {
    const tenant = await makeTenant();
    const admin = await makeUser('TENANT_ADMIN', tenant.id);
    const user = await makeUser('TENANT_VIEWER', tenant.id);
    const result = await signIn({ email: user.email, password: TEST_PASSWORD, request });
    if (!result.ok) throw new Error('sign-in failed');
    await disableUser(admin.ctx, user.id);
    expect(await resolveSessionActor(result.sessionId)).toBeNull();
    expect(await signIn({ email: user.email, password: TEST_PASSWORD, request })).toEqual({ ok: false });
  });

  it('refuses a tenant admin disabling a user of another tenant (cross-tenant test)', async () => {
    const [a, b] = [await makeTenant(), await makeTenant()];
    const adminA = await makeUser('TENANT_ADMIN', a.id);
    const userB = await makeUser('TENANT_VIEWER', b.id);
    await expect(disableUser(adminA.ctx, userB.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('expires idle and over-age sessions', async () => {
    const user = await makeUser('ADMIN', null);
    const idle = await signIn({ email: user.email, password: TEST_PASSWORD, request });
    const old = await signIn({ email: user.email, password: TEST_PASSWORD, request });
    if (!idle.ok || !old.ok) throw new Error('sign-in failed');
    await db.session.update({ where: { id: idle.sessionId }, data: { lastSeenAt: new Date(Date.now() - 31 * 60_000) } });
    await db.session.update({ where: { id: old.sessionId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await resolveSessionActor(idle.sessionId)).toBeNull();
    expect(await resolveSessionActor(old.sessionId)).toBeNull();
    const rows = await db.session.findMany({ where: { id: { in: [idle.sessionId, old.sessionId] } } });
    expect(rows.map((r) => r.revokeReason).sort()).toEqual(['absolute_timeout', 'idle_timeout']);
  });
});
