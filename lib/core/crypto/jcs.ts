import canonicalizeJson from 'canonicalize';

/** RFC 8785 JSON Canonicalization Scheme, via the `canonicalize` library. */
export function canonicalize(value: unknown): string {
  const out = canonicalizeJson(value);
  if (out === undefined) throw new TypeError('value cannot be canonicalized as JSON');
  return out;
}
