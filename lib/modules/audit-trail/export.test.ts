import { randomUUID } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { db, transaction } from '@/lib/core/db';
import { appendToChain } from '@/lib/audit/append';
import { record } from '@/lib/audit/record';
import { systemCtx } from '@/lib/access/system';
import { ZERO_HASH } from '@/lib/audit/chain';
import { verifyCheckpointSignature } from '@/lib/audit/checkpoint';
import { verifyExport } from '@/lib/audit/verify';
import type { Role } from '@/lib/generated/prisma/enums';
import { ctxFor, makeTenant, uniqueSlug } from '@/lib/testing/factories';
import { exportAuditChain, issueCheckpoint } from './export';
import { bootstrap } from '@/lib/runtime/bootstrap';
import { listPublicKeys } from '@/lib/modules/signing-keys/service';
import { changeTenantStatus, updateTenant } from '@/lib/modules/tenants/service';

type Exported = Awaited<ReturnType<typeof exportAuditChain>>;

function collector(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return { out, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function exportText(chain: string, options: Partial<Parameters<typeof exportAuditChain>[0]> = {}): Promise<{ result: Exported; text: string }> {
  const { out, text } = collector();
  const result = await exportAuditChain({ ctx: systemCtx('test'), chain, out, ...options });
  return { result, text: text() };
}

const ctxAs = (role: Role, tenantId: string | null) => ctxFor({ id: randomUUID(), email: `${role.toLowerCase()}@test.example`, role, tenantId });

let pinnedKeys: { kid: string; publicKey: string }[] = [];

beforeAll(async () => {
  await bootstrap();
  pinnedKeys = (await listPublicKeys()).map((k) => ({ kid: k.kid, publicKey: k.publicKey }));
});

describe('exportAuditChain', () => {
  it('exports a tenant chain that verifies with the published keys, ending with its own audit event', async () => {
    const tenant = await makeTenant();
    for (const legalName of ['One GmbH', 'Two GmbH', 'Three GmbH']) await updateTenant(systemCtx('test'), tenant.id, { legalName });

    const { result, text } = await exportText(tenant.slug);
    expect(result).toMatchObject({ chain: tenant.id, label: tenant.slug, fromSeq: 1, toSeq: 5, events: 5, omitted: 0, exportEventSeq: 5, intact: true });
    const checkpoint = result.checkpoint as NonNullable<Exported['checkpoint']>;
    expect(result.bytes).toBe(Buffer.byteLength(text));
    expect(await verifyExport(text, { pinnedKeys })).toMatchObject({ ok: true, chain: tenant.id, fromSeq: 1, toSeq: 5, events: 5, kid: checkpoint.kid });

    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(7);
    const header = JSON.parse(lines[0]);
    expect(header).toMatchObject({ type: 'header', v: 1, chain: tenant.id, fromSeq: 1, toSeq: 5, prevHash: ZERO_HASH, filter: null });
    expect(header.exportedBy).toEqual({ type: 'system', id: systemCtx().actor.id, label: systemCtx().actor.label });
    // Every published key, retired ones included, so that old checkpoints keep verifying.
    expect(header.keys).toEqual((await listPublicKeys()).map((k) => ({ kid: k.kid, alg: 'Ed25519', publicKey: k.publicKey })));
    expect(JSON.parse(lines[6])).toEqual({ type: 'checkpoint', ...checkpoint });

    // The last event is the export's own record, repeating the header (which is how the header is sealed).
    const audited = JSON.parse(lines[5]).event;
    expect(audited).toMatchObject({ seq: 5, action: 'audit.exported', occurredAt: header.exportedAt, actor: header.exportedBy });
    expect(audited.data).toEqual({ chain: tenant.id, fromSeq: 1, filter: null, format: 'ndjson', keys: header.keys.map((k: { kid: string }) => k.kid) });
    const stored = await db.auditCheckpoint.findMany({ where: { chain: tenant.id } });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ seq: 5n, hash: checkpoint.hash, signature: checkpoint.signature, kid: checkpoint.kid });

    // A second export covers the first one; the events already exported are byte-identical.
    const again = await exportText(tenant.slug);
    expect(again.result).toMatchObject({ fromSeq: 1, toSeq: 6, events: 6, exportEventSeq: 6 });
    expect(again.text.split('\n').slice(1, 6)).toEqual(lines.slice(1, 6));
    expect(await verifyExport(again.text, { pinnedKeys })).toMatchObject({ ok: true, toSeq: 6 });
  });

  it('exports the platform chain and accepts a tenant id as well as a slug', async () => {
    const platform = await exportText('platform');
    expect(platform.result.chain).toBe('platform');
    expect(await verifyExport(platform.text, { pinnedKeys })).toMatchObject({ ok: true, chain: 'platform' });
    const tenant = await makeTenant();
    expect((await exportText(tenant.id)).result).toMatchObject({ chain: tenant.id, label: tenant.slug, toSeq: 2 });
  });

  it('reads in keyset batches and honours backpressure from a slow destination', async () => {
    const tenant = await makeTenant();
    for (let i = 0; i < 9; i++) await updateTenant(systemCtx('test'), tenant.id, { legalName: `Slow ${i} AG` });
    const chunks: Buffer[] = [];
    let maxBuffered = 0;
    const slow = new Writable({
      highWaterMark: 64,
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        setTimeout(done, 2);
      },
    });
    const sizes: number[] = [];
    const originalWrite = slow.write.bind(slow);
    slow.write = ((chunk: string, ...rest: never[]) => {
      maxBuffered = Math.max(maxBuffered, slow.writableLength);
      sizes.push(Buffer.byteLength(chunk));
      return originalWrite(chunk, ...rest);
    }) as typeof slow.write;

    const result = await exportAuditChain({ ctx: systemCtx('test'), chain: tenant.slug, out: slow, batchSize: 3 });
    expect(result).toMatchObject({ fromSeq: 1, toSeq: 11, events: 11 });
    // header + ceil(11 / 3) batches + checkpoint, each written only once the previous one drained.
    expect(sizes).toHaveLength(1 + 4 + 1);
    expect(maxBuffered).toBe(0);
    const text = Buffer.concat(chunks).toString('utf8');
    expect(await verifyExport(text, { pinnedKeys })).toMatchObject({ ok: true, events: 11 });
  });

  it('exports events outside the filter as omitted records, and the chain still verifies', async () => {
    const tenant = await makeTenant();
    await updateTenant(systemCtx('test'), tenant.id, { legalName: 'Filtered One' });
    await changeTenantStatus(systemCtx('test'), tenant.id, { status: 'ACTIVE', reason: 'signed' });
    await updateTenant(systemCtx('test'), tenant.id, { legalName: 'Filtered Two' });

    const { result, text } = await exportText(tenant.slug, { filter: { action: 'tenant.updated' } });
    expect(result).toMatchObject({ fromSeq: 1, toSeq: 5, events: 3, omitted: 2 });
    const records = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records[0].filter).toEqual({ action: 'tenant.updated' });
    // The export's own event (seq 5) is always revealed.
    expect(records.slice(1, 6).map((r) => r.type)).toEqual(['omitted', 'event', 'omitted', 'event', 'event']);
    expect(records[1]).toEqual({ type: 'omitted', seq: 1, eventHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(text).not.toContain('tenant.created');
    expect(await verifyExport(text, { pinnedKeys })).toMatchObject({ ok: true, events: 3, omitted: 2, filter: { action: 'tenant.updated' } });
    expect(records[5].event.data).toMatchObject({ filter: { action: 'tenant.updated' } });

    const byTime = await exportText(tenant.slug, { filter: { from: '2000-01-01', to: '2000-01-02' } });
    expect(byTime.result).toMatchObject({ events: 1, omitted: 5 });
    expect(await verifyExport(byTime.text, { pinnedKeys })).toMatchObject({ ok: true, events: 1, omitted: 5 });

    // The search's other criteria filter exports too (one SQL for both).
    const byGroup = await exportText(tenant.slug, { filter: { actionGroup: 'tenant', q: 'SYSTEM:' } });
    expect(byGroup.result).toMatchObject({ events: 1 + 4, omitted: 2 });
    expect(await verifyExport(byGroup.text, { pinnedKeys })).toMatchObject({ ok: true });

    await expect(exportText(tenant.slug, { filter: { from: '2026-02-01', to: '2026-01-01' } })).rejects.toMatchObject({ name: 'ZodError' });
  });

  it('exports an empty chain as its own event only', async () => {
    // A tenant row without any audit event (created below the services, as a test fixture only).
    const tenant = await db.tenant.create({
      data: { slug: uniqueSlug('empty'), legalName: 'Empty Chain Ltd', sector: 'OTHER', homeCountry: 'DE', allowedCountries: ['DE'], sensitivity: 'OFFICIAL' },
    });
    const { result, text } = await exportText(tenant.slug);
    expect(result).toMatchObject({ fromSeq: 1, toSeq: 1, events: 1, exportEventSeq: 1 });
    expect(result.checkpoint).toMatchObject({ seq: 1, chain: tenant.id });
    expect(text.trimEnd().split('\n')).toHaveLength(3);
    expect(await verifyExport(text, { pinnedKeys })).toMatchObject({ ok: true, fromSeq: 1, toSeq: 1, events: 1 });
    expect(await verifyExport((await exportText(tenant.slug)).text, { pinnedKeys })).toMatchObject({ ok: true, toSeq: 2, events: 2 });
  });

  it('needs audit:export, and a tenant-scoped actor reaches only its own chain (404 otherwise)', async () => {
    const mine = await makeTenant();
    const other = await makeTenant();
    const sink = () => new PassThrough().resume();

    for (const role of ['TENANT_ADMIN', 'TENANT_VIEWER'] as const) {
      await expect(exportAuditChain({ ctx: ctxAs(role, mine.id), chain: mine.slug, out: sink() })).rejects.toMatchObject({ code: 'forbidden' });
    }
    const tenantAuditor = ctxAs('AUDITOR', mine.id);
    const own = await exportAuditChain({ ctx: tenantAuditor, chain: mine.slug, out: sink() });
    expect(own.chain).toBe(mine.id);
    for (const chain of [other.slug, other.id, 'platform', 'no-such-tenant']) {
      await expect(exportAuditChain({ ctx: tenantAuditor, chain, out: sink() })).rejects.toMatchObject({ code: 'not_found' });
    }
    const platformAuditor = ctxAs('AUDITOR', null);
    expect((await exportAuditChain({ ctx: platformAuditor, chain: other.slug, out: sink() })).chain).toBe(other.id);
    await expect(exportAuditChain({ ctx: platformAuditor, chain: 'no-such-tenant', out: sink() })).rejects.toMatchObject({ code: 'not_found' });
    // Nothing was audited in the other tenant's chain by the refused attempts.
    const otherActions = await db.auditEvent.findMany({ where: { chain: other.id }, orderBy: { seq: 'asc' }, select: { action: true, actorId: true } });
    expect(otherActions).toEqual([
      { action: 'tenant.created', actorId: systemCtx().actor.id },
      { action: 'audit.exported', actorId: platformAuditor.actor.id },
    ]);
  });

  it('fails (without hanging) when the destination fails', async () => {
    const tenant = await makeTenant();
    let writes = 0;
    const broken = new Writable({
      write(_chunk, _enc, done) {
        writes += 1;
        done(writes > 1 ? new Error('disk full') : null);
      },
    });
    await expect(exportAuditChain({ ctx: systemCtx('test'), chain: tenant.slug, out: broken, batchSize: 1 })).rejects.toThrow(/disk full|closed/);
  });

  it("reads no further than a stalled destination takes: PostgreSQL waits, not the export's memory", async () => {
    const tenant = await makeTenant();
    // ~40 MB of events in one batch: more than the export reads ahead (4 MB for NDJSON, 8 MB for
    // CSV) plus what the socket buffers between PostgreSQL and this process can hold.
    const note = 'x'.repeat(20_000);
    const events = Array.from({ length: 2_000 }, (_, i) => ({
      id: randomUUID(),
      actor: { type: 'system', id: 'test', label: 'test' },
      action: 'tenant.updated',
      target: { type: 'tenant', id: tenant.id },
      tenantId: tenant.id,
      ip: null,
      userAgent: null,
      requestId: null,
      data: { i, note },
    }));
    await transaction((tx) => appendToChain(tx, { chain: tenant.id, tenantId: tenant.id, events }), { timeoutMs: 60_000 });
    // What may wait in the destination itself: NDJSON a piece or two, CSV its slack (8 MB) and a piece.
    for (const [format, bound] of [
      ['ndjson', 1 << 20],
      ['csv', 10 << 20],
    ] as const) {
      const chunks: Buffer[] = [];
      const held: (() => void)[] = [];
      let flowing = false;
      const stalled = new Writable({
        write(chunk: Buffer, _enc, done) {
          chunks.push(chunk);
          if (flowing) done();
          else held.push(done);
        },
      });
      const exporting = exportAuditChain({ ctx: systemCtx('test'), chain: tenant.slug, out: stalled, format, batchSize: 5_000 });
      // The export's statement blocks in PostgreSQL on writing to its socket: nothing reads it.
      let blocked = 0;
      for (let tries = 0; blocked === 0 && tries < 200; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const [row] = await db.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'ClientWrite'
            AND (query LIKE 'SELECT id::text AS "id"%' OR query LIKE 'COPY (SELECT chain, seq%')`;
        blocked = row?.n ?? 0;
      }
      expect(blocked, format).toBeGreaterThan(0);
      expect(stalled.writableLength, format).toBeLessThan(bound);
      flowing = true;
      for (const done of held.splice(0)) done();
      const result = await exporting;
      expect(result, format).toMatchObject({ events: 2_002 });
      if (format === 'ndjson') expect(await verifyExport(Buffer.concat(chunks).toString('utf8'), { pinnedKeys })).toMatchObject({ ok: true, events: 2_002 });
    }
  });

  it('stays consistent while the chain is written concurrently', async () => {
    const tenant = await makeTenant();
    const ctx = systemCtx('test');
    const writers = Array.from({ length: 20 }, (_, i) => updateTenant(ctx, tenant.id, { legalName: `Concurrent ${i} SA` }));
    const exports = Array.from({ length: 3 }, () => exportText(tenant.slug, { batchSize: 2 }));
    const [done, exported] = await Promise.all([Promise.all(writers), Promise.all(exports)]);
    expect(done).toHaveLength(20);
    for (const { result, text } of exported) {
      expect(await verifyExport(text, { pinnedKeys })).toMatchObject({ ok: true, toSeq: result.toSeq, events: result.toSeq });
    }
    // 1 created + 20 updates + 3 exports + the final export itself, gap-free.
    const final = await exportText(tenant.slug);
    expect(final.result.toSeq).toBe(25);
    expect(await verifyExport(final.text, { pinnedKeys })).toMatchObject({ ok: true, events: 25 });
  });
});

describe('CSV export', () => {
  /** RFC 4180 fields of a CSV text (quoted fields may hold commas, quotes and line breaks). */
  function parseCsv(text: string): string[][] {
    const rows: string[][] = [];
    let row: string[] = [];
    let field = '';
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') ((field += '"'), i++);
        else if (c === '"') quoted = false;
        else field += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') (row.push(field), (field = ''));
      else if (c === '\n') (row.push(field), rows.push(row), (row = []), (field = ''));
      else field += c;
    }
    return rows;
  }

  it('flattens the events with exact formats and defuses formulas in every free-text column', async () => {
    const tenant = await makeTenant();
    // Each label is recorded as the actor label, the target id, the user agent and the request id.
    const labels = ['=HYPERLINK("http://x")', '+1', '-2', '@SUM(A1)', '\tx', '\rx', 'é=1', '', 'plain', '1=1'];
    const datas: unknown[] = [-5, 5, '-x', { a: -1 }, [-1], null, -0.25, true];
    await transaction(async (tx) => {
      for (const [i, label] of labels.entries()) {
        const ctx = { ...systemCtx('test'), actor: { ...systemCtx('test').actor, type: 'user' as const, id: label, label } };
        await record(
          tx,
          { ...ctx, request: { ip: '10.0.0.1', userAgent: label, requestId: label } },
          {
            action: 'tenant.updated',
            tenantId: tenant.id,
            target: { type: label, id: label },
            data: datas[i % datas.length],
          },
        );
      }
    });
    const { result, text } = await exportText(tenant.slug, { format: 'csv' });
    const rows = parseCsv(text);
    const header = rows[0];
    expect(header).toEqual([
      'chain',
      'seq',
      'id',
      'occurredAt',
      'actorType',
      'actorId',
      'actorLabel',
      'action',
      'targetType',
      'targetId',
      'tenantId',
      'ip',
      'userAgent',
      'requestId',
      'data',
      'eventHash',
      'hash',
    ]);
    const events = await db.auditEvent.findMany({ where: { chain: tenant.id, seq: { lte: BigInt(result.toSeq) } }, orderBy: { seq: 'asc' } });
    expect(rows.length - 1).toBe(events.length);
    expect(result.events).toBe(events.length);
    const col = (name: string) => header.indexOf(name);
    const defused = (v: string | null) => (v === null ? '' : /^[=+\-@\t\r]/.test(v) ? `'${v}` : v);
    for (const [i, event] of events.entries()) {
      const row = rows[i + 1];
      expect(row[col('seq')]).toBe(String(event.seq));
      expect(row[col('occurredAt')]).toBe(event.occurredAt.toISOString());
      for (const [name, value] of [
        ['actorId', event.actorId],
        ['actorLabel', event.actorLabel],
        ['targetType', event.targetType],
        ['targetId', event.targetId],
        ['userAgent', event.userAgent],
        ['requestId', event.requestId],
      ] as const) {
        expect(row[col(name)], `${name} of seq ${event.seq}`).toBe(defused(value));
      }
      // data as PostgreSQL writes jsonb (keys sorted, ", " and ": "), defused too: only a negative number can start with '-'.
      const json =
        event.data === null
          ? null
          : ((await db.$queryRaw<{ t: string }[]>`SELECT data::text AS t FROM audit_events WHERE chain = ${tenant.id} AND seq = ${event.seq}`)[0]?.t ?? null);
      expect(row[col('data')], `data of seq ${event.seq}`).toBe(defused(json));
    }
    // The recorded labels came back defused exactly where they start like a formula.
    const byLabel = new Map(events.map((e, i) => [e.actorLabel, rows[i + 1]?.[col('actorLabel')]]));
    expect([...labels.map((l) => byLabel.get(l))]).toEqual(['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx", 'é=1', '', 'plain', '1=1']);
    const dataOf = new Map(events.map((e, i) => [e.actorLabel, rows[i + 1]?.[col('data')]]));
    expect(labels.slice(0, datas.length).map((l) => dataOf.get(l))).toEqual(["'-5", '5', '"-x"', '{"a": -1}', '[-1]', '', "'-0.25", 'true']);
  });
});

describe('verifyExport on a real export', () => {
  it('rejects every single-byte change, header included', async () => {
    const tenant = await makeTenant();
    await updateTenant(systemCtx('test'), tenant.id, { legalName: 'Bundesamt für Prüfung — 東京 😀' });
    await changeTenantStatus(systemCtx('test'), tenant.id, { status: 'ACTIVE', reason: 'signed "in full"\nref 12' });
    const { text } = await exportText(tenant.slug, { filter: { action: 'tenant.updated' } });
    expect(await verifyExport(text, { pinnedKeys })).toMatchObject({ ok: true, events: 2, omitted: 2 });
    const bytes = Buffer.from(text, 'utf8');
    const accepted: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const copy = Buffer.from(bytes);
      copy[i] = copy[i] ^ 0x01;
      if ((await verifyExport(copy.toString('utf8'), { pinnedKeys })).ok) accepted.push(i);
    }
    expect(accepted).toEqual([]);
  });
});

describe('issueCheckpoint', () => {
  it('signs the head by default, or the hash of an earlier seq, with the active key', async () => {
    const tenant = await makeTenant();
    await updateTenant(systemCtx('test'), tenant.id, { legalName: 'Checkpoint AG' });
    const rows = await db.auditEvent.findMany({ where: { chain: tenant.id }, orderBy: { seq: 'asc' } });

    const head = await issueCheckpoint({ chain: tenant.id });
    expect(head).toMatchObject({ v: 1, chain: tenant.id, seq: 2, hash: rows[1]?.hash });
    const key = pinnedKeys.find((k) => k.kid === head.kid);
    expect(key).toBeDefined();
    expect(verifyCheckpointSignature(head, key?.publicKey as string)).toBe(true);

    const first = await issueCheckpoint({ chain: tenant.id, seq: 1 });
    expect(first).toMatchObject({ seq: 1, hash: rows[0]?.hash });
    expect(await issueCheckpoint({ chain: tenant.id, seq: 0 })).toMatchObject({ seq: 0, hash: ZERO_HASH });
    await expect(issueCheckpoint({ chain: tenant.id, seq: 3 })).rejects.toMatchObject({ code: 'not_found' });
    expect(await db.auditCheckpoint.count({ where: { chain: tenant.id } })).toBe(3);
  });

  it('stores checkpoints append-only: the database refuses UPDATE and DELETE', async () => {
    const tenant = await makeTenant();
    const checkpoint = await issueCheckpoint({ chain: tenant.id });
    const row = await db.auditCheckpoint.findFirstOrThrow({ where: { chain: tenant.id, seq: BigInt(checkpoint.seq) } });
    await expect(db.$executeRawUnsafe(`UPDATE audit_checkpoints SET hash = $1 WHERE id = $2::uuid`, ZERO_HASH, row.id)).rejects.toThrow(/append-only/);
    await expect(db.$executeRawUnsafe(`DELETE FROM audit_checkpoints WHERE id = $1::uuid`, row.id)).rejects.toThrow(/append-only/);
    const events = await db.auditEvent.findMany({ where: { chain: tenant.id } });
    await expect(db.$executeRawUnsafe(`UPDATE audit_events SET data = '{}'::jsonb WHERE id = $1::uuid`, events[0]?.id)).rejects.toThrow(/append-only/);
    await expect(db.$executeRawUnsafe(`DELETE FROM audit_events WHERE id = $1::uuid`, events[0]?.id)).rejects.toThrow(/append-only/);
  });
});

describe('tampering below the application', () => {
  it('is reported by the exporter and rejected by the verifier', async ({ skip }) => {
    const tenant = await makeTenant();
    await updateTenant(systemCtx('test'), tenant.id, { legalName: 'Honest Holdings' });
    await updateTenant(systemCtx('test'), tenant.id, { legalName: 'Honest Holdings II' });
    // Only a superuser can switch the trigger off (session_replication_role); otherwise skip.
    try {
      await db.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`SET LOCAL session_replication_role = replica`);
        await tx.$executeRawUnsafe(`UPDATE audit_events SET data = jsonb_set(data, '{after,legalName}', '"Dishonest Holdings"') WHERE chain = $1 AND seq = 2`, tenant.id);
      });
    } catch {
      skip('the test database user cannot bypass the append-only trigger');
    }
    const { result, text } = await exportText(tenant.slug);
    expect(result).toMatchObject({ intact: false, firstMismatchSeq: 2 });
    expect(text).toContain('Dishonest Holdings');
    expect(await verifyExport(text, { pinnedKeys })).toMatchObject({ ok: false, seq: 2, reason: 'seq 2: hash mismatch (event changed or reordered)' });
  });
});
