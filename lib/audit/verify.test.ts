import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair, privateKeyFromPkcs8, signEd25519 } from '@/lib/core/crypto/ed25519';
import { type CanonicalEvent, ZERO_HASH, chainHashOf, eventHashOf } from './chain';
import { buildCheckpoint, signCheckpoint } from './checkpoint';
import { type ExportHeader, type ExportRecord, serializeRecord } from './export-format';
import { type VerifyResult, linesOf, verifyExport } from './verify';

// Pure tests of the offline verifier on synthetic exports (no database). The integration tests in
// lib/modules/audit-trail/export.test.ts and lib/modules/audit-trail/independent-verifier.test.ts use real exports.

type Key = { kid: string; publicKey: string; sign: (m: string) => string };

function makeKey(): Key {
  const pair = generateSigningKeyPair();
  const privateKey = privateKeyFromPkcs8(pair.privateKeyPkcs8);
  return { kid: pair.kid, publicKey: pair.publicKey, sign: (m) => signEd25519(privateKey, m) };
}

const vendor = makeKey();
const attacker = makeKey();
const CHAIN = '0190a0a0-0000-7000-8000-00000000c0de';

function eventAt(seq: number, chain = CHAIN): CanonicalEvent {
  return {
    v: 1,
    chain,
    seq,
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    actor: { type: 'user', id: seq % 2 ? 'u-1' : 'u-2', label: 'alice@example.test' },
    action: seq % 3 === 0 ? 'tenant.updated' : 'deployment.heartbeat',
    target: { type: 'tenant', id: chain },
    tenantId: chain,
    ip: '192.0.2.7',
    userAgent: 'test',
    requestId: `req-${seq}`,
    data: { n: seq, note: 'Zürich — 東京 😀', nested: { z: [1, 2.5, null], a: true } },
  };
}

type BuildOptions = {
  events?: CanonicalEvent[];
  fromSeq?: number;
  prevHash?: string;
  signer?: Key;
  headerKeys?: Key[];
  /** seqs to export as `omitted` */
  omit?: number[];
  /** false: leave the last event as it is (no seal) */
  seal?: boolean;
};

/** Builds the lines of an export as lib/modules/audit-trail/export writes them. */
function buildExport(options: BuildOptions = {}): string[] {
  const events = [...(options.events ?? [1, 2, 3, 4, 5].map((s) => eventAt(s)))];
  const fromSeq = options.fromSeq ?? events[0]?.seq ?? 1;
  const signer = options.signer ?? vendor;
  const prevHash = options.prevHash ?? ZERO_HASH;
  const header: ExportHeader = {
    type: 'header',
    v: 1,
    chain: CHAIN,
    fromSeq,
    toSeq: fromSeq + events.length - 1,
    prevHash,
    exportedAt: '2026-02-01T00:00:00.000Z',
    exportedBy: { type: 'system', id: 'system:ops', label: 'system:ops' },
    filter: options.omit ? { action: 'tenant.updated' } : null,
    keys: (options.headerKeys ?? [vendor]).map((k) => ({ kid: k.kid, alg: 'Ed25519', publicKey: k.publicKey })),
  };
  const records: ExportRecord[] = [header];
  let hash = prevHash;
  // The exporter ends every export with its own audit.exported event, which seals the header.
  const last = events.at(-1);
  if (last && options.seal !== false) {
    events[events.length - 1] = {
      ...last,
      action: 'audit.exported',
      actor: header.exportedBy,
      occurredAt: header.exportedAt,
      data: { chain: CHAIN, format: 'ndjson', fromSeq, filter: header.filter, keys: header.keys.map((k) => k.kid) },
    };
  }
  for (const event of events) {
    const eventHash = eventHashOf(event);
    hash = chainHashOf(hash, eventHash);
    records.push(options.omit?.includes(event.seq) ? { type: 'omitted', seq: event.seq, eventHash } : { type: 'event', event, hash });
  }
  const checkpoint = signCheckpoint(buildCheckpoint({ chain: CHAIN, seq: header.toSeq, hash, issuedAt: '2026-02-01T00:00:00.000Z', kid: signer.kid }), signer.sign);
  records.push({ type: 'checkpoint', ...checkpoint });
  return records.map((r) => serializeRecord(r).slice(0, -1));
}

