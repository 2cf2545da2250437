/**
 * Audit search with keyset pagination on a seeded database (bench/audit-seed.ts): the first page and a
 * page 10,000 rows deep, through listAuditEvents (the service behind GET /api/v1/audit-events and
 * the search page), against the very same SQL run in psql. Targets: ≤ 1.5× psql + 1 ms; deep ≤ 2×
 * first.
 *
 *   npx tsx bench/audit-search.ts [--events 1000000] [--runs 30]
 */
import { arg, benchDatabaseName, databaseUrl, median, psqlTimings, ratioLine, timed, useDatabase } from './audit-lib';

const events = Number(arg('events', '1000000'));
const runs = Number(arg('runs', '30'));
const url = databaseUrl(arg('db', benchDatabaseName(events)) as string);
useDatabase(url);

const { systemCtx } = await import('@/lib/auth/system');
const { db } = await import('@/lib/db');
const { encodeCursor } = await import('@/lib/schemas/common');
const { auditSearchSql, listAuditEvents } = await import('@/lib/services/audit');
const { inlineParams } = await import('@/lib/services/audit-query');
const { listAuditEventsQuery } = await import('@/lib/schemas/audit-event');

const ctx = systemCtx('bench');
const tenant = await db.tenant.findUniqueOrThrow({ where: { slug: 'bench-bank' } });

/** The cursor of the row `depth` rows down the given search (as the 200th page of 50 would carry). */
async function cursorAt(query: Record<string, string>, chain: string | null, depth: number): Promise<string> {
  const parsed = listAuditEventsQuery.parse({ ...query, limit: 50 });
  const { sql, params } = auditSearchSql(chain, parsed);
  const deep = sql.replace(/LIMIT \d+$/, `OFFSET ${depth - 1} LIMIT 1`);
  const [row] = await db.$queryRawUnsafe<{ occurredAt: Date; chain: string; seq: bigint }[]>(deep, ...params.values);
  if (!row) throw new Error('not enough rows for the deep page');
  return encodeCursor([row.occurredAt.toISOString(), row.chain, row.seq.toString()]);
}

type Scenario = { label: string; query: Record<string, string>; chain: string | null };
const scenarios: Scenario[] = [
  { label: 'all chains (platform auditor)', query: {}, chain: null },
  { label: 'one chain (tenant auditor)', query: { chain: tenant.slug }, chain: tenant.id },
  { label: 'one chain, action filter', query: { chain: tenant.slug, action: 'tenant.updated' }, chain: tenant.id },
];

console.log(`audit search, keyset, 50 rows a page, ${events.toLocaleString('en')} events, median of ${runs} runs\n`);
const results: string[] = [];
let allOk = true;
for (const s of scenarios) {
  let firstOurs = 0;
  for (const depth of [0, 10_000]) {
    const query = depth ? { ...s.query, cursor: await cursorAt(s.query, s.chain, depth) } : s.query;
    const parsed = listAuditEventsQuery.parse({ ...query, limit: 50 });
    // The exact SQL the service sends, with its values inlined for psql.
    const { sql, params } = auditSearchSql(s.chain, parsed);
    const literal = inlineParams(sql, params);
    for (let i = 0; i < 20; i++) await listAuditEvents(ctx, parsed); // warm-up (JIT, prepared statement, page cache)
    const ours: number[] = [];
    for (let i = 0; i < runs; i++) {
      const { ms, value } = await timed(() => listAuditEvents(ctx, parsed));
      if (value.data.length !== 50) throw new Error(`expected a full page, got ${value.data.length}`);
      ours.push(ms);
    }
    const psql = await psqlTimings(url, literal, runs + 5);
    const o = median(ours);
    const b = median(psql.slice(5));
    if (!depth) firstOurs = o;
    const ok = o <= 1.5 * b + 1 && (!depth || o <= 2 * firstOurs);
    allOk &&= ok;
    const label = `${s.label}, ${depth ? 'page 10,000 rows deep' : 'first page'}`;
    const line = ratioLine(label, `${o.toFixed(2)} ms`, `${b.toFixed(2)} ms`, o / b, depth ? `≤1.5×+1ms, ≤2× first (${(o / firstOurs).toFixed(2)}×)` : '≤ 1.5× + 1 ms', ok);
    console.log(line);
    results.push(line);
  }
}
await db.$disconnect();
console.log(allOk ? '\nall targets met' : '\nsome targets missed');
