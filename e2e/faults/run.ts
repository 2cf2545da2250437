/**
 * `npm run test:faults` — Charter under database faults: PostgreSQL restarted (fast, immediate), an
 * instance killed, connections exhausted, a table locked, the primary failed over to its synchronous
 * standby; each under 30 agents' uploads and heartbeats on two `charter serve` instances. After each
 * scenario: no acknowledged event lost or stored twice, every chain gap-free and its export
 * verifying, no instance exited, no 500 and every failure a 503/504 with Retry-After and a cause,
 * recovery within its bound, readiness down while the database was and up again after. Prints the
 * figures; exits 1 naming every failed assertion.
 *
 *   npm run test:faults [-- --only restart,failover] [--dump DIR]
 *
 * --dump writes every answer of each scenario to DIR/<scenario>.ndjson, for a closer look.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Answer, type Recorder, startLoad, warmUp } from './agents';
import { DEADLINES, type Rig, cleanup, createRig, query, say, wasInterrupted } from './harness';
import { type Check, DEADLINE_SLACK_MS, type Run, SCENARIOS, type Scenario, describe, freshPort } from './scenarios';

const { values: opts } = parseArgs({ options: { only: { type: 'string' }, dump: { type: 'string' } } });
const only = opts.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((id) => !SCENARIOS.some((s) => s.id === id)) ?? [];
if (unknown.length) {
  say(`unknown scenario ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.id).join(', ')})`);
  process.exit(2);
}

const ok2xx = (a: Answer) => a.status >= 200 && a.status < 300;
const API_KINDS = new Set(['upload', 'heartbeat', 'probe', 'search']);

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const sample = (items: string[], n = 3) => `${items.slice(0, n).join('; ')}${items.length > n ? `; … (${items.length})` : ''}`;

/** What the database holds against what was acknowledged, per chain; then each chain's export. */
async function checkChains(run: Run, record: Recorder): Promise<{ checks: Check[]; stored: number }> {
  const chains = run.fleet.tenants.map((t) => t.id);
  const rows = await query<{ id: string; chain: string; seq: string }>(
    run.rig.adminUrl(),
    "SELECT id::text, chain, seq::text FROM audit_events WHERE chain = ANY($1) AND action = 'audit.ingested'",
    [chains],
  );
  const stored = new Map<string, { chain: string; seq: number }[]>();
  for (const r of rows) stored.set(r.id, [...(stored.get(r.id) ?? []), { chain: r.chain, seq: Number(r.seq) }]);
  const lost: string[] = [];
  const moved: string[] = [];
  for (const [id, ack] of record.acked) {
    const here = stored.get(id)?.filter((s) => s.chain === ack.chain) ?? [];
    if (here.length === 0) lost.push(id);
    else if (!here.some((s) => s.seq === ack.seq)) moved.push(`${id} acknowledged at seq ${ack.seq}, stored at ${here.map((s) => s.seq).join(',')}`);
  }
  const twice = [...stored].filter(([, at]) => at.length > 1).map(([id, at]) => `${id} at seq ${at.map((s) => s.seq).join(',')}`);

  const heads = await query<{
    chain: string;
    last_seq: string;
    base_seq: string;
    n: string;
    distinct_seqs: string;
    min_seq: string | null;
    max_seq: string | null;
    ingested: string;
    ingested_ids: string;
  }>(
    run.rig.adminUrl(),
    `SELECT c.id AS chain, c.last_seq::text, c.base_seq::text, count(e.seq)::text AS n, count(DISTINCT e.seq)::text AS distinct_seqs,
            min(e.seq)::text AS min_seq, max(e.seq)::text AS max_seq,
            count(e.seq) FILTER (WHERE e.action = 'audit.ingested')::text AS ingested,
            count(DISTINCT e.id) FILTER (WHERE e.action = 'audit.ingested')::text AS ingested_ids
     FROM audit_chains c LEFT JOIN audit_events e ON e.chain = c.id
     WHERE c.id = ANY($1) GROUP BY c.id`,
    [chains],
  );
  const gaps: string[] = [];
  const counts: string[] = [];
  for (const h of heads) {
    const expected = Number(h.last_seq) - Number(h.base_seq);
    const whole =
      Number(h.n) === expected &&
      Number(h.distinct_seqs) === expected &&
      (expected === 0 || (Number(h.min_seq) === Number(h.base_seq) + 1 && Number(h.max_seq) === Number(h.last_seq)));
    if (!whole) gaps.push(`${h.chain}: ${h.n} events, ${h.distinct_seqs} seqs in ${h.min_seq}…${h.max_seq}, head at ${h.last_seq}`);
    const acked = [...record.acked.values()].filter((a) => a.chain === h.chain).length;
    if (Number(h.ingested) !== Number(h.ingested_ids) || Number(h.ingested) < acked)
      counts.push(`${h.chain}: ${h.ingested} ingested rows, ${h.ingested_ids} ids, ${acked} acknowledged`);
  }
  if (heads.length !== chains.length) gaps.push(`${chains.length - heads.length} chains have no head`);

  const exports: string[] = [];
  for (const chain of chains) {
    const verdict = await run.rig.charter.exportVerifies(chain).catch((error: unknown) => ({ ok: false, detail: error instanceof Error ? error.message : String(error) }));
    if (!verdict.ok) exports.push(`${chain}: ${verdict.detail}`);
  }
  return {
    stored: rows.length,
    checks: [
      { name: 'no acknowledged event lost', ok: lost.length === 0, detail: lost.length ? `${lost.length} lost: ${sample(lost)}` : `${record.acked.size} acknowledged, all stored` },
      { name: 'no event stored twice', ok: twice.length === 0, detail: twice.length ? sample(twice) : `${rows.length} stored, each once` },
      { name: 'acknowledged seq is the stored seq', ok: moved.length === 0, detail: moved.length ? sample(moved) : 'all match' },
      { name: 'per-chain counts agree', ok: counts.length === 0, detail: counts.length ? sample(counts) : `${heads.length} chains` },
      { name: 'seq gap-free in every chain', ok: gaps.length === 0, detail: gaps.length ? sample(gaps) : `${heads.length} chains` },
      { name: 'every chain export verifies', ok: exports.length === 0, detail: exports.length ? sample(exports) : `${chains.length} exports verified with the pinned keys` },
    ],
  };
}

