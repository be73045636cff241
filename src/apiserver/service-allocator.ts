// ClusterIP and NodePort allocation for Services, run by the API server on every Service write (Kubernetes'
// pkg/registry/core/service/storage/alloc.go). Create: a requested clusterIP must lie in the service CIDR and be
// free, none gets a random free one, `None` (headless) and ExternalName get none; NodePort and LoadBalancer
// ports get a node port each (requested or random; the TCP and UDP entries of one port number share one).
// Update: a type change allocates or releases (releases wait for the write to be stored). Delete: everything
// the Service held is released. The bitmaps are rebuilt from the stored Services on first use, so a restarted
// master carries on where it stopped (Kubernetes stores the bitmap; for one master the Services themselves are
// the record).
import type { KubeObject } from '../api/types.js';
import { goString, invalidGo } from '../api/kinds/go-format.js';
import { internalError, invalid, invalidValue } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import type { Store } from '../store/store.js';
import { NO_ALLOCATION, type Allocation, type AllocationHooks } from './allocation-hooks.js';
import { DEFAULT_SERVICE_CIDR, ServiceIPAllocator } from './ip-allocator.js';
import { DEFAULT_NODE_PORT_RANGE, NodePortAllocator } from './port-allocator.js';
import {
  heldClusterIPs,
  heldNodePorts,
  isHeadless,
  needsClusterIP,
  needsNodePorts,
  portsOf,
  prepareServiceUpdate,
  specOf,
  typeOf,
  type ServiceSpecEx,
} from './service-update.js';

export interface ServiceAllocatorDeps {
  store: Store;
  /** The ClusterIP range; default 10.96.0.0/12. */
  serviceCIDR?: string;
  /** The NodePort range; default 30000-32767. */
  nodePortRange?: string;
  logger?: Logger;
  /** A uniform integer in [0, n) for the random scans; injectable for tests. */
  random?: (n: number) => number;
}

const SERVICES = { group: '', resource: 'services' };

/** What one write allocated (given back on revert) and what it frees once stored. */
class ServiceAllocation implements Allocation {
  readonly ips: string[] = [];
  readonly ports: number[] = [];
  readonly freeIPs: string[] = [];
  readonly freePorts: number[] = [];
  private done = false;

  constructor(
    private readonly ipPool: ServiceIPAllocator,
    private readonly portPool: NodePortAllocator,
  ) {}

  commit(): void {
    if (this.finish()) {
      for (const ip of this.freeIPs) this.ipPool.release(ip);
      for (const port of this.freePorts) this.portPool.release(port);
    }
  }

  revert(): void {
    if (this.finish()) {
      for (const ip of this.ips) this.ipPool.release(ip);
      for (const port of this.ports) this.portPool.release(port);
    }
  }

  private finish(): boolean {
    if (this.done) return false;
    this.done = true;
    return true;
  }
}

/** Go's %#v of a []string, as Kubernetes prints an invalid clusterIPs value. */
const goStrings = (values: string[]): string => `[]string{${values.map(goString).join(', ')}}`;

export class ServiceAllocator implements AllocationHooks {
  readonly ips: ServiceIPAllocator;
  readonly nodePorts: NodePortAllocator;
  private readonly store: Store;
  private readonly log: Logger;
  private loaded?: Promise<void>;

  /** Throws on a malformed range: that is configuration, and the master must not start with it. */
  constructor(deps: ServiceAllocatorDeps) {
    this.store = deps.store;
    this.log = deps.logger ?? silentLogger;
    this.ips = new ServiceIPAllocator(deps.serviceCIDR ?? DEFAULT_SERVICE_CIDR, { random: deps.random });
    this.nodePorts = new NodePortAllocator(deps.nodePortRange ?? DEFAULT_NODE_PORT_RANGE, {
      random: deps.random,
    });
  }

  ready(): Promise<void> {
    this.loaded ??= this.rebuild().catch((err: unknown) => {
      this.loaded = undefined; // try again on the next write
      throw err;
    });
    return this.loaded;
  }

  prepareUpdate(next: KubeObject, old: KubeObject): void {
    prepareServiceUpdate(next, old);
  }

  allocateCreate(obj: KubeObject): Allocation {
    const spec = specOf(obj);
    if (!spec) return NO_ALLOCATION;
    const txn = new ServiceAllocation(this.ips, this.nodePorts);
    try {
      if (needsClusterIP(spec) && !isHeadless(spec)) this.allocateClusterIP(obj, spec, txn);
      if (needsNodePorts(spec)) this.initNodePorts(obj, spec, txn);
    } catch (err) {
      txn.revert();
      throw err;
    }
    return txn;
  }

  allocateUpdate(next: KubeObject, old: KubeObject): Allocation {
    const spec = specOf(next);
    const oldSpec = specOf(old);
    if (!spec || !oldSpec) return NO_ALLOCATION;
    const txn = new ServiceAllocation(this.ips, this.nodePorts);
    try {
      // ClusterIPs are immutable (validation saw to that) except across ExternalName; a Service stored
      // without one (written before allocation existed) gets one now.
      const oldHadIP = needsClusterIP(oldSpec) && (isHeadless(oldSpec) || Boolean(oldSpec.clusterIP));
      if (!oldHadIP && needsClusterIP(spec) && !isHeadless(spec)) {
        this.allocateClusterIP(next, spec, txn);
      } else if (needsClusterIP(oldSpec) && !needsClusterIP(spec)) {
        txn.freeIPs.push(...heldClusterIPs(oldSpec));
      }
      if (needsNodePorts(spec)) this.updateNodePorts(next, spec, oldSpec, txn);
      else txn.freePorts.push(...heldNodePorts(oldSpec));
    } catch (err) {
      txn.revert();
      throw err;
    }
    return txn;
  }

