import { pool, transaction } from '@/lib/core/db';
import type { Actor, RequestMeta } from '@/lib/access/actor';
import type { Permission } from '@/lib/access/permissions';
import { record } from '@/lib/audit/record';
import { displayPrefix, hashApiKey, isWellFormedApiKey } from '@/lib/core/crypto/api-key';
import { ipInCidrs } from '@/lib/core/cidr';
import { logger } from '@/lib/core/logger';
import { CACHE_MAX, CACHE_MS, type CachedKey, cache, cacheState } from '@/lib/access/api-keys/cache';
import { ensureListening } from '@/lib/access/api-keys/listener';
import { noteUse } from '@/lib/access/api-keys/usage';

// API keys are stored as SHA-256 digests and shown once. Verification is the hot path of the
// public API: a malformed key or bad checksum is refused without touching the database, and
// verified keys are cached per process for CACHE_MS. A revocation or rotation is announced with
// PostgreSQL NOTIFY when it commits, and every process that caches keys LISTENs, so it is refused
// everywhere at once; CACHE_MS bounds it when a listener is down. Last-used time and IP are batched,
// not written per request.

export const API_KEY_REJECTED = 'The API key is missing, malformed, unknown, expired or revoked, or not valid for this request.';

type KeyRow = {
  id: string;
  prefix: string;
  name: string;
  tenant_id: string | null;
  deployment_id: string | null;
  created_by_id: string | null;
  scopes: string[];
  allowed_cidrs: string[];
  expires_at: Date;
  revoked_at: Date | null;
  tenant_status: string | null;
  tenant_archived_at: Date | null;
};

// The key and its tenant's status in one statement, straight on Prisma's pg pool: through Prisma's
// query engine the same lookup cost about 2.5 times the CPU (108 vs 40 µs, bench/README.md). Named,
// so that each connection parses and plans it once; it selects named columns, so columns added
// later do not invalidate the plan. The key's deployment and creator come with it, so that the
// services that narrow a bound key's scope or count a key as its creator (four-eyes) read nothing.
const LOOKUP_SQL = {
  name: 'charter.api-key-by-hash',
  text: `SELECT k.id, k.prefix, k.name, k.tenant_id, k.deployment_id, k.created_by_id, k.scopes, k.allowed_cidrs, k.expires_at, k.revoked_at,
      t.status AS tenant_status, t.archived_at AS tenant_archived_at
    FROM api_keys k LEFT JOIN tenants t ON t.id = k.tenant_id
    WHERE k.hash = $1`,
};

async function lookup(hash: string): Promise<CachedKey | null> {
  ensureListening();
  const now = Date.now();
  const hit = cache.get(hash);
  if (hit && hit.until > now) return hit.key;
  const generation = cacheState.generation;
  const { rows } = await pool.query<KeyRow>({ ...LOOKUP_SQL, values: [hash] });
  const row = rows[0];
  const key: CachedKey | null = row
    ? {
        id: row.id,
        prefix: row.prefix,
        name: row.name,
        tenantId: row.tenant_id,
        scopes: row.scopes,
        allowedCidrs: row.allowed_cidrs,
        expiresAt: row.expires_at.getTime(),
        revoked: row.revoked_at !== null,
        tenantActive: row.tenant_id === null || (row.tenant_archived_at === null && row.tenant_status !== 'OFFBOARDED'),
        label: `${row.prefix}… (${row.name})`,
        permissions: new Set(row.scopes as Permission[]),
        identity: Object.freeze({ prefix: row.prefix, name: row.name, expiresAt: row.expires_at.toISOString(), deploymentId: row.deployment_id, createdById: row.created_by_id }),
      }
    : null;
  // The entry expires CACHE_MS after the lookup *started*: whatever it read, a revocation committed
  // since is seen by every instance within CACHE_MS of its commit.
  if (cacheState.generation === generation) {
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(hash, { key, until: now + CACHE_MS });
  }
  return key;
}

export type KeyVerdict = { ok: true; actor: Actor } | { ok: false; reason: string; keyId: string | null; tenantId: string | null; prefix: string | null };

function denied(key: string, found: CachedKey | null, reason: string): KeyVerdict {
  return { ok: false, reason, keyId: found?.id ?? null, tenantId: found?.tenantId ?? null, prefix: found?.prefix ?? displayPrefix(key) };
}

/**
 * Resolves a bearer key to an actor. Every failure — malformed, bad checksum, unknown, revoked,
 * expired, outside its CIDRs, lacking the route's scope, offboarded tenant — is one verdict with a
 * reason for the audit trail; the caller answers them all with the same 401. `permission` null: any
 * scope will do (routes that only describe the caller, e.g. GET /api/v1/whoami).
 */
export async function verifyApiKey(key: string, input: { ip: string | null; permission: Permission | null }): Promise<KeyVerdict> {
  if (!isWellFormedApiKey(key)) return { ok: false, reason: 'malformed', keyId: null, tenantId: null, prefix: null };
  const found = await lookup(hashApiKey(key));
  if (!found) return denied(key, null, 'unknown');
  if (found.revoked) return denied(key, found, 'revoked');
  if (found.expiresAt <= Date.now()) return denied(key, found, 'expired');
  if (!found.tenantActive) return denied(key, found, 'tenant_offboarded');
  if (!ipInCidrs(input.ip, found.allowedCidrs)) return denied(key, found, 'ip_not_allowed');
  if (input.permission !== null && !found.permissions.has(input.permission)) return denied(key, found, `missing_scope:${input.permission}`);
  noteUse(found.id, input.ip);
  return {
    ok: true,
    actor: {
      type: 'apiKey',
      id: found.id,
      label: found.label,
      tenantId: found.tenantId,
      role: null,
      permissions: found.permissions,
      apiKey: found.identity,
    },
  };
}

// Denied uses are audited, but at most once per key, reason and minute per instance, so that a
// flood of bad requests cannot flood the audit chain. Malformed keys only reach the log.
const recentDenials = new Map<string, number>();

export async function recordKeyDenied(verdict: Extract<KeyVerdict, { ok: false }>, request: RequestMeta, path: string): Promise<void> {
  if (verdict.reason === 'malformed') {
    logger.warn({ requestId: request.requestId, ip: request.ip, path }, 'malformed API key refused');
    return;
  }
  const dedupe = `${verdict.prefix}:${verdict.reason}`;
  const now = Date.now();
  if ((recentDenials.get(dedupe) ?? 0) > now) return;
  if (recentDenials.size > 10_000) recentDenials.clear();
  recentDenials.set(dedupe, now + 60_000);
  try {
    await transaction((tx) =>
      record(
        tx,
        { actor: { type: 'apiKey', id: verdict.keyId, label: verdict.prefix }, request },
        {
          action: 'access.denied',
          tenantId: verdict.tenantId,
          target: verdict.keyId ? { type: 'api_key', id: verdict.keyId } : null,
          data: { reason: verdict.reason, path },
        },
      ),
    );
  } catch (err) {
    logger.error({ err: err instanceof Error ? err.message : String(err), requestId: request.requestId }, 'could not audit a denied API key');
  }
}
