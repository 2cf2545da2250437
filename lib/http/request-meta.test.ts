import { describe, expect, it } from 'vitest';
import { requestMetaFrom, trustedProxyCount } from './request-meta';

const headers = (values: Record<string, string>) => new Headers(values);

describe('requestMetaFrom', () => {
  it('takes the last hop (the socket peer Charter appended) when no proxy is trusted', () => {
    expect(requestMetaFrom(headers({ 'x-forwarded-for': '203.0.113.9' }), 0).ip).toBe('203.0.113.9');
    // The client wrote the first hops itself: they are never believed.
    expect(requestMetaFrom(headers({ 'x-forwarded-for': '10.0.0.1, 203.0.113.9' }), 0).ip).toBe('203.0.113.9');
  });

  it('behind N trusted proxies takes the hop N places before the last', () => {
    // client forged 10.0.0.1; the proxy appended the real client 198.51.100.4; Charter appended the proxy 192.0.2.1.
    const h = headers({ 'x-forwarded-for': '10.0.0.1, 198.51.100.4, 192.0.2.1' });
    expect(requestMetaFrom(h, 1).ip).toBe('198.51.100.4');
    expect(requestMetaFrom(h, 2).ip).toBe('10.0.0.1');
    expect(requestMetaFrom(h, 5).ip).toBe('10.0.0.1');
  });

  it('strips the IPv4-mapped prefix and falls back to X-Real-IP only without X-Forwarded-For', () => {
    expect(requestMetaFrom(headers({ 'x-forwarded-for': '::ffff:127.0.0.1' }), 0).ip).toBe('127.0.0.1');
    expect(requestMetaFrom(headers({ 'x-real-ip': '192.0.2.7' }), 0).ip).toBe('192.0.2.7');
    expect(requestMetaFrom(headers({}), 0).ip).toBeNull();
  });

  it('keeps a well-formed incoming request id and replaces anything else', () => {
    expect(requestMetaFrom(headers({ 'x-request-id': 'trace-12345678' }), 0).requestId).toBe('trace-12345678');
    expect(requestMetaFrom(headers({ 'x-request-id': 'bad id with spaces' }), 0).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('trustedProxyCount', () => {
  it('reads CHARTER_TRUST_PROXY as a number of proxies', () => {
    expect(trustedProxyCount(undefined)).toBe(0);
    expect(trustedProxyCount('false')).toBe(0);
    expect(trustedProxyCount('true')).toBe(1);
    expect(trustedProxyCount('2')).toBe(2);
    expect(trustedProxyCount('nonsense')).toBe(0);
  });
});
