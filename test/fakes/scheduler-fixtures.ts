// Small builders for Pods and Nodes in scheduler tests: only the fields the scheduler reads.
import type {
  Affinity,
  Container,
  Node,
  Pod,
  PodPhase,
  Taint,
  Toleration,
  TopologySpreadConstraint,
} from '../../src/api/types.js';

export interface PodOptions {
  namespace?: string;
  cpu?: string;
  memory?: string;
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  hostPorts?: number[];
  /** Controller owner name (and uid); a ReplicaSet unless ownerKind says otherwise. */
  owner?: string;
  ownerKind?: 'ReplicaSet' | 'StatefulSet' | 'Job';
  phase?: PodPhase;
  containers?: Container[];
  initContainers?: Container[];
  affinity?: Affinity;
  topologySpreadConstraints?: TopologySpreadConstraint[];
  schedulerName?: string;
  labels?: Record<string, string>;
}

export function makePod(name: string, o: PodOptions = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  const container: Container = {
    name: 'app',
    image: 'busybox',
    ...(o.cpu || o.memory ? { resources: { requests } } : {}),
    ...(o.hostPorts ? { ports: o.hostPorts.map((p) => ({ containerPort: p, hostPort: p })) } : {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      labels: o.labels,
      ...(o.owner
        ? {
            ownerReferences: [
              {
                apiVersion: o.ownerKind === 'Job' ? 'batch/v1' : 'apps/v1',
                kind: o.ownerKind ?? 'ReplicaSet',
                name: o.owner,
                uid: o.owner,
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      containers: o.containers ?? [container],
      ...(o.initContainers ? { initContainers: o.initContainers } : {}),
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.affinity ? { affinity: o.affinity } : {}),
      ...(o.topologySpreadConstraints ? { topologySpreadConstraints: o.topologySpreadConstraints } : {}),
      ...(o.schedulerName ? { schedulerName: o.schedulerName } : {}),
    },
    status: { phase: o.phase ?? 'Pending' },
  };
}

export interface NodeOptions {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  ready?: 'True' | 'False' | 'Unknown' | 'absent';
}

export function makeNode(name: string, o: NodeOptions = {}): Node {
  const alloc = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}`, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: {
      ...(o.taints ? { taints: o.taints } : {}),
      ...(o.unschedulable ? { unschedulable: true } : {}),
    },
    status: {
      capacity: alloc,
      allocatable: alloc,
      conditions:
        o.ready === 'absent' ? [] : [{ type: 'Ready', status: o.ready ?? 'True', reason: 'KubeletReady' }],
    },
  };
}
