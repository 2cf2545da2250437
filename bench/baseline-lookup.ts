import { createHash } from 'node:crypto';
import type pg from 'pg';

// The key lookup of the baselines (bench/baseline-server.ts and the bare Next.js route that
// bench/key-verify.ts adds to its snapshot): what Charter's verification needs, done the cheapest
// sensible way — SHA-256 of the bearer key, one row by hash (with the key's deployment and creator,
// as Charter's actor carries them) and its tenant's status, revocation and expiry checks — and
// nothing else (no checksum, scopes, rate limit, request id or audit).

export type KeyRow = {
  id: string;
  prefix: string;
  name: string;
  tenant_id: string | null;
  deployment_id: string | null;
  created_by_id: string | null;
  scopes: string[];
  expires_at: Date;
  revoked_at: Date | null;
  tenant_status: string | null;
  tenant_archived_at: Date | null;
};

const SELECT = `SELECT k.hash, k.id, k.prefix, k.name, k.tenant_id, k.deployment_id, k.created_by_id, k.scopes, k.expires_at, k.revoked_at,
    t.status AS tenant_status, t.archived_at AS tenant_archived_at
  FROM api_keys k LEFT JOIN tenants t ON t.id = k.tenant_id`;

/** Every key, for the in-memory baseline. */
export async function loadAllKeys(pool: pg.Pool): Promise<Map<string, KeyRow>> {
  const { rows } = await pool.query<KeyRow & { hash: string }>(SELECT);
  return new Map(rows.map((row) => [row.hash, row]));
}

/** One key by hash, as a named prepared statement. */
export async function selectKey(pool: pg.Pool, hash: string): Promise<KeyRow | undefined> {
  const { rows } = await pool.query<KeyRow>({ name: 'bench-key-by-hash', text: `${SELECT} WHERE k.hash = $1`, values: [hash] });
  return rows[0];
}

export function bearerHash(authorization: string | null | undefined): string {
  const key = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
  return createHash('sha256').update(key).digest('hex');
}

/** Status and JSON body: the key's identity as GET /api/v1/whoami gives it, or a 401. */
export function answer(row: KeyRow | undefined): { status: number; body: string } {
  const usable = row !== undefined && row.revoked_at === null && row.expires_at.getTime() > Date.now() && row.tenant_archived_at === null && row.tenant_status !== 'OFFBOARDED';
  if (!usable) return { status: 401, body: '{"status":401,"code":"unauthenticated"}' };
  return {
    status: 200,
    body: JSON.stringify({
      type: 'apiKey',
      id: row.id,
      tenantId: row.tenant_id,
      permissions: row.scopes,
      apiKey: { prefix: row.prefix, name: row.name, expiresAt: row.expires_at.toISOString() },
    }),
  };
}
