import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { sha256Hex } from './hash';

// README "API keys": chr_ + 40 random base62 characters (≥ 238 bits from a CSPRNG) + 6 base62
// characters of CRC32 over everything before them, left-padded with 0. The checksum lets Charter
// (and secret scanners) reject a mistyped or truncated key without a database lookup.

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const API_KEY_PREFIX = 'chr_';
const RANDOM_LENGTH = 40;
const CHECKSUM_LENGTH = 6;
/** For secret scanners; published in the README. */
export const API_KEY_PATTERN = /chr_[0-9A-Za-z]{46}/;
const EXACT = /^chr_[0-9A-Za-z]{46}$/;

function toBase62(value: number, width: number): string {
  let out = '';
  let n = value;
  do {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(width, '0');
}

export function checksumOf(body: string): string {
  return toBase62(crc32(Buffer.from(body, 'utf8')) >>> 0, CHECKSUM_LENGTH);
}

/** 40 uniformly random base62 characters: bytes ≥ 248 are rejected so that no character is favoured. */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export type NewApiKey = { key: string; hash: string; prefix: string };

export function generateApiKey(): NewApiKey {
  const body = API_KEY_PREFIX + randomBase62(RANDOM_LENGTH);
  const key = body + checksumOf(body);
  return { key, hash: hashApiKey(key), prefix: displayPrefix(key) };
}

/** Format and checksum, checked before any database lookup. */
export function isWellFormedApiKey(key: string): boolean {
  if (!EXACT.test(key)) return false;
  const body = key.slice(0, -CHECKSUM_LENGTH);
  return checksumOf(body) === key.slice(-CHECKSUM_LENGTH);
}

/** Stored instead of the key: SHA-256 of the whole key, lowercase hex. */
export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

/** chr_ + the first 6 random characters: enough to recognise a key, useless to an attacker. */
export function displayPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 6);
}
