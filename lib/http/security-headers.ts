// Security headers. next.config.ts sends securityHeaders() with everything Next.js serves (pages,
// and /api/v1 under `next dev`); lib/runtime/api-server.ts sends API_SECURITY_HEADERS with the JSON
// and files of /api/v1 it serves itself.

/**
 * Charter must run in an air-gapped network: the policy names no host but our own. Inline scripts
 * and styles are allowed because statically rendered pages cannot carry a per-request nonce;
 * React's development build needs eval.
 */
function contentSecurityPolicy(dev: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "media-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(dev: boolean): { key: string; value: string }[] {
  return [
    { key: 'Content-Security-Policy', value: contentSecurityPolicy(dev) },
    { key: 'X-Frame-Options', value: 'DENY' },
    { key: 'X-Content-Type-Options', value: 'nosniff' },
    { key: 'Referrer-Policy', value: 'no-referrer' },
    {
      key: 'Permissions-Policy',
      value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), browsing-topics=()',
    },
    { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
    { key: 'Cross-Origin-Resource-Policy', value: 'same-origin' },
    // Ignored by browsers over plain HTTP; effective once a TLS terminator serves Charter.
    { key: 'Strict-Transport-Security', value: 'max-age=31536000' },
  ];
}

/**
 * For API responses (JSON, NDJSON, CSV: data, never a page), what OWASP's REST Security Cheat Sheet
 * asks of an API: not cached (answers are per caller), not sniffed into another type, and — should a
 * browser ever render one — nothing loaded and no framing (`frame-ancestors` supersedes
 * X-Frame-Options). Referrer-Policy has no links to act on; HSTS belongs to the TLS terminator and
 * Next.js's pages send it. Each header costs ~1 µs per response (bench/README.md), so no more.
 */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
});
