/**
 * Simulated deployment agents, as in-process loops: each uploads audit batches (POST
 * /api/v1/audit-events) and heartbeats, spread over the instances, retrying with backoff — the
 * Retry-After of a 503 when there is one, exponential on network errors (moving on to the next
 * instance, as a load balancer would) — until the batch is acknowledged. Some acknowledged batches
 * are sent again, and some new ones to two instances at once. A prober per instance sends one
 * one-event upload every 100 ms without retrying, and a poller reads /api/ready every 200 ms: they
 * time recovery and readiness. Everything answered is recorded.
 */
import { randomUUID } from 'node:crypto';
import type { Agent, Instance } from './harness';
import { sleep } from './harness';

export type Kind = 'upload' | 'heartbeat' | 'search' | 'probe' | 'ready';

export type Answer = {
  kind: Kind;
  instance: string;
  /** HTTP status, or 0 for a network error (refused, reset, timed out). */
  status: number;
  startedAt: number;
  ms: number;
  retryAfter: string | null;
  code?: string;
  cause?: string;
  error?: string;
};

type Event = { id: string; occurredAt: string; action: string; actor: { type: string; id: string; label: string }; target: { type: string; id: string }; data: unknown };
type IngestAck = { appended: number; duplicates: number; events: { id: string; seq: number; status: 'appended' | 'duplicate' }[] };

/** Everything the agents saw; checked against the database afterwards. */
export class Recorder {
  readonly answers: Answer[] = [];
  /** Acknowledged event id → its chain and the seq the acknowledgement named. */
  readonly acked = new Map<string, { chain: string; seq: number }>();
  /** Contradictions seen in answers (an id acknowledged at two seqs, a re-sent batch appended again). */
  readonly anomalies: string[] = [];
  resends = 0;
  concurrentPairs = 0;
  abandoned = 0;

  add(answer: Answer): void {
    this.answers.push(answer);
  }

  ack(chain: string, ack: IngestAck, resent: boolean): void {
    for (const e of ack.events) {
      const before = this.acked.get(e.id);
      if (before && before.seq !== e.seq) this.anomalies.push(`event ${e.id} acknowledged at seq ${before.seq} and then at seq ${e.seq}`);
      if (resent && e.status === 'appended') this.anomalies.push(`re-sent event ${e.id} was appended again (seq ${e.seq})`);
      this.acked.set(e.id, { chain, seq: e.seq });
    }
  }
}

/** The instances the load balancer sends to; a scenario may replace a killed one. */
export type Targets = { list: Instance[] };

