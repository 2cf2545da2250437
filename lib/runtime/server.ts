/**
 * Charter's production web server (`charter serve`, run by `charter start`): one port, two
 * processes. This process answers `/api/v1/*` itself (./api-server.ts: the route() pipelines on
 * node:http, no Next.js in the path) and passes everything else — pages, server actions, sign-in,
 * /api/health and /api/ready — to a `next start` child listening on 127.0.0.1 only.
 *
 * Why not one process: once Next.js has rendered a page, its AsyncLocalStorage keeps Node's promise
 * hooks on for the life of the process, and every promise of every API call pays for them (~30 %
 * of an authenticated call's CPU, bench/README.md); a slow page render would also hold up API calls
 * on the shared event loop. Apart, the API keeps its speed whatever the UI does, and the two share
 * what they must through PostgreSQL, as separate instances do.
 */
// Only the AsyncLocalStorage global that next/headers (imported by the session code) expects; none
// of Next.js's request machinery runs in this process.
import 'next/dist/server/node-environment-baseline';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { AppError, toProblem } from '@/lib/core/errors';
import { readinessResponse } from '@/lib/runtime/readiness-response';
import { securityHeaders } from '@/lib/http/security-headers';
import { logger } from '@/lib/core/logger';
import { READY_TIMEOUT_MS, type Readiness, checkReadiness } from '@/lib/runtime/readiness';
import { nextBin, nextEnv, stopChild, waitForHttp } from '@/lib/runtime/next-process';
import { appendPeerAddress, createApiServer, isApiPath } from './api-server';

export type CharterServer = { url: string; exited: Promise<number>; close(): Promise<void> };

const NEXT_BANNER = /^\s*$|^\s*(▲ Next\.js|- Local:|- Network:|✓ Ready in|✓ Starting|✓ Running next\.config)/;

/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection and are not forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function badGateway(res: http.ServerResponse, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(toProblem(new AppError('unavailable', message)));
  res.writeHead(502, { 'content-type': 'application/problem+json', 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store' });
  res.end(body);
}

/** Passes a request to the Next.js child and its answer back, streamed both ways. */
function forward(req: http.IncomingMessage, res: http.ServerResponse, port: number, agent: http.Agent): void {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
  const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers, agent }, (answer) => {
    const raw: string[] = [];
    for (let i = 0; i < answer.rawHeaders.length; i += 2) {
      if (!HOP_BY_HOP.has(answer.rawHeaders[i].toLowerCase())) raw.push(answer.rawHeaders[i], answer.rawHeaders[i + 1]);
    }
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, raw);
    answer.pipe(res);
    answer.once('error', () => res.destroy());
  });
  upstream.once('error', (err) => {
    if (res.destroyed) return; // the client went away first (a cancelled prefetch): nothing to answer
    logger.error({ err: err.message, path: req.url }, 'the page server did not answer');
    badGateway(res, 'The page server is not answering; retry shortly.');
  });
  // A client that goes away stops the work upstream.
  res.once('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

/** Whether the pages' process says it is ready (its own pool reaches the database). */
function pagesReady(port: number, agent: http.Agent): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = http.get({ host: '127.0.0.1', port, path: '/api/ready', agent, timeout: READY_TIMEOUT_MS }, (answer) => {
      answer.resume();
      resolve(answer.statusCode === 200);
    });
    probe.once('timeout', () => probe.destroy());
    probe.once('error', () => resolve(false));
  });
}

/**
 * /api/ready for the instance as a load balancer sees it: ready only when this process (which
 * answers /api/v1) reaches the database through its own pool *and* the pages' process does too.
 * Probes that arrive while one is running share its answer.
 */
function readinessProbe(nextPort: number, agent: http.Agent): () => Promise<Readiness> {
  let running: Promise<Readiness> | null = null;
  const check = async (): Promise<Readiness> => {
    const [own, pages] = await Promise.all([checkReadiness(), pagesReady(nextPort, agent)]);
    if (!own.ready) return own;
    if (!pages) return { ready: false, cause: 'pages_unavailable', reason: 'The page server is not ready.' };
    return own;
  };
  return () => (running ??= check().finally(() => (running = null)));
}

