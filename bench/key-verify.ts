/**
 * bench/key-verify — what API-key verification costs on Charter's public API, against bare-Node
 * baselines, in one run on one machine with one load generator (autocannon, same connections and
 * duration for every scenario). Results and their interpretation: bench/README.md.
 *
 *   npm run bench:key-verify -- [--duration 10] [--connections 32] [--rounds 3] [--keys 1000]
 *                               [--skip-build] [--trials 5] [--no-revocation] [--only a,b]
 *
 * It sets up its own database (`charter_bench`, dropped and re-created, on the server of
 * BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432), migrates it, and makes a tenant and its
 * keys through the services. Charter runs as `charter serve` (its production server, what `npm start`
 * runs) over a production build made from a snapshot of this tree (bench/snapshot.ts), so that the
 * benchmark neither replaces nor depends on the `.next` of the working tree (which `npm start` or a
 * colleague's test run may be serving); the snapshot is rebuilt only when the sources changed
 * (--skip-build reuses it as it is).
 *
 * All traffic stays on 127.0.0.1.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { nextEnv, prepareBuild, root, treeDir } from './snapshot';

const workDir = path.join(os.tmpdir(), 'charter-bench');
const logDir = path.join(workDir, 'logs');

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
    keys: { type: 'string', default: '1000' },
    trials: { type: 'string', default: '5' },
    'port-base': { type: 'string', default: '4300' },
    'skip-build': { type: 'boolean', default: false },
    'no-revocation': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const DURATION = Number(opts.duration);
const WARMUP = Number(opts.warmup);
const CONNECTIONS = Number(opts.connections);
const ROUNDS = Number(opts.rounds);
const KEY_COUNT = Number(opts.keys);
const PORT = Number(opts['port-base']);
const PG_URL = (process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/$/, '');
const DATABASE = process.env.BENCH_DATABASE ?? 'charter_bench';
// The benchmark drops and re-creates its database: never let it near anyone else's.
if (!/^charter_bench\w*$/.test(DATABASE)) throw new Error(`BENCH_DATABASE must start with charter_bench (got ${DATABASE})`);
const DATABASE_URL = `${PG_URL}/${DATABASE}`;
/** The default of CHARTER_API_KEY_CACHE_SECONDS; the cached instances run with it. */
const CACHE_SECONDS = 5;

const say = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ───────────────────────────── database, tenant and keys ─────────────────────────────

async function createDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: `${PG_URL}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    return (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
  } finally {
    await admin.end();
  }
}

function migrate(): void {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'lib/cli/db-command.ts', 'migrate'], { cwd: root, env: { ...process.env, DATABASE_URL }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`migration failed:\n${run.stdout}${run.stderr}`);
}

type Keys = { one: string; many: string[] };

/** A tenant and its keys, made through the services (audited like any others). */
async function createKeys(services: Services): Promise<Keys> {
  const ctx = services.systemCtx('benchmark');
  await services.bootstrap();
  const tenant = await services.createTenant(ctx, {
    slug: 'bench-bank',
    legalName: 'Benchmark Bank AG',
    sector: 'FINANCE',
    homeCountry: 'DE',
    allowedCountries: ['DE'],
    sensitivity: 'CONFIDENTIAL',
  });
  const make = async (name: string) =>
    (await services.createApiKey(ctx, { name, tenantId: tenant.id, deploymentId: null, scopes: ['deployments:write', 'audit:write'], expiresInDays: 30, allowedCidrs: [] })).key;
  const one = await make('bench-cached');
  const many: string[] = [];
  // Serialised by the tenant's audit chain anyway; a few in flight hide the round trips.
  for (let i = 0; i < KEY_COUNT; i += 8) {
    many.push(...(await Promise.all(Array.from({ length: Math.min(8, KEY_COUNT - i) }, (_, j) => make(`bench-${i + j}`)))));
  }
  return { one, many };
}

type Services = Awaited<ReturnType<typeof loadServices>>;

/** lib/core/db reads DATABASE_URL when imported, so the services are loaded only once it is set. */
async function loadServices() {
  const [{ systemCtx }, { bootstrap }, { createTenant }, apiKeys, { db }] = await Promise.all([
    import('@/lib/access/system'),
    import('@/lib/runtime/bootstrap'),
    import('@/lib/modules/tenants/service'),
    import('@/lib/modules/api-keys/service'),
    import('@/lib/core/db'),
  ]);
  return { systemCtx, bootstrap, createTenant, createApiKey: apiKeys.createApiKey, revokeApiKey: apiKeys.revokeApiKey, db };
}

// ───────────────────────────── the production build (snapshot) ─────────────────────────────

// ───────────────────────────── servers ─────────────────────────────

type Server = { name: string; url: string; child: ChildProcess };
const servers: Server[] = [];

async function waitUntilUp(server: Server, probe: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`${server.name} exited (log: ${logDir}/${server.name}.log)`);
    try {
      if ((await fetch(`${server.url}${probe}`, { signal: AbortSignal.timeout(2_000) })).status < 500) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${server.name} did not come up (log: ${logDir}/${server.name}.log)`);
}

