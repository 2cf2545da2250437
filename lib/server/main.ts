/**
 * Charter's production web server (`charter serve`, run by `charter start`): one node:http server
 * and one process. `/api/v1/*` goes to Charter's own API server (./api-server.ts: the route()
 * pipelines on node:http, no Next.js in the path); everything else — pages, server actions,
 * sign-in, /api/health and /api/ready — to Next.js's request handler (a custom server over the
 * production build in .next).
 *
 * Both halves run the same modules: Next.js's build has its bundled copy, the API server loads the
 * sources (tsx); process-wide state (the database pool and Prisma client, the API-key cache, the
 * rate limiter) is kept on globalThis, so the two share it and a revocation in the UI is seen by the
 * API at once.
 */
// First: Next.js's process set-up (AsyncLocalStorage on globalThis, …), which `next start` also
// loads first, before the API half imports modules that use it (next/headers).
import 'next/dist/server/node-environment';
import http from 'node:http';
import type { Socket } from 'node:net';
import next from 'next';
import { appendPeerAddress, createApiServer, isApiPath } from './api-server';

export type CharterServer = { url: string; close(): Promise<void> };

export async function startServer(options: { dir: string; port: number; hostname?: string }): Promise<CharterServer> {
  const app = next({ dev: false, dir: options.dir, hostname: options.hostname ?? 'localhost', port: options.port });
  const handleNext = app.getRequestHandler();
  const [api] = await Promise.all([createApiServer(), app.prepare()]);

  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    appendPeerAddress(req);
    if (isApiPath(req.url)) api.handle(req, res);
    else void handleNext(req, res);
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

  return {
    url: `http://${options.hostname && options.hostname !== '0.0.0.0' && options.hostname !== '::' ? options.hostname : 'localhost'}:${port}`,
    async close() {
      // Stop accepting, let requests in flight finish (at most 10 s), then close idle keep-alive connections.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, 10_000);
      await closed;
      clearTimeout(timer);
      await app.close();
    },
  };
}