/** The answers: statuses, Retry-After and cause on failures, connection errors, deadlines, recovery, readiness. */
function checkAnswers(run: Run, record: Recorder): Check[] {
  const api = record.answers.filter((a) => API_KINDS.has(a.kind));
  const killed = new Set(run.rig.charter.instances.filter((i) => i.killed).map((i) => i.name));
  const describeAnswer = (a: Answer) => `${a.kind} on ${a.instance}: ${a.status || a.error} ${a.code ?? ''}${a.cause ? `/${a.cause}` : ''} after ${a.ms} ms`;
  const server5xx = api.filter((a) => a.status >= 500 && a.status !== 503 && a.status !== 504);
  const failures = api.filter((a) => a.status >= 300);
  const badFailures = failures.filter((a) => (a.status !== 503 && a.status !== 504) || !a.retryAfter);
  const causeless = failures.filter((a) => (a.status === 503 || a.status === 504) && !a.cause);
  const networkErrors = api.filter((a) => a.status === 0 && !killed.has(a.instance));
  const badReady = record.answers.filter((a) => a.kind === 'ready' && a.status !== 200 && !(a.status === 503 && a.retryAfter) && !(a.status === 0 && killed.has(a.instance)));
  const checks: Check[] = [
    { name: 'no 500', ok: server5xx.length === 0, detail: server5xx.length ? sample(server5xx.map(describeAnswer)) : 'none' },
    {
      name: 'every failure is a 503/504 with Retry-After',
      ok: badFailures.length === 0,
      detail: badFailures.length ? sample(badFailures.map(describeAnswer)) : `${failures.length} failures, all 503/504 with Retry-After`,
    },
    { name: 'every 503/504 names its cause', ok: causeless.length === 0, detail: causeless.length ? sample(causeless.map(describeAnswer)) : 'all do' },
    { name: 'no connection error from a live instance', ok: networkErrors.length === 0, detail: networkErrors.length ? sample(networkErrors.map(describeAnswer)) : 'none' },
    { name: '/api/ready answers 200 or 503 with Retry-After', ok: badReady.length === 0, detail: badReady.length ? sample(badReady.map(describeAnswer)) : 'all do' },
  ];
  // Every answer within its deadline (the bulk one for uploads) plus slack, whatever the fault.
  const limit = (a: Answer) => (a.kind === 'upload' || a.kind === 'probe' ? DEADLINES.bulk : DEADLINES.request) + DEADLINE_SLACK_MS;
  const late = api.filter((a) => a.status !== 0 && a.ms > limit(a));
  const slowest = Math.max(0, ...api.filter((a) => a.status !== 0).map((a) => a.ms));
  checks.push({
    name: 'every answer within its deadline',
    ok: late.length === 0,
    detail: late.length ? sample(late.map(describeAnswer)) : `slowest ${slowest} ms (deadlines ${DEADLINES.request} ms, uploads ${DEADLINES.bulk} ms, + ${DEADLINE_SLACK_MS} ms)`,
  });
  for (const w of run.windows) {
    const alive = run.rig.charter.instances.filter((i) => !i.killed && i.exit === null && record.answers.some((a) => a.instance === i.name && a.startedAt < w.downAt));
    const recovered: string[] = [];
    const slow: string[] = [];
    for (const instance of alive) {
      const first = record.answers.find((a) => a.instance === instance.name && a.kind === 'probe' && a.startedAt >= w.upAt && ok2xx(a));
      const took = first ? first.startedAt + first.ms - w.upAt : null;
      if (took === null || took > w.boundMs) slow.push(`${instance.name} ${took === null ? 'never' : `${took} ms`}`);
      else recovered.push(`${instance.name} ${took} ms`);
      if (w.readyDown) {
        const down = record.answers.some((a) => a.instance === instance.name && a.kind === 'ready' && a.status === 503 && a.startedAt >= w.downAt && a.startedAt < w.upAt);
        const up = record.answers.find((a) => a.instance === instance.name && a.kind === 'ready' && a.status === 200 && a.startedAt >= w.upAt);
        const upTook = up ? up.startedAt + up.ms - w.upAt : null;
        const upOk = upTook !== null && upTook <= w.boundMs + 500;
        checks.push({
          name: `${w.label}: /api/ready 503 while down, 200 after (${instance.name})`,
          ok: down && upOk,
          detail: `${down ? '503 seen while down' : 'no 503 while down'}, ${upTook === null ? 'never 200 after' : `200 ${upTook} ms after`}`,
        });
      }
    }
    checks.push({
      name: `${w.label}: first 2xx within ${w.boundMs} ms of the database's return`,
      ok: slow.length === 0 && alive.length > 0,
      detail: [...recovered, ...slow].join(', ') || 'no instance alive',
    });
  }
  if (record.anomalies.length) checks.push({ name: 'answers are consistent', ok: false, detail: sample(record.anomalies) });
  return checks;
}

