import { randomUUID } from 'node:crypto';
import type { RequestMeta } from '@/lib/auth/actor';

type HeaderSource = { get(name: string): string | null };

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Client IP, user agent and request id of a request. Next's own server appends the socket address
 * to X-Forwarded-For, so its last hop is the peer we can vouch for; only behind a trusted proxy
 * (CHARTER_TRUST_PROXY=true) is the first hop, the original client, believed.
 */
export function requestMetaFrom(headers: HeaderSource, trustProxy = process.env.CHARTER_TRUST_PROXY === 'true'): RequestMeta {
  const hops = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const ip = (trustProxy ? hops[0] : hops.at(-1)) ?? headers.get('x-real-ip') ?? null;
  const incomingId = headers.get('x-request-id');
  return {
    ip: ip ? ip.replace(/^::ffff:/, '').slice(0, 64) : null,
    userAgent: headers.get('user-agent')?.slice(0, 500) ?? null,
    requestId: incomingId && REQUEST_ID.test(incomingId) ? incomingId : randomUUID(),
  };
}
