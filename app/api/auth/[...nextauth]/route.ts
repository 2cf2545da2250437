import NextAuth from 'next-auth';
import { getAuthOptions } from '@/lib/http/auth-options';

// getAuthOptions() reads the environment, so the handler is built per request rather than at import
// time (`next build` imports this module without any configuration).
type RouteContext = { params: Promise<{ nextauth: string[] }> };
type RouteHandler = (req: Request, ctx: RouteContext) => Promise<Response>;

function handler(req: Request, ctx: RouteContext): Promise<Response> {
  // next-auth types NextAuth()'s result as `any`; with options alone it is the App Router handler.
  const nextAuth = NextAuth(getAuthOptions()) as RouteHandler;
  return nextAuth(req, ctx);
}

export { handler as GET, handler as POST };
