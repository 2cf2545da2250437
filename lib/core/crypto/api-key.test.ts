import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { API_KEY_PATTERN, checksumOf, displayPrefix, generateApiKey, hashApiKey, isWellFormedApiKey } from './api-key';

describe('API key format', () => {
  it('generates chr_ + 40 random + 6 checksum base62 characters', () => {
    const { key, hash, prefix } = generateApiKey();
    expect(key).toMatch(/^chr_[0-9A-Za-z]{46}$/);
    expect(API_KEY_PATTERN.test(`token=${key};`)).toBe(true);
    expect(isWellFormedApiKey(key)).toBe(true);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(hashApiKey(key));
    expect(prefix).toBe(key.slice(0, 10));
    expect(displayPrefix(key)).toHaveLength(10);
  });

  it('computes the checksum as base62 CRC32, left-padded to 6', () => {
    // An independent base62 conversion of node:zlib CRC32, most significant digit first.
    const body = 'chr_' + 'a'.repeat(40);
    let n = crc32(Buffer.from(body)) >>> 0;
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    let expected = '';
    for (let i = 0; i < 6; i++) {
      expected = alphabet[n % 62] + expected;
      n = Math.floor(n / 62);
    }
    expect(checksumOf(body)).toBe(expected);
    expect(checksumOf('')).toBe('000000');
  });

  it('rejects every single-character change, truncation and wrong prefix', () => {
    const { key } = generateApiKey();
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    for (let i = 4; i < key.length; i++) {
      const replacement = alphabet[(alphabet.indexOf(key[i]) + 1) % 62];
      expect(isWellFormedApiKey(key.slice(0, i) + replacement + key.slice(i + 1))).toBe(false);
    }
    expect(isWellFormedApiKey(key.slice(0, -1))).toBe(false);
    expect(isWellFormedApiKey(`${key}0`)).toBe(false);
    expect(isWellFormedApiKey(`chx_${key.slice(4)}`)).toBe(false);
    expect(isWellFormedApiKey('')).toBe(false);
  });

  it('draws characters uniformly (no modulo bias)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) for (const c of generateApiKey().key.slice(4, 44)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const expected = (2000 * 40) / 62;
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.15);
  });
});
