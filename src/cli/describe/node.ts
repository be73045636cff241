// `skiff describe node`: kubectl's describeNode — labels, taints, lease, conditions, addresses, capacity,
// system info, the pods running there with their requests/limits as a share of allocatable, and events.
import type { Event, Lease, Node, Pod } from '../../api/types.js';
import { translateTimestampSince } from '../../api/format.js';
import { cpuMillis, formatQuantity, parseQuantity } from '../../api/quantity.js';
import {
  DescribeWriter,
  rfc1123z,
  writeAnnotations,
  writeEvents,
  writeLabels,
  writeTaints,
} from './format.js';

export interface NodeDescription {
  node: Node;
  /** Pods bound to the node that have not terminated; undefined when they could not be listed. */
  pods?: Pod[];
  lease?: Lease;
  events?: Event[];
}

export function describeNode(d: NodeDescription, now: number): string {
  const { node } = d;
  const w = new DescribeWriter();
  const status = node.status ?? {};
  w.write(0, `Name:\t${node.metadata.name ?? ''}\n`);
  const roles = nodeRoles(node.metadata.labels ?? {});
  w.write(0, `Roles:\t${roles.length ? roles.join(',') : '<none>'}\n`);
  writeLabels(w, 'Labels', node.metadata.labels);
  writeAnnotations(w, 'Annotations', node.metadata.annotations);
  w.write(0, `CreationTimestamp:\t${rfc1123z(node.metadata.creationTimestamp)}\n`);
  writeTaints(w, 'Taints', node.spec?.taints);
  w.write(0, `Unschedulable:\t${!!node.spec?.unschedulable}\n`);
  w.write(0, 'Lease:\n');
  w.write(1, `HolderIdentity:\t${d.lease?.spec?.holderIdentity || '<unset>'}\n`);
  w.write(
    1,
    `AcquireTime:\t${d.lease?.spec?.acquireTime ? rfc1123z(d.lease.spec.acquireTime) : '<unset>'}\n`,
  );
  w.write(1, `RenewTime:\t${d.lease?.spec?.renewTime ? rfc1123z(d.lease.spec.renewTime) : '<unset>'}\n`);
  if (status.conditions?.length) {
    w.write(0, 'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n');
    w.write(1, '----\t------\t-----------------\t------------------\t------\t-------\n');
    for (const c of status.conditions) {
      w.write(
        1,
        `${c.type} \t${c.status} \t${rfc1123z(c.lastHeartbeatTime)} \t${rfc1123z(c.lastTransitionTime)} \t` +
          `${c.reason ?? ''} \t${c.message ?? ''}\n`,
      );
    }
  }
  w.write(0, 'Addresses:\n');
  for (const a of status.addresses ?? []) w.write(1, `${a.type}:\t${a.address}\n`);
  for (const [title, list] of [
    ['Capacity', status.capacity],
    ['Allocatable', status.allocatable],
  ] as const) {
    const names = Object.keys(list ?? {}).sort();
    if (names.length === 0) continue;
    w.write(0, `${title}:\n`);
    for (const n of names) w.write(0, `  ${n}:\t${list![n]}\n`);
  }
  const info = status.nodeInfo;
  w.write(0, 'System Info:\n');
  w.write(0, `  Machine ID:\t${info?.machineID ?? ''}\n`);
  w.write(0, `  System UUID:\t${info?.systemUUID ?? ''}\n`);
  w.write(0, `  Boot ID:\t${info?.bootID ?? ''}\n`);
  w.write(0, `  Kernel Version:\t${info?.kernelVersion ?? ''}\n`);
  w.write(0, `  OS Image:\t${info?.osImage ?? ''}\n`);
  w.write(0, `  Operating System:\t${info?.operatingSystem ?? ''}\n`);
  w.write(0, `  Architecture:\t${info?.architecture ?? ''}\n`);
  w.write(0, `  Container Runtime Version:\t${info?.containerRuntimeVersion ?? ''}\n`);
  w.write(0, `  Kubelet Version:\t${info?.kubeletVersion ?? ''}\n`);
  w.write(0, `  Kube-Proxy Version:\t${info?.kubeProxyVersion ?? ''}\n`);
  if (node.spec?.podCIDR) w.write(0, `PodCIDR:\t${node.spec.podCIDR}\n`);
  if (node.spec?.podCIDRs?.length) w.write(0, `PodCIDRs:\t${node.spec.podCIDRs.join(',')}\n`);
  if (node.spec?.providerID) w.write(0, `ProviderID:\t${node.spec.providerID}\n`);
  if (d.pods) writePods(w, node, d.pods, now);
  else w.write(0, 'Pods:\tnot authorized\n');
  writeEvents(w, d.events, now);
  return w.toString();
}

