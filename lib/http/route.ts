import type { NextRequest } from 'next/server';
import { z } from 'zod';
import type { Actor, Ctx, RequestMeta } from '@/lib/auth/actor';
import { sessionCookieName } from '@/lib/auth/options';
import { actorFromSessionToken } from '@/lib/auth/session';
import { authorize } from '@/lib/authz/guard';
import type { Permission } from '@/lib/authz/permissions';
import { AppError, toAppError, toProblem } from '@/lib/errors';
import { logger } from '@/lib/logger';
import { recordAccessDenied } from '@/lib/services/audit';
import { API_KEY_REJECTED, recordKeyDenied, verifyApiKey } from '@/lib/services/api-keys';
import { requestMetaFrom } from './request-meta';

type Schema = z.ZodType;
type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

export type RouteOptions<Q, B, P> = {
  /** The permission this route needs; checked before the handler runs. */
  permission: Permission;
  query?: Q;
  body?: B;
  params?: P;
  /** The success body's schema, for the OpenAPI document. */
  response?: z.ZodType;
  /** Success status (default 200, or 201 for POST). */
  status?: number;
  /** One-line summary and grouping for the OpenAPI document. */
  summary?: string;
  tags?: string[];
};

export type RouteArgs<Q, B, P> = { ctx: Ctx; query: Infer<Q>; body: Infer<B>; params: Infer<P>; req: NextRequest };

const MAX_BODY_BYTES = 1_000_000;

class KeyRejected extends AppError {
  constructor() {
    super('unauthenticated', API_KEY_REJECTED);
  }
}

/**
 * Resolves the actor of an API request: a bearer API key, or else the browser session cookie.
 * Every key failure (including a key without the route's scope) is the same 401, audited.
 */
async function resolveActor(req: NextRequest, permission: Permission, request: RequestMeta): Promise<Actor | null> {
  const authorization = req.headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const verdict = await verifyApiKey(match?.[1] ?? '', { ip: request.ip, permission });
    if (verdict.ok) return verdict.actor;
    await recordKeyDenied(verdict, request, req.nextUrl.pathname);
    throw new KeyRejected();
  }
  return actorFromSessionToken(req.cookies.get(sessionCookieName())?.value);
}

async function readJson(req: NextRequest): Promise<unknown> {
  const text = await req.text();
  if (text.length > MAX_BODY_BYTES) throw new AppError('payload_too_large', `The body exceeds ${MAX_BODY_BYTES} bytes.`);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('bad_request', 'The body is not valid JSON.');
  }
}

export function problemResponse(err: unknown, requestId: string, headers: Record<string, string> = {}): Response {
  // A rejected key gets a byte-identical body whatever the reason; the request id stays in the header.
  const problem = toProblem(err, err instanceof KeyRejected ? undefined : requestId);
  return Response.json(problem, {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', 'x-request-id': requestId, ...headers },
  });
}

/**
 * The one wrapper for `/api` route handlers: resolve the actor, check the declared permission,
 * validate params, query and body with their zod schemas, run the handler, and map any error to
 * RFC 9457 problem+json. Handlers return a plain value (sent as JSON) or a Response.
 */
export function route<Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined, P extends Schema | undefined = undefined>(
  options: RouteOptions<Q, B, P>,
  handler: (args: RouteArgs<Q, B, P>) => Promise<unknown>,
) {
  return async (req: NextRequest, context: { params: Promise<Record<string, string | string[]>> }): Promise<Response> => {
    const request = requestMetaFrom(req.headers);
    let ctx: Ctx | undefined;
    try {
      const actor = await resolveActor(req, options.permission, request);
      if (!actor) throw new AppError('unauthenticated', 'Sign in or send a valid API key.');
      ctx = { actor, request };
      authorize(actor, options.permission);
      const params = options.params ? options.params.parse(await context.params) : undefined;
      const query = options.query ? options.query.parse(Object.fromEntries(req.nextUrl.searchParams)) : undefined;
      const body = options.body ? options.body.parse(await readJson(req)) : undefined;
      const result = await handler({ ctx, query, body, params, req } as RouteArgs<Q, B, P>);
      if (result instanceof Response) {
        result.headers.set('x-request-id', request.requestId);
        return result;
      }
      return Response.json(result, { status: options.status ?? (req.method === 'POST' ? 201 : 200), headers: { 'x-request-id': request.requestId } });
    } catch (err) {
      const appError = toAppError(err);
      if (appError.code === 'unauthenticated') {
        return problemResponse(appError, request.requestId, { 'www-authenticate': 'Bearer realm="charter"' });
      }
      if (appError.code === 'forbidden' && ctx) {
        await recordAccessDenied(ctx, { permission: options.permission, path: req.nextUrl.pathname, reason: appError.message });
      }
      if (appError.code === 'internal') {
        logger.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err), requestId: request.requestId }, 'request failed');
      }
      return problemResponse(appError, request.requestId);
    }
  };
}
