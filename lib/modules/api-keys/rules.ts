import type { Prisma } from '@/lib/core/db';
import type { Ctx } from '@/lib/access/actor';
import { isPlatform } from '@/lib/access/guard';
import { inTenantScope } from '@/lib/access/scope';
import { generateApiKey } from '@/lib/core/crypto/api-key';
import { AppError, notFound } from '@/lib/core/errors';
import { type CreateApiKeyInput, PLATFORM_ONLY_SCOPES } from '@/lib/modules/api-keys/schema';

/** The longest validity a key may be given (CHARTER_API_KEY_MAX_DAYS, default 365). */
export const maxKeyDays = () => Number(process.env.CHARTER_API_KEY_MAX_DAYS ?? 365);

export async function checkTarget(tx: Prisma.TransactionClient, ctx: Ctx, input: CreateApiKeyInput): Promise<void> {
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

export async function insertKey(tx: Prisma.TransactionClient, ctx: Ctx, input: CreateApiKeyInput, rotatedFromId: string | null) {
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
