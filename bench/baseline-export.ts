/**
 * The baseline of bench/audit-export-memory.ts: a bare Node process that streams the same rows as
 * an export — PostgreSQL's `COPY (…) TO STDOUT` read by node-postgres with pg-copy-streams and piped
 * (stream.pipeline, backpressure end to end) to a file or to an HTTP response. No Charter code runs
 * here: what memory does Node need to pass an export's bytes from PostgreSQL to its destination?
 *
 *   BENCH_EXPORT_SQL='COPY …' tsx bench/baseline-export.ts --out FILE           one export to a file
 *   BENCH_EXPORT_SQL_CSV='COPY …' BENCH_EXPORT_SQL_NDJSON='COPY …' tsx bench/baseline-export.ts --port P
 *                                             GET /csv, GET /ndjson: one export per request (GET /warm: one row)
 */
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
pool.on('error', () => {});

async function copyInto(sql: string, out: Writable): Promise<void> {
  const client = await pool.connect();
  try {
    await pipeline(client.query(copyTo(sql)), out);
  } finally {
    client.release();
  }
}

const portArg = process.argv.indexOf('--port');
if (portArg === -1) {
  const out = process.argv[process.argv.indexOf('--out') + 1];
  await copyInto(process.env.BENCH_EXPORT_SQL as string, createWriteStream(out, { flags: 'wx', mode: 0o600 }));
  await pool.end();
} else {
  const sql: Record<string, string | undefined> = {
    '/csv': process.env.BENCH_EXPORT_SQL_CSV,
    '/ndjson': process.env.BENCH_EXPORT_SQL_NDJSON,
    '/warm': 'COPY (SELECT 1) TO STDOUT',
  };
  const server = http.createServer((req, res) => {
    const text = sql[req.url ?? ''];
    if (!text) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    copyInto(text, res).catch((err: unknown) => {
      process.stderr.write(`baseline export failed: ${err instanceof Error ? err.message : String(err)}\n`);
      res.destroy();
    });
  });
  server.listen(Number(process.argv[portArg + 1]), '127.0.0.1');
}
