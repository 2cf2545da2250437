/**
 * Ingest of batched deployment events, chained (validation, chain lock, duplicate check, hashing,
 * one append statement — events, their ids, head, checkpoint — in one transaction, as POST
 * /api/v1/audit-events runs it), for 1 tenant and for 100 tenants (4 batches in flight), against raw
 * node-postgres `INSERT … SELECT FROM unnest(…)` of the same rows into the same table (no hashing,
 * no lock, no validation). Target: ≥ 0.5×. Afterwards the one tenant's chain is exported and
 * verified, so the figure is that of a chain that still verifies.
 *
 *   npx tsx bench/audit-ingest.ts [--batches 20] [--size 1000] [--tenants 100] [--rounds 3]
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { SERVER, arg, databaseUrl, ratioLine, timed, useDatabase } from './audit-lib';

const name = 'charter_bench_ingest';
const url = databaseUrl(name);
const size = Number(arg('size', '1000'));
const batchesOneTenant = Number(arg('batches', '20'));
const tenantsMany = Number(arg('tenants', '100'));
const rounds = Number(arg('rounds', '3'));
const inFlight = 4;

const admin = new pg.Client({ connectionString: `${SERVER}/postgres` });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${name}`);
await admin.end();
useDatabase(url);

const { migrateDeploy } = await import('@/lib/runtime/migrations/engine');
await migrateDeploy({ databaseUrl: url, reporter: { info: () => {}, warn: (m: string) => console.warn(m) } });
const { bootstrap } = await import('@/lib/runtime/bootstrap');
await bootstrap();
const { systemCtx } = await import('@/lib/access/system');
const { createTenant } = await import('@/lib/modules/tenants/service');
const { createDeployment } = await import('@/lib/modules/deployments/service');
const { createApiKey } = await import('@/lib/modules/api-keys/service');
const { verifyApiKey } = await import('@/lib/access/api-keys/verify');
const { ingestAuditEvents } = await import('@/lib/modules/audit-trail/ingest');
const { ingestAuditEventsInput } = await import('@/lib/modules/audit-trail/ingest-schema');
const { db, rawPool } = await import('@/lib/core/db');
type Ctx = import('@/lib/access/actor').Ctx;

const system = systemCtx('bench');
async function agent(i: number): Promise<Ctx> {
  const tenant = await createTenant(system, {
    slug: `ingest-${i}`,
    legalName: `Ingest ${i} AG`,
    sector: 'FINANCE',
    homeCountry: 'DE',
    allowedCountries: ['DE'],
    sensitivity: 'OFFICIAL',
  } as never);
  const deployment = await createDeployment(system, { tenantId: tenant.id, name: `site-${i}`, environment: 'PRODUCTION', country: 'DE', hosting: 'ON_PREMISES' } as never);
  const { key } = await createApiKey(system, { name: 'agent', tenantId: tenant.id, deploymentId: deployment.id, scopes: ['audit:write'], expiresInDays: 1, allowedCidrs: [] });
  // The actor a request with the key gets, bound deployment included.
  const verdict = await verifyApiKey(key, { ip: '10.1.2.3', permission: 'audit:write' });
  if (!verdict.ok) throw new Error(`agent key refused: ${verdict.reason}`);
  return {
    actor: verdict.actor,
    request: { ip: '10.1.2.3', userAgent: 'charter-agent/1.0', requestId: randomUUID() },
  };
}

/** What a deployment's agent sends: `size` events of a realistic shape. */
function body(n: number): unknown {
  return {
    events: Array.from({ length: n }, (_, i) => ({
      id: randomUUID(),
      occurredAt: new Date().toISOString(),
      action: 'inference.request',
      actor: { type: 'user', id: `u-${i % 40}`, label: `analyst${i % 40}@site.example` },
      target: { type: 'model_version', id: 'aurora@4.1.0' },
      data: { tokensIn: 512 + i, tokensOut: 128, latencyMs: 830, route: '/v1/chat/completions' },
    })),
  };
}

async function ours(ctxs: Ctx[], batches: number): Promise<number> {
  const bodies = Array.from({ length: batches }, () => body(size));
  let next = 0;
  const { ms } = await timed(async () => {
    const worker = async () => {
      for (let b = next++; b < batches; b = next++) {
        const ctx = ctxs[b % ctxs.length];
        await ingestAuditEvents(ctx, ingestAuditEventsInput.parse(bodies[b]));
      }
    };
    await Promise.all(Array.from({ length: Math.min(ctxs.length, inFlight) }, worker));
  });
  return (batches * size) / (ms / 1000);
}

