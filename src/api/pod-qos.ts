// A pod's quality-of-service class (k8s.io/kubernetes/pkg/apis/core/helper/qos): what the kubelet would use to
// pick the victim under memory pressure, and what `kubectl describe pod` prints as "QoS Class".
//   Guaranteed  every container has cpu and memory limits, and requests equal limits
//   BestEffort  no container requests or limits cpu or memory
//   Burstable   anything else
import { parseQuantity } from './quantity.js';
import type { Container, PodSpec } from './types.js';

const QOS_RESOURCES = ['cpu', 'memory'];

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

export function computeQosClass(spec: PodSpec): QosClass {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  const containers: Container[] = [
    ...(Array.isArray(spec.containers) ? spec.containers : []),
    ...(Array.isArray(spec.initContainers) ? spec.initContainers : []),
  ];
  for (const c of containers) {
    const add = (into: Map<string, number>, values: Record<string, string> | undefined): Set<string> => {
      const found = new Set<string>();
      for (const name of QOS_RESOURCES) {
        const raw = values?.[name];
        const q = raw === undefined ? 0 : parseQuantity(raw);
        if (q > 0) {
          into.set(name, (into.get(name) ?? 0) + q);
          found.add(name);
        }
      }
      return found;
    };
    add(requests, c?.resources?.requests);
    const limitsFound = add(limits, c?.resources?.limits);
    if (!QOS_RESOURCES.every((r) => limitsFound.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, q] of requests)
      if (Math.abs((limits.get(name) ?? 0) - q) > 1e-9 * Math.max(1, q)) guaranteed = false;
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