function spawnLogged(name: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): ChildProcess {
  const log = createWriteStream(path.join(logDir, `${name}.log`));
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

async function startBaseline(name: string, mode: 'map' | 'pg', port: number, extra: string[] = []): Promise<Server> {
  const child = spawnLogged(name, ['--import', 'tsx', path.join(root, 'bench', 'baseline-server.ts'), '--mode', mode, '--port', String(port), ...extra], root, {
    ...process.env,
    DATABASE_URL,
  });
  const server = { name, url: `http://127.0.0.1:${port}`, child };
  servers.push(server);
  await waitUntilUp(server, '/');
  return server;
}

async function startCharter(name: string, port: number, env: Record<string, string>): Promise<Server> {
  const child = spawnLogged(
    name,
    [path.join(treeDir, 'lib', 'cli', 'charter.mjs'), 'serve', '--port', String(port), '--hostname', '127.0.0.1'],
    treeDir,
    nextEnv({
      DATABASE_URL,
      NEXTAUTH_SECRET: secrets.nextAuth,
      NEXTAUTH_URL: `http://127.0.0.1:${port}`,
      CHARTER_ENCRYPTION_KEY: secrets.encryption,
      // The limiter stays on (it is part of the hot path) with a limit no scenario reaches.
      CHARTER_RATE_LIMIT_PER_MINUTE: '1000000000',
      CHARTER_API_KEY_CACHE_SECONDS: String(CACHE_SECONDS),
      ...env,
    }),
  );
  const server = { name, url: `http://127.0.0.1:${port}`, child };
  servers.push(server);
  await waitUntilUp(server, '/api/health');
  return server;
}

async function stopAll(): Promise<void> {
  await Promise.all(
    servers.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            resolve();
            return;
          }
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

const secrets = { nextAuth: randomBytes(32).toString('base64url'), encryption: randomBytes(32).toString('base64') };

// ───────────────────────────── load ─────────────────────────────

type Scenario = { name: string; server: () => Server; path: string; keys: 'one' | 'many'; what: string };
/** cpuMs: CPU time (user + system, all threads) of the server's processes per request, in ms. */
type Measurement = { rps: number; p50: number; p99: number; cpuMs: number; requests: number; non2xx: number; errors: number };

// On a shared machine throughput swings with everyone else's load; the server's own CPU time per
// request barely does, so it is measured too (from /proc; PostgreSQL's share is not included).
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses ("next-server (v16.4.6)"): count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // gone meanwhile
  }
}

/**
 * CPU seconds of a server and all its descendants: `charter serve` answers /api/v1 itself and runs
 * Next.js as a child process for everything else, so both count.
 */
function cpuSeconds(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = Number(statFields(Number(entry))?.[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid)!.push(Number(entry));
  }
  let total = 0;
  const todo = [pid];
  while (todo.length > 0) {
    const next = todo.pop()!;
    const fields = statFields(next);
    if (fields) total += (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    todo.push(...(children.get(next) ?? []));
  }
  return total;
}

function load(server: Server, pathname: string, keys: string[], seconds: number): Promise<autocannon.Result> {
  let next = 0;
  const bearer = keys.map((k) => `Bearer ${k}`);
  return autocannon({
    url: `${server.url}${pathname}`,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: bearer[0] },
    // Many keys: each request takes the next one, round robin across all connections.
    requests:
      keys.length > 1
        ? [{ method: 'GET', path: pathname, setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: bearer[next++ % bearer.length] } }) }]
        : undefined,
  });
}

