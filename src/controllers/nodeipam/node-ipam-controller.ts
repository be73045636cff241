// The node IPAM controller (kube-controller-manager's nodeipam, "RangeAllocator"): gives every Node a pod CIDR
// (spec.podCIDR and spec.podCIDRs) out of the cluster CIDR. The agent on that node builds its pod bridge on it and
// the other agents route it to the node (agent/network). A podCIDR, once set, never changes (the API forbids it):
// a node that comes with one — say, a re-registered node — keeps it, and it is marked used. Before the first
// assignment the allocator is rebuilt from every Node's podCIDR, so a restarted master never hands out a duplicate.
// Deleting a Node frees its CIDR. Events on the Node: CIDRNotAvailable when the cluster CIDR is exhausted,
// CIDRAssignmentFailed when the write fails (both retried with backoff).
import type { Node } from '../../api/types.js';
import { NODES, type ApiClient } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import type { Clock } from '../../common/clock.js';
import { isApiError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { Controller } from '../runtime/controller.js';
import { CidrAllocator } from './cidr-allocator.js';
import { cidrContains, parseIpv4Cidr } from './cidr.js';
import { controllerBasics } from '../runtime/controller-basics.js';

export interface NodeIpamControllerDeps {
  client: ApiClient;
  informers: InformerFactory;
  /** Default 10.244.0.0/16. */
  clusterCIDR?: string;
  /** Prefix length of each node's pod CIDR; default 24. */
  nodeMaskSize?: number;
  /** When it lies inside the cluster CIDR, its subnets are never handed to nodes (as Kubernetes does). */
  serviceCIDR?: string;
  clock?: Clock;
  logger?: Logger;
  /** Default: a recorder with component `cidrAllocator`, as Kubernetes names it. */
  recorder?: EventRecorder;
  /** Periodic re-check of every node (level-triggered repair); default 5 minutes. */
  resyncPeriodMs?: number;
}

/** Owner name under which the service range is reserved (no Node can have this name: it has spaces). */
const SERVICE_RANGE_OWNER = 'service CIDR';

/** The node's pod CIDR as recorded in its spec (podCIDRs[0] when only the list is set). */
export function podCIDROf(node: Node): string | undefined {
  return node.spec?.podCIDR || node.spec?.podCIDRs?.[0] || undefined;
}

/** The merge patch that assigns a pod CIDR, with both fields as Kubernetes writes them. */
export function podCIDRPatch(cidr: string): { spec: { podCIDR: string; podCIDRs: string[] } } {
  return { spec: { podCIDR: cidr, podCIDRs: [cidr] } };
}

export class NodeIpamController {
  readonly allocator: CidrAllocator;
  private readonly controller: Controller;
  private readonly nodes: Informer<Node>;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  /** Nodes whose unusable podCIDR was already reported (so a resync does not repeat the warning). */
  private readonly reported = new Map<string, string>();

  constructor(private readonly deps: NodeIpamControllerDeps) {
    const basics = controllerBasics(deps, 'node-ipam-controller', 'cidrAllocator');
    const clock = basics.clock;
    this.log = basics.log;
    this.recorder = basics.recorder;
    this.allocator = new CidrAllocator({ clusterCIDR: deps.clusterCIDR, nodeMaskSize: deps.nodeMaskSize });
    this.reserveServiceRange(deps.serviceCIDR);
    this.nodes = deps.informers.get<Node>(NODES);
    this.controller = new Controller({
      name: 'node-ipam',
      sync: (key) => this.sync(key),
      workers: 1,
      clock,
      logger: this.log,
      // Exhaustion and failed writes retry from 1 s up to 5 min, not client-go's 5 ms start: each retry records
      // an event, and nothing is gained by hammering.
      rateLimit: { baseDelayMs: 1000, maxDelayMs: 300_000 },
      resyncPeriodMs: deps.resyncPeriodMs ?? 300_000,
      resyncKeys: () => this.nodes.list().map((n) => n.metadata.name!),
    });
    this.nodes.on('add', (n) => this.controller.enqueue(n.metadata.name!));
    this.nodes.on('update', (oldNode, n) => {
      if (!podCIDROf(n) || podCIDROf(n) !== podCIDROf(oldNode)) this.controller.enqueue(n.metadata.name!);
    });
    this.nodes.on('delete', (n) => this.controller.enqueue(n.metadata.name!));
  }

  /** Waits for the nodes informer, records every podCIDR already given out, then starts assigning. */
  async start(): Promise<void> {
    await this.nodes.start();
    for (const node of this.nodes.list()) {
      const cidr = podCIDROf(node);
      if (cidr) this.occupy(node, cidr);
    }
    this.log.info(
      {
        clusterCIDR: this.allocator.clusterCIDR,
        nodeMaskSize: this.allocator.nodeMaskSize,
        used: this.allocator.usedCount(),
        capacity: this.allocator.capacity,
      },
      'node IPAM started',
    );
    this.controller.start();
  }

  async stop(): Promise<void> {
    await this.controller.stop();
  }

  /** One node, by name: record its CIDR, or give it one, or free the CIDR of a deleted node. */
  async sync(name: string): Promise<void> {
    const node = this.nodes.get(undefined, name);
    if (!node) {
      this.reported.delete(name);
      const freed = this.allocator.release(name);
      if (freed) {
        this.log.info({ node: name, podCIDR: freed }, 'node deleted; pod CIDR released');
        // Nodes that found the range exhausted may fit now.
        for (const n of this.nodes.list()) if (!podCIDROf(n)) this.controller.enqueue(n.metadata.name!);
      }
      return;
    }
    const existing = podCIDROf(node);
    if (existing) {
      this.occupy(node, existing);
      return;
    }
    const cidr = this.allocator.allocate(name);
    if (!cidr) {
      const why = `no free /${this.allocator.nodeMaskSize} left in cluster CIDR ${this.allocator.clusterCIDR}`;
      this.recorder.record(
        node,
        'Warning',
        'CIDRNotAvailable',
        `Node ${name} status is now: CIDRNotAvailable (${why})`,
      );
      throw new Error(`cannot assign a pod CIDR to node ${name}: ${why}`);
    }
    try {
      await this.deps.client.patch(NODES, undefined, name, 'merge', podCIDRPatch(cidr));
      this.log.info({ node: name, podCIDR: cidr }, 'pod CIDR assigned');
    } catch (err) {
      if (isApiError(err, 'NotFound')) {
        this.allocator.release(name); // gone meanwhile; its delete event finishes the job
        return;
      }
      const msg = err instanceof Error ? err.message : String(err);
      this.recorder.record(
        node,
        'Warning',
        'CIDRAssignmentFailed',
        `Node ${name} status is now: CIDRAssignmentFailed (${cidr}: ${msg})`,
      );
      // Rejected (someone else set a podCIDR first): forget ours; the retry reads the node again. Any other
      // failure keeps the CIDR held, so the retry writes the same one.
      if (isApiError(err, 'Invalid')) this.allocator.release(name);
      throw err;
    }
  }

  private occupy(node: Node, cidr: string): void {
    const name = node.metadata.name!;
    const res = this.allocator.occupy(name, cidr);
    if (res.ok) {
      this.reported.delete(name);
      if (res.sharedWith.length > 0) {
        this.log.warn(
          { node: name, podCIDR: res.cidr, sharedWith: res.sharedWith },
          'pod CIDR overlaps another node',
        );
      }
      return;
    }
    // Not ours to fix: the podCIDR stays as it is (it cannot change), it just is not part of our range.
    if (this.reported.get(name) === cidr) return;
    this.reported.set(name, cidr);
    this.log.warn({ node: name, podCIDR: cidr, reason: res.reason }, `pod CIDR ignored: ${res.message}`);
  }

  private reserveServiceRange(serviceCIDR: string | undefined): void {
    if (!serviceCIDR) return;
    const svc = parseIpv4Cidr(serviceCIDR);
    const cluster = parseIpv4Cidr(this.allocator.clusterCIDR)!;
    if (!svc) throw new Error(`service CIDR ${JSON.stringify(serviceCIDR)} is not an IPv4 CIDR`);
    if (cidrContains(svc, cluster)) {
      throw new Error(
        `cluster CIDR ${this.allocator.clusterCIDR} lies inside the service CIDR ${serviceCIDR}`,
      );
    }
    if (cidrContains(cluster, svc)) this.allocator.occupy(SERVICE_RANGE_OWNER, serviceCIDR);
  }
}
