import type { Socket } from 'node:net';
import pg from 'pg';
import { db, pool, transaction, type Prisma } from '@/lib/core/db';
import type { Actor, ApiKeyIdentity, Ctx, RequestMeta } from '@/lib/access/actor';
import { authorize, isPlatform } from '@/lib/access/guard';
import { inTenantScope, tenantScope } from '@/lib/access/scope';
import type { Permission } from '@/lib/access/permissions';
import { record } from '@/lib/audit/record';
import { displayPrefix, generateApiKey, hashApiKey, isWellFormedApiKey } from '@/lib/core/crypto/api-key';
import { AppError, notFound } from '@/lib/core/errors';
import type { ApiKey } from '@/lib/generated/prisma/client';
import { logger } from '@/lib/core/logger';
import { approvalExecutor, redeemApproval, requestApproval } from '@/lib/approvals/engine';
import type { ApprovalDto } from '@/lib/approvals/schema';
import { type Page, decodeCursor, encodeCursor } from '@/lib/core/schema';
import {
  type ApiKeyDto,
  type CreateApiKeyInput,
  type ListApiKeysQuery,
  createApiKeyInput,
  PLATFORM_ONLY_SCOPES,
  type RotateApiKeyInput,
  ipInCidrs,
} from '@/lib/modules/api-keys/schema';

// API keys are stored as SHA-256 digests and shown once. Verification is the hot path of the
// public API: a malformed key or bad checksum is refused without touching the database, and
// verified keys are cached per process for CACHE_MS. A revocation or rotation is announced with
// PostgreSQL NOTIFY when it commits, and every process that caches keys LISTENs, so it is refused
// everywhere at once; CACHE_MS bounds it when a listener is down. Last-used time and IP are batched,
// not written per request.

const CACHE_MS = Number(process.env.CHARTER_API_KEY_CACHE_SECONDS ?? 5) * 1000;
const CACHE_MAX = 10_000;
const LAST_USED_FLUSH_MS = 15_000;
/** The longest validity a key may be given (CHARTER_API_KEY_MAX_DAYS, default 365). */
export const maxKeyDays = () => Number(process.env.CHARTER_API_KEY_MAX_DAYS ?? 365);

export const API_KEY_REJECTED = 'The API key is missing, malformed, unknown, expired or revoked, or not valid for this request.';

/** With `rotatedTo` loaded, the DTO says whether the key has a successor (status "rotated"). */
type ApiKeyRow = ApiKey & { rotatedTo?: { id: string } | null };
const withSuccessor = { rotatedTo: { select: { id: true } } } as const;

export function toApiKeyDto(k: ApiKeyRow): ApiKeyDto {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    tenantId: k.tenantId,
    deploymentId: k.deploymentId,
    scopes: k.scopes,
    allowedCidrs: k.allowedCidrs,
    createdBy: k.createdByLabel,
    createdAt: k.createdAt.toISOString(),
    expiresAt: k.expiresAt.toISOString(),
    revokedAt: k.revokedAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    lastUsedIp: k.lastUsedIp,
    rotatedFromId: k.rotatedFromId,
    rotatedToId: k.rotatedTo?.id ?? null,
  };
}

async function checkTarget(tx: Prisma.TransactionClient, ctx: Ctx, input: CreateApiKeyInput): Promise<void> {
  if (input.tenantId === null) {
    if (!isPlatform(ctx.actor)) throw new AppError('forbidden', 'Only platform administrators create platform keys.');
  } else {
    if (!inTenantScope(ctx.actor, input.tenantId)) throw notFound('Tenant');
    const tenant = await tx.tenant.findUnique({ where: { id: input.tenantId }, select: { archivedAt: true, status: true } });
    if (!tenant) throw notFound('Tenant');
    if (tenant.archivedAt || tenant.status === 'OFFBOARDED') throw new AppError('invalid_transition', 'An offboarded tenant cannot get new keys.');
    const platformOnly = input.scopes.filter((s) => PLATFORM_ONLY_SCOPES.includes(s));
    if (platformOnly.length) {
      throw new AppError('validation_failed', `Only platform keys may hold ${platformOnly.join(', ')}.`, {
        errors: [{ path: 'scopes', message: `${platformOnly.join(', ')} needs a platform key` }],
      });
    }
  }
  if (input.deploymentId) {
    const deployment = await tx.deployment.findFirst({ where: { id: input.deploymentId, tenantId: input.tenantId ?? undefined } });
    if (!deployment || input.tenantId === null) throw notFound('Deployment');
  }
  if (input.expiresInDays > maxKeyDays()) {
    throw new AppError('validation_failed', `Keys may be valid for at most ${maxKeyDays()} days.`, {
      errors: [{ path: 'expiresInDays', message: `must be at most ${maxKeyDays()}` }],
    });
  }
}

