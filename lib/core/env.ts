import { z } from 'zod';

// Every environment variable Charter reads, validated once. `npm start` fills the secrets for the
// embedded default (generated into .data/); in production they come from the operator.
const base64Key = z.string().refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 random bytes, base64-encoded');

const envSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL'),
  NEXTAUTH_SECRET: z.string().min(32, 'must be at least 32 characters'),
  NEXTAUTH_URL: z.url().optional(),
  CHARTER_ENCRYPTION_KEY: base64Key,
  CHARTER_SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  CHARTER_SESSION_MAX_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24)
    .default(12),
  // How many reverse proxies in front of Charter append to X-Forwarded-For (`true` = 1, `false` = 0).
  CHARTER_TRUST_PROXY: z
    .union([z.enum(['true', 'false']), z.string().regex(/^\d{1,2}$/, 'must be true, false or a number of proxies')])
    .default('false')
    .transform((v) => (v === 'true' ? 1 : v === 'false' ? 0 : Number(v))),
  CHARTER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CHARTER_SIGNIN_MAX_FAILURES: z.coerce.number().int().min(1).default(10),
  CHARTER_SIGNIN_LOCK_MINUTES: z.coerce.number().int().min(1).default(15),
  // API rate limit per key (lib/http/rate-limit.ts): requests per minute (0 = off), and how far one
  // instance may run ahead of the shared counter (requests; default 5 % of the limit; 0 = exact).
  CHARTER_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  CHARTER_RATE_LIMIT_SYNC_BATCH: z.coerce.number().int().min(0).optional(),
  CHARTER_RATE_LIMIT_SYNC_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  // A connected deployment without a heartbeat for this long shows as STALE.
  CHARTER_HEARTBEAT_STALE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(15),
  // The vendor as ICT third-party service provider in the DORA register export (lib/modules/dora-register/service.ts).
  CHARTER_VENDOR_NAME: z.string().trim().min(1).max(200).optional(),
  CHARTER_VENDOR_LEI: z
    .string()
    .trim()
    .regex(/^[0-9A-Z]{18}[0-9]{2}$/, 'must be a 20-character LEI')
    .optional(),
  CHARTER_VENDOR_COUNTRY: z
    .string()
    .trim()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code')
    .optional(),
  // Audit checkpoints (lib/audit/append.ts): one is signed whenever a chain's seq reaches a multiple
  // of EVERY. MINUTES paces the maintenance round (lib/runtime/maintenance.ts), which seals each
  // chain with unsealed events and marks what expired by date; 0 leaves it to `charter maintenance`.
  CHARTER_AUDIT_CHECKPOINT_EVERY: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  CHARTER_AUDIT_CHECKPOINT_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(60),
});

export type Env = z.infer<typeof envSchema>;

const millis = (fallback: number, max = 3_600_000) => z.coerce.number().int().min(0).max(max).default(fallback);

/**
 * The database connection's settings, a part of the environment that every process needs (the
 * server, the Next.js child, the CLI, `next build`'s imports), so it is parsed on its own: without
 * the secrets, and without DATABASE_URL when nothing connects (a build).
 *
 * Together they bound what a client waits for: a pool connection within CONNECT, each statement
 * (lock waits included) within STATEMENT, and a whole API request or form action within REQUEST —
 * BULK for the deployments' audit upload and for an export until its first byte (the stream itself
 * runs as long as the client reads).
 */
const databaseEnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')
    .optional(),
  CHARTER_DB_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  CHARTER_DB_CONNECT_TIMEOUT_MS: millis(5_000, 600_000),
  CHARTER_DB_STATEMENT_TIMEOUT_MS: millis(10_000),
  CHARTER_REQUEST_TIMEOUT_MS: millis(10_000, 600_000),
  CHARTER_BULK_REQUEST_TIMEOUT_MS: millis(30_000, 600_000),
});

export type DatabaseEnv = z.infer<typeof databaseEnvSchema>;

let cachedDatabase: DatabaseEnv | undefined;

export function getDatabaseEnv(): DatabaseEnv {
  return (cachedDatabase ??= parseEnv(databaseEnvSchema));
}

function parseEnv<S extends z.ZodType>(schema: S): z.infer<S> {
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Charter configuration is invalid:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

let cached: Env | undefined;

/** Parsed lazily, so that `next build` (which imports modules without a database) still works. */
export function getEnv(): Env {
  return (cached ??= parseEnv(envSchema));
}
