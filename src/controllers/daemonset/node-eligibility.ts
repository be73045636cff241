// Which nodes a DaemonSet runs on (Kubernetes' NodeShouldRunDaemonPod): the pod it would create must fit the node's
// name, node selector / required node affinity and taints. It returns two answers:
//   shouldRun              a new daemon pod may be placed here (no untolerated NoSchedule or NoExecute taint)
//   shouldContinueRunning  an existing daemon pod may stay (only NoExecute taints evict)
//
// Kubernetes' node lifecycle controller turns node conditions into taints (a NotReady node gets
// not-ready:NoSchedule and not-ready:NoExecute). skiff's scheduler reads the conditions directly, so the taints the
// conditions imply are added here. The result is the same as in Kubernetes: a NotReady or unreachable node gets no
// new daemon pod (the NoSchedule taint is not tolerated), and the pod already there stays, because every daemon pod
// tolerates the NoExecute taint.
import type { DaemonSet, Node, Pod, Taint } from '../../api/types.js';
import { matchesNodeSelector } from '../../scheduler/plugins/node-affinity.js';
import { readinessTaint } from '../../scheduler/plugins/node-ready.js';
import { tolerated } from '../../scheduler/plugins/taint-toleration.js';
import {
  daemonPodTolerations,
  TAINT_DISK_PRESSURE,
  TAINT_MEMORY_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_PID_PRESSURE,
  TAINT_UNSCHEDULABLE,
} from './daemon-pods.js';

export interface NodeVerdict {
  shouldRun: boolean;
  shouldContinueRunning: boolean;
}

const CONDITION_TAINTS: Record<string, string> = {
  MemoryPressure: TAINT_MEMORY_PRESSURE,
  DiskPressure: TAINT_DISK_PRESSURE,
  PIDPressure: TAINT_PID_PRESSURE,
  NetworkUnavailable: TAINT_NETWORK_UNAVAILABLE,
};

/** The node's taints plus those its conditions and spec.unschedulable imply (TaintNodesByCondition). */
export function effectiveTaints(node: Node): Taint[] {
  const taints: Taint[] = [...(node.spec?.taints ?? [])];
  const add = (key: string, effect: Taint['effect']) => {
    if (!taints.some((t) => t.key === key && t.effect === effect)) taints.push({ key, effect });
  };
  const readiness = readinessTaint(node);
  if (readiness) {
    add(readiness, 'NoSchedule');
    add(readiness, 'NoExecute');
  }
  if (node.spec?.unschedulable) add(TAINT_UNSCHEDULABLE, 'NoSchedule');
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type];
    if (key && c.status === 'True') add(key, 'NoSchedule');
  }
  return taints;
}

/** NewPod: the daemon pod as it would be created for `node` (for the predicates only). */
function newDaemonPod(ds: DaemonSet, node: string): Pod {
  const spec = structuredClone(ds.spec.template.spec);
  spec.nodeName = node;
  spec.tolerations = daemonPodTolerations(spec);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: ds.metadata.namespace, labels: ds.spec.template.metadata?.labels },
    spec,
  };
}

export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): NodeVerdict {
  const name = node.metadata.name ?? '';
  const wanted = ds.spec.template.spec.nodeName;
  if (wanted && wanted !== name) return { shouldRun: false, shouldContinueRunning: false };
  const pod = newDaemonPod(ds, name);
  if (!matchesNodeSelector(pod, node)) return { shouldRun: false, shouldContinueRunning: false };
  const untolerated = (effects: Taint['effect'][]) =>
    effectiveTaints(node).some((t) => effects.includes(t.effect) && !tolerated(pod.spec.tolerations, t));
  if (untolerated(['NoSchedule', 'NoExecute'])) {
    return { shouldRun: false, shouldContinueRunning: !untolerated(['NoExecute']) };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}
