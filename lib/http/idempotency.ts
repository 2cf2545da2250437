import type { Actor } from '@/lib/access/actor';
import { sha256Hex } from '@/lib/core/crypto/hash';
import { canonicalize } from '@/lib/core/crypto/jcs';
import { AppError } from '@/lib/core/errors';
import { logger } from '@/lib/core/logger';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '@/lib/http/idempotency-store';

// Idempotency-Key on POST (draft-ietf-httpapi-idempotency-key-header), for API keys and sessions.
//
// The key is claimed (unique row per actor and key) before the handler runs, then completed with
// the response. Hence: same key + same request → the stored status and body are replayed with
// `Idempotency-Replayed: true`; same key + another body or path → 409 idempotency_conflict; a
// duplicate arriving while the first is still running → 409 idempotency_conflict (reason
// `in_progress`, Retry-After: 1), never a second execution. Responses below 500 (including 4xx
// problems thrown by the handler) are stored and replayed faithfully; on a 5xx the claim is released
// so the client can retry. Requests refused before the handler runs (authentication, permission,
// rate limit, invalid input) do not claim the key. Records live 24 hours.
//
// A response that contains an API key in clear (`chr_…`, shown once) is never stored (no
// secrets in clear): only its status is kept, and a retry gets 409 idempotency_conflict with reason
// `not_replayable` rather than a second execution.
//
// If the process dies after the handler committed but before the response was stored, the key stays
// `in_progress` until it expires: a retry is refused rather than executed twice.

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENCY_REPLAYED_HEADER = 'Idempotency-Replayed';
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

/** 1–255 visible ASCII characters (a UUID is a good choice). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** The Idempotency-Key of a request, or null when absent. Malformed → 400. */
export function parseIdempotencyKey(headers: { get(name: string): string | null }): string | null {
  const raw = headers.get(IDEMPOTENCY_KEY_HEADER);
  if (raw === null) return null;
  let value = raw.trim();
  // The IETF draft sends the key as a structured-field string ("…"); plain tokens are accepted too.
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  if (!IDEMPOTENCY_KEY_PATTERN.test(value)) {
    throw new AppError('bad_request', 'The Idempotency-Key header must be 1 to 255 visible ASCII characters.', {
      errors: [{ path: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }],
    });
  }
  return value;
}

/** SHA-256 of the JCS-canonical body and query, so key order and whitespace do not matter. */
export function requestFingerprint(input: { body: unknown; query: URLSearchParams }): string {
  const query: Record<string, string[]> = {};
  for (const [k, v] of input.query) (query[k] ??= []).push(v);
  try {
    return sha256Hex(canonicalize({ body: input.body ?? null, query }));
  } catch {
    // Not representable in JCS (e.g. a number beyond double range): hash what we can see.
    return sha256Hex(`${JSON.stringify(input.body ?? null)}\n${input.query.toString()}`);
  }
}

export function idempotencyActorKey(actor: Pick<Actor, 'type' | 'id'>): string {
  return `${actor.type}:${actor.id}`;
}

/** An API key in clear (README "API keys"): such a response is never stored. */
const SECRET = /chr_[0-9A-Za-z]{46}/;

const STORED_HEADERS = ['content-type', 'location', 'content-disposition'];
const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

export type IdempotencyStart = { kind: 'replay'; response: Response } | { kind: 'claimed'; claimId: string };

/**
 * Claims the key or returns the stored response to replay. Throws 409 idempotency_conflict for a
 * reused key with a different request, or one whose first request is still in flight.
 */
export async function startIdempotentRequest(input: {
  actor: Pick<Actor, 'type' | 'id'>;
  key: string;
  method: string;
  path: string;
  fingerprint: string;
}): Promise<IdempotencyStart> {
  const claim = await claimIdempotencyKey(
    { actorKey: idempotencyActorKey(input.actor), key: input.key, method: input.method, path: input.path, requestHash: input.fingerprint },
    IDEMPOTENCY_TTL_MS,
  );
  switch (claim.kind) {
    case 'claimed':
      return { kind: 'claimed', claimId: claim.id };
    case 'replay': {
      const { status, headers, body } = claim.response;
      const response = new Response(NULL_BODY_STATUS.has(status) ? null : (body ?? ''), {
        status,
        headers: { ...headers, [IDEMPOTENCY_REPLAYED_HEADER]: 'true' },
      });
      return { kind: 'replay', response };
    }
    case 'withheld':
      throw new AppError(
        'idempotency_conflict',
        `The first request with this Idempotency-Key succeeded (status ${claim.status}), but its response held a secret that is shown only once and is not stored. Do not retry: look up what was created instead.`,
        { extra: { reason: 'not_replayable', originalStatus: claim.status } },
      );
    case 'in_progress':
      throw new AppError('idempotency_conflict', 'A request with this Idempotency-Key is still being processed; retry shortly.', {
        extra: { reason: 'in_progress' },
        headers: { 'retry-after': '1' },
      });
    case 'mismatch':
      throw new AppError(
        'idempotency_conflict',
        claim.what === 'path'
          ? 'This Idempotency-Key was already used for a request to another endpoint; use a new key.'
          : 'This Idempotency-Key was already used with a different request body; use a new key.',
        { extra: { reason: claim.what === 'path' ? 'path_mismatch' : 'body_mismatch' } },
      );
  }
}

/**
 * Stores the response of a claimed request (or releases the claim on a 5xx) and returns an
 * equivalent response, since the original body stream is consumed to store it. A failure to store
 * is logged and leaves the key claimed: a retry is refused rather than executed twice.
 */
export async function finishIdempotentRequest(claimId: string, response: Response, requestId: string): Promise<Response> {
  if (response.status >= 500) {
    await abandonIdempotentRequest(claimId, requestId);
    return response;
  }
  const nullBody = NULL_BODY_STATUS.has(response.status);
  const body = nullBody ? '' : await response.text();
  const headers: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  try {
    await completeIdempotencyKey(claimId, { status: response.status, headers, body: SECRET.test(body) ? null : body });
  } catch (err) {
    logger.error({ err: err instanceof Error ? err.message : String(err), requestId }, 'could not store the idempotent response');
  }
  return new Response(nullBody ? null : body, { status: response.status, headers: response.headers });
}

/** Forgets a claim (the request failed before producing a response). Errors are only logged. */
export async function abandonIdempotentRequest(claimId: string, requestId: string): Promise<void> {
  try {
    await releaseIdempotencyKey(claimId);
  } catch (err) {
    logger.error({ err: err instanceof Error ? err.message : String(err), requestId }, 'could not release an idempotency key');
  }
}
