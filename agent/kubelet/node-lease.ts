// The node's Lease (coordination.k8s.io/v1, namespace kube-node-lease): the cheap heartbeat real kubelets renew
// every 10 s (a quarter of its 40 s duration). The node lifecycle controller and `kubectl describe node` read it.
// A failed renewal (the master away) is retried after 200 ms, doubling up to 7 s, as the kubelet's lease
// controller does, so the lease is fresh again within seconds of the master's return.
import type { Lease, Node } from '../../src/api/types.js';
import { LEASES, NODES, type ApiClient } from '../../src/client/api-client.js';
import type { Clock, TimerHandle } from '../../src/common/clock.js';
import { isApiError } from '../../src/common/errors.js';
import type { Logger } from '../../src/common/logger.js';
import { FailureLog } from './failure-log.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const LEASE_DURATION_SECONDS = 40;

/** Retry delay after `failures` failed renewals in a row: 200 ms doubling up to 7 s (the kubelet's lease controller). */
export function leaseRetryDelay(failures: number): number {
  return Math.min(200 * 2 ** Math.max(0, failures - 1), 7000);
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export const DEFAULT_RENEW_SECONDS = 2.5;

export interface NodeLeaseOptions {
  client: ApiClient;
  clock: Clock;
  log: Logger;
  nodeName: string;
  /**
   * How often the Lease is renewed. Default 2.5 s: a quarter of skiff's 10 s node-monitor grace period, as upstream
   * renews every 10 s against a 40–50 s grace (several renewals may be lost before a node looks silent).
   */
  renewSeconds?: number;
}

export class NodeLease {
  private timer?: TimerHandle;
  private stopped = false;

  private readonly failures: FailureLog;

  constructor(private readonly opts: NodeLeaseOptions) {
    this.failures = new FailureLog(opts.log, 'renewing the node lease');
  }

  async renew(): Promise<void> {
    const { client, clock, nodeName } = this.opts;
    const now = microTime(clock.now());
    try {
      const lease = await client.get<Lease>(LEASES, NODE_LEASE_NAMESPACE, nodeName);
      await client.update<Lease>(LEASES, NODE_LEASE_NAMESPACE, {
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: nodeName,
          leaseDurationSeconds: LEASE_DURATION_SECONDS,
          renewTime: now,
        },
      });
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
      // Owned by the Node, so deleting the Node deletes its lease.
      const node = await client.get<Node>(NODES, undefined, nodeName).catch(() => undefined);
      await client.create<Lease>(LEASES, NODE_LEASE_NAMESPACE, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name: nodeName,
          namespace: NODE_LEASE_NAMESPACE,
          ...(node?.metadata.uid
            ? {
                ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata.uid }],
              }
            : {}),
        },
        spec: { holderIdentity: nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now },
      });
    }
  }

  start(): void {
    const tick = async () => {
      try {
        await this.renew();
        this.failures.succeeded();
      } catch (err) {
        // The master is unreachable (or restarting): try again at the next period.
        this.failures.failed(err);
      }
      const period = (this.opts.renewSeconds ?? DEFAULT_RENEW_SECONDS) * 1000;
      const delay = this.failures.count > 0 ? Math.min(period, leaseRetryDelay(this.failures.count)) : period;
      if (!this.stopped) this.timer = this.opts.clock.setTimeout(tick, delay);
    };
    void tick();
  }

  stop(): void {
    this.stopped = true;
    this.opts.clock.clearTimeout(this.timer);
  }
}
