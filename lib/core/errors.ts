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

  constructor(code: ErrorCode, message: string, options?: { errors?: FieldError[]; extra?: Record<string, unknown>; headers?: Record<string, string> }) {
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

/**
 * Why the database could not serve a request, as the stable `cause` of a 503 `unavailable` problem.
 * Each is transient from the client's point of view: the same request, sent again after
 * Retry-After seconds, may succeed (a POST with the same Idempotency-Key or, for audit uploads,
 * the same event ids, is never applied twice).
 */
export const UNAVAILABLE_CAUSES = {
  db_unreachable: { retryAfter: 2, detail: 'The database is not reachable.' },
  db_connection_lost: { retryAfter: 1, detail: 'The connection to the database was lost (a restart or failover).' },
  db_starting: { retryAfter: 2, detail: 'The database is starting up or shutting down.' },
  db_too_many_connections: { retryAfter: 2, detail: 'The database has no free connection slots.' },
  db_pool_timeout: { retryAfter: 2, detail: 'No database connection became free in time; the instance is overloaded.' },
  db_timeout: { retryAfter: 5, detail: 'A database statement took too long (a lock or an overloaded database).' },
  db_read_only: { retryAfter: 5, detail: 'The database is read-only (a standby, or a failover in progress).' },
  db_conflict: { retryAfter: 1, detail: 'The change conflicted with a concurrent one.' },
  deadline_exceeded: { retryAfter: 5, detail: 'The request did not finish within its deadline.' },
} as const;

export type UnavailableCause = keyof typeof UNAVAILABLE_CAUSES;

/** A 503 `unavailable` with its stable cause in the body and Retry-After in the headers. */
export function unavailable(cause: UnavailableCause): AppError {
  const { retryAfter, detail } = UNAVAILABLE_CAUSES[cause];
  return new AppError('unavailable', `${detail} Retry after ${retryAfter} s.`, {
    extra: { cause, retryAfter },
    headers: { 'retry-after': String(retryAfter) },
  });
}

// PostgreSQL SQLSTATEs (Appendix A) that say "not now" rather than "not this request".
const SQLSTATE_CAUSES: Record<string, UnavailableCause> = {
  '57P01': 'db_connection_lost', // admin_shutdown: the server is restarting, or the backend was terminated
  '57P02': 'db_connection_lost', // crash_shutdown
  '57P03': 'db_starting', // cannot_connect_now
  '57P05': 'db_connection_lost', // idle_session_timeout
  '53300': 'db_too_many_connections',
  '53000': 'db_too_many_connections', // insufficient_resources
  '57014': 'db_timeout', // query_canceled: statement_timeout
  '55P03': 'db_timeout', // lock_not_available: lock_timeout
  '25P03': 'db_timeout', // idle_in_transaction_session_timeout
  '25006': 'db_read_only', // read_only_sql_transaction: connected to a standby
  '40001': 'db_conflict', // serialization_failure
  '40P01': 'db_conflict', // deadlock_detected
};
const SOCKET_CAUSES: Record<string, UnavailableCause> = {
  ECONNREFUSED: 'db_unreachable',
  ENOTFOUND: 'db_unreachable',
  EAI_AGAIN: 'db_unreachable',
  EHOSTUNREACH: 'db_unreachable',
  ENETUNREACH: 'db_unreachable',
  ECONNRESET: 'db_connection_lost',
  EPIPE: 'db_connection_lost',
  ETIMEDOUT: 'db_unreachable',
};
// Prisma's own codes for the same conditions (P1xxx: connection; P2024/P2028: pool and transaction waits).
const PRISMA_CAUSES: Record<string, UnavailableCause> = {
  P1001: 'db_unreachable',
  P1002: 'db_timeout',
  P1008: 'db_timeout',
  P1017: 'db_connection_lost',
  P2024: 'db_pool_timeout',
  P2028: 'db_timeout',
  P2034: 'db_conflict',
};
// What Prisma's driver adapter reports (DriverAdapterError `kind`).
const ADAPTER_CAUSES: Record<string, UnavailableCause> = {
  DatabaseNotReachable: 'db_unreachable',
  ConnectionClosed: 'db_connection_lost',
  SocketTimeout: 'db_unreachable',
  TooManyConnections: 'db_too_many_connections',
  TransactionWriteConflict: 'db_conflict',
};
// node-postgres raises these as plain Errors, without a code.
const MESSAGE_CAUSES: [RegExp, UnavailableCause][] = [
  [/timeout exceeded when trying to connect|connection timeout|no database connection free/i, 'db_pool_timeout'],
  [/Connection terminated|not queryable|Connection ended|server closed the connection|connection is closed|Client has encountered a connection error/i, 'db_connection_lost'],
  [
    /Query read timeout|Transaction already closed|Unable to start a transaction in the given time|expired transaction|A commit cannot be executed on an expired transaction/i,
    'db_timeout',
  ],
  [/the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)/i, 'db_starting'],
  [/Can't reach database server/i, 'db_unreachable'],
];

function causeOfOne(err: Record<string, unknown>): UnavailableCause | null {
  const code = typeof err.code === 'string' ? err.code : undefined;
  if (code) {
    if (code in SQLSTATE_CAUSES) return SQLSTATE_CAUSES[code];
    if (code in SOCKET_CAUSES) return SOCKET_CAUSES[code];
    if (code in PRISMA_CAUSES && err instanceof Error && err.name.startsWith('Prisma')) return PRISMA_CAUSES[code];
    if (/^08/.test(code)) return 'db_connection_lost'; // class 08: connection exception
  }
  const original = typeof err.originalCode === 'string' ? err.originalCode : undefined;
  if (original && original in SQLSTATE_CAUSES) return SQLSTATE_CAUSES[original];
  const kind = typeof err.kind === 'string' ? err.kind : undefined;
  if (kind && kind in ADAPTER_CAUSES) return ADAPTER_CAUSES[kind];
  if (kind === 'postgres' && typeof err.code === 'string' && err.code in SQLSTATE_CAUSES) return SQLSTATE_CAUSES[err.code];
  const message = typeof err.message === 'string' ? err.message : undefined;
  if (message) for (const [pattern, cause] of MESSAGE_CAUSES) if (pattern.test(message)) return cause;
  return null;
}

/**
 * Whether `err` means the database could not serve the request (restart, failover, exhaustion,
 * timeouts), looking through the wrappers Prisma and its driver adapter put around the driver's
 * error. Null for everything else, which stays a 500.
 */
export function databaseUnavailableCause(err: unknown): UnavailableCause | null {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length) {
    const next = queue.shift();
    if (!next || typeof next !== 'object' || seen.has(next) || seen.size > 16) continue;
    seen.add(next);
    const record = next as Record<string, unknown>;
    const cause = causeOfOne(record);
    if (cause) return cause;
    queue.push(record.cause);
    const meta = record.meta as Record<string, unknown> | undefined;
    if (meta && typeof meta === 'object') queue.push(meta.driverAdapterError, (meta.driverAdapterError as Record<string, unknown> | undefined)?.cause);
    if (Array.isArray(record.errors)) queue.push(...(record.errors as unknown[])); // AggregateError (a refused dual-stack connect)
  }
  return null;
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
  const cause = databaseUnavailableCause(err);
  if (cause) return unavailable(cause);
  return new AppError('internal', 'An internal error occurred.');
}

export function toProblem(err: unknown, requestId?: string): Problem {
  const e = toAppError(err);
  return {
    // First, so that an extra member can never replace a standard one (a `status` of its own).
    ...(e.extra ?? {}),
    type: `urn:charter:problem:${e.code}`,
    title: TITLES[e.code],
    status: e.status,
    detail: e.message,
    code: e.code,
    ...(requestId ? { requestId } : {}),
    ...(e.errors ? { errors: e.errors } : {}),
  };
}
