import type { Socket } from 'node:net';
import pg from 'pg';
import type { Prisma } from '@/lib/core/db';
import { logger } from '@/lib/core/logger';
import { CACHE_MS, forget, forgetAll, forgetTenant } from '@/lib/access/api-keys/cache';

const CHANGED_CHANNEL = 'charter_api_key_changed';

const TENANT_PREFIX = 'tenant:';

/** Every process drops the key from its cache when the transaction commits (NOTIFY is transactional). */
export async function announceKeyChange(tx: Prisma.TransactionClient, hash: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${CHANGED_CHANNEL}, ${hash})`;
}

/** Every process drops a tenant's keys from its cache on commit (the tenant was offboarded). */
export async function announceTenantKeysChanged(tx: Prisma.TransactionClient, tenantId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${CHANGED_CHANNEL}, ${TENANT_PREFIX + tenantId})`;
}

// One LISTEN connection per process that caches keys (on globalThis, for Next.js's module copies),
// opened with the first lookup. While it is down, entries simply expire after CACHE_MS; when it
// (re)connects, the whole cache is dropped, since announcements may have been missed meanwhile.
type Listener = { client: pg.Client | null; connecting: boolean; retryAt: number };
const listenerHolder = globalThis as unknown as { __charterApiKeyListener?: Listener };
const listener = (listenerHolder.__charterApiKeyListener ??= { client: null, connecting: false, retryAt: 0 });
const LISTEN_RETRY_MS = 5_000;

export function ensureListening(): void {
  if (listener.client || listener.connecting || CACHE_MS === 0 || Date.now() < listener.retryAt) return;
  listener.connecting = true;
  // Keep-alive, so that a primary that vanished without a reset (a moved virtual IP) is noticed and
  // the listener reconnects to wherever the address now leads.
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL, application_name: 'charter api-key listener', keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
  let live = true;
  const down = (err?: unknown) => {
    if (!live) return;
    live = false;
    if (err) logger.warn({ err: err instanceof Error ? err.message : JSON.stringify(err) }, 'API-key change listener down; cached keys expire after CHARTER_API_KEY_CACHE_SECONDS');
    if (listener.client === client) listener.client = null;
    listener.connecting = false;
    listener.retryAt = Date.now() + LISTEN_RETRY_MS;
    forgetAll();
    client.end().catch(() => {});
  };
  client.on('notification', (message) => {
    if (message.channel !== CHANGED_CHANNEL || !message.payload) return;
    if (message.payload.startsWith(TENANT_PREFIX)) forgetTenant(message.payload.slice(TENANT_PREFIX.length));
    else forget(message.payload);
  });
  client.on('error', down);
  client.on('end', () => down());
  client
    .connect()
    .then(() => client.query(`LISTEN ${CHANGED_CHANNEL}`))
    .then(() => {
      // Never what keeps a process (a CLI command, a test worker) alive.
      (client as unknown as { connection?: { stream?: Socket } }).connection?.stream?.unref();
      forgetAll();
      listener.client = client;
      listener.connecting = false;
    }, down);
}
