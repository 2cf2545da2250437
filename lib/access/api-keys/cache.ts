import type { ApiKeyIdentity } from '@/lib/access/actor';
import type { Permission } from '@/lib/access/permissions';

export const CACHE_MS = Number(process.env.CHARTER_API_KEY_CACHE_SECONDS ?? 5) * 1000;
export const CACHE_MAX = 10_000;

export type CachedKey = {
  id: string;
  prefix: string;
  name: string;
  tenantId: string | null;
  scopes: readonly string[];
  allowedCidrs: readonly string[];
  expiresAt: number;
  revoked: boolean;
  tenantActive: boolean;
  // Built once per lookup rather than per request: every request with the key shares them (read-only).
  label: string;
  permissions: ReadonlySet<Permission>;
  identity: ApiKeyIdentity;
};

// One cache per process, kept on globalThis: Next.js bundles route handlers and server actions
// separately, each with its own copy of this module, and a revocation made through a server action
// must evict the entry that the API routes read.
// `generation` counts forget()s, so that a lookup that was in flight when a key changed on this
// instance does not put back the row it read before the change.
type CacheState = { entries: Map<string, { key: CachedKey | null; until: number }>; generation: number };
const cacheHolder = globalThis as unknown as { __charterApiKeyCacheState?: CacheState };
export const cacheState = (cacheHolder.__charterApiKeyCacheState ??= { entries: new Map<string, { key: CachedKey | null; until: number }>(), generation: 0 });
export const cache = cacheState.entries;

export function forget(hash: string): void {
  cache.delete(hash);
  cacheState.generation++;
}

export function forgetAll(): void {
  cache.clear();
  cacheState.generation++;
}

export function forgetTenant(tenantId: string): void {
  for (const [hash, entry] of cache) if (entry.key?.tenantId === tenantId) cache.delete(hash);
  cacheState.generation++;
}
