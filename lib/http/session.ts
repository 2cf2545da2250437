import { cache } from 'react';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { decode } from 'next-auth/jwt';
import { getEnv } from '@/lib/core/env';
import { requestMetaFrom } from '@/lib/http/request-meta';
import { resolveSessionActor } from '@/lib/access/sessions';
import type { Actor, Ctx } from '@/lib/access/actor';
import { sessionCookieName } from './auth-options';

/** The actor behind a session cookie value, or null. Used by pages, actions and API routes alike. */
export async function actorFromSessionToken(token: string | undefined): Promise<Actor | null> {
  if (!token) return null;
  const jwt = await decode({ token, secret: getEnv().NEXTAUTH_SECRET }).catch(() => null);
  const sid = jwt && typeof jwt.sid === 'string' ? jwt.sid : null;
  return sid ? resolveSessionActor(sid) : null;
}

/** Once per request (React cache): the signed-in actor, or null. */
export const getSessionActor = cache(async (): Promise<Actor | null> => {
  const store = await cookies();
  return actorFromSessionToken(store.get(sessionCookieName())?.value);
});

/** For server components and actions: the context of the signed-in user, or a redirect to sign-in. */
export const requireCtx = cache(async (): Promise<Ctx> => {
  const actor = await getSessionActor();
  if (!actor) redirect('/sign-in');
  return { actor, request: requestMetaFrom(await headers()) };
});