async function measure(s: Scenario, keys: Keys): Promise<Measurement> {
  const list = s.keys === 'one' ? [keys.one] : keys.many;
  if (WARMUP > 0) await load(s.server(), s.path, list, WARMUP);
  const pid = s.server().child.pid!;
  const cpu0 = cpuSeconds(pid);
  const r = await load(s.server(), s.path, list, DURATION);
  const cpuMs = ((cpuSeconds(pid) - cpu0) * 1000) / Math.max(1, r.requests.total);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, cpuMs, requests: r.requests.total, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

// ───────────────────────────── revocation across instances ─────────────────────────────

type Trial = { revokeMs: number; visibleAfterMs: Record<string, number | null> };

/**
 * One key, polled through every instance every POLL_MS (so each caches it, and keeps refreshing
 * it); revoked through the service (as `charter keys revoke` does) at a random moment within the
 * cache period; then the time from the revocation's commit until each instance answers 401.
 */
async function revocationTrial(services: Services, instances: Server[]): Promise<Trial> {
  const POLL_MS = 20;
  const ctx = services.systemCtx('benchmark');
  const { key, apiKey } = await services.createApiKey(ctx, {
    name: 'bench-revocation',
    tenantId: null,
    deploymentId: null,
    scopes: ['models:read'],
    expiresInDays: 1,
    allowedCidrs: [],
  });
  const state = instances.map(() => ({ ok: false, revokedSeenAt: null as number | null }));
  let revokedAt: number | null = null;
  let stop = false;
  const pollers = instances.map(async (inst, i) => {
    while (!stop) {
      const res = await fetch(`${inst.url}/api/v1/whoami`, { headers: { authorization: `Bearer ${key}` } });
      const sentAfterRevocation = revokedAt !== null;
      await res.arrayBuffer();
      if (res.status === 200) state[i].ok = true;
      else if (res.status === 401 && sentAfterRevocation && state[i].revokedSeenAt === null) state[i].revokedSeenAt = performance.now();
      else if (res.status !== 401) throw new Error(`${inst.name}: unexpected ${res.status}`);
      await sleep(POLL_MS);
    }
  });
  const warmDeadline = performance.now() + 10_000;
  while (!state.every((s) => s.ok)) {
    if (performance.now() > warmDeadline) throw new Error('the key was not accepted by every instance within 10 s');
    await sleep(POLL_MS);
  }
  await sleep(randomInt(CACHE_SECONDS * 1000));
  const t0 = performance.now();
  await services.revokeApiKey(ctx, apiKey.id, 'benchmark: revocation visibility');
  revokedAt = performance.now();
  const deadline = revokedAt + 3 * CACHE_SECONDS * 1000;
  while (!state.every((s) => s.revokedSeenAt !== null) && performance.now() < deadline) await sleep(POLL_MS);
  stop = true;
  await Promise.all(pollers);
  return {
    revokeMs: revokedAt - t0,
    visibleAfterMs: Object.fromEntries(instances.map((inst, i) => [inst.name, state[i].revokedSeenAt === null ? null : state[i].revokedSeenAt - revokedAt])),
  };
}

// ───────────────────────────── report ─────────────────────────────

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pad = (s: string, n: number, right = false) => (right ? s.padStart(n) : s.padEnd(n));

function table(rows: [string, Measurement][]): string {
  const lines = [`${pad('scenario', 24)} ${pad('req/s', 8, true)} ${pad('p50 ms', 7, true)} ${pad('p99 ms', 7, true)} ${pad('CPU ms/req', 11, true)} ${pad('non-2xx', 8, true)}`];
  for (const [name, m] of rows) {
    lines.push(
      `${pad(name, 24)} ${pad(fmt(m.rps), 8, true)} ${pad(fmt(m.p50, 1), 7, true)} ${pad(fmt(m.p99, 1), 7, true)} ${pad(fmt(m.cpuMs, 3), 11, true)} ${pad(String(m.non2xx + m.errors), 8, true)}`,
    );
  }
  return lines.join('\n');
}

type Ratio = { label: string; num: string; den: string; target?: number };
const RATIOS: Ratio[] = [
  { label: 'cached: Charter ÷ node+Map', num: 'charter-cached', den: 'node-map', target: 0.7 },
  { label: 'uncached: Charter ÷ node+pg', num: 'charter-uncached', den: 'node-pg', target: 0.6 },
  { label: `uncached, ${KEY_COUNT} keys: Charter ÷ node+pg`, num: 'charter-uncached-many', den: 'node-pg-many', target: 0.6 },
  { label: 'cached: Charter ÷ node+Map, same headers', num: 'charter-cached', den: 'node-map-h' },
  { label: 'response format: node+Map, same headers ÷ node+Map', num: 'node-map-h', den: 'node-map' },
  { label: 'framework: Next no-op ÷ node+Map', num: 'next-noop', den: 'node-map' },
  { label: 'framework: Next+pg ÷ node+pg', num: 'next-pg', den: 'node-pg' },
  { label: "Charter's own: cached ÷ Next no-op", num: 'charter-cached', den: 'next-noop' },
  { label: "Charter's own: uncached ÷ Next+pg", num: 'charter-uncached', den: 'next-pg' },
  { label: 'cache effect: uncached ÷ cached', num: 'charter-uncached', den: 'charter-cached' },
];

function ratioLines(rps: (name: string) => number | undefined, perRound: ((name: string) => number | undefined)[]): string[] {
  const lines: string[] = [];
  for (const r of RATIOS) {
    const num = rps(r.num);
    const den = rps(r.den);
    if (num === undefined || den === undefined) continue;
    const value = num / den;
    const spread = perRound.map((f) => (f(r.num) ?? NaN) / (f(r.den) ?? NaN)).filter((x) => Number.isFinite(x));
    const range = spread.length > 1 ? `  (rounds ${fmt(Math.min(...spread), 2)}–${fmt(Math.max(...spread), 2)})` : '';
    const verdict = r.target === undefined ? '' : value >= r.target ? `  ≥ ${r.target} target: met` : `  < ${r.target} target: MISSED`;
    lines.push(`${pad(r.label, 40)} ${fmt(value, 2)}${verdict}${range}`);
  }
  return lines;
}

// ───────────────────────────── main ─────────────────────────────

async function main(): Promise<void> {
  mkdirSync(logDir, { recursive: true });
  say(
    `bench/key-verify: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const pgVersion = await createDatabase();
  say(`Database ${DATABASE} re-created on PostgreSQL ${pgVersion}; migrating …`);
  migrate();
  process.env.DATABASE_URL = DATABASE_URL;
  process.env.NEXTAUTH_SECRET = secrets.nextAuth;
  process.env.CHARTER_ENCRYPTION_KEY = secrets.encryption;
  const services = await loadServices();
  const started = Date.now();
  const keys = await createKeys(services);
  say(`Created a tenant and ${KEY_COUNT + 1} keys through the services in ${fmt((Date.now() - started) / 1000, 1)} s.`);
  await prepareBuild({ skipBuild: opts['skip-build'] ?? false, say });

  const map = await startBaseline('node-map', 'map', PORT + 1);
  const pgServer = await startBaseline('node-pg', 'pg', PORT + 2);
  const mapHeaders = await startBaseline('node-map-h', 'map', PORT + 6, ['--charter-headers']);
  const cached = await startCharter('charter', PORT + 3, {});
  const uncached = await startCharter('charter-nocache', PORT + 4, { CHARTER_API_KEY_CACHE_SECONDS: '0' });

  // Every server must answer the key as the real thing would before it is measured.
  for (const [s, probe] of [
    [map, '/'],
    [pgServer, '/'],
    [mapHeaders, '/'],
    [cached, '/api/bench-pg'],
    [cached, '/api/v1/whoami'],
    [uncached, '/api/v1/whoami'],
  ] as const) {
    const res = await fetch(`${s.url}${probe}`, { headers: { authorization: `Bearer ${keys.one}` } });
    const body = (await res.json()) as { apiKey?: { prefix?: string } };
    if (res.status !== 200 || body.apiKey?.prefix !== keys.one.slice(0, 10)) throw new Error(`${s.name}${probe} answered ${res.status} ${JSON.stringify(body)}`);
  }

  const scenarios: Scenario[] = [
    { name: 'node-map', server: () => map, path: '/', keys: 'one', what: 'bare node:http, key by SHA-256 from an in-memory Map' },
    { name: 'node-map-h', server: () => mapHeaders, path: '/', keys: 'one', what: "as node-map, sending the header set of Charter's API (fixed values)" },
    {
      name: 'next-noop',
      server: () => cached,
      path: '/api/health',
      keys: 'one',
      what: 'Charter, GET /api/health: a Next.js route handler that does nothing (pages and health are served by Next.js)',
    },
    { name: 'charter-cached', server: () => cached, path: '/api/v1/whoami', keys: 'one', what: `Charter, GET /api/v1/whoami, one key, cache ${CACHE_SECONDS} s` },
    { name: 'node-pg', server: () => pgServer, path: '/', keys: 'one', what: 'bare node:http, one SELECT by hash per request (pg pool of 10)' },
    { name: 'next-pg', server: () => cached, path: '/api/bench-pg', keys: 'one', what: "a bare Next.js route handler doing node-pg's lookup (bench-only, not in Charter)" },
    { name: 'charter-uncached', server: () => uncached, path: '/api/v1/whoami', keys: 'one', what: 'Charter, GET /api/v1/whoami, one key, CHARTER_API_KEY_CACHE_SECONDS=0' },
    { name: 'node-pg-many', server: () => pgServer, path: '/', keys: 'many', what: `as node-pg, ${KEY_COUNT} distinct keys round robin` },
    { name: 'charter-uncached-many', server: () => uncached, path: '/api/v1/whoami', keys: 'many', what: `as charter-uncached, ${KEY_COUNT} distinct keys round robin` },
  ].filter((s) => !opts.only || opts.only.split(',').includes(s.name)) as Scenario[];

  say(`\n${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per scenario, ${ROUNDS} round(s):`);
  for (const s of scenarios) say(`  ${pad(s.name, 22)} ${s.what}`);
  const rounds: Record<string, Measurement>[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const results: Record<string, Measurement> = {};
    for (const s of scenarios) results[s.name] = await measure(s, keys);
    rounds.push(results);
    say(`\nround ${round}/${ROUNDS} (load average ${os.loadavg()[0].toFixed(2)})`);
    say(table(Object.entries(results)));
  }

  const summary: Record<string, Measurement> = {};
  for (const s of scenarios) {
    const all = rounds.map((r) => r[s.name]);
    summary[s.name] = {
      rps: median(all.map((m) => m.rps)),
      p50: median(all.map((m) => m.p50)),
      p99: median(all.map((m) => m.p99)),
      cpuMs: median(all.map((m) => m.cpuMs)),
      requests: all.reduce((a, m) => a + m.requests, 0),
      non2xx: all.reduce((a, m) => a + m.non2xx, 0),
      errors: all.reduce((a, m) => a + m.errors, 0),
    };
  }
  if (ROUNDS > 1) {
    say(`\nmedian of ${ROUNDS} rounds`);
    say(table(Object.entries(summary)));
  }
  const ratios = ratioLines(
    (n) => summary[n]?.rps,
    rounds.map((r) => (n: string) => r[n]?.rps),
  );
  say('\nratios of requests/s (median of rounds; range over rounds)');
  for (const line of ratios) say(`  ${line}`);
  // The same ratios by the server's CPU per request: what each request costs whoever else runs.
  const cpuRatios = ratioLines(
    (n) => (summary[n] ? 1 / summary[n].cpuMs : undefined),
    rounds.map((r) => (n: string) => (r[n] ? 1 / r[n].cpuMs : undefined)),
  );
  say('\nratios of requests per server CPU-second (median of rounds; range over rounds)');
  for (const line of cpuRatios) say(`  ${line}`);

  let revocation: { trials: Trial[] } | null = null;
  if (!opts['no-revocation']) {
    const second = await startCharter('charter-b', PORT + 5, {});
    const instances = [cached, second, uncached];
    const trials: Trial[] = [];
    say(`\nrevocation visibility: ${opts.trials} trials; instances ${instances.map((i) => i.name).join(', ')} (cache ${CACHE_SECONDS} s, ${CACHE_SECONDS} s, 0 s)`);
    for (let i = 0; i < Number(opts.trials); i++) {
      const t = await revocationTrial(services, instances);
      trials.push(t);
      say(
        `  trial ${i + 1}: revoke committed in ${fmt(t.revokeMs)} ms; 401 after ${Object.entries(t.visibleAfterMs)
          .map(([n, ms]) => `${n} ${ms === null ? 'NEVER' : `${fmt(ms)} ms`}`)
          .join(', ')}`,
      );
    }
    for (const inst of instances) {
      const seen = trials.map((t) => t.visibleAfterMs[inst.name]).filter((x): x is number => x != null);
      say(`  ${pad(inst.name, 16)} max ${fmt(Math.max(...seen))} ms, median ${fmt(median(seen))} ms over ${seen.length} trials`);
    }
    revocation = { trials };
  }

  const out = path.join(root, 'bench', '.results', `key-verify-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        machine: {
          cpus: os.cpus().length,
          cpu: os.cpus()[0]?.model,
          memGiB: os.totalmem() / 2 ** 30,
          node: process.version,
          postgres: pgVersion,
          platform: `${os.platform()} ${os.release()}`,
        },
        options: { duration: DURATION, warmup: WARMUP, connections: CONNECTIONS, rounds: ROUNDS, keys: KEY_COUNT },
        scenarios: scenarios.map(({ name, path: p, keys: k, what }) => ({ name, path: p, keys: k, what })),
        rounds,
        summary,
        ratios,
        cpuRatios,
        revocation,
      },
      null,
      2,
    )}\n`,
  );
  say(`\nRaw results: ${path.relative(root, out)}; server logs: ${logDir}`);
  await services.db.$disconnect();
}

try {
  await main();
} finally {
  await stopAll();
}