// The headers Next.js would have sent with these answers (next.config.ts), so that moving them to
// this process changes nothing a client sees.
const PAGE_HEADERS = Object.fromEntries(securityHeaders(false).map(({ key, value }) => [key.toLowerCase(), value]));

function answerHealth(req: http.IncomingMessage, res: http.ServerResponse, probe: () => Promise<Readiness>): void {
  const send = (status: number, headers: Record<string, string>, body: string) => {
    res.writeHead(status, { ...PAGE_HEADERS, ...headers, 'content-length': String(Buffer.byteLength(body)) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (req.url === '/api/health' || req.url?.startsWith('/api/health?')) {
    // Liveness: this process serves requests. No database, so an outage does not get the instance
    // restarted by an orchestrator; that is what /api/ready is for.
    send(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }, JSON.stringify({ status: 'ok' }));
    return;
  }
  probe().then(
    (readiness) => {
      const { status, headers, body } = readinessResponse(readiness);
      send(status, headers, body);
    },
    (err: unknown) => {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, 'readiness check failed');
      badGateway(res, 'The readiness check failed.');
    },
  );
}

const isHealthPath = (url: string | undefined) => !!url && /^\/api\/(health|ready)(\?|$)/.test(url);

export async function startServer(options: { dir: string; port: number; hostname?: string }): Promise<CharterServer> {
  const nextPort = await freePort();
  // Next.js keeps idle connections far longer than this process's agent (below), so that a reused
  // connection is never one Next.js is closing at that moment.
  const pagesChild = fileURLToPath(new URL('./pages-child.cjs', import.meta.url));
  const child = spawn(process.execPath, [pagesChild, nextBin(), 'start', '--hostname', '127.0.0.1', '--port', String(nextPort), '--keepAliveTimeout', '600000'], {
    cwd: options.dir,
    env: nextEnv({ PORT: String(nextPort) }),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Next.js's start-up banner names its internal address, which nobody should open: keep the rest.
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    if (!NEXT_BANNER.test(line)) process.stdout.write(`${line}\n`);
  });
  let stopping = false;
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      if (!stopping) logger.error({ code, signal }, 'the Next.js page server exited');
      resolve(code ?? (signal ? 1 : 0));
    });
  });
  try {
    const api = createApiServer();
    const ready = await waitForHttp(`http://127.0.0.1:${nextPort}/api/health`, child, 90_000);
    if (!ready) throw new Error(`Next.js did not answer on 127.0.0.1:${nextPort} (exit code ${child.exitCode ?? child.signalCode ?? 'none yet'})`);
    // Idle connections to Next.js are closed after 60 s, long before Next.js would close them.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 60_000 });
    const probe = readinessProbe(nextPort, agent);
    const sockets = new Set<net.Socket>();
    const server = http.createServer((req, res) => {
      appendPeerAddress(req);
      if (isApiPath(req.url)) api.handle(req, res);
      else if (isHealthPath(req.url) && (req.method === 'GET' || req.method === 'HEAD')) answerHealth(req, res, probe);
      else forward(req, res, nextPort, agent);
    });
    // Longer than the idle timeout of common load balancers (60 s), so they close idle connections first.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.hostname, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const host = options.hostname && options.hostname !== '0.0.0.0' && options.hostname !== '::' ? options.hostname : 'localhost';

    return {
      url: `http://${host}:${port}`,
      exited,
      async close() {
        stopping = true;
        // Stop accepting, let requests in flight finish (at most 10 s), then stop the page server.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timer = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, 10_000);
        await closed;
        clearTimeout(timer);
        agent.destroy();
        await stopChild(child);
      },
    };
  } catch (err) {
    stopping = true;
    await stopChild(child);
    throw err;
  }
}