  release(obj: KubeObject): void {
    const spec = specOf(obj);
    for (const ip of heldClusterIPs(spec)) this.ips.release(ip);
    for (const port of heldNodePorts(spec)) this.nodePorts.release(port);
  }

  /** Marks what every stored Service holds. Conflicts (only possible by hand-editing the store) are logged. */
  private async rebuild(): Promise<void> {
    const { items } = await this.store.list(SERVICES);
    for (const svc of items) {
      const spec = specOf(svc);
      const name = `${svc.metadata.namespace}/${svc.metadata.name}`;
      for (const ip of heldClusterIPs(spec)) {
        const problem = this.ips.allocate(ip);
        if (problem) this.log.warn({ service: name, clusterIP: ip }, `stored clusterIP: ${problem}`);
      }
      for (const port of heldNodePorts(spec)) {
        const problem = this.nodePorts.allocate(port);
        if (problem) this.log.warn({ service: name, nodePort: port }, `stored nodePort: ${problem}`);
      }
    }
    this.log.info(
      { services: items.length, clusterIPs: this.ips.used, nodePorts: this.nodePorts.used },
      'service allocations rebuilt from the store',
    );
  }

  private allocateClusterIP(obj: KubeObject, spec: ServiceSpecEx, txn: ServiceAllocation): void {
    const requested = spec.clusterIP;
    if (requested) {
      const problem = this.ips.allocate(requested);
      if (problem) {
        const shown =
          Array.isArray(spec.clusterIPs) && spec.clusterIPs.length ? spec.clusterIPs : [requested];
        throw invalid('', 'Service', obj.metadata.name ?? '', [
          invalidGo('spec.clusterIPs', goStrings(shown), `failed to allocate IP ${requested}: ${problem}`),
        ]);
      }
      txn.ips.push(requested);
      spec.clusterIPs = [requested];
      return;
    }
    const ip = this.ips.allocateNext();
    if (ip === undefined) throw internalError('failed to allocate a serviceIP: range is full');
    txn.ips.push(ip);
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
  }

  /** A LoadBalancer may opt out of node ports (allocateLoadBalancerNodePorts: false); requests still count. */
  private allocatesNodePorts(spec: ServiceSpecEx): boolean {
    return typeOf(spec) === 'NodePort' || spec.allocateLoadBalancerNodePorts !== false;
  }

  private takePort(obj: KubeObject, index: number, port: number, txn: ServiceAllocation): void {
    const problem = this.nodePorts.allocate(port);
    if (problem) {
      throw invalid('', 'Service', obj.metadata.name ?? '', [
        invalidValue(`spec.ports[${index}].nodePort`, port, problem),
      ]);
    }
    txn.ports.push(port);
  }

  private nextPort(txn: ServiceAllocation): number {
    const port = this.nodePorts.allocateNext();
    if (port === undefined) throw internalError('failed to allocate a nodePort: range is full');
    txn.ports.push(port);
    return port;
  }

  /** New Service: entries with the same port number (TCP and UDP of port 53) share one node port (initNodePorts). */
  private initNodePorts(obj: KubeObject, spec: ServiceSpecEx, txn: ServiceAllocation): void {
    const ports = portsOf(spec);
    const byServicePort = new Map<number, number>();
    ports.forEach((port, i) => {
      if (!port.nodePort && !this.allocatesNodePorts(spec)) return;
      const shared = byServicePort.get(port.port);
      if (shared === undefined) {
        const requested = ports.find((p) => p.port === port.port && p.nodePort)?.nodePort;
        if (requested) this.takePort(obj, i, requested, txn);
        port.nodePort = requested || this.nextPort(txn);
        byServicePort.set(port.port, port.nodePort);
      } else if (!port.nodePort) {
        port.nodePort = shared;
      } else if (port.nodePort !== shared) {
        this.takePort(obj, i, port.nodePort, txn);
      }
    });
  }

  /** Changed Service: new node ports are taken, kept ones stay, dropped ones are freed once stored (updateNodePorts). */
  private updateNodePorts(
    obj: KubeObject,
    spec: ServiceSpecEx,
    oldSpec: ServiceSpecEx,
    txn: ServiceAllocation,
  ): void {
    const held = new Set(heldNodePorts(oldSpec));
    const taken = new Set<number>();
    portsOf(spec).forEach((port, i) => {
      if (!port.nodePort && !this.allocatesNodePorts(spec)) return;
      if (!port.nodePort) {
        port.nodePort = this.nextPort(txn);
      } else if (!held.has(port.nodePort) && !taken.has(port.nodePort)) {
        this.takePort(obj, i, port.nodePort, txn);
        taken.add(port.nodePort);
      }
    });
    const kept = new Set(heldNodePorts(spec));
    txn.freePorts.push(...[...held].filter((port) => !kept.has(port)));
  }
}