async function insertKey(tx: Prisma.TransactionClient, ctx: Ctx, input: CreateApiKeyInput, rotatedFromId: string | null) {
  const secret = generateApiKey();
  const row = await tx.apiKey.create({
    data: {
      name: input.name,
      tenantId: input.tenantId,
      deploymentId: input.deploymentId,
      scopes: input.scopes,
      allowedCidrs: input.allowedCidrs,
      prefix: secret.prefix,
      hash: secret.hash,
      expiresAt: new Date(Date.now() + input.expiresInDays * 86_400_000),
      createdById: ctx.actor.type === 'user' ? ctx.actor.id : null,
      createdByLabel: ctx.actor.label,
      rotatedFromId,
    },
  });
  return { row, key: secret.key };
}

export type CreatedApiKey = { apiKey: ApiKeyDto; key: string };
/** A rotation's result: the new key (shown once) and the old one with its shortened expiry. */
export type RotatedApiKey = CreatedApiKey & { previous: ApiKeyDto };

/** Returns the key in clear exactly once; only its digest is stored and audited by prefix. */
export async function createApiKey(ctx: Ctx, requested: CreateApiKeyInput, options: { approvalId?: string } = {}): Promise<CreatedApiKey> {
  authorize(ctx.actor, 'keys:write');
  return transaction(async (tx) => {
    let input = requested;
    // A platform key acts across tenants: four-eyes (README "Contracts and four-eyes approvals"). The requester
    // collects it once approved, with exactly the approved grants, so only they see the secret.
    // The operator's CLI (system actor) is not subject to four-eyes.
    if (requested.tenantId === null && ctx.actor.type !== 'system') {
      if (!isPlatform(ctx.actor)) throw new AppError('forbidden', 'Only platform administrators create platform keys.');
      if (!options.approvalId) {
        throw new AppError('forbidden', 'A platform API key needs four-eyes approval: request it, and collect it here once a second administrator has approved.', {
          extra: { reason: 'approval_required' },
        });
      }
      input = await redeemApproval(tx, ctx, { id: options.approvalId, executor: platformApiKeyCreation });
    }
    await checkTarget(tx, ctx, input);
    const { row, key } = await insertKey(tx, ctx, input, null);
    await record(tx, ctx, {
      action: 'api_key.created',
      tenantId: row.tenantId,
      target: { type: 'api_key', id: row.id },
      data: {
        after: { name: row.name, prefix: row.prefix, scopes: row.scopes, expiresAt: row.expiresAt.toISOString(), allowedCidrs: row.allowedCidrs, deploymentId: row.deploymentId },
      },
    });
    return { apiKey: toApiKeyDto(row), key };
  });
}

export const platformApiKeyCreation = approvalExecutor('PLATFORM_API_KEY_CREATE', {
  payload: createApiKeyInput,
  redeemedByRequester: true,
  async prepare(tx, ctx, { payload }) {
    if (payload.tenantId !== null) throw new AppError('validation_failed', 'Only platform keys need approval.');
    await checkTarget(tx, ctx, payload);
  },
  // Carried out by the requester (createApiKey with the approval id), never by the approver.
  execute: () => Promise.resolve(null),
});

/** Files the four-eyes request for a platform key; the requester collects it once approved. */
export async function requestPlatformApiKey(ctx: Ctx, input: CreateApiKeyInput & { reason: string }): Promise<ApprovalDto> {
  authorize(ctx.actor, 'keys:write');
  if (!isPlatform(ctx.actor)) throw new AppError('forbidden', 'Only platform administrators create platform keys.');
  const { reason, ...key } = input;
  if (key.tenantId !== null) throw new AppError('validation_failed', 'Only platform keys need approval; create tenant keys directly.');
  return requestApproval(ctx, {
    executor: platformApiKeyCreation,
    tenantId: null,
    target: { type: 'api_key', id: `platform:${key.name}` },
    payload: key,
    reason,
    summary: `Create platform API key “${key.name}” with ${key.scopes.join(', ')} for ${key.expiresInDays} days`,
  });
}

async function findKeyForChange(tx: Prisma.TransactionClient, ctx: Ctx, id: string): Promise<ApiKey> {
  await tx.$queryRaw`SELECT id FROM api_keys WHERE id = ${id}::uuid FOR UPDATE`;
  const key = await tx.apiKey.findFirst({ where: { AND: [tenantScope(ctx.actor), { id }] } });
  if (!key) throw notFound('API key');
  return key;
}

