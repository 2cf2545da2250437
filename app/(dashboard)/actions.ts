'use server';

import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { sessionCookieName, useSecureCookies } from '@/lib/http/auth-options';
import { getSessionActor } from '@/lib/http/session';
import { requestMetaFrom } from '@/lib/http/request-meta';
import { signOut } from '@/lib/access/sessions';

/** Revokes the server-side session (so a copied cookie is worthless), then drops the cookie. */
export async function signOutAction(): Promise<void> {
  const actor = await getSessionActor();
  if (actor) await signOut({ actor, request: requestMetaFrom(await headers()) });
  const store = await cookies();
  store.set(sessionCookieName(), '', { path: '/', maxAge: 0, httpOnly: true, sameSite: 'lax', secure: useSecureCookies() });
  redirect('/sign-in');
}