function figures(run: Run, record: Recorder, stored: number, seconds: number): void {
  const api = record.answers.filter((a) => API_KINDS.has(a.kind));
  const byStatus = new Map<string, number>();
  for (const a of api) {
    const key = a.status === 0 ? `network(${a.error})` : a.cause ? `${a.status} ${a.cause}` : String(a.status);
    byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
  }
  const uploads = api.filter((a) => a.kind === 'upload' || a.kind === 'probe').map((a) => a.ms);
  const statuses = [...byStatus]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ');
  say(
    `   acknowledged ${record.acked.size} events (${Math.round(record.acked.size / seconds)}/s), stored ${stored}, abandoned at the end ${record.abandoned}; ${record.resends} re-sent batches, ${record.concurrentPairs} concurrent duplicate pairs`,
  );
  say(`   answers (${api.length}): ${statuses}`);
  say(`   upload latency p50 ${percentile(uploads, 50)} ms, p99 ${percentile(uploads, 99)} ms, max ${Math.max(0, ...uploads)} ms`);
  const calm = api.filter((a) => a.startedAt + a.ms < (run.faultAt ?? Number.POSITIVE_INFINITY));
  const calmUploads = calm.filter((a) => a.kind === 'upload' || a.kind === 'probe').map((a) => a.ms);
  say(
    `   before the first fault: ${calm.length} answers, ${calm.filter((a) => !ok2xx(a)).length} not 2xx, upload p50 ${percentile(calmUploads, 50)} ms, p99 ${percentile(calmUploads, 99)} ms`,
  );
}

