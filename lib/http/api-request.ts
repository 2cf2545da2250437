import { Readable } from 'node:stream';
import { AppError } from '@/lib/core/errors';

/**
 * What route() needs of an HTTP request, whichever server received it: Next.js (a route handler's
 * NextRequest, fromWebRequest) or Charter's own `/api/v1` server (lib/runtime/api-server.ts, from a
 * node:http request). The body is read at most once, with a size limit, and memoised.
 */
export type ApiRequest = {
  readonly method: string;
  readonly pathname: string;
  readonly searchParams: URLSearchParams;
  readonly headers: { get(name: string): string | null };
  cookie(name: string): string | undefined;
  /** The body as UTF-8 text ('' if none); payload_too_large past MAX_BODY_BYTES. */
  text(): Promise<string>;
};

/** A streamed body (exports, bundles): piped to node:http as it is, or wrapped in a Response. */
export class StreamBody {
  constructor(
    readonly stream: Readable,
    readonly status: number,
    readonly headers: Record<string, string>,
  ) {}
}

/**
 * What a route produced: a value sent as JSON, a stream, or a ready Response (a replayed
 * idempotent response). `headers` are added to whichever it is.
 */
export type ApiResult =
  | { kind: 'json'; status: number; json: unknown; headers: Record<string, string> }
  | { kind: 'stream'; body: StreamBody; headers: Record<string, string> }
  | { kind: 'response'; response: Response; headers: Record<string, string> };

export const MAX_BODY_BYTES = 1_000_000;

/** Statuses that must not carry a body (RFC 9110). */
export const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

function tooLarge(): AppError {
  return new AppError('payload_too_large', `The body exceeds ${MAX_BODY_BYTES} bytes.`);
}

/** Reads a body stream into a string, refusing (and no longer reading) past MAX_BODY_BYTES. */
export async function readBodyText(chunks: AsyncIterable<Uint8Array | string>, declaredLength?: string | null): Promise<string> {
  if (declaredLength && Number(declaredLength) > MAX_BODY_BYTES) throw tooLarge();
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    size += buffer.byteLength;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    parts.push(buffer);
  }
  return Buffer.concat(parts, size).toString('utf8');
}

function cookieFromHeader(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

/** The value of cookie `name` in a Cookie header. */
export const cookieValue = cookieFromHeader;

/** An ApiRequest over a WHATWG Request (Next.js route handlers, tests). */
export function fromWebRequest(req: Request): ApiRequest {
  const url = new URL(req.url);
  let body: Promise<string> | undefined;
  return {
    method: req.method,
    pathname: url.pathname,
    searchParams: url.searchParams,
    headers: req.headers,
    cookie: (name) => cookieFromHeader(req.headers.get('cookie'), name),
    text: () => (body ??= req.body ? readBodyText(req.body as unknown as AsyncIterable<Uint8Array>, req.headers.get('content-length')) : Promise.resolve('')),
  };
}

/** The result as a WHATWG Response, for Next.js route handlers and idempotency storage. */
export function toWebResponse(result: ApiResult): Response {
  switch (result.kind) {
    case 'response':
      for (const [name, value] of Object.entries(result.headers)) result.response.headers.set(name, value);
      return result.response;
    case 'stream':
      return new Response(Readable.toWeb(result.body.stream) as ReadableStream<Uint8Array>, {
        status: result.body.status,
        headers: { ...result.body.headers, ...result.headers },
      });
    case 'json':
      return new Response(NULL_BODY_STATUS.has(result.status) || result.json === undefined ? null : JSON.stringify(result.json), {
        status: result.status,
        headers: { 'content-type': 'application/json', ...result.headers },
      });
  }
}
