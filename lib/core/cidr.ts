import ipaddr from 'ipaddr.js';

// ── CIDR matching (IPv4 and IPv6) with ipaddr.js, which also runs in the browser for form hints ──

export function parseCidr(value: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  try {
    if (value.includes('/')) return ipaddr.parseCIDR(value);
    const addr = ipaddr.parse(value);
    return [addr, addr.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return null;
  }
}

/** True when no CIDRs are set, or the (IPv4-mapped IPv6 normalised) address lies in one of them. */
export function ipInCidrs(ip: string | null, cidrs: readonly string[]): boolean {
  if (cidrs.length === 0) return true;
  if (!ip || !ipaddr.isValid(ip)) return false;
  const addr = ipaddr.process(ip);
  return cidrs.some((c) => {
    const block = parseCidr(c);
    return block !== null && block[0].kind() === addr.kind() && addr.match(block);
  });
}
