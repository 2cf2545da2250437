import { z } from 'zod';
import { COUNTRY_CODES } from './countries';

const countrySet = new Set<string>(COUNTRY_CODES);

/** "is required" for a missing value instead of zod's "expected string, received undefined". */
export const required = { error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : undefined) };

/**
 * A form's schema in which the named fields, left empty, are empty text rather than missing (a form
 * leaves out what is blank): a blank reason is then refused by its rule ("give a reason of at least
 * 3 characters") rather than as "is required", as the API refuses an empty string.
 */
export function blankAsText<S extends z.ZodType>(schema: S, ...fields: string[]) {
  return z.preprocess((v: Record<string, unknown>) => ({ ...v, ...Object.fromEntries(fields.map((f) => [f, v[f] ?? ''])) }), schema);
}

/** An enum whose message names the choices in words, and says "is required" when missing. */
export function choice<const T extends Record<string, string>>(values: T, noun: string) {
  return z.enum(values, { error: (issue) => (issue.input === undefined ? 'is required' : `choose a valid ${noun}`) });
}

export const countryCode = z
  .string(required)
  .trim()
  .toUpperCase()
  .refine((c) => countrySet.has(c), { message: 'must be an ISO 3166-1 alpha-2 country code' })
  .meta({ description: 'ISO 3166-1 alpha-2 country code', example: 'DE' });

/** ISO 17442 LEI: 18 alphanumerics and 2 check digits, valid under ISO 7064 MOD 97-10. */
export function isValidLei(lei: string): boolean {
  if (!/^[0-9A-Z]{18}[0-9]{2}$/.test(lei)) return false;
  let remainder = 0;
  for (const ch of lei) {
    const value = Number.parseInt(ch, 36); // '0'-'9' → 0-9, 'A'-'Z' → 10-35
    remainder = value < 10 ? (remainder * 10 + value) % 97 : (remainder * 100 + value) % 97;
  }
  return remainder === 1;
}

export const lei = z
  .string()
  .trim()
  .toUpperCase()
  .refine(isValidLei, { message: 'must be a valid ISO 17442 LEI (20 characters, MOD 97-10 check digits)' })
  .meta({ description: 'Legal Entity Identifier (ISO 17442)', example: '5299009N55YRQC69CN08' });

export const slug = z
  .string(required)
  .trim()
  .toLowerCase()
  .min(2)
  .max(48)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'use lowercase letters, digits and single hyphens');

export const uuid = z.uuid();

/** A boolean from a query string ("true"/"false", "1"/"0", …) or from a form/JSON boolean. */
export const queryBoolean = z.union([z.boolean(), z.stringbool()]);

/** Keyset pagination query: `limit` and an opaque `cursor` → `{ data, nextCursor }`. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
});

export type Page<T> = { data: T[]; nextCursor: string | null };

/** Opaque cursors: base64url of a JSON array of the sort-key values of the last row returned. */
export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === arity && parsed.every((v) => typeof v === 'string' || typeof v === 'number')) {
      return parsed;
    }
  } catch {
    // fall through to the error below
  }
  throw invalidCursor(cursor);
}

/** The validation error for a cursor that does not decode to what the list expects. */
export function invalidCursor(cursor: string): z.ZodError {
  return new z.ZodError([{ code: 'custom', path: ['cursor'], message: 'is not a valid cursor', input: cursor }]);
}

/** The body of every list endpoint: one page of items and the cursor of the next page (null at the end). */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` to get the next page; null on the last page.' }),
  });
}

/** An RFC 3339 timestamp with milliseconds, UTC, as every Charter timestamp. */
export const timestamp = z.string().meta({ format: 'date-time', example: '2026-01-01T00:00:00.000Z' });

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a UUID in its canonical text form (what a uuid column accepts without an error). */
export function isUuid(value: unknown): boolean {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

/** A cursor holding one row id (lists ordered by uuid v7 id). */
export function decodeIdCursor(cursor: string): string {
  const [id] = decodeCursor(cursor, 1);
  if (!isUuid(id)) throw invalidCursor(cursor);
  return String(id);
}

/**
 * Why a four-eyes request is filed. Here rather than in ./approval, so that schemas the CLI loads
 * before the Prisma client is generated (API keys) need none of the generated enums.
 */
export const approvalReason = z.string(required).trim().min(3, 'give a reason of at least 3 characters').max(1000);
