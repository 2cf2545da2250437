import { z } from 'zod';
import type { Actor, Ctx, RequestMeta } from '@/lib/access/actor';
import { sessionCookieName } from '@/lib/http/auth-options';
import { actorFromSessionToken } from '@/lib/http/session';
import { authorize } from '@/lib/access/guard';
import type { Permission } from '@/lib/access/permissions';
import { getDatabaseEnv } from '@/lib/core/env';
import { AppError, toAppError, toProblem, unavailable } from '@/lib/core/errors';
import { logger } from '@/lib/core/logger';
import { recordAccessDenied } from '@/lib/modules/audit-trail/search';
import { API_KEY_REJECTED, recordKeyDenied, verifyApiKey } from '@/lib/access/api-keys/verify';
import { type ApiRequest, type ApiResult, StreamBody, fromWebRequest, toWebResponse } from './api-request';
import { abandonIdempotentRequest, finishIdempotentRequest, parseIdempotencyKey, requestFingerprint, startIdempotentRequest } from './idempotency';
import { enforceRateLimit } from './rate-limit';
import { requestMetaFrom } from './request-meta';

type Schema = z.ZodType;
type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

/**
 * For routes that any signed-in user or valid API key may call, whatever its scopes — only routes
 * that describe the caller itself (GET /api/v1/whoami). The key must still be valid in every other
 * respect (unexpired, unrevoked, within its CIDRs).
 */
export const AUTHENTICATED = 'authenticated';
export type RoutePermission = Permission | typeof AUTHENTICATED;

export type RouteOptions<Q, B, P> = {
  /** The permission this route needs (or AUTHENTICATED); checked before the handler runs. */
  permission: RoutePermission;
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
  /** Longer Markdown description and a stable operation id for the OpenAPI document. */
  description?: string;
  operationId?: string;
  /**
   * Which deadline bounds the request (CHARTER_REQUEST_TIMEOUT_MS, or CHARTER_BULK_REQUEST_TIMEOUT_MS
   * for `bulk`: audit uploads, and exports until their first byte).
   */
  deadline?: 'default' | 'bulk';
};

/** What route() records about a handler, for the OpenAPI document (lib/openapi). */
export type RouteDefinition = {
  /** null for a public route (no actor, no permission); AUTHENTICATED for any actor. */
  permission: RoutePermission | null;
  query?: z.ZodType;
  body?: z.ZodType;
  params?: z.ZodType;
  response?: z.ZodType;
  status?: number;
  summary?: string;
  tags?: string[];
  description?: string;
  operationId?: string;
};

// A global symbol, so that the definition is found even if a bundler duplicates this module.
const ROUTE_DEFINITION = Symbol.for('charter.route-definition');

/** The definition route() recorded on a handler, or null if it was not made by route(). */
export function routeDefinitionOf(handler: unknown): RouteDefinition | null {
  if (typeof handler !== 'function') return null;
  return (handler as unknown as Record<symbol, RouteDefinition | undefined>)[ROUTE_DEFINITION] ?? null;
}

type RouteParams = Record<string, string | string[]>;
type RouteHandler = (req: Request, context: { params: Promise<RouteParams> }) => Promise<Response>;

/**
 * A route's whole pipeline on an ApiRequest, whichever server received it. Next.js calls the
 * handler route() returns (a WHATWG Request in, a Response out); Charter's own `/api/v1` server
 * (lib/runtime/api-server.ts) calls this directly and writes the result to node:http, without
 * building a Request or a Response for it.
 */
export type RouteCore = (req: ApiRequest, params: RouteParams) => Promise<ApiResult>;

// Global symbols, so that they are found even if a bundler duplicates this module.
const ROUTE_CORE = Symbol.for('charter.route-core');

/** The pipeline route() or publicRoute() put behind a handler, or null. */
export function routeCoreOf(handler: unknown): RouteCore | null {
  if (typeof handler !== 'function') return null;
  return (handler as unknown as Record<symbol, RouteCore | undefined>)[ROUTE_CORE] ?? null;
}

function define(core: RouteCore, definition: RouteDefinition): RouteHandler {
  const handler: RouteHandler = async (req, context) => toWebResponse(await core(fromWebRequest(req), await context.params));
  Object.defineProperty(handler, ROUTE_DEFINITION, { value: Object.freeze(definition) });
  Object.defineProperty(handler, ROUTE_CORE, { value: core });
  return handler;
}

export type RouteArgs<Q, B, P> = { ctx: Ctx; query: Infer<Q>; body: Infer<B>; params: Infer<P> };

class KeyRejected extends AppError {
  constructor() {
    super('unauthenticated', API_KEY_REJECTED);
  }
}

/**
 * Resolves the actor of an API request: a bearer API key, or else the browser session cookie.
 * Every key failure (including a key without the route's scope) is the same 401, audited.
 */
