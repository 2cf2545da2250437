/**
 * The bare-Node baselines of bench/key-verify.ts: a `node:http` server that resolves the bearer key
 * as bench/baseline-lookup.ts does and answers like GET /api/v1/whoami.
 *
 *   map  every key loaded once at start into a Map by hash (the baseline for the cached path)
 *   pg   one SELECT by hash per request over a `pg` pool of 10 (the baseline for the uncached path)
 *
 * Started by bench/key-verify.ts as `node --import tsx bench/baseline-server.ts --mode map|pg
 * --port N [--charter-headers]` with DATABASE_URL set. --charter-headers: the response carries the
 * header set of Charter's API (security headers, RateLimit-*, a fresh X-Request-Id,
 * Content-Length) with fixed values, computed by nothing — to tell the cost of the response format
 * the API promises from the cost of Charter's code.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { type KeyRow, answer, bearerHash, loadAllKeys, selectKey } from './baseline-lookup';

const { values } = parseArgs({
  options: { mode: { type: 'string' }, port: { type: 'string' }, pool: { type: 'string', default: '10' }, 'charter-headers': { type: 'boolean', default: false } },
});
const mode = values.mode;
if (mode !== 'map' && mode !== 'pg') throw new Error('--mode map|pg');
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(values.pool) });
const byHash = mode === 'map' ? await loadAllKeys(pool) : null;

// What lib/runtime/api-server.ts sends with a whoami answer (lib/http/security-headers.ts, lib/http/rate-limit.ts).
const CHARTER_HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'ratelimit-limit': '1000000000',
  'ratelimit-remaining': '999999999',
  'ratelimit-reset': '42',
  'ratelimit-policy': '1000000000;w=60',
};

const find = (hash: string): Promise<KeyRow | undefined> => (byHash ? Promise.resolve(byHash.get(hash)) : selectKey(pool, hash));

const server = http.createServer((req, res) => {
  find(bearerHash(req.headers.authorization)).then(
    (row) => {
      const { status, body } = answer(row);
      const type = status === 200 ? 'application/json' : 'application/problem+json';
      if (values['charter-headers']) {
        res.writeHead(status, { ...CHARTER_HEADERS, 'content-type': type, 'x-request-id': randomUUID(), 'content-length': String(Buffer.byteLength(body)) }).end(body);
      } else res.writeHead(status, { 'content-type': type }).end(body);
    },
    (err: unknown) => {
      res.writeHead(500).end(String(err));
    },
  );
});
server.listen(Number(values.port), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close(() => void pool.end().finally(() => process.exit(0)));
  // Idle keep-alive connections would hold close() open.
  server.closeAllConnections();
});
