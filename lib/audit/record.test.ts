import { describe, expect, it } from 'vitest';
import { db, transaction } from '@/lib/core/db';
import { systemCtx } from '@/lib/access/system';
import { record } from './record';
import { ZERO_HASH, chainHashOf, eventHashOf } from './chain';
import { canonicalEventOf } from './row';
import { makeTenant } from '@/lib/testing/factories';

// Integration tests on the real PostgreSQL: each test appends to the chain of a tenant it created.

async function chainRows(chain: string) {
  return db.auditEvent.findMany({ where: { chain }, orderBy: { seq: 'asc' } });
}

/** Recomputes the whole chain from stored rows, as a verifier would. */
function expectValidChain(rows: Awaited<ReturnType<typeof chainRows>>): void {
  let prev = ZERO_HASH;
  rows.forEach((row, i) => {
    expect(Number(row.seq)).toBe(i + 1);
    const eventHash = eventHashOf(canonicalEventOf(row));
    expect(row.eventHash).toBe(eventHash);
    prev = chainHashOf(prev, eventHash);
    expect(row.hash).toBe(prev);
  });
}

describe('audit record()', () => {
  it('stores events whose recomputed hashes match, starting at seq 1', async () => {
    const tenant = await makeTenant();
    const ctx = systemCtx('test');
    await transaction((tx) =>
      record(tx, ctx, {
        action: 'tenant.updated',
        tenantId: tenant.id,
        target: { type: 'tenant', id: tenant.id },
        data: { before: { n: 1.5 }, after: { n: 2, s: 'é\u2028😀', big: 12345678901234567890n } },
      }),
    );
    const rows = await chainRows(tenant.id);
    expect(rows.map((r) => r.action)).toEqual(['tenant.created', 'tenant.updated']);
    expect(rows[1]?.data).toEqual({ before: { n: 1.5 }, after: { n: 2, s: 'é\u2028😀', big: '12345678901234567890' } });
    expectValidChain(rows);
  });

  it('keeps seq gap-free under concurrent writers to one chain, and rolled-back appends leave no gap', async () => {
    const tenant = await makeTenant();
    const ctx = systemCtx('test');
    const writers = Array.from({ length: 40 }, (_, i) =>
      transaction(async (tx) => {
        await record(tx, ctx, { action: 'deployment.heartbeat', tenantId: tenant.id, data: { i } });
        if (i % 5 === 0) throw new Error(`injected failure ${i}`);
      }).then(
        () => 'ok',
        () => 'rolled-back',
      ),
    );
    const outcomes = await Promise.all(writers);
    expect(outcomes.filter((o) => o === 'rolled-back')).toHaveLength(8);
    const rows = await chainRows(tenant.id);
    expect(rows).toHaveLength(1 + 32);
    expectValidChain(rows);
    const head = await db.auditChain.findUniqueOrThrow({ where: { id: tenant.id } });
    expect(Number(head.lastSeq)).toBe(33);
    expect(head.lastHash).toBe(rows.at(-1)?.hash);
  });

  it('rolls the change back when the audit write fails', async () => {
    const slug = `rollback-${Date.now()}`;
    const ctx = systemCtx('test');
    await expect(
      transaction(async (tx) => {
        await tx.tenant.create({ data: { slug, legalName: 'Rollback Ltd', sector: 'OTHER', homeCountry: 'DE', allowedCountries: ['DE'], sensitivity: 'OFFICIAL' } });
        // NUL characters cannot be stored in jsonb: the audit write fails inside the transaction.
        await record(tx, ctx, { action: 'tenant.created', tenantId: null, data: { note: 'bad\u0000byte' } });
      }),
    ).rejects.toThrow(/NUL/);
    expect(await db.tenant.findUnique({ where: { slug } })).toBeNull();
  });

  it('is refused UPDATE, DELETE and TRUNCATE by the database itself', async () => {
    const tenant = await makeTenant();
    const [row] = await chainRows(tenant.id);
    expect(row).toBeDefined();
    await expect(db.$executeRawUnsafe(`UPDATE audit_events SET action = 'forged' WHERE id = $1::uuid`, row?.id)).rejects.toThrow(/append-only/);
    await expect(db.$executeRawUnsafe(`DELETE FROM audit_events WHERE id = $1::uuid`, row?.id)).rejects.toThrow(/append-only/);
    await expect(db.$executeRawUnsafe('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    await expect(db.$executeRawUnsafe('TRUNCATE audit_checkpoints')).rejects.toThrow(/append-only/);
    // …and so is every partition, addressed directly (audit_events is partitioned).
    const [partition] = await db.$queryRaw<{ name: string }[]>`SELECT charter_audit_partition(${tenant.id}, ${row?.occurredAt}::timestamptz) AS name`;
    const name = partition?.name;
    expect(name).toMatch(/^audit_events_p_[0-9a-f]{32}_\d{6}$/);
    await expect(db.$executeRawUnsafe(`UPDATE ${name} SET action = 'forged'`)).rejects.toThrow(/append-only/);
    await expect(db.$executeRawUnsafe(`DELETE FROM ${name}`)).rejects.toThrow(/append-only/);
    await expect(db.$executeRawUnsafe(`TRUNCATE ${name}`)).rejects.toThrow(/append-only/);
    const after = await db.auditEvent.findFirstOrThrow({ where: { chain: tenant.id, id: row?.id } });
    expect(after.action).toBe('tenant.created');
  });

  it('never lets occurredAt go backwards along a chain, and appends a batch under one lock', async () => {
    const tenant = await makeTenant();
    // A head stamped in the future (another instance's fast clock): the next event is not before it.
    const future = new Date(Date.now() + 60_000);
    await transaction(async (tx) => {
      await record(tx, systemCtx('test'), { action: 'tenant.updated', tenantId: tenant.id });
      await tx.$executeRaw`UPDATE audit_chains SET last_at = ${future} WHERE id = ${tenant.id}`;
    });
    await transaction((tx) => record(tx, systemCtx('test'), { action: 'tenant.updated', tenantId: tenant.id }));
    const rows = await chainRows(tenant.id);
    expect(rows.at(-1)?.occurredAt.getTime()).toBe(future.getTime());
    expectValidChain(rows);
  });
});
