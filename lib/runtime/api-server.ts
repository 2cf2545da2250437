/**
 * Charter's own server for `/api/v1`: the same route() pipelines as the Next.js route handlers
 * (app/api/v1/**, which re-export them), called on node:http requests directly, without Next.js's
 * request pipeline or a WHATWG Request/Response per call (bench/key-verify: that pipeline costs ~30×
 * a bare node:http server). lib/runtime/server.ts puts it in front of Next.js; the table in
 * lib/api/v1/routes.ts stays the one definition of each endpoint, and `next dev` still serves the
 * route files itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { type ApiRequest, type ApiResult, NULL_BODY_STATUS, cookieValue, readBodyText } from '@/lib/http/api-request';
import { requestMetaFrom } from '@/lib/http/request-meta';
import { type RouteCore, routeCoreOf } from '@/lib/http/route';
import { API_SECURITY_HEADERS } from '@/lib/http/security-headers';
import { AppError, toAppError, toProblem } from '@/lib/core/errors';
import { logger } from '@/lib/core/logger';
import { API_ROUTES } from '@/lib/api/v1/routes';

export const API_PREFIX = '/api/v1';

/**
 * Appends the socket's peer to X-Forwarded-For, as a proxy would; whatever the header said before
 * is the client's own claim (lib/http/request-meta.ts decides how much of it to believe). Run on
 * every request, whichever half of the server answers it.
 */
export function appendPeerAddress(req: IncomingMessage): void {
  const peer = req.socket.remoteAddress;
  if (!peer) return;
  const claimed = req.headers['x-forwarded-for'];
  req.headers['x-forwarded-for'] = claimed ? `${Array.isArray(claimed) ? claimed.join(', ') : claimed}, ${peer}` : peer;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

type Endpoint = { template: string; names: string[]; pattern: RegExp | null; methods: Map<string, RouteCore>; allow: string };

export type ApiServer = {
  /** Serves a request whose path is under /api/v1 (isApiPath); never throws. */
  handle(req: IncomingMessage, res: ServerResponse): void;
};

/** Adds `source` to `target` by lower-case name, so that a header is never sent twice in two spellings. */
function mergeHeaders(target: Record<string, string>, source: Record<string, string>): void {
  for (const name in source) target[name.toLowerCase()] = source[name];
}

/** Whether the server answers this request URL itself (`/api/v1` and below). */
export function isApiPath(url: string | undefined): boolean {
  if (!url?.startsWith(API_PREFIX)) return false;
  const next = url.charCodeAt(API_PREFIX.length);
  return Number.isNaN(next) || next === 47 /* / */ || next === 63; /* ? */
}

function compile(template: string, module: Record<string, unknown>): Endpoint {
  const names: string[] = [];
  const source = template
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(param[1]);
      return '([^/]+)';
    })
    .join('/');
  const methods = new Map<string, RouteCore>();
  for (const method of METHODS) {
    const core = routeCoreOf(module[method]);
    if (module[method] !== undefined && !core) throw new Error(`${method} ${template} is not made with route() or publicRoute()`);
    if (core) methods.set(method, core);
  }
  if (methods.has('GET')) methods.set('HEAD', methods.get('GET') as RouteCore);
  const allow = [...methods.keys(), 'OPTIONS'].join(', ');
  return { template, names, pattern: names.length ? new RegExp(`^${source}$`) : null, methods, allow };
}

/** Node's request as route() sees it; a class, so that no closures are made per request. */
class NodeApiRequest implements ApiRequest {
  private body: Promise<string> | undefined;
  private params: URLSearchParams | undefined;
  readonly headers: { get(name: string): string | null };

  constructor(
    private readonly req: IncomingMessage,
    readonly method: string,
    readonly pathname: string,
    private readonly search: string,
  ) {
    this.headers = new NodeHeaders(req.headers);
  }

  get searchParams(): URLSearchParams {
    return (this.params ??= new URLSearchParams(this.search));
  }

  cookie(name: string): string | undefined {
    return cookieValue(this.headers.get('cookie'), name);
  }

  text(): Promise<string> {
    return (this.body ??= readBodyText(this.req.iterator({ destroyOnReturn: false }), this.headers.get('content-length')));
  }
}

/** Case-insensitive, as WHATWG Headers are (node:http lower-cases the names it received). */
class NodeHeaders {
  constructor(private readonly headers: IncomingMessage['headers']) {}

