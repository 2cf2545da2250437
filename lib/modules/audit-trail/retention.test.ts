import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { db, transaction } from '@/lib/core/db';
import { systemCtx } from '@/lib/access/system';
import { appendToChain } from '@/lib/audit/append';
import { verifyExport } from '@/lib/audit/verify';
import { changeRetentionInput } from '@/lib/modules/audit-trail/retention-schema';
import { makeUser, uniqueSlug } from '@/lib/testing/factories';
import { approveRequest } from '@/lib/approvals/service';
import { exportAuditChain } from './export';
import { listRetention, purgeExpiredAuditEvents, requestRetentionChange, setLegalHold } from './retention';
import { bootstrap } from '@/lib/runtime/bootstrap';

const DAY = 86_400_000;

/** A tenant whose chain holds events from `daysAgo` (each its own append), then one of today. */
async function tenantWithHistory(daysAgo: number[], retentionDays = 183): Promise<{ id: string; slug: string }> {
  const tenant = await db.tenant.create({
    data: { slug: uniqueSlug('ret'), legalName: 'Retention Test AG', sector: 'FINANCE', homeCountry: 'DE', allowedCountries: ['DE'], sensitivity: 'OFFICIAL', retentionDays },
  });
  for (const days of [...daysAgo, 0]) {
    await transaction((tx) =>
      appendToChain(tx, {
        chain: tenant.id,
        tenantId: tenant.id,
        at: new Date(Date.now() - days * DAY),
        events: [
          {
            id: randomUUID(),
            actor: { type: 'system', id: 'test', label: 'test' },
            action: 'tenant.updated',
            target: { type: 'tenant', id: tenant.id },
            tenantId: tenant.id,
            ip: null,
            userAgent: null,
            requestId: null,
            data: { daysAgo: days },
          },
        ],
      }),
    );
  }
  return tenant;
}

async function exportText(chain: string): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportAuditChain({ ctx: systemCtx('test'), chain, out });
  return Buffer.concat(chunks).toString('utf8');
}