const text = (lines: string[]) => `${lines.join('\n')}\n`;
const pinned = [{ kid: vendor.kid, publicKey: vendor.publicKey }];
const verifyPinned = (lines: string[] | string) => verifyExport(typeof lines === 'string' ? lines : text(lines), { pinnedKeys: pinned });

function expectInvalid(result: VerifyResult, reason: string | RegExp, seq?: number | null): void {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  if (typeof reason === 'string') expect(result.reason).toBe(reason);
  else expect(result.reason).toMatch(reason);
  if (seq !== undefined) expect(result.seq).toBe(seq);
}

/** Replaces a JSON line by a modified copy, re-serialised canonically (what a careful forger would do). */
function editLine(lines: string[], index: number, edit: (record: Record<string, any>) => void): string[] {
  const copy = [...lines];
  const record = JSON.parse(copy[index]) as Record<string, any>;
  edit(record);
  copy[index] = serializeRecord(record as ExportRecord).slice(0, -1);
  return copy;
}

describe('verifyExport', () => {
  it('accepts an intact export, with pinned keys and with the header keys', async () => {
    const lines = buildExport();
    const result = await verifyPinned(lines);
    expect(result).toMatchObject({ ok: true, chain: CHAIN, fromSeq: 1, toSeq: 5, events: 5, omitted: 0, kid: vendor.kid, pinned: true });
    expect(await verifyExport(text(lines))).toMatchObject({ ok: true, pinned: false });
    // Streamed from bytes cut at awkward places (inside multi-byte UTF-8 characters).
    const bytes = Buffer.from(text(lines));
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
    expect(await verifyExport(linesOf(Readable.from(chunks)), { pinnedKeys: pinned })).toMatchObject({ ok: true, events: 5 });
    // The final newline is optional.
    expect(await verifyPinned(lines.join('\n'))).toMatchObject({ ok: true });
  });

  it('detects a changed field', async () => {
    const lines = editLine(buildExport(), 3, (r) => {
      r.event.data.n = 99;
    });
    expectInvalid(await verifyPinned(lines), 'seq 3: hash mismatch (event changed or reordered)', 3);
  });

  it('detects a changed event even when the forger recomputes every hash after it', async () => {
    const events = [1, 2, 3, 4, 5].map((s) => eventAt(s));
    events[2].action = 'tenant.archived';
    const forged = buildExport({ events });
    const genuine = buildExport();
    forged[forged.length - 1] = genuine.at(-1) as string; // the vendor's checkpoint cannot be re-signed
    expectInvalid(await verifyPinned(forged), /^seq 5: checkpoint hash does not match the recomputed chain hash/, 5);
  });

  it('detects a deleted line', async () => {
    const lines = buildExport();
    lines.splice(3, 1);
    expectInvalid(await verifyPinned(lines), 'seq 3: missing (found seq 4 instead: an event was deleted or lines were reordered)', 3);
    const lastGone = buildExport();
    lastGone.splice(5, 1);
    expectInvalid(await verifyPinned(lastGone), 'seq 5 is missing before the checkpoint (events deleted or file cut)', 5);
  });

  it('detects a duplicated line', async () => {
    const lines = buildExport();
    lines.splice(3, 0, lines[3]);
    expectInvalid(await verifyPinned(lines), 'seq 3: duplicated or out of order (expected seq 4)', 3);
  });

  it('detects swapped lines, also when the forger renumbers them', async () => {
    const lines = buildExport();
    [lines[2], lines[3]] = [lines[3], lines[2]];
    expectInvalid(await verifyPinned(lines), 'seq 2: missing (found seq 3 instead: an event was deleted or lines were reordered)', 2);
    let renumbered = editLine(lines, 2, (r) => {
      r.event.seq = 2;
    });
    renumbered = editLine(renumbered, 3, (r) => {
      r.event.seq = 3;
    });
    expectInvalid(await verifyPinned(renumbered), 'seq 2: hash mismatch (event changed or reordered)', 2);
  });

  it('detects an inserted event after the exported range', async () => {
    const lines = buildExport();
    const extra = serializeRecord({ type: 'event', event: eventAt(6), hash: ZERO_HASH }).slice(0, -1);
    lines.splice(6, 0, extra);
    expectInvalid(await verifyPinned(lines), "seq 6: beyond the header's toSeq 5 (an event was inserted)", 6);
  });

  it('detects a truncated file', async () => {
    const full = text(buildExport());
    const cutInLine = full.slice(0, full.length - 40);
    expectInvalid(await verifyPinned(cutInLine), 'line 7: not valid JSON (file truncated or corrupted)');
    const withoutCheckpoint = `${buildExport().slice(0, -1).join('\n')}\n`;
    expectInvalid(await verifyPinned(withoutCheckpoint), 'file is truncated: no checkpoint after seq 5', 5);
    expectInvalid(await verifyPinned(''), 'empty file: no header', null);
  });

  it('rejects a forged checkpoint re-signed with a key that is not pinned', async () => {
    const events = [1, 2, 3, 4, 5].map((s) => eventAt(s));
    events[1].data = { n: 2, note: 'rewritten' };
    const forged = buildExport({ events, signer: attacker, headerKeys: [attacker] });
    expectInvalid(await verifyPinned(forged), `seq 5: checkpoint signed by unknown key ${attacker.kid} (not among the pinned keys)`, 5);
    // Unpinned, the forgery is self-consistent: this is why the CLI warns when no --key is given.
    expect(await verifyExport(text(forged))).toMatchObject({ ok: true, pinned: false, kid: attacker.kid });
  });

  it('rejects a header key whose kid is not its fingerprint (a forger reusing the vendor kid)', async () => {
    const lines = editLine(buildExport(), 0, (r) => {
      r.keys = [{ kid: vendor.kid, alg: 'Ed25519', publicKey: attacker.publicKey }];
    });
    expectInvalid(await verifyExport(text(lines)), `line 1: invalid header: key ${vendor.kid}: kid is not the fingerprint of its public key`, null);
  });

  it('rejects when the pinned key is not the one that signed', async () => {
    const result = await verifyExport(text(buildExport()), { pinnedKeys: [{ kid: attacker.kid, publicKey: attacker.publicKey }] });
    expectInvalid(result, `seq 5: checkpoint signed by unknown key ${vendor.kid} (not among the pinned keys)`, 5);
    const badPin = await verifyExport(text(buildExport()), { pinnedKeys: [{ kid: vendor.kid, publicKey: attacker.publicKey }] });
    expectInvalid(badPin, `pinned key ${vendor.kid}: kid is not the fingerprint of its public key`, null);
  });

  it('rejects a bad signature and a checkpoint that does not match the header', async () => {
    const badSig = editLine(buildExport(), 6, (r) => {
      r.signature = attacker.sign('something else');
    });
    expectInvalid(await verifyPinned(badSig), `seq 5: checkpoint signature is invalid for key ${vendor.kid}`);
    const otherChain = editLine(buildExport(), 6, (r) => {
      r.chain = 'platform';
    });
    expectInvalid(await verifyPinned(otherChain), `seq 5: checkpoint is for chain platform, not ${CHAIN}`);
    const wrongSeq = editLine(buildExport(), 0, (r) => {
      r.toSeq = 6;
    });
    expectInvalid(await verifyPinned(wrongSeq), 'seq 6 is missing before the checkpoint (events deleted or file cut)');
  });

  it('rejects an event of another chain, content after the checkpoint, and a missing header', async () => {
    const events = [1, 2, 3].map((s) => eventAt(s, s === 2 ? 'platform' : CHAIN));
    expectInvalid(await verifyPinned(buildExport({ events })), `seq 2: event belongs to chain platform, not ${CHAIN}`, 2);
    const trailing = [...buildExport(), '{"type":"note"}'];
    expectInvalid(await verifyPinned(trailing), 'line 8: unexpected content after the checkpoint');
    expectInvalid(await verifyPinned(buildExport().slice(1)), 'line 1: the export does not start with a header');
    expectInvalid(await verifyPinned(`${text(buildExport())}\n`), 'line 8: unexpected content after the checkpoint');
  });

  it('requires canonical lines, plain LF line ends and no extra fields', async () => {
    const lines = buildExport();
    const spaced = [...lines];
    spaced[2] = JSON.stringify(JSON.parse(spaced[2]), null, 1).replace(/\n/g, '');
    expectInvalid(await verifyPinned(spaced), 'line 3: not in canonical JSON form (RFC 8785)');
    expectInvalid(await verifyPinned(lines.join('\r\n')), 'line 1: line ends with a carriage return (was the file converted to CRLF?)');
    const extra = editLine(lines, 2, (r) => {
      r.event.extra = 1;
    });
    expectInvalid(await verifyPinned(extra), 'line 3: malformed event record: event has unexpected field extra');
    const headerExtra = editLine(lines, 0, (r) => {
      r.note = 'x';
    });
    expectInvalid(await verifyPinned(headerExtra), 'line 1: invalid header: header has unexpected field note');
    const prev = editLine(lines, 0, (r) => {
      r.prevHash = 'f'.repeat(64);
    });
    expectInvalid(await verifyPinned(prev), 'line 1: invalid header: prevHash must be 64 zeros when fromSeq is 1');
  });

  it('recomputes the chain through omitted events, and detects a changed eventHash', async () => {
    const lines = buildExport({ omit: [1, 2, 4] });
    expect(JSON.parse(lines[1])).toEqual({ type: 'omitted', seq: 1, eventHash: eventHashOf(eventAt(1)) });
    expect(await verifyPinned(lines)).toMatchObject({ ok: true, events: 2, omitted: 3, filter: { action: 'tenant.updated' } });
    const changed = editLine(lines, 2, (r) => {
      r.eventHash = 'a'.repeat(64);
    });
    expectInvalid(await verifyPinned(changed), 'seq 3: hash mismatch (event changed or reordered)', 3);
    const changedLast = editLine(lines, 4, (r) => {
      r.eventHash = 'a'.repeat(64);
    });
    expectInvalid(await verifyPinned(changedLast), 'seq 5: hash mismatch (event changed or reordered)', 5);
    // The export's own last event (its seal) must be revealed.
    expectInvalid(await verifyPinned(buildExport({ omit: [5] })), /^seq 5: the export does not end with its own audit.exported event/);
  });

  it('verifies a range that starts after purged events, and an empty chain', async () => {
    const all = [1, 2, 3, 4, 5].map((s) => eventAt(s));
    const hash2 = chainHashOf(chainHashOf(ZERO_HASH, eventHashOf(all[0])), eventHashOf(all[1]));
    const tail = buildExport({ events: all.slice(2), fromSeq: 3, prevHash: hash2 });
    expect(await verifyPinned(tail)).toMatchObject({ ok: true, fromSeq: 3, toSeq: 5, events: 3 });
    // An export always holds at least its own event: a file without one is not Charter's.
    const empty = buildExport({ events: [], fromSeq: 1 });
    expect(empty).toHaveLength(2);
    expect(JSON.parse(empty[1])).toMatchObject({ seq: 0, hash: ZERO_HASH });
    expectInvalid(await verifyPinned(empty), /^seq 0: the export does not end with its own audit.exported event/);
  });

  it('rejects an unsealed export, and a header that differs from its seal', async () => {
    expectInvalid(await verifyPinned(buildExport({ seal: false })), /^seq 5: the export does not end with its own audit.exported event/);
    const edits: [string, (r: Record<string, any>) => void][] = [
      ['exportedAt', (r) => (r.exportedAt = '2026-02-01T00:00:00.001Z')],
      ['exportedBy', (r) => (r.exportedBy.label = 'someone else')],
      ['filter', (r) => (r.filter = { action: 'tenant.created' })],
    ];
    for (const [field, edit] of edits) {
      const lines = editLine(buildExport({ omit: [2] }), 0, edit);
      expectInvalid(await verifyPinned(lines), `seq 5: the header's ${field} differs from the export's own audit.exported event (the header was changed)`, 5);
    }
  });

  it('rejects every single-byte change, header included', async () => {
    const bytes = Buffer.from(text(buildExport({ omit: [4] })));
    const start = 0;
    const accepted: number[] = [];
    for (let i = start; i < bytes.length; i++) {
      const copy = Buffer.from(bytes);
      copy[i] = copy[i] ^ 0x01;
      const result = await verifyExport(linesOf(Readable.from([copy])), { pinnedKeys: pinned });
      if (result.ok) accepted.push(i);
    }
    expect(accepted).toEqual([]);
  });
});
