/**
 * Audit search with keyset pagination on a seeded database (bench/audit-seed.ts): the first page and a
 * page 10,000 rows deep, through listAuditEvents (the service behind GET /api/v1/audit-events and
 * the search page), against the very same SQL run in psql. Targets: ≤ 1.5× psql + 1 ms; deep ≤ 2×
 * first. Charter and psql run in turns (--rounds), for a shared, noisy machine.
 *
 *   npx tsx bench/audit-search.ts [--events 1000000] [--runs 30] [--rounds 5]
 */
import { arg, benchDatabaseName, databaseUrl, median, psqlTimings, ratioLine, timed, useDatabase } from './audit-lib';

const events = Number(arg('events', '1000000'));
const runs = Number(arg('runs', '30'));
const rounds = Number(arg('rounds', '5'));
const url = databaseUrl(arg('db', benchDatabaseName(events)) as string);
useDatabase(url);

const { systemCtx } = await import('@/lib/access/system');
const { db } = await import('@/lib/core/db');
const { encodeCursor } = await import('@/lib/core/schema');
const { auditSearchSql, listAuditEvents } = await import('@/lib/modules/audit-trail/search');
const { inlineParams } = await import('@/lib/modules/audit-trail/query');
const { listAuditEventsQuery } = await import('@/lib/modules/audit-trail/search-schema');

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

type Case = { label: string; scenario: Scenario; depth: number; parsed: ReturnType<typeof listAuditEventsQuery.parse>; literal: string };
const cases: Case[] = [];
for (const s of scenarios) {
  for (const depth of [0, 10_000]) {
    const query = depth ? { ...s.query, cursor: await cursorAt(s.query, s.chain, depth) } : s.query;
    const parsed = listAuditEventsQuery.parse({ ...query, limit: 50 });
    // The exact SQL the service sends, with its values inlined for psql.
    const { sql, params } = auditSearchSql(s.chain, parsed);
    cases.push({ label: `${s.label}, ${depth ? 'page 10,000 rows deep' : 'first page'}`, scenario: s, depth, parsed, literal: inlineParams(sql, params) });
  }
}

// The machine is shared and noisy: Charter and psql take turns, case by case, over several rounds;
// each round gives a median per side, and the figures below are the medians of those.
console.log(`audit search, keyset, 50 rows a page, ${events.toLocaleString('en')} events: ${rounds} interleaved rounds of ${runs} runs per side\n`);
for (const c of cases) for (let i = 0; i < 20; i++) await listAuditEvents(ctx, c.parsed); // warm-up (JIT, prepared statements, page cache)
const ours = cases.map(() => [] as number[]);
const base = cases.map(() => [] as number[]);
for (let round = 0; round < rounds; round++) {
  for (const [i, c] of cases.entries()) {
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const { ms, value } = await timed(() => listAuditEvents(ctx, c.parsed));
      if (value.data.length !== 50) throw new Error(`expected a full page, got ${value.data.length}`);
      times.push(ms);
    }
    ours[i]?.push(median(times));
    base[i]?.push(median((await psqlTimings(url, c.literal, runs + 5)).slice(5)));
  }
}
const fmt = (xs: number[], digits = 2) => xs.map((x) => x.toFixed(digits)).join(' ');
let allOk = true;
for (const [i, c] of cases.entries()) {
  const o = median(ours[i]);
  const b = median(base[i]);
  let ok = o <= 1.5 * b + 1;
  let target = '≤ 1.5× + 1 ms';
  let extra = '';
  if (c.depth) {
    // Deep vs first page of the same search, round by round (both measured within seconds).
    const first = ours[i - 1];
    const perRound = ours[i].map((x, r) => x / first[r]);
    const deepVsFirst = median(perRound);
    ok &&= deepVsFirst <= 2;
    target = `≤1.5×+1ms, ≤2× first (${deepVsFirst.toFixed(2)}×)`;
    extra = `; deep/first per round ${fmt(perRound)}`;
  }
  allOk &&= ok;
  console.log(ratioLine(c.label, `${o.toFixed(2)} ms`, `${b.toFixed(2)} ms`, o / b, target, ok));
  console.log(`    rounds: ours ${fmt(ours[i])} ms, psql ${fmt(base[i])} ms${extra}`);
}
await db.$disconnect();
console.log(allOk ? '\nall targets met' : '\nsome targets missed');