type Result = { scenario: Scenario; checks: Check[] };

async function runScenario(rig: Rig, scenario: Scenario): Promise<Result> {
  describe(scenario);
  const fleet = await rig.charter.fleet({ tenants: scenario.tenants, agentsPerTenant: scenario.agentsPerTenant, probes: scenario.instances + 1 });
  const instances = await Promise.all(Array.from({ length: scenario.instances }, (_, i) => rig.charter.startInstance(`${scenario.id}-${i + 1}`, freshPort())));
  // Unrecorded: the warm-up's uploads are not counted as acknowledged, nor are they checked.
  await Promise.all(instances.map((instance, i) => warmUp(instance, fleet.probes[fleet.probes.length - 1], fleet.agents[i], fleet.reader)));
  const started = Date.now();
  const targets = { list: [...instances] };
  const load = startLoad({ agents: fleet.agents, probes: fleet.probes, targets });
  const run: Run = {
    rig,
    fleet,
    targets,
    load,
    windows: [],
    checks: [],
    note: (line) => say(`   ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s  ${line}`),
  };
  run.note(`${fleet.agents.length} agents on ${instances.map((i) => i.name).join(', ')}`);
  const checks: Check[] = [];
  try {
    await scenario.script(run);
  } catch (error) {
    checks.push({ name: 'the scenario ran to its end', ok: false, detail: (error as Error).message });
  }
  run.note('load stopped; draining');
  await load.stop();
  if (wasInterrupted()) return { scenario, checks: [{ name: 'the scenario was not interrupted', ok: false, detail: 'interrupted' }] };
  const seconds = (Date.now() - started) / 1000;
  const gone = rig.charter.instances.filter((i) => !i.killed && i.exit !== null);
  checks.push({
    name: 'no instance exited',
    ok: gone.length === 0,
    detail: gone.length ? gone.map((i) => `${i.name} exited (${i.exit?.signal ?? `code ${i.exit?.code}`})`).join(', ') : 'all serving',
  });
  for (const instance of gone) say(`   ${instance.name} exited; its log ends:\n${await instance.explain()}`);
  const chains = await checkChains(run, load.record).catch((error: unknown) => ({
    stored: 0,
    checks: [{ name: 'the database could be checked', ok: false, detail: error instanceof Error ? error.message : String(error) }],
  }));
  checks.push(...run.checks, ...chains.checks, ...checkAnswers(run, load.record));
  figures(run, load.record, chains.stored, seconds);
  if (opts.dump) {
    await mkdir(opts.dump, { recursive: true });
    const base = run.windows[0]?.downAt ?? started;
    await writeFile(path.join(opts.dump, `${scenario.id}.ndjson`), load.record.answers.map((a) => JSON.stringify({ ...a, t: a.startedAt - base })).join('\n') + '\n');
  }
  for (const c of checks) say(`   ${c.ok ? 'ok  ' : 'FAIL'} ${c.name} — ${c.detail}`);
  await Promise.all(rig.charter.instances.splice(0).map((i) => i.stop()));
  return { scenario, checks };
}

let failed = 0;
try {
  const started = Date.now();
  const rig = await createRig();
  const results: Result[] = [];
  for (const scenario of SCENARIOS.filter((s) => !only || only.includes(s.id))) {
    if (wasInterrupted()) break;
    results.push(await runScenario(rig, scenario));
  }
  say(`\n━━ summary (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  for (const { scenario, checks } of results) {
    const bad = checks.filter((c) => !c.ok);
    failed += bad.length;
    say(
      `${bad.length ? 'FAIL' : 'ok  '} ${scenario.id}: ${checks.length - bad.length}/${checks.length} assertions hold${bad.length ? ` — failed: ${bad.map((c) => c.name).join('; ')}` : ''}`,
    );
  }
} catch (error) {
  failed++;
  say(`\nthe fault suite could not run: ${(error instanceof Error ? error.stack : undefined) ?? String(error)}`);
} finally {
  await cleanup();
}
process.exit(failed === 0 ? 0 : 1);