async function call(
  record: Recorder,
  kind: Kind,
  instance: Instance,
  method: string,
  path: string,
  key: string | null,
  body?: unknown,
  timeoutMs = 60_000,
): Promise<{ answer: Answer; json: unknown }> {
  const startedAt = Date.now();
  let answer: Answer;
  let json: unknown = null;
  try {
    const response = await fetch(`${instance.url}${path}`, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    const problem = (response.headers.get('content-type') ?? '').includes('problem+json') ? (json as { code?: string; cause?: string } | null) : null;
    answer = {
      kind,
      instance: instance.name,
      status: response.status,
      startedAt,
      ms: Date.now() - startedAt,
      retryAfter: response.headers.get('retry-after'),
      code: problem?.code,
      cause: problem?.cause,
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    answer = { kind, instance: instance.name, status: 0, startedAt, ms: Date.now() - startedAt, retryAfter: null, error: cause?.code ?? cause?.message ?? (error as Error).name };
  }
  record.add(answer);
  return { answer, json };
}

const jitter = (ms: number) => ms + Math.random() * 100;

/** The delay before the next try: Retry-After (seconds) when given, else exponential from 100 ms to 2 s. */
function backoff(answer: Answer, attempt: number): number {
  const seconds = answer.retryAfter === null ? Number.NaN : Number(answer.retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return jitter(seconds * 1000);
  return jitter(Math.min(2_000, 100 * 2 ** attempt));
}

function batch(agent: Agent, size: number): Event[] {
  return Array.from({ length: size }, (_, i) => ({
    id: randomUUID(),
    occurredAt: new Date().toISOString(),
    action: 'inference.request',
    actor: { type: 'user', id: `u-${i % 17}`, label: `analyst ${i % 17}` },
    target: { type: 'model_version', id: 'aurora@4.1.0' },
    data: { tokens: 100 + i, site: agent.name },
  }));
}

type Control = { stopping: boolean; stopHardAt: number };

/**
 * Sends `events` until an instance acknowledges them (true), or gives up: on a 4xx, which no retry
 * mends, or once the run is over and its drain time has passed (false).
 */
async function deliver(record: Recorder, agent: Agent, events: Event[], targets: Targets, start: number, control: Control, resent = false): Promise<boolean> {
  let at = start;
  for (let attempt = 0; ; attempt++) {
    const instance = targets.list[at % targets.list.length];
    const { answer, json } = await call(record, 'upload', instance, 'POST', '/api/v1/audit-events', agent.key, { events });
    if (answer.status >= 200 && answer.status < 300) {
      record.ack(agent.tenantId, json as IngestAck, resent);
      return true;
    }
    if (answer.status >= 400 && answer.status < 500 && answer.status !== 429) {
      record.anomalies.push(`${agent.name}: upload refused ${answer.status} ${answer.code ?? ''}`);
      return false;
    }
    if (control.stopping && (Date.now() > control.stopHardAt || !targets.list.some((t) => t.alive))) {
      record.abandoned += events.length;
      return false;
    }
    if (answer.status === 0) at++;
    await sleep(backoff(answer, attempt));
  }
}

async function heartbeat(record: Recorder, agent: Agent, targets: Targets, at: number): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const instance = targets.list[(at + attempt) % targets.list.length];
    const { answer } = await call(record, 'heartbeat', instance, 'POST', `/api/v1/deployments/${agent.deploymentId}/heartbeat`, agent.key, { agentVersion: '1.8.2', running: [] });
    if (answer.status < 500 && answer.status !== 0) return;
    await sleep(backoff(answer, attempt));
  }
}

async function agentLoop(record: Recorder, agent: Agent, index: number, targets: Targets, control: Control): Promise<void> {
  const sent: Event[][] = [];
  let nextHeartbeat = Date.now() + Math.random() * 2_000;
  let beating: Promise<void> = Promise.resolve();
  while (!control.stopping) {
    const events = batch(agent, 5 + Math.floor(Math.random() * 26));
    const home = index + sent.length;
    const roll = Math.random();
    if (roll < 0.05 && targets.list.length > 1) {
      // The same new batch to two instances at once (an agent that timed out and retried elsewhere).
      record.concurrentPairs++;
      await Promise.all([deliver(record, agent, events, targets, home, control), deliver(record, agent, events, targets, home + 1, control)]);
    } else {
      await deliver(record, agent, events, targets, home, control);
    }
    sent.push(events);
    if (roll > 0.95 && sent.length > 1) {
      // An acknowledged batch again (its acknowledgement was lost on the agent's side).
      record.resends++;
      await deliver(record, agent, sent[Math.floor(Math.random() * (sent.length - 1))], targets, home + 1, control, true);
    }
    if (sent.length > 20) sent.shift();
    if (Date.now() >= nextHeartbeat) {
      nextHeartbeat = Date.now() + 2_000;
      await beating;
      beating = heartbeat(record, agent, targets, home);
    }
    await sleep(200 + Math.random() * 300);
  }
  await beating;
}

/**
 * A one-event upload to `instance` every `everyMs`, not retried: when does it answer 2xx again? At
 * most a few in flight, so that probes stuck behind an outage do not pile up on the instance's pool.
 */
async function probeLoop(record: Recorder, agent: Agent, instance: Instance, control: Control, everyMs: number): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  while (!control.stopping && instance.alive) {
    if (inFlight.size < 5) {
      const p = call(record, 'probe', instance, 'POST', '/api/v1/audit-events', agent.key, { events: batch(agent, 1) }, 30_000).then(({ answer, json }) => {
        if (answer.status >= 200 && answer.status < 300) record.ack(agent.tenantId, json as IngestAck, false);
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    await sleep(everyMs);
  }
  await Promise.all(inFlight);
}

async function readyLoop(record: Recorder, instance: Instance, control: Control, everyMs: number): Promise<void> {
  while (!control.stopping && instance.alive) {
    const started = Date.now();
    await call(record, 'ready', instance, 'GET', '/api/ready', null, undefined, 5_000);
    await sleep(Math.max(0, everyMs - (Date.now() - started)));
  }
}

export type Load = {
  record: Recorder;
  /** Starts the prober and readiness poller of an instance started after the load (a replacement). */
  watch(instance: Instance): void;
  /** Stops new work, lets every batch under way be acknowledged (at most `drainMs`), and returns. */
  stop(drainMs?: number): Promise<void>;
};

/** Starts the agents, and a prober (each with a probe agent of its own) and a readiness poller on every instance of `targets`. */
export function startLoad(options: { agents: Agent[]; probes: Agent[]; targets: Targets }): Load {
  const record = new Recorder();
  const control: Control = { stopping: false, stopHardAt: Number.POSITIVE_INFINITY };
  const loops: Promise<void>[] = options.agents.map((agent, i) => agentLoop(record, agent, i, options.targets, control));
  let watched = 0;
  const watch = (instance: Instance) => {
    const probe = options.probes[watched++];
    if (!probe) throw new Error('more instances than probe agents');
    loops.push(probeLoop(record, probe, instance, control, 100), readyLoop(record, instance, control, 200));
  };
  for (const instance of options.targets.list) watch(instance);
  return {
    record,
    watch,
    async stop(drainMs = 30_000) {
      control.stopping = true;
      control.stopHardAt = Date.now() + drainMs;
      await Promise.all(loops);
    },
  };
}

/**
 * A few requests of every kind the load sends, before it starts and unrecorded: a fresh instance's
 * first requests compile their queries, and under 30 agents at once that would take seconds.
 */
export async function warmUp(instance: Instance, probe: Agent, agent: Agent, readerKey: string): Promise<void> {
  const scratch = new Recorder();
  for (let i = 0; i < 3; i++) {
    await call(scratch, 'probe', instance, 'POST', '/api/v1/audit-events', probe.key, { events: batch(probe, 1) });
    await call(scratch, 'heartbeat', instance, 'POST', `/api/v1/deployments/${agent.deploymentId}/heartbeat`, agent.key, { agentVersion: '1.8.2', running: [] });
    await call(scratch, 'search', instance, 'GET', `/api/v1/audit-events?chain=${encodeURIComponent(agent.slug)}&limit=5`, readerKey);
  }
}

/** An audit search on an instance (raw-pool connections stay idle afterwards for 10 s). */
export async function search(record: Recorder, instance: Instance, key: string, chain: string): Promise<Answer> {
  const { answer } = await call(record, 'search', instance, 'GET', `/api/v1/audit-events?chain=${encodeURIComponent(chain)}&action=audit.ingested&q=analyst&limit=50`, key);
  return answer;
}
