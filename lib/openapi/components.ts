import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from '@/lib/core/errors';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_REPLAYED_HEADER } from '@/lib/http/idempotency';
import { API_KEY_SCOPES } from '@/lib/modules/api-keys/schema';
import { pageQuery } from '@/lib/core/schema';

// The shared parts of the OpenAPI document: security schemes, problem responses, headers and
// parameters that every operation refers to.

const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

export const FieldErrorSchema = z
  .object({
    path: z.string().meta({ description: 'Dotted path of the offending field, `(root)` for the whole input' }),
    message: z.string(),
  })
  .meta({ id: 'FieldError' });

/** RFC 9457 problem details as lib/core/errors.ts produces them (kept in step by a test). */
export const ProblemSchema = z
  .looseObject({
    type: z.string().meta({ description: '`urn:charter:problem:<code>`', example: 'urn:charter:problem:validation_failed' }),
    title: z.string(),
    status: z.int().min(400).max(599),
    detail: z.string().meta({ description: 'Human-readable explanation; never contains secrets' }),
    code: z.enum(ERROR_CODES).meta({ description: 'Stable machine-readable error code' }),
    requestId: z.string().optional().meta({ description: 'Same as the X-Request-Id response header (absent on 401)' }),
    errors: z.array(FieldErrorSchema).optional().meta({ description: 'One entry per invalid field' }),
  })
  .meta({
    id: 'Problem',
    description: 'RFC 9457 problem details (`application/problem+json`). Other members may appear, e.g. `permission` on 403 or `reason` on idempotency_conflict.',
  });

export const SECURITY_SCHEMES = {
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'chr_ API key',
    description: [
      'An API key in the header `Authorization: Bearer chr_…`. Keys are `chr_` followed by 40 random base62 characters and a 6-character base62 CRC32 checksum (regex `chr_[0-9A-Za-z]{46}`); they are shown once at creation and stored only as SHA-256 digests.',
      'A key holds exactly its scopes, is bound to one tenant (or the platform), expires, and may be limited to CIDR blocks. Unknown, revoked, expired and out-of-scope keys all get the same 401.',
      `Scopes: ${API_KEY_SCOPES.map((s) => `\`${s}\``).join(', ')}. Each operation lists the scope it needs.`,
    ].join('\n\n'),
  },
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: 'charter.session',
    description: "The browser session of a signed-in user (cookie `__Secure-charter.session` over HTTPS); the role's permissions apply.",
  },
} as const;

const header = (description: string, schema: Record<string, unknown>) => ({ description, schema });

export const HEADERS = {
  XRequestId: header('Request id, also in problem bodies and the audit trail; send your own (8–128 of `A-Za-z0-9._:-`) to correlate.', { type: 'string' }),
  RateLimitLimit: header('Requests allowed per window for this API key.', { type: 'integer', minimum: 0 }),
  RateLimitRemaining: header('Requests left in the current window.', { type: 'integer', minimum: 0 }),
  RateLimitReset: header('Seconds until the current window ends and the quota is restored.', { type: 'integer', minimum: 0 }),
  RateLimitPolicy: header('The quota policy: `<limit>;w=<window seconds>`.', { type: 'string', example: '600;w=60' }),
  RetryAfter: header('Seconds to wait before retrying.', { type: 'integer', minimum: 0 }),
  IdempotencyReplayed: header('`true` when this response is the stored response of an earlier request with the same Idempotency-Key.', {
    type: 'string',
    enum: ['true'],
  }),
  WwwAuthenticate: header('`Bearer realm="charter"`', { type: 'string' }),
} as const;

const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` });

const rateLimitHeaders = {
  'RateLimit-Limit': ref('headers', 'RateLimitLimit'),
  'RateLimit-Remaining': ref('headers', 'RateLimitRemaining'),
  'RateLimit-Reset': ref('headers', 'RateLimitReset'),
  'RateLimit-Policy': ref('headers', 'RateLimitPolicy'),
};