async function resolveActor(req: ApiRequest, permission: RoutePermission, request: RequestMeta): Promise<Actor | null> {
  const authorization = req.headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const verdict = await verifyApiKey(match?.[1] ?? '', { ip: request.ip, permission: permission === AUTHENTICATED ? null : permission });
    if (verdict.ok) return verdict.actor;
    await recordKeyDenied(verdict, request, req.pathname);
    throw new KeyRejected();
  }
  return actorFromSessionToken(req.cookie(sessionCookieName()));
}

async function readJson(req: ApiRequest): Promise<unknown> {
  const text = await req.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('bad_request', 'The body is not valid JSON.');
  }
}

/** The body of a request that route() does not parse: JSON if it is JSON, else its text. */
async function bodyForFingerprint(req: ApiRequest): Promise<unknown> {
  const text = await req.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A problem+json result; a rejected key gets a byte-identical body whatever the reason (request id in the header only). */
function problemResult(err: unknown, requestId: string, headers: Record<string, string> = {}): ApiResult {
  const problem = toProblem(err, err instanceof KeyRejected ? undefined : requestId);
  return {
    kind: 'json',
    status: problem.status,
    json: problem,
    headers: { ...(err instanceof AppError ? err.headers : undefined), ...headers, 'content-type': 'application/problem+json', 'x-request-id': requestId },
  };
}

/** A handler's return value as a result: a Response or StreamBody as it is, anything else as JSON. */
function resultOf(value: unknown, status: number, headers: Record<string, string>): ApiResult {
  if (value instanceof StreamBody) return { kind: 'stream', body: value, headers };
  if (value instanceof Response) return { kind: 'response', response: value, headers };
  return { kind: 'json', status, json: value, headers };
}

/** Logs what the client is not told: the stack of an internal error, the driver's words for an outage. */
function logFailure(err: unknown, appError: AppError, requestId: string): void {
  if (appError.code === 'internal') {
    logger.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err), requestId }, 'request failed');
  } else if (appError.code === 'unavailable') {
    logger.warn({ cause: appError.extra?.cause, err: err instanceof Error ? err.message : String(err), requestId }, 'request failed: database unavailable');
  }
}

/** A result the client will never see (its request passed the deadline): free what it holds. */
function discard(result: ApiResult): void {
  if (result.kind === 'stream') result.body.stream.destroy();
  else if (result.kind === 'response') void result.response.body?.cancel().catch(() => {});
}

function deadlineOf(deadline: RouteOptions<unknown, unknown, unknown>['deadline']): number {
  const env = getDatabaseEnv();
  return deadline === 'bulk' ? env.CHARTER_BULK_REQUEST_TIMEOUT_MS : env.CHARTER_REQUEST_TIMEOUT_MS;
}

/**
 * Answers with a 503 `deadline_exceeded` once `ms` have passed, whatever the work is waiting for
 * (a pool connection, a lock, a slow statement). The work is not abandoned half-way: it runs on to
 * its own end, bounded by the statement and transaction timeouts, and settles its Idempotency-Key
 * claim itself — so a client that retries with the same key gets "in progress", then the real
 * outcome, never a second execution.
 */
function withDeadline(work: Promise<ApiResult>, ms: number, late: () => ApiResult): Promise<ApiResult> {
  if (ms <= 0) return work;
  return new Promise((resolve) => {
    let answered = false;
    const timer = setTimeout(() => {
      answered = true;
      resolve(late());
    }, ms);
    void work.then((result) => {
      if (answered) {
        discard(result);
        return;
      }
      clearTimeout(timer);
      answered = true;
      resolve(result);
    });
  });
}

/** The pipeline's last line of defence: whatever escapes it becomes its problem, never a rejection. */
function settle(work: Promise<ApiResult>, requestId: string): Promise<ApiResult> {
  return work.catch((err: unknown) => {
    const appError = toAppError(err);
    logFailure(err, appError, requestId);
    return problemResult(appError, requestId);
  });
}

function deadlineResult(path: string, ms: number, requestId: string): ApiResult {
  logger.warn({ path, deadlineMs: ms, requestId }, 'request passed its deadline');
  return problemResult(unavailable('deadline_exceeded'), requestId);
}

/**
 * The one wrapper for `/api` route handlers: resolve the actor, apply the API key's rate limit,
 * check the declared permission, validate params, query and body with their zod schemas, honour an
 * Idempotency-Key on POST, run the handler, and map any error to RFC 9457 problem+json. Handlers
 * return a plain value (sent as JSON), a StreamBody or a Response. The options are recorded on the
 * returned handler for the OpenAPI document (routeDefinitionOf), and the pipeline for Charter's own
 * API server (routeCoreOf).
 */
