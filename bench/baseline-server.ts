/**
 * The bare-Node baselines of bench/key-verify.ts: a `node:http` server that resolves the bearer key
 * as bench/baseline-lookup.ts does and answers like GET /api/v1/whoami.
 *
 *   map  every key loaded once at start into a Map by hash (the baseline for the cached path)
 *   pg   one SELECT by hash per request over a `pg` pool of 10 (the baseline for the uncached path)
 *
 * Started by bench/key-verify.ts as `node --import tsx bench/baseline-server.ts --mode map|pg
 * --port N` with DATABASE_URL set.
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { type KeyRow, answer, bearerHash, loadAllKeys, selectKey } from './baseline-lookup';

const { values } = parseArgs({ options: { mode: { type: 'string' }, port: { type: 'string' }, pool: { type: 'string', default: '10' } } });
const mode = values.mode;
if (mode !== 'map' && mode !== 'pg') throw new Error('--mode map|pg');
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(values.pool) });
const byHash = mode === 'map' ? await loadAllKeys(pool) : null;

const find = (hash: string): Promise<KeyRow | undefined> => (byHash ? Promise.resolve(byHash.get(hash)) : selectKey(pool, hash));

const server = http.createServer((req, res) => {
  find(bearerHash(req.headers.authorization)).then(
    (row) => {
      const { status, body } = answer(row);
      res.writeHead(status, { 'content-type': status === 200 ? 'application/json' : 'application/problem+json' }).end(body);
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
