/**
 * Seeds a benchmark database with N audit events quickly: one tenant made through the services,
 * then N−1 events generated with valid hashes (so exports verify) and loaded with COPY … FROM STDIN,
 * spread over the last 12 months (one partition per month).
 *
 *   npx tsx bench/audit-seed.ts --events 1000000          → database charter_bench_1m (dropped and made anew)
 *   npx tsx bench/audit-seed.ts --events 5000000          → charter_bench_5m
 */
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { arg, benchDatabaseName, databaseUrl, SERVER, timed, useDatabase } from './audit-lib';

const events = Number(arg('events', '1000000'));
const name = arg('db', benchDatabaseName(events)) as string;
const url = databaseUrl(name);

const ACTIONS = ['tenant.updated', 'deployment.heartbeat', 'api_key.created', 'contract.amended', 'auth.sign_in', 'deployment.updated', 'access.denied'];
const USERS = Array.from({ length: 50 }, (_, i) => ({ id: randomUUID(), label: `user${i}@bank${i % 7}.example` }));

function csvField(value: string | null): string {
  if (value === null) return '';
  return `"${value.replace(/"/g, '""')}"`;
}

async function main(): Promise<void> {
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
  const tenant = await createTenant(systemCtx('bench'), {
    slug: 'bench-bank',
    legalName: 'Bench Bank AG',
    sector: 'FINANCE',
    homeCountry: 'DE',
    allowedCountries: ['DE'],
    sensitivity: 'CONFIDENTIAL',
  } as never);
  const { chainHashOf } = await import('@/lib/audit/chain');
  const { canonicalize } = await import('@/lib/core/crypto/jcs');
  const { sha256Hex } = await import('@/lib/core/crypto/hash');
  const { db } = await import('@/lib/core/db');

  const chain = tenant.id;
  const head = await db.auditChain.findUniqueOrThrow({ where: { id: chain } });
  const now = Date.now();
  const span = 365 * 86_400_000;
  const start = now - span;
  const step = span / events;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // The partitions of the 12 months (and this one).
  for (let t = start; t <= now + 31 * 86_400_000; t += 28 * 86_400_000) await client.query('SELECT charter_audit_partition($1, $2)', [chain, new Date(t)]);

  let prev = head.lastHash;
  let lastAt = '';
  let seq = Number(head.lastSeq);
  const total = events - seq;
  function* rows(): Generator<string> {
    let batch = '';
    for (let i = 0; i < total; i++) {
      seq += 1;
      const user = USERS[i % USERS.length];
      const action = ACTIONS[i % ACTIONS.length];
      const occurredAt = new Date(Math.floor(start + i * step)).toISOString();
      const event = {
        v: 1 as const,
        chain,
        seq,
        id: randomUUID(),
        occurredAt,
        actor: { type: 'user', id: user.id, label: user.label },
        action,
        target: { type: 'deployment', id: `dep-${i % 97}` },
        tenantId: chain,
        ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) bench',
        requestId: randomUUID(),
        data: { before: { n: i - 1, note: 'Zürich' }, after: { n: i, note: 'Genève' } },
      };
      const eventHash = sha256Hex(canonicalize(event));
      prev = chainHashOf(prev, eventHash);
      lastAt = occurredAt;
      batch += `${[event.id, chain, String(seq), occurredAt, 'user', csvField(user.id), csvField(user.label), action, 'deployment', csvField(event.target.id), chain, event.ip, csvField(event.userAgent), event.requestId, csvField(JSON.stringify(event.data)), eventHash, prev].join(',')}\n`;
      if (batch.length > 1 << 20) {
        yield batch;
        batch = '';
      }
    }
    if (batch) yield batch;
  }

  const { ms } = await timed(async () => {
    const copy = client.query(
      copyFrom(
        'COPY audit_events (id, chain, seq, occurred_at, actor_type, actor_id, actor_label, action, target_type, target_id, tenant_id, ip, user_agent, request_id, data, event_hash, hash) FROM STDIN WITH (FORMAT csv)',
      ),
    );
    await pipeline(Readable.from(rows()), copy);
  });
  await client.query('UPDATE audit_chains SET last_seq = $1, last_hash = $2, last_at = $3 WHERE id = $4', [seq, prev, lastAt, chain]);
  await client.query('ANALYZE audit_events');
  await client.end();
  await db.$disconnect();
  console.log(`seeded ${name}: chain ${chain} (bench-bank) seq 1..${seq}, ${total.toLocaleString('en')} events by COPY in ${(ms / 1000).toFixed(1)} s`);
}

await main();