/** Headers of every response to an authenticated operation (RateLimit-* only for API keys). */
export function responseHeaders(options: { authenticated: boolean; idempotent?: boolean; retryAfter?: boolean }) {
  return {
    'X-Request-Id': ref('headers', 'XRequestId'),
    ...(options.authenticated ? rateLimitHeaders : {}),
    ...(options.retryAfter ? { 'Retry-After': ref('headers', 'RetryAfter') } : {}),
    ...(options.idempotent ? { [IDEMPOTENCY_REPLAYED_HEADER]: ref('headers', 'IdempotencyReplayed') } : {}),
  };
}

const codesOf = (status: number) =>
  ERROR_CODES.filter((c) => ERROR_STATUS[c] === status)
    .map((c) => `\`${c}\``)
    .join(', ');

function problemResponse(status: number, description: string, options: { authenticated?: boolean; retryAfter?: boolean; extraHeaders?: Record<string, unknown> } = {}) {
  const code = ERROR_CODES.find((c) => ERROR_STATUS[c] === status) ?? 'internal';
  return {
    description: `${description} Codes: ${codesOf(status)}.`,
    headers: { ...responseHeaders({ authenticated: options.authenticated ?? true, retryAfter: options.retryAfter }), ...options.extraHeaders },
    content: {
      'application/problem+json': {
        schema: ref('schemas', 'Problem'),
        example: { type: `urn:charter:problem:${code}`, title: 'Example', status, detail: description, code, requestId: '0197c1d2-7a8b-7c3d-9e4f-5a6b7c8d9e0f' },
      },
    },
  };
}

/** Reusable problem responses, keyed by component name. */
export const PROBLEM_RESPONSES = {
  BadRequest: { status: 400, response: problemResponse(400, 'The request is malformed or a field is invalid (see `errors`); nothing was changed.') },
  Unauthorized: {
    status: 401,
    response: problemResponse(
      401,
      'No valid credentials: the API key is missing, malformed, unknown, expired, revoked, outside its CIDRs or lacks the scope; the body is identical whatever the reason.',
      {
        authenticated: false,
        extraHeaders: { 'WWW-Authenticate': ref('headers', 'WwwAuthenticate') },
      },
    ),
  },
  Forbidden: { status: 403, response: problemResponse(403, "The signed-in user's role lacks the permission.") },
  NotFound: { status: 404, response: problemResponse(404, "No such object in your scope (another tenant's objects are reported as not found, never as forbidden).") },
  Conflict: {
    status: 409,
    response: problemResponse(
      409,
      'The request conflicts with the current state, or the Idempotency-Key was reused with another request is still in progress, or its response held a secret and is not replayed (`reason`).',
      {
        retryAfter: true,
      },
    ),
  },
  PayloadTooLarge: { status: 413, response: problemResponse(413, 'The body exceeds 1 MB.') },
  TooManyRequests: { status: 429, response: problemResponse(429, "The API key's rate limit is exhausted for this window.", { retryAfter: true }) },
  InternalError: { status: 500, response: problemResponse(500, 'An unexpected error; the detail is logged under the request id, never sent.') },
} as const;

export type ProblemResponseName = keyof typeof PROBLEM_RESPONSES;

const pageQueryShape = pageQuery.shape;

/** Reusable parameters; `Limit` and `Cursor` are the standard pagination query (lib/core/schema.ts). */
export const PARAMETER_SCHEMAS = {
  limit: pageQueryShape.limit,
  cursor: pageQueryShape.cursor,
};

export const IDEMPOTENCY_KEY_PARAMETER = {
  name: IDEMPOTENCY_KEY_HEADER,
  in: 'header',
  required: false,
  description: [
    'Makes a POST safe to retry. Send a unique value (e.g. a UUID; 1–255 visible ASCII characters) per logical operation. Within 24 hours, a retry with the same key and the same body gets the stored response again (status and body, with `Idempotency-Replayed: true`) instead of a second execution.',
    'The same key with a different body or endpoint → 409 `idempotency_conflict`; while the first request is still running → 409 with `Retry-After`. Server errors (5xx) are not stored, so the retry runs again. A response holding a newly issued API key is never stored: its retry gets 409 (reason `not_replayable`). Without the header a retried POST may be executed twice.',
  ].join(' '),
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[!-~]{1,255}$' },
  example: '5f0c6d1e-3b7a-4c2e-9f58-0a1b2c3d4e5f',
};
