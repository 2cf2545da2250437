import { db, transaction, type Prisma } from '@/lib/core/db';
import type { Ctx } from '@/lib/access/actor';
import { authorize, isPlatform } from '@/lib/access/guard';
import { tenantScope } from '@/lib/access/scope';
import { forget } from '@/lib/access/api-keys/cache';
import { announceKeyChange } from '@/lib/access/api-keys/listener';
import { record } from '@/lib/audit/record';
import { AppError, notFound } from '@/lib/core/errors';
import type { ApiKey } from '@/lib/generated/prisma/client';
import { redeemApproval, requestApproval } from '@/lib/approvals/engine';
import type { ApprovalDto } from '@/lib/approvals/schema';
import { type Page, decodeCursor, encodeCursor } from '@/lib/core/schema';
import { checkTarget, insertKey, maxKeyDays } from '@/lib/modules/api-keys/rules';
import { platformApiKeyCreation } from '@/lib/modules/api-keys/executor';
import { type ApiKeyDto, type CreateApiKeyInput, type ListApiKeysQuery, type RotateApiKeyInput } from '@/lib/modules/api-keys/schema';

// API keys are stored as SHA-256 digests and shown once. Their verification (the public API's hot
// path), its per-process cache, the LISTEN/NOTIFY listener and the last-used batching are in
// lib/access/api-keys; the four-eyes executor for platform keys is in ./executor.

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
