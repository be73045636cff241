// Simulated cluster objects for the control-plane benchmarks: Ready nodes with allocatable resources and no agent
// behind them, pending pods with requests, and, where a node lifecycle controller watches (a real master), the
// heartbeats a real agent sends (lease renewals and node status), which keep the simulated nodes Ready.
import type { KubeObject, Node, Pod } from '../../src/api/types.js';
import { NODES, type ApiClient, type ResourceRef } from '../../src/client/api-client.js';
import { NodeLease } from '../../agent/kubelet/node-lease.js';
import { buildNodeStatus, HEARTBEAT_RETRY_MS, type NodeFacts } from '../../agent/kubelet/node-status.js';
import { systemClock, type TimerHandle } from '../../src/common/clock.js';
import { isApiError } from '../../src/common/errors.js';
import { silentLogger } from '../../src/common/logger.js';
import { mapLimit } from './proc.js';

export function simNodeName(i: number): string {
  return `sim-node-${i}`;
}

export function simNodeIP(i: number): string {
  return `10.${100 + Math.floor(i / 65536)}.${(i >> 8) & 255}.${i & 255}`;
}

export function simNode(i: number, nowIso: string): Node {
  const name = simNodeName(i);
  const resources = { cpu: '32', memory: '128Gi', pods: '110', 'ephemeral-storage': '200Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'topology.kubernetes.io/zone': `zone-${i % 3}`,
      },
    },
    spec: {},
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'simulated node',
          lastHeartbeatTime: nowIso,
          lastTransitionTime: nowIso,
        },
      ],
      addresses: [{ type: 'InternalIP', address: simNodeIP(i) }],
    },
  } as Node;
}

export function pendingPod(name: string, namespace: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'sim' } },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'skiff/busybox:1',
          command: ['sleep', '3600'],
          resources: { requests: { cpu: '100m', memory: '64Mi' } },
        },
      ],
    },
  };
}

/**
 * A create that survives a dropped connection (e.g. a keep-alive socket the busy server closed as it was reused:
 * ECONNRESET, reported as 503 "Unable to connect"): retried up to 3 times, and AlreadyExists after a retry means
 * the first attempt landed. Any answer from the server itself is final.
 */
export async function createRetrying<T extends KubeObject>(
  client: ApiClient,
  ref: ResourceRef,
  namespace: string | undefined,
  obj: T,
): Promise<T | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.create<T>(ref, namespace, obj);
    } catch (err) {
      if (attempt > 0 && isApiError(err, 'AlreadyExists')) return undefined;
      const transport = isApiError(err, 'ServiceUnavailable') && /Unable to connect/.test(String(err));
      if (!transport || attempt >= 3) throw err;
    }
  }
}

/** Creates the nodes (then sets their status, which a create may drop), `concurrency` at a time. */
export async function createSimNodes(client: ApiClient, count: number, concurrency: number): Promise<void> {
  const now = new Date().toISOString();
  await mapLimit(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      const node = simNode(i, now);
      const created = await createRetrying<Node>(client, NODES, undefined, node);
      if (created && !created.status?.conditions?.length)
        await client.updateStatus<Node>(NODES, undefined, { ...created, status: node.status });
    },
  );
}

/** What a simulated node's agent would report about its host (the status matches simNode's resources). */
export function simNodeFacts(i: number): NodeFacts {
  return {
    nodeName: simNodeName(i),
    nodeIP: simNodeIP(i),
    port: 10250,
    cpus: 32,
    memoryBytes: 128 * 2 ** 30,
    diskBytes: 200 * 2 ** 30,
    kernelVersion: 'simulated',
    osImage: 'simulated',
    architecture: 'amd64',
    machineID: `sim-${i}`,
    bootID: `sim-${i}`,
    runtimeVersion: 'docker://simulated',
  };
}

export interface SimHeartbeatOptions {
  /** Lease renewal period (the agent's NodeLease renewSeconds). */
  leaseSeconds: number;
  /** Node status period (the agent's NodeStatusManager heartbeatSeconds, 10 s). */
  statusSeconds: number;
}

/**
 * One simulated agent's node status heartbeat, as agent/kubelet/node-status.ts writes it: read the Node, rewrite
 * its status with buildNodeStatus (Ready=True, fresh lastHeartbeatTime), on a conflict once more onto the current
 * version. So a node the lifecycle controller marked Unknown (the master too busy to take a renewal in time)
 * turns Ready again at the next beat, as a real agent's does.
 */
export async function postSimNodeStatus(client: ApiClient, i: number): Promise<void> {
  const name = simNodeName(i);
  const put = (n: Node) =>
    client.updateStatus<Node>(NODES, undefined, {
      ...n,
      status: buildNodeStatus(n.status, simNodeFacts(i), systemClock.now()),
    });
  try {
    await put(await client.get<Node>(NODES, undefined, name));
  } catch (err) {
    if (!isApiError(err, 'Conflict')) throw err;
    await put(await client.get<Node>(NODES, undefined, name));
  }
}

/**
 * Heartbeats for simulated nodes, what each agent sends (agent/kubelet/node-lease.ts and node-status.ts): its
 * Lease renewed every `leaseSeconds` with the agent's own NodeLease, and its node status rewritten every
 * `statusSeconds` (2 s after a failure, the agent's HEARTBEAT_RETRY_MS); the starts are staggered over one period
 * (real agents are not in step). Returns a stop function.
 */
export function startSimHeartbeats(client: ApiClient, count: number, opts: SimHeartbeatOptions): () => void {
  const leases: NodeLease[] = [];
  const timers = new Set<TimerHandle>();
  let stopped = false;
  const later = (ms: number, fn: () => void) => {
    const t = systemClock.setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn();
    }, ms);
    timers.add(t);
  };
  const statusLoop = (i: number) => {
    postSimNodeStatus(client, i).then(
      () => later(opts.statusSeconds * 1000, () => statusLoop(i)),
      () => later(Math.min(opts.statusSeconds * 1000, HEARTBEAT_RETRY_MS), () => statusLoop(i)),
    );
  };
  const n = Math.max(1, count);
  for (let i = 0; i < count; i++) {
    later((i * opts.leaseSeconds * 1000) / n, () => {
      const lease = new NodeLease({
        client,
        clock: systemClock,
        log: silentLogger,
        nodeName: simNodeName(i),
        renewSeconds: opts.leaseSeconds,
      });
      lease.start();
      leases.push(lease);
    });
    later((i * opts.statusSeconds * 1000) / n, () => statusLoop(i));
  }
  return () => {
    stopped = true;
    for (const t of timers) systemClock.clearTimeout(t);
    timers.clear();
    for (const l of leases) l.stop();
  };
}
