import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, Prisma } from '@/lib/generated/prisma/client';

export { Prisma };
export type Tx = Prisma.TransactionClient;

// One client per process; Next.js dev reloads modules, so it is kept on globalThis.
const holder = globalThis as unknown as { __charterDb?: PrismaClient };

function createClient(): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.CHARTER_DB_POOL_SIZE ?? 10),
  });
  return new PrismaClient({ adapter });
}

export const db: PrismaClient = holder.__charterDb ?? (holder.__charterDb = createClient());

/**
 * Runs `fn` in one database transaction. Every mutation and its audit event go through here, so that
 * a failed audit write rolls the change back (DESIGN.md, guarantee 1).
 */
export function transaction<T>(fn: (tx: Tx) => Promise<T>, options?: { timeoutMs?: number }): Promise<T> {
  return db.$transaction(fn, { timeout: options?.timeoutMs ?? 15_000, maxWait: 10_000 });
}
