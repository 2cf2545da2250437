import { db } from '@/lib/core/db';
import { logger } from '@/lib/core/logger';

// Storage of Idempotency-Key records (the HTTP side is lib/http/idempotency.ts). A record is claimed
// before the handler runs, in its own short statement, so that a concurrent duplicate finds it and
// is refused; it is completed with the response, or released when the handler failed with a 5xx.
// Bookkeeping, not a domain change: not audited.

export type IdempotencyScope = {
  /** "apiKey:<id>" or "user:<id>": each actor has its own key space. */
  actorKey: string;
  key: string;
  method: string;
  path: string;
  /** SHA-256 of the canonical request (body and query). */
  requestHash: string;
};

/** `body` null: the response held a secret and was not stored (only its status). */
export type StoredResponse = { status: number; headers: Record<string, string>; body: string | null };

export type IdempotencyClaim =
  | { kind: 'claimed'; id: string }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'withheld'; status: number }
  | { kind: 'in_progress' }
  | { kind: 'mismatch'; what: 'body' | 'path' };

const PURGE_EVERY_MS = 10 * 60_000;
const PURGE_BATCH = 5_000;
const holder = globalThis as unknown as { __charterIdempotencyPurgeAt?: number };

/**
 * Claims `scope.key` for this request, or says why not. One statement inserts the record, or takes
 * over an expired one; a live record is then read and compared.
 */
export async function claimIdempotencyKey(scope: IdempotencyScope, ttlMs: number): Promise<IdempotencyClaim> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const expiresAt = new Date(Date.now() + ttlMs);
    const claimed = await db.$queryRaw<{ id: string }[]>`
      INSERT INTO idempotency_records (id, actor_key, key, method, path, request_hash, expires_at)
      VALUES (gen_random_uuid(), ${scope.actorKey}, ${scope.key}, ${scope.method}, ${scope.path}, ${scope.requestHash}, ${expiresAt.toISOString()}::timestamptz)
      ON CONFLICT (actor_key, key) DO UPDATE SET
        method = EXCLUDED.method, path = EXCLUDED.path, request_hash = EXCLUDED.request_hash,
        response_status = NULL, response_headers = NULL, response_body = NULL,
        created_at = now(), expires_at = EXCLUDED.expires_at
      WHERE idempotency_records.expires_at <= now()
      RETURNING id::text AS id`;
    if (claimed[0]) {
      maybePurgeExpired();
      return { kind: 'claimed', id: claimed[0].id };
    }
    const existing = await db.idempotencyRecord.findUnique({ where: { actorKey_key: { actorKey: scope.actorKey, key: scope.key } } });
    // Released (5xx) or expired between the two statements: try to claim again.
    if (!existing || existing.expiresAt.getTime() <= Date.now()) continue;
    if (existing.method !== scope.method || existing.path !== scope.path) return { kind: 'mismatch', what: 'path' };
    if (existing.requestHash !== scope.requestHash) return { kind: 'mismatch', what: 'body' };
    if (existing.responseStatus === null) return { kind: 'in_progress' };
    if (existing.responseBody === null) return { kind: 'withheld', status: existing.responseStatus };
    return {
      kind: 'replay',
      response: { status: existing.responseStatus, headers: (existing.responseHeaders ?? {}) as Record<string, string>, body: existing.responseBody },
    };
  }
  return { kind: 'in_progress' };
}

/** Stores the response of a claimed request, so that retries with the same key replay it. */
export async function completeIdempotencyKey(id: string, response: StoredResponse): Promise<void> {
  await db.idempotencyRecord.updateMany({
    where: { id, responseStatus: null },
    data: { responseStatus: response.status, responseHeaders: response.headers, responseBody: response.body },
  });
}

/** Forgets a claim whose request failed with a server error, so that the client may retry it. */
export async function releaseIdempotencyKey(id: string): Promise<void> {
  await db.idempotencyRecord.deleteMany({ where: { id, responseStatus: null } });
}

/** Deletes expired records in bounded batches; returns how many. */
export async function purgeExpiredIdempotencyRecords(limit = PURGE_BATCH): Promise<number> {
  return db.$executeRaw`
    DELETE FROM idempotency_records WHERE id IN (
      SELECT id FROM idempotency_records WHERE expires_at <= now() ORDER BY expires_at LIMIT ${limit})`;
}

// Expired rows are harmless (a claim takes them over), so they are swept at most once per
// PURGE_EVERY_MS per instance, in the background of a claim, never on every request.
function maybePurgeExpired(): void {
  const now = Date.now();
  if ((holder.__charterIdempotencyPurgeAt ?? 0) > now) return;
  holder.__charterIdempotencyPurgeAt = now + PURGE_EVERY_MS;
  purgeExpiredIdempotencyRecords().catch((err: unknown) => {
    logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not purge expired idempotency records');
  });
}