/** The same rows, straight in: INSERT … SELECT FROM unnest(…), 1 statement per batch. */
async function raw(chains: string[], batches: number): Promise<number> {
  const pool = rawPool();
  for (const chain of chains) await pool.query('SELECT charter_audit_partition($1, now())', [chain]);
  const seqs = new Map(chains.map((c) => [c, 0]));
  const prepared = Array.from({ length: batches }, (_, b) => {
    const chain = chains[b % chains.length];
    const events = (body(size) as { events: { id: string; actor: { id: string; label: string }; action: string; target: { type: string; id: string }; data: unknown }[] }).events;
    const first = (seqs.get(chain) ?? 0) + 1;
    seqs.set(chain, first + events.length - 1);
    const dummy = 'a'.repeat(64);
    return {
      chain,
      cols: [
        events.map((e) => e.id),
        events.map((_, i) => first + i),
        events.map(() => 'deployment'),
        events.map((e) => e.actor.id),
        events.map((e) => e.actor.label),
        events.map(() => 'audit.ingested'),
        events.map((e) => e.target.type),
        events.map((e) => e.target.id),
        events.map(() => '10.1.2.3'),
        events.map(() => 'charter-agent/1.0'),
        events.map(() => randomUUID()),
        events.map((e) => JSON.stringify({ source: e })),
        events.map(() => dummy),
        events.map(() => dummy),
      ],
    };
  });
  let next = 0;
  const { ms } = await timed(async () => {
    const worker = async () => {
      for (let b = next++; b < batches; b = next++) {
        const { chain, cols } = prepared[b];
        await pool.query(
          `INSERT INTO audit_events (id, chain, seq, occurred_at, actor_type, actor_id, actor_label, action, target_type, target_id, tenant_id, ip, user_agent, request_id, data, event_hash, hash)
           SELECT e.id, $15, e.seq, now(), e.a, e.b, e.c, e.d, e.e, e.f, NULL, e.g, e.h, e.i, e.j, e.k, e.l
           FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::jsonb[], $13::text[], $14::text[])
             AS e(id, seq, a, b, c, d, e, f, g, h, i, j, k, l)`,
          [...cols, chain],
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(chains.length, inFlight) }, worker));
  });
  return (batches * size) / (ms / 1000);
}

const one = [await agent(0)];
const many = [one[0]];
for (let i = 1; i < tenantsMany; i++) many.push(await agent(i));

// Warm-up of both paths (JIT, connections, partitions).
await ours(one, 2);
await raw(['warm'], 2);

// Rounds of each case, Charter then the baseline: on this shared machine the load of others shifts
// within seconds, and the median round's ratio is steadier than one pair of runs.
console.log(`ingest, batches of ${size}, chained; baseline: raw INSERT … SELECT unnest of the same rows; ${rounds} rounds, median round shown\n`);
const cases: { label: string; runs: { o: number; b: number }[] }[] = [
  { label: `1 tenant, ${batchesOneTenant} batches in sequence`, runs: [] },
  { label: `${tenantsMany} tenants, 1 batch each, ${inFlight} in flight`, runs: [] },
];
for (let r = 0; r < rounds; r++) {
  const [oneCase, manyCase] = cases as [(typeof cases)[number], (typeof cases)[number]];
  oneCase.runs.push({ o: await ours(one, batchesOneTenant), b: await raw([`raw-one-${r}`], batchesOneTenant) });
  manyCase.runs.push({
    o: await ours(many, tenantsMany),
    b: await raw(
      Array.from({ length: tenantsMany }, (_, i) => `raw-many-${r}-${i}`),
      tenantsMany,
    ),
  });
  const fmt = (x: { o: number; b: number }) => `${Math.round(x.o).toLocaleString('en')} / ${Math.round(x.b).toLocaleString('en')} ev/s = ${(x.o / x.b).toFixed(2)}`;
  console.log(`round ${r + 1}: 1 tenant ${fmt(oneCase.runs[r])}; ${tenantsMany} tenants ${fmt(manyCase.runs[r])}`);
}
console.log('');
for (const { label, runs } of cases) {
  const { o, b } = [...runs].sort((x, y) => x.o / x.b - y.o / y.b)[Math.floor(runs.length / 2)];
  console.log(ratioLine(label, `${Math.round(o).toLocaleString('en')} ev/s`, `${Math.round(b).toLocaleString('en')} ev/s`, o / b, '≥ 0.5×', o / b >= 0.5));
}
{
  const { exportAuditChain } = await import('@/lib/modules/audit-trail/export');
  const { verifyExport } = await import('@/lib/audit/verify');
  const { PassThrough } = await import('node:stream');
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportAuditChain({ ctx: system, chain: one[0]?.actor.tenantId as string, out });
  const verdict = await verifyExport(Buffer.concat(chunks).toString('utf8'));
  console.log(`\nexport of the 1-tenant chain: ${verdict.ok ? `verifies, ${verdict.events} events` : `DOES NOT VERIFY: ${JSON.stringify(verdict)}`}`);
  if (!verdict.ok) process.exitCode = 1;
}
await db.$disconnect();
await rawPool().end();
