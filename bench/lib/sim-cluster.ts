// Simulated cluster objects for the control-plane benchmarks: Ready nodes with allocatable resources and no agent
// behind them, pending pods with requests, and, where a node lifecycle controller watches (a real master), lease
// heartbeats that keep the simulated nodes Ready.
import type { Node, Pod } from '../../src/api/types.js';
import { NODES, type ApiClient } from '../../src/client/api-client.js';
import { NodeLease } from '../../agent/kubelet/node-lease.js';
import { systemClock } from '../../src/common/clock.js';
import { silentLogger } from '../../src/common/logger.js';
import { mapLimit } from './proc.js';

export function simNodeName(i: number): string {
  return `sim-node-${i}`;
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
      addresses: [
        { type: 'InternalIP', address: `10.${100 + Math.floor(i / 65536)}.${(i >> 8) & 255}.${i & 255}` },
      ],
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

/** Creates the nodes (then sets their status, which a create may drop), `concurrency` at a time. */
export async function createSimNodes(client: ApiClient, count: number, concurrency: number): Promise<void> {
  const now = new Date().toISOString();
  await mapLimit(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      const node = simNode(i, now);
      const created = await client.create<Node>(NODES, undefined, node);
      if (!created.status?.conditions?.length)
        await client.updateStatus<Node>(NODES, undefined, { ...created, status: node.status });
    },
  );
}

/**
 * Heartbeats for simulated nodes, so the node lifecycle controller keeps them Ready: each renews its Lease with the
 * agent's own NodeLease every `renewSeconds`, the starts staggered over one period (real agents are not in step).
 * Returns a stop function.
 */
export function startSimHeartbeats(client: ApiClient, count: number, renewSeconds: number): () => void {
  const leases: NodeLease[] = [];
  const spreadMs = (renewSeconds * 1000) / Math.max(1, count);
  const timers = Array.from({ length: count }, (_, i) =>
    setTimeout(() => {
      const lease = new NodeLease({
        client,
        clock: systemClock,
        log: silentLogger,
        nodeName: simNodeName(i),
        renewSeconds,
      });
      lease.start();
      leases.push(lease);
    }, i * spreadMs),
  );
  return () => {
    for (const t of timers) clearTimeout(t);
    for (const l of leases) l.stop();
  };
}
