/**
 * What an audit export adds to the RSS of the process that streams it, NDJSON and CSV, through the
 * CLI (`charter audit export --out FILE`) and the API (`GET /api/v1/audit-events/export` on
 * `charter serve`, one export and several at once), against a bare Node process streaming the same
 * rows (bench/baseline-export.ts: PostgreSQL's COPY piped by node-postgres and pg-copy-streams), in
 * the same run. Target: Charter's added peak < 64 MB per export, whatever the chain's length, and
 * bounded for several at once. Needs a seeded chain (bench/audit-seed.ts) and a production build
 * (a snapshot, bench/snapshot.ts).
 *
 *   npx tsx bench/audit-export-memory.ts [--events 1000000] [--concurrency 5] [--rounds 1] [--skip-build]
 *                                        [--only cli-ndjson,cli-csv,api-ndjson,api-ndjson-5,api-csv,api-csv-5] [--port-base 4400]
 *
 * "Added" is the peak RSS minus the RSS before the export, each process fresh (a server is started
 * for each case, warmed with a small export of each format, then measured; the peak is VmHWM, reset
 * through /proc/PID/clear_refs just before the measured requests). A CLI's "before" is its RSS when
 * it writes the first byte (bench/rss-probe.mjs), i.e. after start-up and the seal; its time and CPU
 * time are counted from there.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { arg, benchDatabaseName, databaseUrl, ratioLine, useDatabase } from './audit-lib';
import { nextEnv, prepareBuild, root, treeDir } from './snapshot';

const events = Number(arg('events', '1000000'));
const concurrency = Number(arg('concurrency', '5'));
const rounds = Number(arg('rounds', '1'));
const portBase = Number(arg('port-base', '4400'));
const only = arg('only')?.split(',');
const skipBuild = process.argv.includes('--skip-build');
const url = databaseUrl(arg('db', benchDatabaseName(events)) as string);
const TARGET_MB = 64;
const MB = 1024 * 1024;
const workDir = path.join(os.tmpdir(), 'charter-bench');
const logDir = path.join(workDir, 'logs');
const probe = path.join(root, 'bench', 'rss-probe.mjs');

useDatabase(url);
const say = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => (bytes / MB).toFixed(1);

type Format = 'ndjson' | 'csv';
/** One side of a case: added peak RSS (bytes), peak, wall and CPU time of the streaming process. */
type Side = { added: number; before: number; peak: number; ms: number; cpuMs: number; bytes: number };

// ───────────────────────────── /proc ─────────────────────────────

function status(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${field} for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** Resets the process's peak RSS (VmHWM) to its current RSS (Linux ≥ 4.0). */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

const CLOCK_TICKS = 100;
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

// ───────────────────────────── processes ─────────────────────────────

const running = new Set<ChildProcess>();

function spawnLogged(name: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): ChildProcess {
  const log = createWriteStream(path.join(logDir, `${name}.log`));
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function waitUntilUp(name: string, child: ChildProcess, probeUrl: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited (log: ${logDir}/${name}.log)`);
    try {
      if ((await fetch(probeUrl, { signal: AbortSignal.timeout(2_000) })).status < 500) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${name} did not come up (log: ${logDir}/${name}.log)`);
}

/** GET `target`, reading and discarding the body; its size in bytes. */
function download(target: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(target, { headers, agent: false }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`GET ${target}: ${res.statusCode}`));
          return;
        }
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.once('end', () => resolve(bytes));
        res.once('error', reject);
      })
      .once('error', reject);
  });
}

