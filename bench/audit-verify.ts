/**
 * Offline verifier throughput: a verifiable NDJSON export of the seeded chain (bench/audit-seed.ts),
 * checked by verifyExportStream (what `charter audit verify` runs) against `sha256sum` of the same
 * file. Target: ≥ 0.25× sha256sum's throughput.
 *
 *   npx tsx bench/audit-verify.ts [--events 1000000]
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { arg, benchDatabaseName, databaseUrl, ratioLine, shellMs, timed, useDatabase } from './audit-lib';

const events = Number(arg('events', '1000000'));
const url = databaseUrl(arg('db', benchDatabaseName(events)) as string);
useDatabase(url);
const file = `/tmp/charter-bench-verify-${process.pid}.ndjson`;

const { systemCtx } = await import('@/lib/access/system');
const { exportAuditChain } = await import('@/lib/modules/audit-trail/export');
const { listPublicKeys } = await import('@/lib/modules/signing-keys/service');
const { verifyExportStream } = await import('@/lib/audit/verify');
const { db } = await import('@/lib/core/db');

const out = createWriteStream(file);
await once(out, 'open');
const exported = await exportAuditChain({ ctx: systemCtx('bench'), chain: 'bench-bank', out });
out.end();
await once(out, 'finish');
const pinnedKeys = (await listPublicKeys()).map((k) => ({ kid: k.kid, publicKey: k.publicKey }));
await db.$disconnect();
const { size } = await stat(file);

await shellMs(`cat ${file} > /dev/null`); // both sides read from the page cache
const { ms, value } = await timed(() => verifyExportStream(createReadStream(file, { highWaterMark: 1 << 20 }), { pinnedKeys }));
if (!value.ok) throw new Error(`the export did not verify: ${value.reason}`);
const shaMs = await shellMs(`sha256sum ${file} > /dev/null`);
await rm(file, { force: true });

const mb = size / 1e6;
const ratio = mb / (ms / 1000) / (mb / (shaMs / 1000));
console.log(`offline verifier, ${exported.toSeq.toLocaleString('en')} events, ${mb.toFixed(0)} MB NDJSON\n`);
console.log(
  ratioLine('verify (hash chain + checkpoint) vs sha256sum', `${(mb / (ms / 1000)).toFixed(0)} MB/s`, `${(mb / (shaMs / 1000)).toFixed(0)} MB/s`, ratio, '≥ 0.25×', ratio >= 0.25),
);