export async function revokeApiKey(ctx: Ctx, id: string, reason: string): Promise<ApiKeyDto> {
  authorize(ctx.actor, 'keys:write');
  const result = await transaction(async (tx) => {
    const key = await findKeyForChange(tx, ctx, id);
    if (key.revokedAt) throw new AppError('invalid_transition', 'The key is already revoked.');
    const row = await tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() }, include: withSuccessor });
    await record(tx, ctx, { action: 'api_key.revoked', tenantId: row.tenantId, target: { type: 'api_key', id }, data: { prefix: row.prefix, reason } });
    await announceKeyChange(tx, row.hash);
    return row;
  });
  forget(result.hash);
  return toApiKeyDto(result);
}

/** `npx charter keys revoke PREFIX`. */
export async function revokeApiKeyByPrefix(ctx: Ctx, prefix: string, reason: string): Promise<ApiKeyDto> {
  authorize(ctx.actor, 'keys:write');
  const key = await db.apiKey.findFirst({ where: { AND: [tenantScope(ctx.actor), { prefix }] }, select: { id: true } });
  if (!key) throw notFound('API key');
  return revokeApiKey(ctx, key.id, reason);
}

/**
 * A new key with the same grants; the old one keeps working for `overlapHours` (so agents can be
 * redeployed without downtime) and then expires.
 */
export async function rotateApiKey(ctx: Ctx, id: string, input: RotateApiKeyInput): Promise<RotatedApiKey> {
  authorize(ctx.actor, 'keys:write');
  const result = await transaction(async (tx) => {
    const old = await findKeyForChange(tx, ctx, id);
    const now = Date.now();
    if (old.revokedAt || old.expiresAt.getTime() <= now) throw new AppError('invalid_transition', 'Only an active key can be rotated.');
    if (await tx.apiKey.findUnique({ where: { rotatedFromId: old.id }, select: { id: true } })) {
      throw new AppError('invalid_transition', 'This key has already been rotated; rotate its successor instead.');
    }
    const validityDays = Math.max(1, Math.round((old.expiresAt.getTime() - old.createdAt.getTime()) / 86_400_000));
    const input2: CreateApiKeyInput = {
      name: old.name,
      tenantId: old.tenantId,
      deploymentId: old.deploymentId,
      scopes: old.scopes as CreateApiKeyInput['scopes'],
      allowedCidrs: old.allowedCidrs,
      expiresInDays: Math.min(validityDays, maxKeyDays()),
    };
    const { row, key } = await insertKey(tx, ctx, input2, old.id);
    const overlapEnds = new Date(Math.min(old.expiresAt.getTime(), now + input.overlapHours * 3_600_000));
    const previous = await tx.apiKey.update({ where: { id: old.id }, data: { expiresAt: overlapEnds }, include: withSuccessor });
    await record(tx, ctx, {
      action: 'api_key.rotated',
      tenantId: row.tenantId,
      target: { type: 'api_key', id: row.id },
      data: { from: { id: old.id, prefix: old.prefix, expiresAt: overlapEnds.toISOString() }, to: { id: row.id, prefix: row.prefix, expiresAt: row.expiresAt.toISOString() } },
    });
    await announceKeyChange(tx, old.hash);
    return { row, key, previous, oldHash: old.hash };
  });
  forget(result.oldHash);
  return { apiKey: toApiKeyDto(result.row), key: result.key, previous: toApiKeyDto(result.previous) };
}

/** Newest first, keyset by id (uuid v7 is time-ordered). Inactive = revoked or expired. */
export async function listApiKeys(ctx: Ctx, query: ListApiKeysQuery): Promise<Page<ApiKeyDto>> {
  authorize(ctx.actor, 'keys:read');
  const and: Prisma.ApiKeyWhereInput[] = [tenantScope(ctx.actor)];
  if (query.tenantId) and.push({ tenantId: query.tenantId });
  if (!query.includeInactive) and.push({ revokedAt: null, expiresAt: { gt: new Date() } });
  if (query.cursor) and.push({ id: { lt: decodeCursor(query.cursor, 1)[0] as string } });
  const rows = await db.apiKey.findMany({ where: { AND: and }, orderBy: { id: 'desc' }, take: query.limit + 1, include: withSuccessor });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { data: page.map(toApiKeyDto), nextCursor: rows.length > query.limit && last ? encodeCursor([last.id]) : null };
}

// ───────────────────────────── verification (hot path) ─────────────────────────────

type CachedKey = {
  id: string;
  prefix: string;
  name: string;
  tenantId: string | null;
  scopes: readonly string[];
  allowedCidrs: readonly string[];
  expiresAt: number;
  revoked: boolean;
  tenantActive: boolean;
  // Built once per lookup rather than per request: every request with the key shares them (read-only).
  label: string;
  permissions: ReadonlySet<Permission>;
  identity: ApiKeyIdentity;
};