/** The export through a fresh process writing FILE (its last argument), measured by bench/rss-probe.mjs. */
async function streamToFile(name: string, args: string[], file: string, env: NodeJS.ProcessEnv): Promise<Side> {
  const probeFile = path.join(workDir, `${name}-${process.pid}.json`);
  rmSync(probeFile, { force: true });
  rmSync(file, { force: true });
  const child = spawn(process.execPath, ['--import', probe, ...args, file], { cwd: root, env: { ...env, BENCH_RSS_PROBE: probeFile }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const bytes = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  rmSync(file, { force: true });
  if (code !== 0) throw new Error(`${name} exited with ${code}: ${stderr.trim()}`);
  const result = JSON.parse(readFileSync(probeFile, 'utf8')) as { before: number | null; peak: number; cpuMs: number; streamedMs: number };
  rmSync(probeFile, { force: true });
  if (result.before === null) throw new Error(`${name} wrote nothing`);
  return { added: result.peak - result.before, before: result.before, peak: result.peak, ms: result.streamedMs, cpuMs: result.cpuMs, bytes };
}

type ServerSide = { name: string; child: ChildProcess; url: (format: Format) => string; headers: Record<string, string>; warm: () => Promise<void> };

/** `n` exports at once from a fresh server: peak RSS of the server process over its RSS before. */
async function measureServer(start: () => Promise<ServerSide>, format: Format, n: number): Promise<Side> {
  const server = await start();
  try {
    await server.warm();
    await sleep(2_000);
    const pid = server.child.pid as number;
    const before = status(pid, 'VmRSS');
    resetPeak(pid);
    const cpu = cpuMsOf(pid);
    const started = process.hrtime.bigint();
    const sizes = await Promise.all(Array.from({ length: n }, () => download(server.url(format), server.headers)));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const peak = status(pid, 'VmHWM');
    return { added: peak - before, before, peak, ms, cpuMs: cpuMsOf(pid) - cpu, bytes: sizes.reduce((a, b) => a + b, 0) };
  } finally {
    await stop(server.child);
  }
}

// ───────────────────────────── main ─────────────────────────────

mkdirSync(logDir, { recursive: true });
say(
  `bench/audit-export-memory: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);

const { db } = await import('@/lib/core/db');
const { systemCtx } = await import('@/lib/access/system');
const { createApiKey } = await import('@/lib/modules/api-keys/service');
const { csvCopySql } = await import('@/lib/modules/audit-trail/export');
const { EVENT_COLUMNS } = await import('@/lib/modules/audit-trail/query');
const pgVersion = (await db.$queryRaw<{ v: string }[]>`SELECT current_setting('server_version') AS v`)[0].v;
const tenant = await db.tenant.findUniqueOrThrow({ where: { slug: 'bench-bank' } });
const head = Number((await db.auditChain.findUniqueOrThrow({ where: { id: tenant.id } })).lastSeq);
// A platform key: it reaches the bench chain and the (small) platform chain, which warms the server up.
const { key } = await createApiKey(systemCtx('bench'), {
  name: 'bench-export-memory',
  tenantId: null,
  deploymentId: null,
  scopes: ['audit:read'],
  expiresInDays: 1,
  allowedCidrs: [],
});
await db.$disconnect();
say(`PostgreSQL ${pgVersion}; chain bench-bank of ${url.split('/').pop()}: ${head.toLocaleString('en')} events`);

// The baseline streams the same rows: the CSV export's very COPY, and for NDJSON the export's
// columns as one JSON object per line (PostgreSQL's row_to_json), in seq order.
const baselineSql: Record<Format, string> = {
  csv: csvCopySql({ chain: tenant.id, fromSeq: 1, toSeq: head, filter: null }),
  ndjson: `COPY (SELECT row_to_json(e)::text FROM (SELECT ${EVENT_COLUMNS} FROM audit_events WHERE chain = '${tenant.id}' AND seq >= 1 AND seq <= ${head} ORDER BY seq) e) TO STDOUT`,
};

const exportFile = (format: Format) => path.join(workDir, `export-memory.${format}`);
const cli = (format: Format) => () =>
  streamToFile(
    `cli-${format}`,
    [path.join(root, 'lib', 'cli', 'charter.mjs'), 'audit', 'export', '--chain', 'bench-bank', '--format', format, '--out'],
    exportFile(format),
    process.env,
  );
const cliBaseline = (format: Format) => () =>
  streamToFile(`baseline-cli-${format}`, ['--import', 'tsx', path.join(root, 'bench', 'baseline-export.ts'), '--out'], exportFile(format), {
    ...process.env,
    BENCH_EXPORT_SQL: baselineSql[format],
  });

async function startCharter(): Promise<ServerSide> {
  const port = portBase;
  const child = spawnLogged(
    'charter-serve',
    [path.join(treeDir, 'lib', 'cli', 'charter.mjs'), 'serve', '--port', String(port), '--hostname', '127.0.0.1'],
    treeDir,
    nextEnv({ NEXTAUTH_URL: `http://127.0.0.1:${port}` }),
  );
  await waitUntilUp('charter-serve', child, `http://127.0.0.1:${port}/api/health`);
  const base = `http://127.0.0.1:${port}/api/v1/audit-events/export`;
  const headers = { authorization: `Bearer ${key}` };
  return {
    name: 'charter',
    child,
    headers,
    url: (format) => `${base}?chain=bench-bank&format=${format}`,
    warm: async () => {
      for (const format of ['ndjson', 'csv'] as const) await download(`${base}?chain=platform&format=${format}`, headers);
    },
  };
}

async function startBaseline(): Promise<ServerSide> {
  const port = portBase + 1;
  const child = spawnLogged('baseline-export', ['--import', 'tsx', path.join(root, 'bench', 'baseline-export.ts'), '--port', String(port)], root, {
    ...process.env,
    BENCH_EXPORT_SQL_CSV: baselineSql.csv,
    BENCH_EXPORT_SQL_NDJSON: baselineSql.ndjson,
  });
  await waitUntilUp('baseline-export', child, `http://127.0.0.1:${port}/warm`);
  return {
    name: 'baseline',
    child,
    headers: {},
    url: (format) => `http://127.0.0.1:${port}/${format}`,
    warm: async () => {
      await download(`http://127.0.0.1:${port}/warm`, {});
    },
  };
}

type Case = { name: string; what: string; ours: () => Promise<Side>; baseline: () => Promise<Side>; exports: number };
const cases: Case[] = [];
for (const format of ['ndjson', 'csv'] as const) {
  cases.push({ name: `cli-${format}`, what: `charter audit export --format ${format} --out FILE`, ours: cli(format), baseline: cliBaseline(format), exports: 1 });
}
for (const format of ['ndjson', 'csv'] as const) {
  for (const n of [1, concurrency]) {
    cases.push({
      name: `api-${format}${n > 1 ? `-${n}` : ''}`,
      what: `GET /api/v1/audit-events/export?format=${format} on charter serve${n > 1 ? `, ${n} at once` : ''}`,
      ours: () => measureServer(startCharter, format, n),
      baseline: () => measureServer(startBaseline, format, n),
      exports: n,
    });
  }
}
const selected = cases.filter((c) => !only || only.includes(c.name));
if (selected.some((c) => c.name.startsWith('api-'))) await prepareBuild({ skipBuild, say });

process.once('SIGINT', () => {
  for (const child of running) child.kill('SIGKILL');
  process.exit(130);
});

const results = selected.map((c) => ({ name: c.name, what: c.what, exports: c.exports, ours: [] as Side[], baseline: [] as Side[] }));
const line = (who: string, side: Side) =>
  `  ${who}: added ${mb(side.added).padStart(6)} MB (RSS ${mb(side.before)} → ${mb(side.peak)} MB), ${(side.ms / 1000).toFixed(1)} s, CPU ${(side.cpuMs / 1000).toFixed(1)} s`;
try {
  for (let round = 1; round <= rounds; round++) {
    for (const [i, c] of selected.entries()) {
      say(`\n${c.name}${rounds > 1 ? ` (round ${round})` : ''}: ${c.what}`);
      const ours = await c.ours();
      say(line('Charter ', ours));
      const baseline = await c.baseline();
      say(line('baseline', baseline));
      results[i]?.ours.push(ours);
      results[i]?.baseline.push(baseline);
    }
  }
} finally {
  for (const child of running) await stop(child);
}

const worst = (sides: Side[]) => Math.max(...sides.map((s) => s.added));
say(
  `\nAdded peak RSS of the exporting process, the largest of ${rounds} round(s) (Charter ÷ bare node-postgres COPY pipe; target < ${TARGET_MB} MB per export, any chain length), ${head.toLocaleString('en')} events:`,
);
for (const r of results) {
  const ours = worst(r.ours);
  const baseline = worst(r.baseline);
  const target = r.exports > 1 ? `< ${r.exports} × ${TARGET_MB} MB` : `< ${TARGET_MB} MB`;
  say(ratioLine(r.name, `${mb(ours)} MB`, `${mb(baseline)} MB`, ours / baseline, target, ours < TARGET_MB * r.exports * MB));
  if (rounds > 1) say(`  rounds: Charter ${r.ours.map((s) => mb(s.added)).join(' ')} MB; baseline ${r.baseline.map((s) => mb(s.added)).join(' ')} MB`);
}
const out = path.join(root, 'bench', '.results', `audit-export-memory-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ events: head, node: process.version, pg: pgVersion, loadavg: os.loadavg(), results }, null, 2)}\n`);
say(`\nRaw results: ${path.relative(root, out)}`);
