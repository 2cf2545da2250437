import { randomUUID } from 'node:crypto';
import type { RequestMeta } from '@/lib/access/actor';

type HeaderSource = { get(name: string): string | null };

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** CHARTER_TRUST_PROXY as a number of proxies: `true` = 1, `false` (default) = 0, or a count. */
export function trustedProxyCount(value = process.env.CHARTER_TRUST_PROXY): number {
  if (value === undefined || value === 'false') return 0;
  if (value === 'true') return 1;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/**
 * Client IP, user agent and request id of a request. Charter's server (lib/server) appends the
 * socket's peer address to X-Forwarded-For, as a proxy does, so the last hop is the address we can
 * vouch for; anything before it came from the client and may be forged. Behind N trusted reverse
 * proxies (CHARTER_TRUST_PROXY=N, `true` = 1), each appends its own peer, so the client is the hop
 * N places before the last — never the first, which the client wrote itself.
 */
let configured: number | undefined;

export function requestMetaFrom(headers: HeaderSource, trustedProxies = (configured ??= trustedProxyCount())): RequestMeta {
  const forwarded = headers.get('x-forwarded-for');
  let ip: string | null = null;
  if (forwarded !== null && !forwarded.includes(',')) {
    ip = forwarded.trim() || null; // one hop: the usual case, without splitting
  } else if (forwarded !== null) {
    const hops = forwarded
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    ip = hops.length > 0 ? hops[Math.max(0, hops.length - 1 - trustedProxies)] : null;
  }
  ip ??= headers.get('x-real-ip');
  const incomingId = headers.get('x-request-id');
  return {
    ip: ip ? ip.replace(/^::ffff:/, '').slice(0, 64) : null,
    userAgent: headers.get('user-agent')?.slice(0, 500) ?? null,
    requestId: incomingId && REQUEST_ID.test(incomingId) ? incomingId : randomUUID(),
  };
}
