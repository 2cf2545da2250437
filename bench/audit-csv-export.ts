/**
 * CSV export of a whole seeded chain (bench/audit-seed.ts) through exportAuditChain (what the API, the UI
 * and `charter audit export --format csv` run), in a child process so its peak RSS is its own,
 * against `psql -c "COPY (…same SELECT…) TO STDOUT CSV"`. Targets: ≥ 0.8× psql's speed; peak RSS
 * growth from 1M to 5M rows < 50 MB (run with --events 1000000, then 5000000, and compare).
 *
 * The machine is shared and noisy, so Charter and psql take turns over several rounds (the side that
 * goes first alternates); the figures are medians, and each round's ratio is printed too.
 *
 * The child first warms its database client (one lookup, one empty transaction), as a running
 * server has: Prisma's start-up in a fresh process costs ~0.3 s before the first transaction, which
 * is start-up, not export. --cold skips that warm-up (what `charter audit export` pays once).
 *
 *   npx tsx bench/audit-csv-export.ts [--events 1000000] [--rounds 5] [--cold]
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { promisify } from 'node:util';
import { arg, benchDatabaseName, databaseUrl, median, ratioLine, shellMs, useDatabase } from './audit-lib';

const events = Number(arg('events', '1000000'));
const rounds = Number(arg('rounds', '5'));
const cold = process.argv.includes('--cold');
const url = databaseUrl(arg('db', benchDatabaseName(events)) as string);

type ChildResult = { ms: number; sealMs: number; rows: number; fromSeq: number; toSeq: number; maxRssMb: number; cpuMs: number };

if (process.argv.includes('--child')) {
  // The measured side: export to /dev/null, report time (from the call, so module loading is not
  // counted), rows and peak RSS.
  useDatabase(url);
  const { systemCtx } = await import('@/lib/access/system');
  const { exportAuditChain, resolveAuditChain } = await import('@/lib/modules/audit-trail/export');
  const { db, transaction } = await import('@/lib/core/db');
  if (!process.argv.includes('--cold')) {
    await resolveAuditChain(systemCtx('bench'), 'bench-bank');
    await transaction((tx) => tx.$queryRaw`SELECT 1`);
  }
  const out = createWriteStream('/dev/null');
  await once(out, 'open');
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  let sealedAt = start;
  const result = await exportAuditChain({ ctx: systemCtx('bench'), chain: 'bench-bank', out, format: 'csv', onSealed: () => (sealedAt = process.hrtime.bigint()) });
  const end = process.hrtime.bigint();
  const used = process.cpuUsage(cpu);
  out.end();
  await db.$disconnect();
  const child: ChildResult = {
    ms: Number(end - start) / 1e6,
    sealMs: Number(sealedAt - start) / 1e6,
    rows: result.events,
    fromSeq: result.fromSeq,
    toSeq: result.toSeq,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    cpuMs: (used.user + used.system) / 1000,
  };
  process.stdout.write(JSON.stringify(child));
  process.exit(0);
}

useDatabase(url);
const run = promisify(execFile);
const { csvCopySql } = await import('@/lib/modules/audit-trail/export');
const { db } = await import('@/lib/core/db');
const tenant = await db.tenant.findUniqueOrThrow({ where: { slug: 'bench-bank' } });
const headSeq = async () => Number((await db.auditChain.findUniqueOrThrow({ where: { id: tenant.id } })).lastSeq);
const copySql = (toSeq: number) => csvCopySql({ chain: tenant.id, fromSeq: 1, toSeq, filter: null }).replace(/\s+/g, ' ');
const psqlMs = (toSeq: number) => shellMs(`psql -X -q ${JSON.stringify(url)} -c ${JSON.stringify(copySql(toSeq))} > /dev/null`);
const charter = async (): Promise<ChildResult> => {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', '--events', String(events), ...(arg('db') ? ['--db', arg('db') as string] : []), ...(cold ? ['--cold'] : [])],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout) as ChildResult;
};

// Warm-up: the same COPY once, so that neither side pays for a cold cache.
await psqlMs(await headSeq());
console.log(`CSV export, chain bench-bank (${events.toLocaleString('en')} events), to /dev/null: ${rounds} interleaved rounds, ${cold ? 'cold' : 'warmed'} database client\n`);
const ours: ChildResult[] = [];
const base: number[] = [];
for (let round = 0; round < rounds; round++) {
  // Each Charter export appends its own audit event, so psql exports the same range as the Charter
  // run of its round: the head as it stands before that run.
  const toSeq = await headSeq();
  let o: ChildResult;
  let b: number;
  if (round % 2 === 0) {
    o = await charter();
    b = await psqlMs(o.toSeq);
  } else {
    b = await psqlMs(toSeq);
    o = await charter();
  }
  if (o.toSeq !== toSeq) throw new Error(`the chain moved during the benchmark (${toSeq} → ${o.toSeq})`);
  ours.push(o);
  base.push(b);
  console.log(
    `  round ${round + 1} (${round % 2 === 0 ? 'Charter first' : 'psql first'}): Charter ${(o.ms / 1000).toFixed(2)} s (seal ${o.sealMs.toFixed(0)} ms, ` +
      `Node CPU ${(o.cpuMs / 1000).toFixed(2)} s, ${o.rows.toLocaleString('en')} rows, peak RSS ${o.maxRssMb.toFixed(1)} MB), psql ${(b / 1000).toFixed(2)} s, ratio ${(b / o.ms).toFixed(2)}`,
  );
}
await db.$disconnect();

const oursMs = median(ours.map((o) => o.ms));
const baseMs = median(base);
const ratios = ours.map((o, i) => base[i] / o.ms);
const ratio = median(ratios);
console.log('');
console.log(
  ratioLine('CSV export throughput vs psql COPY … CSV', `${(oursMs / 1000).toFixed(2)} s`, `${(baseMs / 1000).toFixed(2)} s`, ratio, '≥ 0.8× (median of rounds)', ratio >= 0.8),
);
console.log(`  per-round ratios ${ratios.map((r) => r.toFixed(2)).join(' ')}; ratio of the medians ${(baseMs / oursMs).toFixed(2)}`);
console.log(
  `peak RSS of the exporting process: ${Math.max(...ours.map((o) => o.maxRssMb)).toFixed(1)} MB at most (${ours[0]?.rows.toLocaleString('en')} rows); compare the 1M and 5M runs: growth < 50 MB`,
);