export function route<Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined, P extends Schema | undefined = undefined>(
  options: RouteOptions<Q, B, P>,
  handler: (args: RouteArgs<Q, B, P>) => Promise<unknown>,
) {
  let deadlineMs: number | undefined;
  const core: RouteCore = (req, rawParams) => {
    const request = requestMetaFrom(req.headers);
    deadlineMs ??= deadlineOf(options.deadline);
    const ms = deadlineMs;
    return withDeadline(settle(run(req, rawParams, request), request.requestId), ms, () => deadlineResult(req.pathname, ms, request.requestId));
  };
  const run = async (req: ApiRequest, rawParams: RouteParams, request: RequestMeta): Promise<ApiResult> => {
    // Sent with every response once known, errors included (RateLimit-*).
    let extraHeaders: Record<string, string> = {};
    let ctx: Ctx | undefined;
    let claimId: string | null = null;
    try {
      const actor = await resolveActor(req, options.permission, request);
      if (!actor) throw new AppError('unauthenticated', 'Sign in or send a valid API key.');
      ctx = { actor, request };
      // A refusal carries its RateLimit-* and Retry-After headers itself (AppError.headers).
      if (actor.type === 'apiKey') extraHeaders = await enforceRateLimit(`apiKey:${actor.id}`);
      if (options.permission !== AUTHENTICATED) authorize(actor, options.permission);
      const idempotencyKey = req.method === 'POST' ? parseIdempotencyKey(req.headers) : null;
      const params = options.params ? options.params.parse(rawParams) : undefined;
      const query = options.query ? options.query.parse(Object.fromEntries(req.searchParams)) : undefined;
      const raw = options.body ? await readJson(req) : undefined;
      const body = options.body ? options.body.parse(raw) : undefined;
      if (idempotencyKey) {
        const start = await startIdempotentRequest({
          actor,
          key: idempotencyKey,
          method: req.method,
          path: req.pathname,
          fingerprint: requestFingerprint({ body: options.body ? raw : await bodyForFingerprint(req), query: req.searchParams }),
        });
        if (start.kind === 'replay') return { kind: 'response', response: start.response, headers: { ...extraHeaders, 'x-request-id': request.requestId } };
        claimId = start.claimId;
      }
      const value = await handler({ ctx, query, body, params } as RouteArgs<Q, B, P>);
      const headers = extraHeaders; // a fresh object per request
      headers['x-request-id'] = request.requestId;
      const result = resultOf(value, options.status ?? (req.method === 'POST' ? 201 : 200), headers);
      if (!claimId) return result;
      const id = claimId;
      claimId = null;
      return { kind: 'response', response: await finishIdempotentRequest(id, toWebResponse(result), request.requestId), headers };
    } catch (err) {
      const appError = toAppError(err);
      let result: ApiResult;
      if (appError.code === 'unauthenticated') {
        result = problemResult(appError, request.requestId, { 'www-authenticate': 'Bearer realm="charter"' });
      } else {
        if (appError.code === 'forbidden' && ctx) {
          await recordAccessDenied(ctx, { permission: options.permission, path: req.pathname, reason: appError.message });
        }
        logFailure(err, appError, request.requestId);
        result = problemResult(appError, request.requestId, extraHeaders);
      }
      // A handler's 4xx is part of the request's outcome and is replayed; a 5xx frees the key.
      if (claimId && appError.status < 500) {
        return { kind: 'response', response: await finishIdempotentRequest(claimId, toWebResponse(result), request.requestId), headers: {} };
      }
      if (claimId) await abandonIdempotentRequest(claimId, request.requestId);
      return result;
    }
  };
  return define(core, {
    permission: options.permission,
    query: options.query,
    body: options.body,
    params: options.params,
    response: options.response,
    status: options.status,
    summary: options.summary,
    tags: options.tags,
    description: options.description,
    operationId: options.operationId,
  });
}

export type PublicRouteOptions = Omit<RouteOptions<undefined, undefined, undefined>, 'permission' | 'query' | 'body' | 'params'>;

/**
 * A route that needs no actor (e.g. the OpenAPI document, public signing keys): no authentication,
 * permission or rate limit, the same problem+json errors and request ids, and a definition for the
 * OpenAPI document. Only for data that is public by design.
 */
export function publicRoute(options: PublicRouteOptions, handler: () => Promise<unknown>) {
  let deadlineMs: number | undefined;
  const core: RouteCore = (req) => {
    const request = requestMetaFrom(req.headers);
    deadlineMs ??= deadlineOf(options.deadline);
    const ms = deadlineMs;
    const work = handler().then((value) => resultOf(value, options.status ?? 200, { 'x-request-id': request.requestId }));
    return withDeadline(settle(work, request.requestId), ms, () => deadlineResult(req.pathname, ms, request.requestId));
  };
  return define(core, { ...options, permission: null });
}
