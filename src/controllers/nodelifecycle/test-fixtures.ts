// Small valid objects for the node lifecycle tests (not used by the controllers themselves).
import type {
  Lease,
  Node,
  NodeCondition,
  Pod,
  PodCondition,
  PodPhase,
  Taint,
  Toleration,
} from '../../api/types.js';
import { rfc3339 } from '../../common/clock.js';
import { NODE_LEASE_NAMESPACE } from './node-health.js';

export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const at = (seconds: number) => T0 + seconds * 1000;
export const ts = (seconds: number) => rfc3339(at(seconds));

export function condition(
  type: string,
  status: NodeCondition['status'],
  heartbeatSeconds = 0,
  extra: Partial<NodeCondition> = {},
): NodeCondition {
  return {
    type,
    status,
    reason: `Kubelet${type}${status}`,
    message: `${type} is ${status}`,
    lastHeartbeatTime: ts(heartbeatSeconds),
    lastTransitionTime: ts(0),
    ...extra,
  };
}

/** The four conditions an agent posts, Ready with `ready`, the pressures False. */
export function agentConditions(ready: NodeCondition['status'], heartbeatSeconds = 0): NodeCondition[] {
  return [
    condition('MemoryPressure', 'False', heartbeatSeconds),
    condition('DiskPressure', 'False', heartbeatSeconds),
    condition('PIDPressure', 'False', heartbeatSeconds),
    condition('Ready', ready, heartbeatSeconds),
  ];
}

export function makeNode(
  name: string,
  opts: {
    conditions?: NodeCondition[];
    taints?: Taint[];
    unschedulable?: boolean;
    labels?: Record<string, string>;
    created?: string;
  } = {},
): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      ...(opts.labels ? { labels: opts.labels } : {}),
      ...(opts.created ? { creationTimestamp: opts.created } : {}),
    },
    spec: {
      ...(opts.taints ? { taints: opts.taints } : {}),
      ...(opts.unschedulable ? { unschedulable: true } : {}),
    },
    status: opts.conditions ? { conditions: opts.conditions } : {},
  };
}

export function makeLease(node: string, renewSeconds: number): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: node, namespace: NODE_LEASE_NAMESPACE },
    spec: {
      holderIdentity: node,
      leaseDurationSeconds: 40,
      renewTime: new Date(at(renewSeconds)).toISOString().replace(/Z$/, '000Z'),
    },
  };
}

export function makePod(
  name: string,
  opts: {
    node?: string;
    tolerations?: Toleration[];
    ready?: boolean;
    boundAt?: string;
    created?: string;
    namespace?: string;
    phase?: PodPhase;
    deletionTimestamp?: string;
  } = {},
): Pod {
  const conditions: PodCondition[] = [];
  if (opts.boundAt)
    conditions.push({ type: 'PodScheduled', status: 'True', lastTransitionTime: opts.boundAt });
  if (opts.ready !== undefined)
    conditions.push({
      type: 'Ready',
      status: opts.ready ? 'True' : 'False',
      lastTransitionTime: ts(0),
      lastProbeTime: null,
    });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: opts.namespace ?? 'default',
      ...(opts.created ? { creationTimestamp: opts.created } : {}),
      ...(opts.deletionTimestamp ? { deletionTimestamp: opts.deletionTimestamp } : {}),
    },
    spec: {
      containers: [{ name: 'app', image: 'skiff/busybox:1' }],
      ...(opts.node ? { nodeName: opts.node } : {}),
      ...(opts.tolerations ? { tolerations: opts.tolerations } : {}),
    },
    status: { phase: opts.phase ?? 'Running', conditions },
  };
}

/** The toleration the DefaultTolerationSeconds admission adds, with `seconds`. */
export function tolerate(key: string, seconds?: number): Toleration {
  return {
    key,
    operator: 'Exists',
    effect: 'NoExecute',
    ...(seconds !== undefined ? { tolerationSeconds: seconds } : {}),
  };
}
