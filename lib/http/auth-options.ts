import type { AuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { getEnv } from '@/lib/core/env';
import { requestMetaFrom } from '@/lib/http/request-meta';
import { signIn } from '@/lib/access/sessions';
import { signInInput } from '@/lib/modules/users/schema';
import { logger } from '@/lib/core/logger';

/** Cookies are Secure whenever Charter is served over HTTPS (NEXTAUTH_URL https://…). */
export function useSecureCookies(): boolean {
  return getEnv().NEXTAUTH_URL?.startsWith('https://') ?? false;
}

export function sessionCookieName(): string {
  return useSecureCookies() ? '__Secure-charter.session' : 'charter.session';
}

let cached: AuthOptions | undefined;

export function getAuthOptions(): AuthOptions {
  if (cached) return cached;
  const env = getEnv();
  const secure = useSecureCookies();
  const maxAge = env.CHARTER_SESSION_MAX_HOURS * 3600;
  cached = {
    secret: env.NEXTAUTH_SECRET,
    // The JWT only carries the id of a server-side session row (lib/access/sessions.ts).
    session: { strategy: 'jwt', maxAge, updateAge: 0 },
    jwt: { maxAge },
    useSecureCookies: secure,
    cookies: {
      sessionToken: {
        name: sessionCookieName(),
        options: { httpOnly: true, sameSite: 'lax', path: '/', secure },
      },
    },
    pages: { signIn: '/sign-in', error: '/sign-in' },
    providers: [
      CredentialsProvider({
        name: 'Email and password',
        credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
        async authorize(credentials, req) {
          const parsed = signInInput.safeParse(credentials ?? {});
          if (!parsed.success) return null;
          const headers = new Headers();
          for (const [k, v] of Object.entries(req.headers ?? {})) if (typeof v === 'string') headers.set(k, v);
          const result = await signIn({ ...parsed.data, request: requestMetaFrom(headers) });
          return result.ok ? { id: result.userId, sid: result.sessionId } : null;
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user && 'sid' in user && typeof user.sid === 'string') token.sid = user.sid;
        return token;
      },
      // The browser session object carries nothing but the fact that one exists; pages resolve the actor.
      session({ session }) {
        return { expires: session.expires };
      },
    },
    logger: {
      error: (code, metadata) => logger.error({ code, err: metadata instanceof Error ? metadata.message : undefined }, 'next-auth error'),
      warn: (code) => logger.warn({ code }, 'next-auth warning'),
      debug: () => undefined,
    },
  };
  return cached;
}
