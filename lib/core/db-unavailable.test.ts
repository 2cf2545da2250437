import net from 'node:net';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { db, pool, transaction } from '@/lib/core/db';
import { AppError, databaseUnavailableCause, toAppError, toProblem } from '@/lib/core/errors';
import { PrismaClient } from '@/lib/generated/prisma/client';

// Real failures from a real PostgreSQL and a real driver, as Prisma and node-postgres raise them:
// each must become a 503 `unavailable` with its cause and Retry-After, never a 500.

/** A port on which nothing listens. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function expectUnavailable(err: unknown, cause: string): void {
  const appError = toAppError(err);
  expect(appError).toBeInstanceOf(AppError);
  expect(appError.status).toBe(503);
  expect(appError.code).toBe('unavailable');
  expect(appError.extra?.cause).toBe(cause);
  expect(Number(appError.headers?.['retry-after'])).toBeGreaterThan(0);
  const problem = toProblem(appError, 'req-1');
  expect(problem).toMatchObject({ status: 503, code: 'unavailable', cause });
  // The driver's own words stay in the log.
  expect(problem.detail).not.toMatch(/terminat|ECONN|57P01|timeout exceeded/);
}

async function caught(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

const extra: { end(): Promise<void> }[] = [];
afterAll(async () => {
  for (const item of extra) await item.end().catch(() => {});
});

describe('database unavailability becomes 503 unavailable', () => {
  it('a refused connection (node-postgres and Prisma)', async () => {
    const port = await closedPort();
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    expectUnavailable(await caught(() => client.connect()), 'db_unreachable');
    const deadPool = new pg.Pool({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', max: 1 });
    const prisma = new PrismaClient({ adapter: new PrismaPg(deadPool, { disposeExternalPool: true }) });
    extra.push({ end: () => prisma.$disconnect() });
    expectUnavailable(await caught(() => prisma.$queryRaw`SELECT 1`), 'db_unreachable');
    expectUnavailable(await caught(() => prisma.tenant.findFirst()), 'db_unreachable');
  });

  it('a connection terminated by the server while in use, and the pool and process carry on', async () => {
    const victim = await pool.connect();
    const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const killer = await pool.connect();
    try {
      const running = caught(() => victim.query('SELECT pg_sleep(5)'));
      await new Promise((r) => setTimeout(r, 100));
      await killer.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
      expectUnavailable(await running, 'db_connection_lost');
    } finally {
      killer.release();
      victim.release(new Error('terminated'));
    }
    // An idle, checked-out client whose backend is terminated: 'error' on the client, no crash.
    const idle = await pool.connect();
    const pid = (await idle.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    const errored = new Promise((resolve) => idle.once('error', resolve));
    await db.$queryRaw`SELECT pg_terminate_backend(${pid}::int)`;
    await errored;
    expectUnavailable(await caught(() => idle.query('SELECT 1')), 'db_connection_lost');
    idle.release(new Error('terminated'));
    expect(await db.$queryRaw<{ one: number }[]>`SELECT 1 AS one`).toEqual([{ one: 1 }]);
  });

  it('a Prisma transaction whose connection is terminated', async () => {
    const err = await caught(() =>
      transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_terminate_backend(pg_backend_pid())`;
        await tx.$queryRaw`SELECT 1`;
      }),
    );
    expectUnavailable(err, 'db_connection_lost');
  });

  it('a statement timeout, a lock timeout and a transaction timeout', async () => {
    expectUnavailable(
      await caught(() =>
        transaction(async (tx) => {
          await tx.$executeRawUnsafe('SET LOCAL statement_timeout = 50');
          await tx.$queryRaw`SELECT pg_sleep(1)`;
        }),
      ),
      'db_timeout',
    );
    const raw = await pool.connect();
    try {
      await raw.query('SET statement_timeout = 50');
      expectUnavailable(await caught(() => raw.query('SELECT pg_sleep(1)')), 'db_timeout');
      await raw.query('SET lock_timeout = 50; RESET statement_timeout');
      const holder = await pool.connect();
      try {
        await holder.query('BEGIN; SELECT pg_advisory_xact_lock(424242)');
        expectUnavailable(await caught(() => raw.query('SELECT pg_advisory_lock(424242)')), 'db_timeout');
      } finally {
        await holder.query('ROLLBACK');
        holder.release();
      }
      await raw.query('RESET lock_timeout');
    } finally {
      raw.release();
    }
    expectUnavailable(await caught(() => transaction(() => new Promise((r) => setTimeout(r, 300)), { timeoutMs: 50 })), 'db_timeout');
  });

  it('a pool with no free connection within its connect timeout', async () => {
    const small = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1, connectionTimeoutMillis: 50 });
    extra.push(small);
    const held = await small.connect();
    try {
      expectUnavailable(await caught(() => small.query('SELECT 1')), 'db_pool_timeout');
    } finally {
      held.release();
    }
  });

  it('server conditions by SQLSTATE: too many clients, starting up, read-only standby, deadlock', () => {
    const error = (code: string) => Object.assign(new pg.DatabaseError('from the server', 0, 'error'), { code, severity: 'FATAL' });
    expect(databaseUnavailableCause(error('53300'))).toBe('db_too_many_connections');
    expect(databaseUnavailableCause(error('57P03'))).toBe('db_starting');
    expect(databaseUnavailableCause(error('25006'))).toBe('db_read_only');
    expect(databaseUnavailableCause(error('40P01'))).toBe('db_conflict');
    // Wrapped as Prisma's driver adapter wraps them.
    expect(databaseUnavailableCause({ meta: { driverAdapterError: { cause: { kind: 'TooManyConnections' } } } })).toBe('db_too_many_connections');
    expect(databaseUnavailableCause({ meta: { driverAdapterError: { cause: { kind: 'postgres', code: '57P01' } } } })).toBe('db_connection_lost');
  });

  it('leaves everything else alone: a 500 stays a 500, a 4xx a 4xx', () => {
    expect(databaseUnavailableCause(new Error('something else broke'))).toBeNull();
    expect(toAppError(Object.assign(new pg.DatabaseError('syntax error', 0, 'error'), { code: '42601' })).code).toBe('internal');
    expect(toAppError(new AppError('not_found', 'x')).status).toBe(404);
  });

  it('keeps a problem’s standard members whatever its extras say', () => {
    const problem = toProblem(new AppError('invalid_transition', 'Already decided.', { extra: { status: 'APPROVED', type: 'x' } }));
    expect(problem.status).toBe(409);
    expect(problem.type).toBe('urn:charter:problem:invalid_transition');
  });
});
