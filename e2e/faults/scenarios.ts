/**
 * The fault scenarios, each a script run under the agents' load. A script marks every outage as a
 * window (when the database went, when it was back, the recovery bound) and may add checks of its
 * own; run.ts checks everything else the same way for every scenario.
 */
import pg from 'pg';
import { type Load, search, type Targets, warmUp } from './agents';
import { type Agent, DEADLINES, type Fleet, HTTP_BASE, MAX_CONNECTIONS, type Rig, query, say, sleep } from './harness';

/** An outage: the database went at downAt and was back at upAt; first 2xx within boundMs of upAt. */
export type Window = { label: string; downAt: number; upAt: number; boundMs: number; readyDown: boolean };
export type Check = { name: string; ok: boolean; detail: string };

export type Run = {
  rig: Rig;
  fleet: Fleet;
  targets: Targets;
  load: Load;
  windows: Window[];
  checks: Check[];
  /** When the first fault began (the figures tell the answers before it apart). */
  faultAt?: number;
  note(line: string): void;
};

export type Scenario = {
  id: string;
  title: string;
  instances: number;
  tenants: number;
  agentsPerTenant: number;
  script(run: Run): Promise<void>;
};

/** What an answer may take beyond its deadline (event loop, scheduling on 2 busy cores). */
export const DEADLINE_SLACK_MS = 1_500;
const RECOVERY_MS = 2_000;

let nextPort = HTTP_BASE;
export const freshPort = () => nextPort++;

/** `pg_ctl stop -m <mode>`, 2 s without a database (so that readiness must see it), `pg_ctl start`. */
async function restart(run: Run, mode: 'fast' | 'immediate'): Promise<void> {
  const { cluster } = run.rig;
  // Raw-pool connections of the search stay idle for 10 s: the restart terminates them while idle.
  for (const instance of run.targets.list) {
    const answer = await search(run.load.record, instance, run.fleet.reader, run.fleet.tenants[0]?.slug);
    run.note(`audit search on ${instance.name}: ${answer.status}`);
  }
  const downAt = Date.now();
  run.faultAt ??= downAt;
  await cluster.stop(cluster.current, mode);
  await sleep(2_000);
  await cluster.start(cluster.current);
  const upAt = Date.now();
  run.note(`pg_ctl stop -m ${mode} … start: down ${upAt - downAt} ms`);
  run.windows.push({ label: `restart -m ${mode}`, downAt, upAt, boundMs: RECOVERY_MS, readyDown: true });
}

/**
 * Ends the instances' connections and takes every free slot with idle connections of the harness,
 * but `leave`; returns them, to be ended. Terminated connections come back while we fill, so a few
 * rounds, each terminating from a connection already held.
 */
async function exhaust(run: Run, leave: number): Promise<pg.Client[]> {
  const held: pg.Client[] = [];
  const others = "FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND application_name <> 'faults-holder'";
  try {
    for (let round = 0; round < 5; round++) {
      const admin = held.at(-1);
      if (admin) await admin.query(`SELECT pg_terminate_backend(pid) ${others}`);
      else await query(run.rig.adminUrl(), `SELECT pg_terminate_backend(pid) ${others}`);
      for (;;) {
        const client = new pg.Client({ connectionString: run.rig.adminUrl(), application_name: 'faults-holder' });
        client.on('error', () => {});
        try {
          await client.connect();
        } catch {
          break;
        }
        held.push(client);
      }
      const { rows } = (await held.at(-1)?.query<{ n: number }>(`SELECT count(*)::int AS n ${others}`)) ?? { rows: [] };
      if ((rows[0]?.n ?? 0) === 0) break;
    }
  } catch (error) {
    await Promise.all(held.map((c) => c.end()));
    throw error;
  }
  for (const client of held.splice(0, leave)) await client.end();
  return held;
}