async function partitionCount(chain: string): Promise<number> {
  const [row] = await db.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'audit_events'::regclass AND c.relname LIKE ${`audit_events_p_${chain.replace(/-/g, '')}_%`}`;
  return Number(row?.n ?? 0n);
}

beforeAll(async () => {
  await bootstrap();
});

describe('audit retention', () => {
  it('drops whole expired month partitions, audits the purge, and the chain still verifies from the first retained event', async () => {
    const tenant = await tenantWithHistory([500, 400, 250, 30]);
    expect(await partitionCount(tenant.id)).toBeGreaterThanOrEqual(4);

    const [outcome] = await purgeExpiredAuditEvents(systemCtx('test'), { tenant: tenant.slug });
    expect(outcome).toMatchObject({ status: 'purged', removed: { fromSeq: 1, toSeq: 3 }, baseSeq: 3 });
    expect(outcome?.partitions).toHaveLength(3);
    expect(await db.auditEvent.count({ where: { chain: tenant.id, seq: { lte: 3 } } })).toBe(0);
    // Their ids went with them; the retained events' ids stay (the ingest's duplicate check).
    expect(await db.auditEventId.count({ where: { chain: tenant.id, seq: { lte: 3 } } })).toBe(0);
    expect(await db.auditEventId.count({ where: { chain: tenant.id } })).toBe(await db.auditEvent.count({ where: { chain: tenant.id } }));
    const purged = await db.auditEvent.findFirstOrThrow({ where: { chain: tenant.id, action: 'audit.purged' } });
    expect(purged.data).toMatchObject({ removed: { fromSeq: 1, toSeq: 3 }, after: { baseSeq: 3 }, retentionDays: 183 });

    const text = await exportText(tenant.slug);
    const header = JSON.parse(text.slice(0, text.indexOf('\n')));
    expect(header).toMatchObject({ fromSeq: 4, prevHash: outcome?.baseHash });
    expect(await verifyExport(text)).toMatchObject({ ok: true, fromSeq: 4 });

    // Nothing left to purge; rows still cannot be deleted one by one.
    expect((await purgeExpiredAuditEvents(systemCtx('test'), { tenant: tenant.id }))[0]).toMatchObject({ status: 'nothing_to_purge', baseSeq: 3 });
    await expect(db.$executeRawUnsafe('DELETE FROM audit_events WHERE chain = $1', tenant.id)).rejects.toThrow(/append-only/);
  });

  it('purges nothing under legal hold, and the hold is audited', async () => {
    const tenant = await tenantWithHistory([600, 400]);
    await setLegalHold(systemCtx('test'), tenant.slug, { legalHold: true, reason: 'litigation 2026-17' });
    const [held] = await purgeExpiredAuditEvents(systemCtx('test'), { tenant: tenant.slug });
    expect(held).toMatchObject({ status: 'legal_hold', removed: null, baseSeq: 0 });
    expect(await db.auditEvent.count({ where: { chain: tenant.id, seq: { lte: 2 } } })).toBe(2);
    expect(await db.auditEvent.count({ where: { chain: tenant.id, action: 'audit.legal_hold_changed' } })).toBe(1);

    await setLegalHold(systemCtx('test'), tenant.slug, { legalHold: false, reason: 'case closed' });
    expect((await purgeExpiredAuditEvents(systemCtx('test'), { tenant: tenant.slug }))[0]).toMatchObject({ status: 'purged', removed: { fromSeq: 1, toSeq: 2 } });
  });

  it('changes retention only through four-eyes approval (the CLI directly), within 6 months and 10 years', async () => {
    const tenant = await tenantWithHistory([]);
    expect(changeRetentionInput.safeParse({ retentionDays: 90, reason: 'too short' }).success).toBe(false);
    expect(changeRetentionInput.safeParse({ retentionDays: 4000, reason: 'too long' }).success).toBe(false);

    const owner = await makeUser('OWNER', null);
    const admin = await makeUser('ADMIN', null);
    await expect(requestRetentionChange(admin.ctx, tenant.slug, { retentionDays: 365, reason: 'policy' })).rejects.toMatchObject({ code: 'forbidden' });
    const requested = await requestRetentionChange(owner.ctx, tenant.slug, { retentionDays: 365, reason: 'new records policy' });
    expect(requested.kind).toBe('requested');
    expect((await db.tenant.findUniqueOrThrow({ where: { id: tenant.id } })).retentionDays).toBe(183);
    if (requested.kind !== 'requested') return;
    await expect(approveRequest(owner.ctx, requested.approval.id, 'self')).rejects.toMatchObject({ code: 'forbidden' });
    await approveRequest(admin.ctx, requested.approval.id, 'agreed');
    expect((await db.tenant.findUniqueOrThrow({ where: { id: tenant.id } })).retentionDays).toBe(365);
    const changed = await db.auditEvent.findFirstOrThrow({ where: { chain: tenant.id, action: 'audit.retention_changed' } });
    expect(changed.data).toMatchObject({ before: { retentionDays: 183 }, after: { retentionDays: 365 }, approvalId: requested.approval.id });

    expect(await requestRetentionChange(systemCtx('test'), tenant.slug, { retentionDays: 730, reason: 'operator' })).toMatchObject({ kind: 'performed' });
    const listed = (await listRetention(systemCtx('test'))).find((r) => r.tenantId === tenant.id);
    expect(listed).toMatchObject({ retentionDays: 730, legalHold: false, firstSeq: 1 });
  });

  it('keeps tenants to their own chain and needs settings:write', async () => {
    const tenant = await tenantWithHistory([400]);
    const other = await tenantWithHistory([400]);
    const tenantAdmin = await makeUser('TENANT_ADMIN', tenant.id);
    await expect(purgeExpiredAuditEvents(tenantAdmin.ctx, { tenant: tenant.slug })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(setLegalHold((await makeUser('AUDITOR', null)).ctx, other.slug, { legalHold: true, reason: 'nope' })).rejects.toMatchObject({ code: 'forbidden' });
    expect(await db.auditEvent.count({ where: { chain: other.id } })).toBe(2);
  });
});