/** `node-role.kubernetes.io/<role>` and `kubernetes.io/role` labels, sorted. */
export function nodeRoles(labels: Record<string, string>): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

interface Usage {
  cpuReq: number;
  cpuLim: number;
  memReq: number;
  memLim: number;
}

function writePods(w: DescribeWriter, node: Node, pods: Pod[], now: number): void {
  const alloc = Object.keys(node.status?.allocatable ?? {}).length
    ? node.status!.allocatable!
    : (node.status?.capacity ?? {});
  const cpuAlloc = alloc.cpu ? cpuMillis(alloc.cpu) : 0;
  const memAlloc = alloc.memory ? parseQuantity(alloc.memory) : 0;
  w.write(0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
  w.write(1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
  w.write(1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n');
  const total: Usage = { cpuReq: 0, cpuLim: 0, memReq: 0, memLim: 0 };
  for (const pod of pods) {
    const u = podUsage(pod);
    total.cpuReq += u.cpuReq;
    total.cpuLim += u.cpuLim;
    total.memReq += u.memReq;
    total.memLim += u.memLim;
    w.write(
      1,
      `${pod.metadata.namespace ?? ''}\t${pod.metadata.name ?? ''}\t\t${cpu(u.cpuReq, cpuAlloc)}\t` +
        `${cpu(u.cpuLim, cpuAlloc)}\t${mem(u.memReq, memAlloc)}\t${mem(u.memLim, memAlloc)}\t` +
        `${translateTimestampSince(pod.metadata.creationTimestamp, now)}\n`,
    );
  }
  w.write(0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n');
  w.write(1, 'Resource\tRequests\tLimits\n');
  w.write(1, '--------\t--------\t------\n');
  w.write(1, `cpu\t${cpu(total.cpuReq, cpuAlloc)}\t${cpu(total.cpuLim, cpuAlloc)}\n`);
  w.write(1, `memory\t${mem(total.memReq, memAlloc)}\t${mem(total.memLim, memAlloc)}\n`);
  w.write(1, 'ephemeral-storage\t0 (0%)\t0 (0%)\n');
  for (const name of Object.keys(alloc)
    .filter((n) => n.startsWith('hugepages-'))
    .sort()) {
    w.write(1, `${name}\t0 (0%)\t0 (0%)\n`);
  }
}

/** A pod's requests and limits: the sum over its containers, or the largest init container if that is more. */
export function podUsage(pod: Pod): Usage {
  const of = (list: Record<string, string> | undefined, key: string, parse: (q: string) => number) => {
    const v = list?.[key];
    const n = v === undefined ? 0 : parse(v);
    return Number.isFinite(n) ? n : 0;
  };
  const sum: Usage = { cpuReq: 0, cpuLim: 0, memReq: 0, memLim: 0 };
  const add = (
    target: Usage,
    r: { requests?: Record<string, string>; limits?: Record<string, string> } = {},
  ) => {
    target.cpuReq += of(r.requests, 'cpu', cpuMillis);
    target.cpuLim += of(r.limits, 'cpu', cpuMillis);
    target.memReq += of(r.requests, 'memory', parseQuantity);
    target.memLim += of(r.limits, 'memory', parseQuantity);
  };
  for (const c of pod.spec?.containers ?? []) add(sum, c.resources);
  for (const c of pod.spec?.initContainers ?? []) {
    const one: Usage = { cpuReq: 0, cpuLim: 0, memReq: 0, memLim: 0 };
    add(one, c.resources);
    sum.cpuReq = Math.max(sum.cpuReq, one.cpuReq);
    sum.cpuLim = Math.max(sum.cpuLim, one.cpuLim);
    sum.memReq = Math.max(sum.memReq, one.memReq);
    sum.memLim = Math.max(sum.memLim, one.memLim);
  }
  return sum;
}

function cpu(millis: number, allocMillis: number): string {
  return `${formatQuantity(millis / 1000)} (${percent(millis, allocMillis)}%)`;
}

function mem(bytes: number, allocBytes: number): string {
  return `${formatQuantity(bytes, 'BinarySI')} (${percent(bytes, allocBytes)}%)`;
}

function percent(value: number, total: number): number {
  return total > 0 ? Math.trunc((value / total) * 100) : 0;
}
