import NextAuth from 'next-auth';
import { getAuthOptions } from '@/lib/http/auth-options';

// getAuthOptions() reads the environment, so the handler is built per request rather than at import
// time (`next build` imports this module without any configuration).
type RouteContext = { params: Promise<{ nextauth: string[] }> };

function handler(req: Request, ctx: RouteContext): Promise<Response> {
  return NextAuth(getAuthOptions())(req, ctx) as Promise<Response>;
}

export { handler as GET, handler as POST };