// One cache per process, kept on globalThis: Next.js bundles route handlers and server actions
// separately, each with its own copy of this module, and a revocation made through a server action
// must evict the entry that the API routes read.
// `generation` counts forget()s, so that a lookup that was in flight when a key changed on this
// instance does not put back the row it read before the change.
type CacheState = { entries: Map<string, { key: CachedKey | null; until: number }>; generation: number };
const cacheHolder = globalThis as unknown as { __charterApiKeyCacheState?: CacheState };
const cacheState = (cacheHolder.__charterApiKeyCacheState ??= { entries: new Map<string, { key: CachedKey | null; until: number }>(), generation: 0 });
const cache = cacheState.entries;

function forget(hash: string): void {
  cache.delete(hash);
  cacheState.generation++;
}

function forgetAll(): void {
  cache.clear();
  cacheState.generation++;
}

const CHANGED_CHANNEL = 'charter_api_key_changed';

const TENANT_PREFIX = 'tenant:';

/** Every process drops the key from its cache when the transaction commits (NOTIFY is transactional). */
async function announceKeyChange(tx: Prisma.TransactionClient, hash: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${CHANGED_CHANNEL}, ${hash})`;
}

/** Every process drops a tenant's keys from its cache on commit (the tenant was offboarded). */
export async function announceTenantKeysChanged(tx: Prisma.TransactionClient, tenantId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${CHANGED_CHANNEL}, ${TENANT_PREFIX + tenantId})`;
}

function forgetTenant(tenantId: string): void {
  for (const [hash, entry] of cache) if (entry.key?.tenantId === tenantId) cache.delete(hash);
  cacheState.generation++;
}

// One LISTEN connection per process that caches keys (on globalThis, for Next.js's module copies),
// opened with the first lookup. While it is down, entries simply expire after CACHE_MS; when it
// (re)connects, the whole cache is dropped, since announcements may have been missed meanwhile.
type Listener = { client: pg.Client | null; connecting: boolean; retryAt: number };
const listenerHolder = globalThis as unknown as { __charterApiKeyListener?: Listener };
const listener = (listenerHolder.__charterApiKeyListener ??= { client: null, connecting: false, retryAt: 0 });
const LISTEN_RETRY_MS = 5_000;

function ensureListening(): void {
  if (listener.client || listener.connecting || CACHE_MS === 0 || Date.now() < listener.retryAt) return;
  listener.connecting = true;
  // Keep-alive, so that a primary that vanished without a reset (a moved virtual IP) is noticed and
  // the listener reconnects to wherever the address now leads.
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL, application_name: 'charter api-key listener', keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
  let live = true;
  const down = (err?: unknown) => {
    if (!live) return;
    live = false;
    if (err) logger.warn({ err: err instanceof Error ? err.message : JSON.stringify(err) }, 'API-key change listener down; cached keys expire after CHARTER_API_KEY_CACHE_SECONDS');
    if (listener.client === client) listener.client = null;
    listener.connecting = false;
    listener.retryAt = Date.now() + LISTEN_RETRY_MS;
    forgetAll();
    client.end().catch(() => {});
  };
  client.on('notification', (message) => {
    if (message.channel !== CHANGED_CHANNEL || !message.payload) return;
    if (message.payload.startsWith(TENANT_PREFIX)) forgetTenant(message.payload.slice(TENANT_PREFIX.length));
    else forget(message.payload);
  });
  client.on('error', down);
  client.on('end', () => down());
  client
    .connect()
    .then(() => client.query(`LISTEN ${CHANGED_CHANNEL}`))
    .then(() => {
      // Never what keeps a process (a CLI command, a test worker) alive.
      (client as unknown as { connection?: { stream?: Socket } }).connection?.stream?.unref();
      forgetAll();
      listener.client = client;
      listener.connecting = false;
    }, down);
}

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

const pendingUse = new Map<string, { at: number; ip: string | null }>();
let flushTimer: NodeJS.Timeout | undefined;

function noteUse(id: string, ip: string | null): void {
  pendingUse.set(id, { at: Date.now(), ip });
  flushTimer ??= setTimeout(() => void flushKeyUsage(), LAST_USED_FLUSH_MS).unref();
}

/** Writes the batched last-used times and IPs in one statement. Bookkeeping, so not audited. */
export async function flushKeyUsage(): Promise<void> {
  flushTimer = undefined;
  if (pendingUse.size === 0) return;
  const batch = [...pendingUse.entries()];
  pendingUse.clear();
  try {
    await db.$executeRaw`
      UPDATE api_keys k SET last_used_at = u.at, last_used_ip = u.ip
      FROM unnest(${batch.map(([id]) => id)}::uuid[], ${batch.map(([, u]) => new Date(u.at).toISOString())}::timestamptz[], ${batch.map(([, u]) => u.ip)}::text[]) AS u(id, at, ip)
      WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`;
  } catch (err) {
    logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not record API key usage');
  }
}