export const SCENARIOS: Scenario[] = [
  {
    id: 'restart',
    title: 'two instances, 30 agents; PostgreSQL restarted fast, then immediate, an audit search just before each',
    instances: 2,
    tenants: 6,
    agentsPerTenant: 5,
    async script(run) {
      await sleep(4_000);
      await restart(run, 'fast');
      await sleep(5_000);
      await restart(run, 'immediate');
      await sleep(5_000);
    },
  },
  {
    id: 'kill-instance',
    title: 'kill -9 of an instance under load; the others serve on, a new one starts and serves',
    instances: 2,
    tenants: 6,
    agentsPerTenant: 5,
    async script(run) {
      await sleep(5_000);
      const victim = run.targets.list[1];
      if (!victim) throw new Error('no second instance');
      run.faultAt = Date.now();
      await victim.kill9();
      const killedAt = Date.now();
      run.note(`kill -9 of ${victim.name} (its API process and page server)`);
      // The load balancer's health check takes it out of rotation.
      await sleep(1_000);
      run.targets.list.splice(run.targets.list.indexOf(victim), 1);
      const fresh = await run.rig.charter.startInstance('kill-instance-new', freshPort());
      // As the first instances were before the load (a cold instance compiles its queries first).
      await warmUp(fresh, run.fleet.probes.at(-1) as Agent, run.fleet.agents[0], run.fleet.reader);
      run.note(`${fresh.name} serving ${Date.now() - killedAt} ms after the kill`);
      run.targets.list.push(fresh);
      run.load.watch(fresh);
      await sleep(5_000);
      // Statements and lock waits end within the statement timeout: anything older was left behind.
      const [{ stuck, waiting }] = await query<{ stuck: number; waiting: number }>(
        run.rig.adminUrl(),
        `SELECT (SELECT count(*)::int FROM pg_stat_activity WHERE xact_start < now() - interval '5 seconds' AND backend_type = 'client backend' AND pid <> pg_backend_pid()) AS stuck,
                (SELECT count(*)::int FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.query_start < now() - interval '5 seconds') AS waiting`,
      );
      run.checks.push({
        name: 'the killed instance left no transaction or lock behind',
        ok: stuck === 0 && waiting === 0,
        detail: `${stuck} transactions older than 5 s, ${waiting} lock waits older than 5 s`,
      });
      const served = run.load.record.answers.some((a) => a.instance === fresh.name && a.kind === 'probe' && a.status >= 200 && a.status < 300);
      run.checks.push({ name: 'a new instance starts and serves', ok: served, detail: served ? `${fresh.name} acknowledged uploads` : `${fresh.name} acknowledged nothing` });
    },
  },
  {
    id: 'exhaustion',
    title: `connection exhaustion: the harness holds all but 3 of max_connections = ${MAX_CONNECTIONS} for 8 s`,
    instances: 2,
    tenants: 6,
    agentsPerTenant: 5,
    async script(run) {
      await sleep(4_000);
      const downAt = Date.now();
      run.faultAt = downAt;
      const held = await exhaust(run, 3);
      try {
        run.note(`holding ${held.length} connections, the instances' ended (${Date.now() - downAt} ms)`);
        await sleep(8_000);
      } finally {
        await Promise.all(held.map((c) => c.end()));
      }
      const upAt = Date.now();
      run.windows.push({ label: 'connections exhausted', downAt, upAt, boundMs: RECOVERY_MS, readyDown: false });
      await sleep(5_000);
    },
  },
  {
    id: 'locked-table',
    title: `deployments locked (ACCESS EXCLUSIVE) for ${DEADLINES.bulk + 3_000} ms, longer than every request deadline`,
    instances: 2,
    tenants: 6,
    agentsPerTenant: 5,
    async script(run) {
      await sleep(4_000);
      const locker = new pg.Client({ connectionString: run.rig.adminUrl() });
      locker.on('error', () => {});
      await locker.connect();
      run.faultAt = Date.now();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE deployments IN ACCESS EXCLUSIVE MODE');
      const downAt = Date.now();
      await sleep(DEADLINES.bulk + 3_000);
      await locker.query('COMMIT');
      await locker.end();
      const upAt = Date.now();
      run.note(`deployments locked for ${upAt - downAt} ms`);
      run.windows.push({ label: 'table locked', downAt, upAt, boundMs: RECOVERY_MS, readyDown: false });
      await sleep(5_000);
    },
  },
  {
    id: 'failover',
    title: 'failover: kill -9 of the primary, the synchronous standby promoted, the switch moved; instances not restarted',
    instances: 2,
    tenants: 6,
    agentsPerTenant: 5,
    async script(run) {
      const { cluster, net } = run.rig;
      await cluster.waitSynchronous();
      const [{ sync }] = await query<{ sync: string }>(run.rig.adminUrl(), "SELECT current_setting('synchronous_commit') AS sync");
      run.checks.push({ name: 'replication is synchronous before the failover', ok: sync === 'on', detail: `sync_state = 'sync', synchronous_commit = ${sync}` });
      await sleep(5_000);
      const downAt = Date.now();
      run.faultAt = downAt;
      cluster.kill(cluster.primary);
      run.note('kill -9 of the primary (postmaster and its processes)');
      // What a failover manager takes to decide.
      await sleep(1_000);
      await cluster.promote(cluster.standby);
      net.moveTo(cluster.standby.port);
      const upAt = Date.now();
      run.note(`standby promoted and the switch moved to it ${upAt - downAt} ms after the kill`);
      run.windows.push({ label: 'failover', downAt, upAt, boundMs: RECOVERY_MS, readyDown: true });
      await sleep(6_000);
    },
  },
];

export function describe(scenario: Scenario): void {
  say(`\n━━ ${scenario.id}: ${scenario.title}`);
}
