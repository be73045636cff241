// The node's network agent (the per-node half of kubenet/flannel host-gw): waits until the master has given this
// node a pod CIDR (spec.podCIDR, from src/controllers/nodeipam), sets up the pod network on it (Docker network
// `skiff`, sysctls, SKIFF-FORWARD / SKIFF-POD-MASQ), then follows every Node through an informer to keep the
// host-gw routes to the other nodes' pod CIDRs in sync. A re-check every 30 s repairs drift (a flushed chain, a
// deleted route, a removed network). stop({ cleanup: true }) removes our chains, hooks and routes; the Docker
// network stays, because pods (which outlive the agent) may still be attached to it.
import type { Node } from '../../src/api/types.js';
import { NODES, type ApiClient } from '../../src/client/api-client.js';
import { createInformer, type Informer } from '../../src/client/informer.js';
import { cidrContains, parseIpv4Cidr } from '../../src/controllers/nodeipam/cidr.js';
import { systemClock, type Clock, type TimerHandle } from '../../src/common/clock.js';
import { silentLogger, type Logger } from '../../src/common/logger.js';
import type { DockerNetworks } from './docker-networks.js';
import type { Firewall } from '../proxy/firewall.js';
import { POD_BRIDGE_NAME, PodNetworkManager } from './pod-network.js';
import {
  desiredRoutes,
  diffRoutes,
  internalIPv4,
  peerRoutes,
  type RouteCidrs,
  type Routes,
} from './routes.js';
import type { Sysctl } from './sysctl.js';

export interface NetworkAgentDeps {
  client: ApiClient;
  nodeName: string;
  docker: DockerNetworks;
  firewall: Firewall;
  routes: Routes;
  sysctl: Sysctl;
  clusterCIDR: string;
  serviceCIDR: string;
  /** Docker network name (default `skiff`) and its bridge device (default `skiffbr`). */
  networkName?: string;
  bridgeName?: string;
  clock?: Clock;
  logger?: Logger;
  /** Drift repair period; default 30 s. */
  resyncPeriodMs?: number;
}

export interface NetworkInfo {
  podCIDR: string;
  /** The pod bridge's address: pods' gateway, and where the node-local DNS listens. */
  gateway: string;
}

export interface RouteSyncResult {
  added: number;
  deleted: number;
  failed: number;
}

const RESYNC_MS = 30_000;
/** While waiting for the podCIDR, say so this often. */
const WAIT_LOG_MS = 30_000;
/** Retries of a pod network that cannot be created: from 1 s, doubling, up to 30 s. */
const RETRY_MIN_MS = 1000;

function podCIDRField(node: Node | undefined): string | undefined {
  return node?.spec?.podCIDR || node?.spec?.podCIDRs?.[0] || undefined;
}

export class NetworkAgent {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly pod: PodNetworkManager;
  private readonly cidrs: RouteCidrs;
  private nodes: Informer<Node> | undefined;
  private podCIDR: string | undefined;
  /** Set once the pod network is up: route syncs wait for it (the service route needs the bridge). */
  private ready = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  private resyncTimer: TimerHandle | undefined;
  private routeSync: Promise<void> | undefined;
  private routesDirty = false;
  private resync: Promise<void> | undefined;
  private lastSkipped = '';
  private reportedCIDRChange = '';

  constructor(private readonly deps: NetworkAgentDeps) {
    this.clock = deps.clock ?? systemClock;
    this.log = (deps.logger ?? silentLogger).child({ component: 'agent:network' });
    for (const [what, cidr] of [
      ['cluster CIDR', deps.clusterCIDR],
      ['service CIDR', deps.serviceCIDR],
    ]) {
      if (!parseIpv4Cidr(cidr)) throw new Error(`${what} ${JSON.stringify(cidr)} is not an IPv4 CIDR`);
    }
    this.cidrs = {
      clusterCIDR: deps.clusterCIDR,
      serviceCIDR: deps.serviceCIDR,
      bridge: deps.bridgeName ?? POD_BRIDGE_NAME,
    };
    this.pod = new PodNetworkManager({ ...deps, logger: this.log });
  }

