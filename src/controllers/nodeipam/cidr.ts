// IPv4 CIDR math on top of ipaddr.js, shared by the node IPAM controller and the agent's pod network (routes,
// rules): parse and normalize "10.244.1.7/24" → 10.244.1.0/24, containment, overlap, the first host address.
// Only dotted-quad IPv4: skiff's pod network is IPv4 (iptables, not ip6tables).
import ipaddr from 'ipaddr.js';

/** An IPv4 network: first address as an unsigned 32-bit number, and its prefix length. */
export interface Ipv4Net {
  base: number;
  prefix: number;
}

function toUint32(addr: ipaddr.IPv4): number {
  const [a, b, c, d] = addr.octets;
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function fromUint32(n: number): string {
  return new ipaddr.IPv4([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]).toString();
}

export function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/** Parses dotted-quad IPv4 CIDR notation ("10.244.1.0/24"); host bits are masked off. Undefined if invalid. */
export function parseIpv4Cidr(cidr: string): Ipv4Net | undefined {
  if (typeof cidr !== 'string' || !ipaddr.IPv4.isValidCIDRFourPartDecimal(cidr)) return undefined;
  const [addr, prefix] = ipaddr.IPv4.parseCIDR(cidr);
  const size = blockSize(prefix);
  return { base: Math.floor(toUint32(addr) / size) * size, prefix };
}

export function formatCidr(net: Ipv4Net): string {
  return `${fromUint32(net.base)}/${net.prefix}`;
}

/** The CIDR with host bits cleared ("10.244.1.7/24" → "10.244.1.0/24"), or undefined if not IPv4 CIDR notation. */
export function normalizeCidr(cidr: string): string | undefined {
  const net = parseIpv4Cidr(cidr);
  return net && formatCidr(net);
}

/** Whether `inner` lies entirely inside `outer`. */
export function cidrContains(outer: Ipv4Net, inner: Ipv4Net): boolean {
  return (
    inner.prefix >= outer.prefix &&
    inner.base >= outer.base &&
    inner.base < outer.base + blockSize(outer.prefix)
  );
}

export function cidrsOverlap(a: Ipv4Net, b: Ipv4Net): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

/** The first address after the network address (10.244.1.0/24 → 10.244.1.1): the pod bridge's gateway. */
export function firstHost(net: Ipv4Net): string {
  return fromUint32(net.base + 1);
}

/** Whether `ip` is a dotted-quad IPv4 address inside the network. */
export function ipInCidr(ip: string, net: Ipv4Net): boolean {
  if (!ipaddr.IPv4.isValidFourPartDecimal(ip)) return false;
  const n = toUint32(ipaddr.IPv4.parse(ip));
  return n >= net.base && n < net.base + blockSize(net.prefix);
}

export function isIpv4(ip: string): boolean {
  return typeof ip === 'string' && ipaddr.IPv4.isValidFourPartDecimal(ip);
}
