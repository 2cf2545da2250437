/**
 * CSV export of a whole seeded chain (bench/audit-seed.ts) through exportAuditChain (what the API, the UI
 * and `charter audit export --format csv` run), in a child process so its peak RSS is its own,
 * against `psql -c "COPY (…same SELECT…) TO STDOUT CSV"`. Targets: ≥ 0.8× psql's speed; peak RSS
 * growth from 1M to 5M rows < 50 MB (run with --events 1000000, then 5000000, and compare).
 *
 *   npx tsx bench/audit-csv-export.ts [--events 1000000]
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { promisify } from 'node:util';
import { arg, benchDatabaseName, databaseUrl, ratioLine, shellMs, useDatabase } from './audit-lib';

const events = Number(arg('events', '1000000'));
const url = databaseUrl(arg('db', benchDatabaseName(events)) as string);

if (process.argv.includes('--child')) {
  // The measured side: export to /dev/null, report time, rows and peak RSS.
  useDatabase(url);
  const { systemCtx } = await import('@/lib/auth/system');
  const { exportAuditChain } = await import('@/lib/services/audit-export');
  const { db } = await import('@/lib/db');
  const out = createWriteStream('/dev/null');
  await once(out, 'open');
  const start = process.hrtime.bigint();
  const result = await exportAuditChain({ ctx: systemCtx('bench'), chain: 'bench-bank', out, format: 'csv' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  out.end();
  await db.$disconnect();
  process.stdout.write(JSON.stringify({ ms, rows: result.events, fromSeq: result.fromSeq, toSeq: result.toSeq, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

useDatabase(url);
const run = promisify(execFile);
const { csvCopySql } = await import('@/lib/services/audit-export');
const { db } = await import('@/lib/db');
const tenant = await db.tenant.findUniqueOrThrow({ where: { slug: 'bench-bank' } });
const head = await db.auditChain.findUniqueOrThrow({ where: { id: tenant.id } });
await db.$disconnect();
const copySql = (toSeq: number) => csvCopySql({ chain: tenant.id, fromSeq: 1, toSeq, filter: null }).replace(/\s+/g, ' ');
// Warm-up: the same COPY once, so that neither side pays for a cold cache.
await shellMs(`psql -X -q ${JSON.stringify(url)} -c ${JSON.stringify(copySql(Number(head.lastSeq)))} > /dev/null`);
const { stdout } = await run(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', '--events', String(events), ...(arg('db') ? ['--db', arg('db') as string] : [])], { maxBuffer: 1 << 20 });
const ours = JSON.parse(stdout) as { ms: number; rows: number; fromSeq: number; toSeq: number; maxRssMb: number };

const psqlMs = await shellMs(`psql -X -q ${JSON.stringify(url)} -c ${JSON.stringify(copySql(ours.toSeq))} > /dev/null`);

const ratio = psqlMs / ours.ms;
console.log(`CSV export, ${ours.rows.toLocaleString('en')} rows (chain bench-bank), to /dev/null\n`);
console.log(ratioLine('CSV export throughput vs psql COPY … CSV', `${(ours.ms / 1000).toFixed(2)} s`, `${(psqlMs / 1000).toFixed(2)} s`, ratio, '≥ 0.8×', ratio >= 0.8));
console.log(`peak RSS of the exporting process: ${ours.maxRssMb.toFixed(1)} MB (${ours.rows.toLocaleString('en')} rows); compare the 1M and 5M runs: growth < 50 MB`);