  /** Resolves once this node's pod network is up (which waits for the master to assign the pod CIDR). */
  async start(): Promise<NetworkInfo> {
    const nodes = createInformer<Node>({
      client: this.deps.client,
      ref: NODES,
      clock: this.clock,
      logger: this.log,
    });
    this.nodes = nodes;
    nodes.on('add', (n) => this.onNode(n));
    nodes.on('update', (old, n) => {
      // Heartbeats change nothing routes depend on; only a new pod CIDR or address does.
      if (podCIDRField(old) !== podCIDRField(n) || internalIPv4(old) !== internalIPv4(n)) this.onNode(n);
    });
    nodes.on('delete', () => this.kickRoutes());
    await nodes.start();
    const podCIDR = await this.waitForPodCIDR();
    this.podCIDR = podCIDR;
    const info = await this.ensurePodNetwork(podCIDR);
    this.ready = true;
    this.kickRoutes();
    await this.routeSync;
    this.scheduleResync();
    this.log.info({ podCIDR, gateway: info.gateway }, 'pod network ready');
    return info;
  }

  /** Stops following nodes. With cleanup, also removes our iptables chains and hooks and our routes. */
  async stop(opts: { cleanup?: boolean } = {}): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.resyncTimer);
    this.nodes?.stop();
    this.wake?.();
    await Promise.allSettled([this.routeSync, this.resync]);
    if (opts.cleanup) await cleanupPodNetwork(this.pod, this.deps.routes, this.log);
  }

  /** One pass of route reconciliation (exposed for tests; the agent runs it on node changes and every 30 s). */
  async syncRoutesNow(): Promise<RouteSyncResult> {
    const { routes } = this.deps;
    const all = this.nodes?.list() ?? [];
    const selfNode = this.nodes?.get(undefined, this.deps.nodeName);
    const self = {
      name: this.deps.nodeName,
      podCIDR: this.podCIDR,
      nodeIP: selfNode && internalIPv4(selfNode),
    };
    // Why a node gets no route (no InternalIP yet, a podCIDR outside the cluster…), said once per change.
    const { skipped } = peerRoutes(self, all, this.cidrs);
    const skippedKey = JSON.stringify(skipped);
    if (skippedKey !== this.lastSkipped) {
      this.lastSkipped = skippedKey;
      for (const s of skipped) this.log.warn({ node: s.node }, `no route to the node's pods: ${s.reason}`);
    }
    const { add, del } = diffRoutes(await routes.list(), desiredRoutes(self, all, this.cidrs));
    const result: RouteSyncResult = { added: 0, deleted: 0, failed: 0 };
    for (const r of del) {
      try {
        await routes.delete(r);
        result.deleted++;
        this.log.info({ route: r }, 'route removed');
      } catch (err) {
        result.failed++;
        this.log.warn({ route: r, err: (err as Error).message }, 'could not remove route');
      }
    }
    for (const r of add) {
      try {
        await routes.replace(r);
        result.added++;
        this.log.info({ route: r }, 'route set');
      } catch (err) {
        result.failed++;
        this.log.warn({ route: r, err: (err as Error).message }, 'could not set route');
      }
    }
    return result;
  }

  private onNode(node: Node): void {
    if (node.metadata.name === this.deps.nodeName) {
      this.wake?.();
      const now = podCIDRField(node);
      if (this.podCIDR && now && now !== this.podCIDR && this.reportedCIDRChange !== now) {
        this.reportedCIDRChange = now;
        this.log.error(
          { podCIDR: this.podCIDR, nodePodCIDR: now },
          'the node was given another pod CIDR; this agent keeps the one it started with until restarted',
        );
      }
    }
    this.kickRoutes();
  }

  /** Coalesces route syncs: at most one runs, and one more follows if something changed meanwhile. */
  private kickRoutes(): void {
    if (!this.ready || this.stopped) return;
    this.routesDirty = true;
    this.routeSync ??= (async () => {
      while (this.routesDirty && !this.stopped) {
        this.routesDirty = false;
        try {
          await this.syncRoutesNow();
        } catch (err) {
          this.log.warn({ err: (err as Error).message }, 'route sync failed');
        }
      }
    })().finally(() => (this.routeSync = undefined));
  }

  private async waitForPodCIDR(): Promise<string> {
    for (let waited = false; ; waited = true) {
      if (this.stopped) throw new Error('network agent stopped before the node got a pod CIDR');
      const podCIDR = podCIDRField(this.nodes?.get(undefined, this.deps.nodeName));
      if (podCIDR) {
        const net = parseIpv4Cidr(podCIDR);
        const cluster = parseIpv4Cidr(this.deps.clusterCIDR)!;
        if (net && !cidrContains(cluster, net)) {
          this.log.warn(
            { podCIDR, clusterCIDR: this.deps.clusterCIDR },
            'pod CIDR lies outside the cluster CIDR',
          );
        }
        return podCIDR;
      }
      if (waited) this.log.info({ node: this.deps.nodeName }, 'waiting for the master to assign a pod CIDR');
      await this.sleepOrWake(WAIT_LOG_MS);
    }
  }

  private async ensurePodNetwork(podCIDR: string): Promise<NetworkInfo> {
    for (let delay = RETRY_MIN_MS; ; delay = Math.min(delay * 2, RESYNC_MS)) {
      if (this.stopped) throw new Error('network agent stopped before the pod network was up');
      try {
        const s = await this.pod.ensure(podCIDR);
        return { podCIDR: s.podCIDR, gateway: s.gateway };
      } catch (err) {
        this.log.error({ err: (err as Error).message, retryInMs: delay }, 'pod network not ready');
        await this.sleepOrWake(delay);
      }
    }
  }

  /**
   * Runs the drift check now instead of at the next period (e.g. dockerd restarted: it rewrote its iptables rules
   * and may have lost the network). Resolves when the check is done; one already running is awaited instead.
   */
  recheck(): Promise<void> {
    if (!this.ready || this.stopped) return Promise.resolve();
    this.clock.clearTimeout(this.resyncTimer);
    this.resync ??= (async () => {
      try {
        await this.pod.ensure(this.podCIDR!);
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'pod network check failed');
      }
      this.kickRoutes();
      await this.routeSync;
    })().finally(() => {
      this.resync = undefined;
      this.scheduleResync();
    });
    return this.resync;
  }

  private scheduleResync(): void {
    if (this.stopped) return;
    this.clock.clearTimeout(this.resyncTimer);
    this.resyncTimer = this.clock.setTimeout(
      () => void this.recheck(),
      this.deps.resyncPeriodMs ?? RESYNC_MS,
    );
  }

  /** Sleeps on the clock; a node event or stop() ends the wait early. */
  private sleepOrWake(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.clock.clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = this.clock.setTimeout(done, ms);
      this.wake = done;
    });
  }
}

/**
 * Removes what the pod network added to the node: our iptables chains and hooks, and our routes. Used by
 * stop({ cleanup: true }) and by `skiff agent --cleanup` (which never started an agent).
 */
export async function cleanupPodNetwork(pod: PodNetworkManager, routes: Routes, log: Logger): Promise<void> {
  const errors: string[] = [];
  try {
    await pod.cleanup();
  } catch (err) {
    errors.push(`iptables: ${(err as Error).message}`);
  }
  try {
    for (const r of await routes.list()) await routes.delete(r);
    log.info('pod network routes removed');
  } catch (err) {
    errors.push(`routes: ${(err as Error).message}`);
  }
  if (errors.length > 0) throw new Error(`pod network cleanup incomplete: ${errors.join('; ')}`);
}
