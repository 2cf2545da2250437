import { EventEmitter } from 'node:events';
import type { Connection } from 'pg';
import { describe, expect, it } from 'vitest';
import { rawPool } from '@/lib/core/db';
import { CopyOut } from './copy-out';

/** One backend message: type byte, int32 length (counting itself), body. */
function message(type: string, body: Buffer | string = ''): Buffer {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeUInt32BE(bytes.length + 4, 1);
  return Buffer.concat([header, bytes]);
}

/** A stand-in for node-postgres's connection: its socket's one data listener is node-postgres's parser. */
function fakeConnection() {
  const stream = Object.assign(new EventEmitter(), { paused: 0, pause: () => stream.paused++, resume: () => {} });
  const handedBack: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => handedBack.push(chunk));
  const connection = { stream, query: () => {} } as unknown as Connection;
  return { connection, stream, handedBack };
}

async function collect(sql: string, options: { pieceBytes?: number; delayMs?: number } = {}): Promise<{ rows: number; text: string; pieces: number }> {
  const client = await rawPool().connect();
  const pieces: Buffer[] = [];
  let failure: Error | undefined;
  try {
    const copy = new CopyOut(
      sql,
      async (piece) => {
        pieces.push(Buffer.from(piece));
        if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      },
      options.pieceBytes,
    );
    client.query(copy);
    const rows = await copy.done;
    // The connection is usable again afterwards.
    expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
    return { rows, text: Buffer.concat(pieces).toString('utf8'), pieces: pieces.length };
  } catch (err) {
    failure = err as Error;
    throw err;
  } finally {
    client.release(failure);
  }
}

describe('CopyOut', () => {
  it('parses the COPY messages however the socket splits them, and hands back what follows CopyDone', async () => {
    const rows = ['a,1\n', 'b,"x, y"\n', 'é,3\n'.repeat(40)];
    const stream = Buffer.concat([
      message('H', Buffer.from([0, 0, 2, 0, 0, 0, 0])),
      message('d', rows[0]),
      message('N', 'Snotice\0\0'),
      message('d', rows[1]),
      message('d', ''),
      message('d', rows[2]),
      message('c'),
    ]);
    const after = Buffer.concat([message('C', 'COPY 3\0'), message('Z', 'I')]);
    for (const step of [1, 2, 3, 5, 7, 64, stream.length + after.length]) {
      const { connection, stream: socket, handedBack } = fakeConnection();
      const out: Buffer[] = [];
      const copy = new CopyOut('COPY x TO STDOUT', async (piece) => void out.push(Buffer.from(piece)), 16);
      copy.submit(connection);
      const all = Buffer.concat([stream, after]);
      for (let at = 0; at < all.length; at += step) socket.emit('data', all.subarray(at, at + step));
      expect(Buffer.concat(handedBack).equals(after), `split every ${step} bytes`).toBe(true);
      // node-postgres, having read CommandComplete and ReadyForQuery, calls these.
      copy.handleCommandComplete({ text: 'COPY 3' });
      copy.handleReadyForQuery();
      expect(await copy.done).toBe(3);
      expect(Buffer.concat(out).toString('utf8'), `split every ${step} bytes`).toBe(rows.join(''));
      expect(out.every((piece) => piece.length <= 16)).toBe(true);
    }
  });

  it('hands an error response (and what follows) to node-postgres', () => {
    const { connection, stream: socket, handedBack } = fakeConnection();
    const copy = new CopyOut('COPY x TO STDOUT', async () => {});
    copy.submit(connection);
    const error = message('E', 'SERROR\0Mboom\0\0');
    socket.emit('data', Buffer.concat([message('H', Buffer.from([0, 0, 0])), message('d', 'a\n'), error.subarray(0, 3)]));
    socket.emit('data', Buffer.concat([error.subarray(3), message('Z', 'I')]));
    expect(Buffer.concat(handedBack).equals(Buffer.concat([error, message('Z', 'I')]))).toBe(true);
  });

  it('streams a real COPY in pieces, with backpressure, and reports the row count', async () => {
    const sql = `COPY (SELECT g, repeat('x', g % 50), 'é' FROM generate_series(1, 20000) g) TO STDOUT WITH (FORMAT csv)`;
    // COPY quotes an empty string ("") to tell it from NULL.
    const expected = Array.from({ length: 20000 }, (_, i) => `${i + 1},${'x'.repeat((i + 1) % 50) || '""'},é\n`).join('');
    const slow = await collect(sql, { pieceBytes: 64 << 10, delayMs: 2 });
    expect(slow.rows).toBe(20000);
    expect(slow.text).toBe(expected);
    expect(slow.pieces).toBeGreaterThan(5);
    const fast = await collect(sql);
    expect(fast.text).toBe(expected);
  });

  it('rejects on an error in the middle of the COPY', async () => {
    await expect(collect(`COPY (SELECT 1 / (g - 15000) FROM generate_series(1, 20000) g) TO STDOUT`)).rejects.toThrow(/division by zero/);
  });

  it('rejects when a write fails, and the connection is then destroyed rather than reused', async () => {
    const client = await rawPool().connect();
    const copy = new CopyOut(
      `COPY (SELECT g FROM generate_series(1, 200000) g) TO STDOUT`,
      async () => {
        throw new Error('destination closed');
      },
      1024,
    );
    client.query(copy);
    await expect(copy.done).rejects.toThrow('destination closed');
    client.release(new Error('mid-COPY'));
    // The pool still serves queries on a fresh connection.
    expect((await rawPool().query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
  });
});
