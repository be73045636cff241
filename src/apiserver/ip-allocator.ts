// Service ClusterIPs out of the service CIDR (kube-apiserver --service-cluster-ip-range, Kubernetes'
// pkg/registry/core/service/ipallocator). The network and broadcast addresses are never handed out; the first
// usable address (10.96.0.1 in 10.96.0.0/12) is the `kubernetes` Service's. Errors read as Kubernetes' do,
// because that is what kubectl users see and search for.
import ipaddr from 'ipaddr.js';
import { RangeAllocator } from './range-allocator.js';

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';

/** kube-apiserver refuses service ranges wider than 20 bits (a /12 for IPv4). */
const MAX_HOST_BITS = 20;

const toUint32 = (ip: ipaddr.IPv4): number => {
  const [a, b, c, d] = ip.toByteArray();
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
};

const fromUint32 = (n: number): string =>
  ipaddr.fromByteArray([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]).toString();

/**
 * How many low addresses dynamic allocation leaves for static requests: min(max(16, size/16), 256), or none
 * for ranges of 16 addresses or fewer (Kubernetes' calculateRangeOffset).
 */
export function staticBandSize(rangeSize: number): number {
  if (rangeSize <= 16) return 0;
  return Math.min(Math.max(16, Math.floor(rangeSize / 16)), 256);
}

/** The parsed service range: first usable address and how many there are. Throws on a bad range. */
export function parseServiceCIDR(cidr: string): { cidr: string; first: number; size: number } {
  if (typeof cidr !== 'string' || !ipaddr.IPv4.isValidCIDRFourPartDecimal(cidr.trim())) {
    throw new Error(`service CIDR must be an IPv4 range like 10.96.0.0/12, got ${JSON.stringify(cidr)}`);
  }
  const [, prefix] = ipaddr.IPv4.parseCIDR(cidr.trim());
  const hostBits = 32 - prefix;
  if (hostBits > MAX_HOST_BITS) {
    throw new Error(`service CIDR ${cidr} is too large; the mask must be /${32 - MAX_HOST_BITS} or longer`);
  }
  if (hostBits < 2) throw new Error(`service CIDR ${cidr} is too small; it needs at least a /30`);
  const network = ipaddr.IPv4.networkAddressFromCIDR(cidr.trim());
  // Network and broadcast addresses are excluded, as in Kubernetes' IPv4 allocator.
  return { cidr: `${network.toString()}/${prefix}`, first: toUint32(network) + 1, size: 2 ** hostBits - 2 };
}

/** The `kubernetes` Service's address: the first usable one of the range (10.96.0.0/12 → 10.96.0.1). */
export function kubernetesServiceIP(serviceCIDR: string = DEFAULT_SERVICE_CIDR): string {
  return fromUint32(parseServiceCIDR(serviceCIDR).first);
}

export class ServiceIPAllocator {
  /** The range in canonical form ("10.96.0.0/12"), as error messages print it. */
  readonly cidr: string;
  private readonly first: number;
  private readonly slots: RangeAllocator;

  constructor(cidr: string = DEFAULT_SERVICE_CIDR, opts: { random?: (n: number) => number } = {}) {
    const range = parseServiceCIDR(cidr);
    this.cidr = range.cidr;
    this.first = range.first;
    this.slots = new RangeAllocator(range.size, {
      reservedLow: staticBandSize(range.size + 2),
      random: opts.random,
    });
  }

  /** Usable addresses in the range. */
  get size(): number {
    return this.slots.size;
  }

  get used(): number {
    return this.slots.used;
  }

  /** Whether `ip` is a usable address of the range (dotted-quad IPv4). */
  contains(ip: string): boolean {
    return this.slotOf(ip) !== undefined;
  }

  has(ip: string): boolean {
    const slot = this.slotOf(ip);
    return slot !== undefined && this.slots.has(slot);
  }

  /** Takes `ip`. Returns why it cannot be taken, in Kubernetes' words, or undefined on success. */
  allocate(ip: string): string | undefined {
    const slot = this.slotOf(ip);
    if (slot === undefined) {
      return `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.cidr}`;
    }
    return this.slots.allocate(slot) ? undefined : 'provided IP is already allocated';
  }

  /** Takes a random free address; undefined when the range is full. */
  allocateNext(): string | undefined {
    const slot = this.slots.allocateNext();
    return slot === undefined ? undefined : fromUint32(this.first + slot);
  }

  /** Frees `ip`; false when it was not taken (or is not in the range). */
  release(ip: string): boolean {
    const slot = this.slotOf(ip);
    return slot !== undefined && this.slots.release(slot);
  }

  private slotOf(ip: string): number | undefined {
    if (typeof ip !== 'string' || !ipaddr.IPv4.isValidFourPartDecimal(ip)) return undefined;
    const slot = toUint32(ipaddr.IPv4.parse(ip)) - this.first;
    return slot >= 0 && slot < this.slots.size ? slot : undefined;
  }
}
