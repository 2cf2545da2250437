import { ZodError } from 'zod';
import { Prisma } from '@/lib/generated/prisma/client';

/** Stable machine-readable codes; part of the public API (problem+json `code`). */
export const ERROR_STATUS = {
  validation_failed: 400,
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  invalid_transition: 409,
  idempotency_conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export type FieldError = { path: string; message: string };

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors?: FieldError[];
  readonly extra?: Record<string, unknown>;
  /** HTTP response headers that belong with this error (e.g. Retry-After); never in the body. */
  readonly headers?: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { errors?: FieldError[]; extra?: Record<string, unknown>; headers?: Record<string, string> },
  ) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.errors = options?.errors;
    this.extra = options?.extra;
    this.headers = options?.headers;
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} was not found.`);

/** RFC 9457 problem details, with Charter's stable `code` and the request id. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId?: string;
  errors?: FieldError[];
} & Record<string, unknown>;

const TITLES: Record<ErrorCode, string> = {
  validation_failed: 'Invalid input',
  bad_request: 'Bad request',
  unauthenticated: 'Authentication required',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict',
  invalid_transition: 'Invalid state transition',
  idempotency_conflict: 'Idempotency key reused',
  payload_too_large: 'Payload too large',
  rate_limited: 'Too many requests',
  internal: 'Internal error',
  unavailable: 'Service unavailable',
};

export function zodIssues(error: ZodError): FieldError[] {
  return error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
}

/**
 * Which fields a unique violation is about. Prisma's driver adapters report the constraint rather
 * than `target`; our unique indexes are named <table>_<column…>_key by Prisma Migrate.
 */
function uniqueFields(meta: Record<string, unknown> | undefined): string[] {
  if (Array.isArray(meta?.target)) return meta.target.map(String);
  const cause = (meta?.driverAdapterError as { cause?: { constraint?: { fields?: string[]; index?: string }; table?: string } } | undefined)?.cause;
  if (cause?.constraint?.fields?.length) return cause.constraint.fields;
  const index = cause?.constraint?.index;
  if (index && cause?.table && index.startsWith(`${cause.table}_`) && index.endsWith('_key')) {
    return [index.slice(cause.table.length + 1, -'_key'.length).replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())];
  }
  return [];
}

/** The one place that turns any thrown value into a problem. Unknown errors never leak their message. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) {
    return new AppError('validation_failed', 'The request has invalid fields.', { errors: zodIssues(err) });
  }
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    if (err.code === 'P2002') {
      const fields = uniqueFields(err.meta);
      const what = typeof err.meta?.modelName === 'string' ? `A ${err.meta.modelName.toLowerCase()}` : 'A record';
      return new AppError('conflict', fields.length ? `${what} with this ${fields.join(', ')} already exists.` : `${what} with these values already exists.`, {
        ...(fields.length ? { errors: fields.map((f) => ({ path: f, message: 'is already taken' })) } : {}),
      });
    }
    if (err.code === 'P2025') return new AppError('not_found', 'The record was not found.');
  }
  return new AppError('internal', 'An internal error occurred.');
}

export function toProblem(err: unknown, requestId?: string): Problem {
  const e = toAppError(err);
  return {
    type: `urn:charter:problem:${e.code}`,
    title: TITLES[e.code],
    status: e.status,
    detail: e.message,
    code: e.code,
    ...(requestId ? { requestId } : {}),
    ...(e.errors ? { errors: e.errors } : {}),
    ...(e.extra ?? {}),
  };
}
