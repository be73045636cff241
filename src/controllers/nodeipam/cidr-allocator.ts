// The pod-CIDR allocator of the node IPAM controller (Kubernetes' cidrset + range allocator): the cluster CIDR
// (10.244.0.0/16) is cut into node-sized subnets (/24), and each node holds one. Pure and synchronous, so two
// workers can never hand out the same subnet. Like Kubernetes it starts at the first subnet (10.244.0.0/24) but,
// unlike Kubernetes' round-robin cursor, it always hands out the LOWEST free subnet: easier to predict and to
// teach, and a released subnet is simply reused. (10.244.0.0/24 works like any other: gateway 10.244.0.1.)
// Subnets are owned by name (the node name). A podCIDR a node already has is occupied under its name, so a master
// restart rebuilds the same picture from the Node objects and never hands out a duplicate.
import { blockSize, cidrContains, formatCidr, parseIpv4Cidr, type Ipv4Net } from './cidr.js';

export const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';
export const DEFAULT_NODE_MASK_SIZE = 24;
/** At most 2^16 node subnets, as Kubernetes limits (node mask − cluster prefix ≤ 16). */
const MAX_MASK_DIFF = 16;

export type OccupyResult =
  | { ok: true; cidr: string; sharedWith: string[] }
  | { ok: false; reason: 'invalid' | 'outside'; message: string };

export interface CidrAllocatorOptions {
  clusterCIDR?: string;
  nodeMaskSize?: number;
}

export class CidrAllocator {
  readonly clusterCIDR: string;
  readonly nodeMaskSize: number;
  /** How many node subnets the cluster CIDR holds. */
  readonly capacity: number;
  private readonly cluster: Ipv4Net;
  /** Subnet index → who holds it (more than one only when nodes were given overlapping CIDRs by hand). */
  private readonly owners = new Map<number, Set<string>>();
  /** Owner → the CIDR it holds and the subnet indices that covers. */
  private readonly held = new Map<string, { cidr: string; indices: number[] }>();

  /** Throws on an invalid configuration (a daemon start-up error, like kube-controller-manager's flags). */
  constructor(opts: CidrAllocatorOptions = {}) {
    const clusterCIDR = opts.clusterCIDR ?? DEFAULT_CLUSTER_CIDR;
    const mask = opts.nodeMaskSize ?? DEFAULT_NODE_MASK_SIZE;
    const cluster = parseIpv4Cidr(clusterCIDR);
    if (!cluster) throw new Error(`cluster CIDR ${JSON.stringify(clusterCIDR)} is not an IPv4 CIDR`);
    if (!Number.isInteger(mask) || mask < cluster.prefix || mask > 30) {
      throw new Error(
        `node mask size ${mask} must be an integer between the cluster prefix (/${cluster.prefix}) and 30`,
      );
    }
    if (mask - cluster.prefix > MAX_MASK_DIFF) {
      throw new Error(
        `node mask size /${mask} cuts ${formatCidr(cluster)} into more than 2^${MAX_MASK_DIFF} subnets`,
      );
    }
    this.cluster = cluster;
    this.clusterCIDR = formatCidr(cluster);
    this.nodeMaskSize = mask;
    this.capacity = 2 ** (mask - cluster.prefix);
  }

  /** The CIDR `owner` holds, if any. */
  cidrOf(owner: string): string | undefined {
    return this.held.get(owner)?.cidr;
  }

  /** Subnets held by at least one owner. */
  usedCount(): number {
    return this.owners.size;
  }

  isFree(cidr: string): boolean {
    const net = parseIpv4Cidr(cidr);
    if (!net || !cidrContains(this.cluster, net)) return false;
    return this.indicesOf(net).every((i) => !this.owners.has(i));
  }

  /**
   * The owner's subnet: the one it already holds (so a retry after a lost write gets the same answer), or the
   * lowest free one. Undefined when the cluster CIDR is exhausted.
   */
  allocate(owner: string): string | undefined {
    const existing = this.held.get(owner);
    if (existing) return existing.cidr;
    for (let i = 0; i < this.capacity; i++) {
      if (this.owners.has(i)) continue;
      const cidr = formatCidr({
        base: this.cluster.base + i * blockSize(this.nodeMaskSize),
        prefix: this.nodeMaskSize,
      });
      this.hold(owner, cidr, [i]);
      return cidr;
    }
    return undefined;
  }

  /**
   * Records that `owner` uses `cidr` (a podCIDR a node already has). It replaces what the owner held before. A CIDR
   * of another size marks every node subnet it overlaps, as Kubernetes' cidrset does; one outside the cluster CIDR
   * (or not a CIDR at all) is not recorded, and the owner keeps nothing.
   */
  occupy(owner: string, cidr: string): OccupyResult {
    const net = parseIpv4Cidr(cidr);
    if (!net) {
      this.release(owner);
      return { ok: false, reason: 'invalid', message: `${JSON.stringify(cidr)} is not an IPv4 CIDR` };
    }
    if (!cidrContains(this.cluster, net)) {
      this.release(owner);
      return {
        ok: false,
        reason: 'outside',
        message: `${cidr} is outside the cluster CIDR ${this.clusterCIDR}`,
      };
    }
    const normalized = formatCidr(net);
    if (this.held.get(owner)?.cidr === normalized) {
      return { ok: true, cidr: normalized, sharedWith: this.othersOn(owner, this.held.get(owner)!.indices) };
    }
    this.release(owner);
    const indices = this.indicesOf(net);
    const sharedWith = this.othersOn(owner, indices);
    this.hold(owner, normalized, indices);
    return { ok: true, cidr: normalized, sharedWith };
  }

  /** Frees what `owner` held; returns that CIDR (undefined if it held nothing). */
  release(owner: string): string | undefined {
    const h = this.held.get(owner);
    if (!h) return undefined;
    for (const i of h.indices) {
      const set = this.owners.get(i);
      set?.delete(owner);
      if (set?.size === 0) this.owners.delete(i);
    }
    this.held.delete(owner);
    return h.cidr;
  }

  private hold(owner: string, cidr: string, indices: number[]): void {
    for (const i of indices) {
      let set = this.owners.get(i);
      if (!set) this.owners.set(i, (set = new Set()));
      set.add(owner);
    }
    this.held.set(owner, { cidr, indices });
  }

  /** Node-subnet indices a network inside the cluster CIDR covers (one, or several for a bigger network). */
  private indicesOf(net: Ipv4Net): number[] {
    const size = blockSize(this.nodeMaskSize);
    const first = Math.floor((net.base - this.cluster.base) / size);
    const count = Math.max(1, blockSize(net.prefix) / size);
    return Array.from({ length: count }, (_, k) => first + k);
  }

  private othersOn(owner: string, indices: number[]): string[] {
    const others = new Set<string>();
    for (const i of indices) for (const o of this.owners.get(i) ?? []) if (o !== owner) others.add(o);
    return [...others].sort();
  }
}
