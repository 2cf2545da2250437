import { db } from '@/lib/core/db';
import type { Ctx } from '@/lib/access/actor';
import { can } from '@/lib/access/guard';
import { tenantScope } from '@/lib/access/scope';
import { countApprovalsAwaiting } from '@/lib/approvals/service';
import { listContractsEndingBefore } from '@/lib/modules/contracts/service';

// Dashboard notifications: contracts ending within 90/60/30 days, four-eyes requests
// waiting for this person, and model versions whose end of life comes before the end of a contract
// that grants them (the tenant was promised the model until the contract ends). Computed on read:
// nothing to schedule, nothing to get out of date.

export type NotificationDto = {
  kind: 'contract_expiring' | 'approvals_waiting' | 'approval_to_collect' | 'model_end_of_life';
  severity: 'info' | 'warning' | 'danger';
  title: string;
  detail: string;
  href: string;
};

const DAY = 86_400_000;
const THRESHOLDS = [30, 60, 90] as const;

export async function listNotifications(ctx: Ctx, now: Date = new Date()): Promise<NotificationDto[]> {
  const out: NotificationDto[] = [];
  const tenantNames = new Map<string, string>();
  const nameOf = async (tenantId: string) => {
    if (!tenantNames.has(tenantId)) tenantNames.set(tenantId, (await db.tenant.findUnique({ where: { id: tenantId }, select: { legalName: true } }))?.legalName ?? 'a tenant');
    return tenantNames.get(tenantId) as string;
  };

  if (can(ctx.actor, 'approvals:decide')) {
    const waiting = await countApprovalsAwaiting(ctx);
    if (waiting > 0) {
      out.push({
        kind: 'approvals_waiting',
        severity: 'warning',
        title: `${waiting} request${waiting === 1 ? '' : 's'} waiting for your approval`,
        detail: 'Four-eyes requests expire 72 hours after they were made.',
        href: '/approvals?view=inbox',
      });
    }
  }
  if (ctx.actor.type === 'user' && can(ctx.actor, 'keys:write')) {
    const toCollect = await db.approvalRequest.count({ where: { requestedById: ctx.actor.id, action: 'PLATFORM_API_KEY_CREATE', status: 'APPROVED', executedAt: null } });
    if (toCollect > 0)
      out.push({
        kind: 'approval_to_collect',
        severity: 'info',
        title: 'An approved platform API key is ready to collect',
        detail: 'It is shown once, to you alone.',
        href: '/approvals?view=mine',
      });
  }

  if (can(ctx.actor, 'contracts:read')) {
    const ending = await listContractsEndingBefore(ctx, new Date(now.getTime() + 90 * DAY));
    for (const c of ending) {
      const days = Math.ceil((new Date(c.validUntil).getTime() - now.getTime()) / DAY);
      const threshold = THRESHOLDS.find((t) => days <= t) ?? 90;
      out.push({
        kind: 'contract_expiring',
        severity: threshold === 30 ? 'danger' : threshold === 60 ? 'warning' : 'info',
        title: `Contract ${c.reference} of ${await nameOf(c.tenantId)} ends within ${threshold} days`,
        detail: `Valid until ${c.validUntil.slice(0, 10)} (${days} day${days === 1 ? '' : 's'}); then its deployments have a ${c.graceDays}-day grace period.`,
        href: `/contracts/${c.id}`,
      });
    }

    // Entitled versions whose end of life comes before the contract's end.
    const contracts = await db.contract.findMany({
      where: { status: 'ACTIVE', validUntil: { gt: now }, ...tenantScope(ctx.actor) },
      select: { id: true, reference: true, tenantId: true, validUntil: true, entitlements: { select: { modelFamilyId: true, modelVersionId: true } } },
      take: 500,
    });
    for (const c of contracts) {
      const familyIds = c.entitlements.flatMap((e) => (e.modelFamilyId ? [e.modelFamilyId] : []));
      const versionIds = c.entitlements.flatMap((e) => (e.modelVersionId ? [e.modelVersionId] : []));
      const ending = await db.modelVersion.findMany({
        where: { endOfLifeAt: { not: null, lt: c.validUntil }, status: { not: 'RETIRED' }, OR: [{ familyId: { in: familyIds } }, { id: { in: versionIds } }] },
        select: { version: true, endOfLifeAt: true, family: { select: { slug: true } } },
      });
      for (const v of ending) {
        out.push({
          kind: 'model_end_of_life',
          severity: 'warning',
          title: `${v.family.slug} ${v.version} reaches end of life before contract ${c.reference} ends`,
          detail: `End of life ${v.endOfLifeAt?.toISOString().slice(0, 10)}; ${await nameOf(c.tenantId)}'s contract runs until ${c.validUntil.toISOString().slice(0, 10)}. Plan an upgrade with the tenant.`,
          href: `/contracts/${c.id}`,
        });
      }
    }
  }
  const rank = { danger: 0, warning: 1, info: 2 } as const;
  return out.sort((a, b) => rank[a.severity] - rank[b.severity]);
}