  get(name: string): string | null {
    const value = this.headers[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  }
}

/** Routes to every module of the /api/v1 table (lib/api/v1/routes.ts, which the OpenAPI document is made from too). */
export function createApiServer(): ApiServer {
  const exact = new Map<string, Endpoint>();
  const patterns: Endpoint[] = [];
  for (const [template, module] of Object.entries(API_ROUTES)) {
    const endpoint = compile(template, module);
    if (endpoint.pattern) patterns.push(endpoint);
    else exact.set(template, endpoint);
  }
  const baseHeaders = API_SECURITY_HEADERS;

  function match(pathname: string): { endpoint: Endpoint; params: Record<string, string> } | null {
    const endpoint = exact.get(pathname);
    if (endpoint) return { endpoint, params: {} };
    for (const candidate of patterns) {
      const found = candidate.pattern?.exec(pathname);
      if (!found) continue;
      const params: Record<string, string> = {};
      candidate.names.forEach((name, i) => {
        params[name] = decodeURIComponent(found[i + 1]);
      });
      return { endpoint: candidate, params };
    }
    return null;
  }

  function send(res: ServerResponse, result: ApiResult, head: boolean): Promise<void> | void {
    switch (result.kind) {
      case 'json': {
        const body = NULL_BODY_STATUS.has(result.status) || result.json === undefined ? '' : JSON.stringify(result.json);
        res.writeHead(result.status, {
          ...baseHeaders,
          'content-type': 'application/json',
          ...result.headers,
          'content-length': String(Buffer.byteLength(body)),
        });
        res.end(head ? undefined : body);
        return;
      }
      case 'stream': {
        const headers: Record<string, string> = { ...baseHeaders };
        mergeHeaders(headers, result.body.headers);
        mergeHeaders(headers, result.headers);
        res.writeHead(result.body.status, headers);
        if (head) {
          result.body.stream.destroy();
          res.end();
          return;
        }
        // Backpressure end to end; a client that goes away stops the export's COPY.
        return pipeline(result.body.stream, res).catch((err: unknown) => {
          logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'streamed response ended early');
        });
      }
      case 'response': {
        const headers: Record<string, string> = { ...baseHeaders };
        // WHATWG Headers give lower-case names.
        result.response.headers.forEach((value, name) => {
          headers[name] = value;
        });
        mergeHeaders(headers, result.headers);
        res.writeHead(result.response.status, headers);
        const body = result.response.body;
        if (!body || head) {
          if (body) void body.cancel();
          res.end();
          return;
        }
        return pipeline(body as unknown as AsyncIterable<Uint8Array>, res).catch((err: unknown) => {
          logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'response ended early');
        });
      }
    }
  }

  function problem(res: ServerResponse, req: IncomingMessage, error: AppError, headers: Record<string, string> = {}): void {
    const { requestId } = requestMetaFrom(new NodeHeaders(req.headers));
    void send(
      res,
      { kind: 'json', status: error.status, json: toProblem(error, requestId), headers: { ...headers, 'content-type': 'application/problem+json', 'x-request-id': requestId } },
      req.method === 'HEAD',
    );
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const search = q < 0 ? '' : url.slice(q + 1);
    // As Next.js does: one canonical URL per resource, without the trailing slash.
    if (pathname.length > 1 && pathname.endsWith('/')) {
      res.writeHead(308, { ...baseHeaders, location: pathname.replace(/\/+$/, '') + (q < 0 ? '' : `?${search}`) });
      res.end();
      return;
    }
    let found: ReturnType<typeof match>;
    try {
      found = match(pathname);
    } catch {
      problem(res, req, new AppError('bad_request', 'The path is not validly percent-encoded.'));
      return;
    }
    if (!found) {
      problem(res, req, new AppError('not_found', `There is no endpoint ${pathname}; see ${API_PREFIX}/openapi.json.`));
      return;
    }
    const method = req.method ?? 'GET';
    const { endpoint, params } = found;
    if (method === 'OPTIONS') {
      res.writeHead(204, { ...baseHeaders, allow: endpoint.allow });
      res.end();
      return;
    }
    const core = endpoint.methods.get(method);
    if (!core) {
      problem(res, req, new AppError('method_not_allowed', `${endpoint.template} does not accept ${method}; it accepts ${endpoint.allow}.`), {
        allow: endpoint.allow,
      });
      return;
    }
    const apiRequest = new NodeApiRequest(req, method === 'HEAD' ? 'GET' : method, pathname, search);
    const result = await core(apiRequest, params);
    if (!req.readableEnded) {
      // A body refused as too large is not read on: the connection closes after the answer. One the
      // route did not need is drained, so that the connection can be reused.
      if (result.kind === 'json' && result.status === 413) result.headers = { ...result.headers, connection: 'close' };
      else req.resume();
    }
    await send(res, result, method === 'HEAD');
  }

  return {
    handle(req, res) {
      serve(req, res).catch((err: unknown) => {
        logger.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) }, 'API request failed outside its route');
        if (!res.headersSent) {
          const error = toAppError(err);
          problem(res, req, error, error.headers);
        } else res.destroy();
      });
    },
  };
}
