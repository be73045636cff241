// Building and updating NodeInfo incrementally (a pod in, a pod out), so each scheduling decision reads
// ready-made sums instead of walking every pod. Also the resource arithmetic Kubernetes uses: a pod requests
// max(sum of its containers, largest init container); a missing request falls back to the limit.
import type { Container, Node, Pod } from '../api/types.js';
import { cpuMillis, parseQuantity } from '../api/quantity.js';
import { objectKey } from '../client/key.js';
import type { NodeInfo, Resources } from './framework.js';

/** kube-scheduler's defaults for containers without requests, used only when scoring. */
export const DEFAULT_CPU_MILLIS = 100;
export const DEFAULT_MEMORY_BYTES = 200 * 1024 * 1024;
/** The kubelet's default maxPods, used when a node reports no `pods` allocatable. */
export const DEFAULT_MAX_PODS = 110;

export interface PodResources {
  requests: Resources;
  nonZero: Resources;
}

const cache = new WeakMap<Pod, PodResources>();

function quantityOf(c: Container, resource: 'cpu' | 'memory'): number | undefined {
  const q = c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource];
  if (q === undefined) return undefined;
  const v = resource === 'cpu' ? cpuMillis(q) : Math.ceil(parseQuantity(q));
  return Number.isFinite(v) && v > 0 ? v : 0;
}

function containerResources(c: Container): PodResources {
  const cpu = quantityOf(c, 'cpu');
  const mem = quantityOf(c, 'memory');
  return {
    requests: { cpuMillis: cpu ?? 0, memoryBytes: mem ?? 0, pods: 0 },
    nonZero: { cpuMillis: cpu ?? DEFAULT_CPU_MILLIS, memoryBytes: mem ?? DEFAULT_MEMORY_BYTES, pods: 0 },
  };
}

/** What the pod asks for (memoized per pod object; objects from the informer are never mutated). */
export function podResources(pod: Pod): PodResources {
  const hit = cache.get(pod);
  if (hit) return hit;
  const requests: Resources = { cpuMillis: 0, memoryBytes: 0, pods: 1 };
  const nonZero: Resources = { cpuMillis: 0, memoryBytes: 0, pods: 1 };
  for (const c of pod.spec?.containers ?? []) {
    const r = containerResources(c);
    requests.cpuMillis += r.requests.cpuMillis;
    requests.memoryBytes += r.requests.memoryBytes;
    nonZero.cpuMillis += r.nonZero.cpuMillis;
    nonZero.memoryBytes += r.nonZero.memoryBytes;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerResources(c);
    requests.cpuMillis = Math.max(requests.cpuMillis, r.requests.cpuMillis);
    requests.memoryBytes = Math.max(requests.memoryBytes, r.requests.memoryBytes);
    nonZero.cpuMillis = Math.max(nonZero.cpuMillis, r.nonZero.cpuMillis);
    nonZero.memoryBytes = Math.max(nonZero.memoryBytes, r.nonZero.memoryBytes);
  }
  const out = { requests, nonZero };
  cache.set(pod, out);
  return out;
}

export function nodeAllocatable(node: Node): Resources {
  const a = node.status?.allocatable ?? node.status?.capacity ?? {};
  const cpu = a.cpu !== undefined ? cpuMillis(a.cpu) : 0;
  const mem = a.memory !== undefined ? parseQuantity(a.memory) : 0;
  const pods = a.pods !== undefined ? parseQuantity(a.pods) : DEFAULT_MAX_PODS;
  return {
    cpuMillis: Number.isFinite(cpu) ? cpu : 0,
    memoryBytes: Number.isFinite(mem) ? Math.floor(mem) : 0,
    pods: Number.isFinite(pods) ? Math.floor(pods) : DEFAULT_MAX_PODS,
  };
}

export interface HostPort {
  protocol: string;
  hostIP: string;
  port: number;
}

const hostPorts = new WeakMap<Pod, HostPort[]>();

/** Host ports the pod needs; with hostNetwork every container port is a host port. Memoized per pod object. */
export function podHostPorts(pod: Pod): HostPort[] {
  const hit = hostPorts.get(pod);
  if (hit) return hit;
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      const port = p.hostPort || (pod.spec.hostNetwork ? p.containerPort : 0);
      if (port > 0) out.push({ protocol: p.protocol ?? 'TCP', hostIP: p.hostIP || '0.0.0.0', port });
    }
  }
  hostPorts.set(pod, out);
  return out;
}

/**
 * Lets `copy` (the same pod with another spec.nodeName, as SchedulerCache.assume makes) reuse what was computed
 * for `pod` instead of parsing its quantities again.
 */
export function shareMemos(pod: Pod, copy: Pod): void {
  const r = cache.get(pod);
  if (r) cache.set(copy, r);
  const hp = hostPorts.get(pod);
  if (hp) hostPorts.set(copy, hp);
}

export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

export function newNodeInfo(node: Node, pods: Pod[] = []): NodeInfo {
  const ni: NodeInfo = {
    name: node.metadata.name ?? '',
    node,
    pods: new Map(),
    requested: { cpuMillis: 0, memoryBytes: 0, pods: 0 },
    nonZeroRequested: { cpuMillis: 0, memoryBytes: 0, pods: 0 },
    allocatable: nodeAllocatable(node),
    usedPorts: new Map(),
  };
  for (const p of pods) addPod(ni, p);
  return ni;
}

export function setNode(ni: NodeInfo, node: Node): void {
  ni.node = node;
  ni.allocatable = nodeAllocatable(node);
}

function account(ni: NodeInfo, pod: Pod, sign: 1 | -1): void {
  const { requests, nonZero } = podResources(pod);
  ni.requested.cpuMillis += sign * requests.cpuMillis;
  ni.requested.memoryBytes += sign * requests.memoryBytes;
  ni.requested.pods += sign;
  ni.nonZeroRequested.cpuMillis += sign * nonZero.cpuMillis;
  ni.nonZeroRequested.memoryBytes += sign * nonZero.memoryBytes;
  ni.nonZeroRequested.pods += sign;
  for (const hp of podHostPorts(pod)) {
    const k = `${hp.protocol}/${hp.port}`;
    const ips = ni.usedPorts.get(k) ?? new Map<string, number>();
    const n = (ips.get(hp.hostIP) ?? 0) + sign;
    if (n > 0) ips.set(hp.hostIP, n);
    else ips.delete(hp.hostIP);
    if (ips.size > 0) ni.usedPorts.set(k, ips);
    else ni.usedPorts.delete(k);
  }
}

/** Adds (or replaces) a pod on the node. */
export function addPod(ni: NodeInfo, pod: Pod): void {
  const key = objectKey(pod);
  const old = ni.pods.get(key);
  if (old) account(ni, old, -1);
  ni.pods.set(key, pod);
  account(ni, pod, 1);
}

export function removePod(ni: NodeInfo, key: string): boolean {
  const old = ni.pods.get(key);
  if (!old) return false;
  account(ni, old, -1);
  ni.pods.delete(key);
  return true;
}
