// A ClusterState built from fixed lists: what schedule() uses when the caller gives none (the pods of the
// NodeInfos, no other objects), and what plugin tests use. The scheduler builds its own from its informers.
import type { Namespace, PersistentVolumeClaim, ReplicaSet, Service, StatefulSet } from '../api/types.js';
import type { ClusterState, NodeInfo } from './framework.js';
import { PodIndex } from './pod-index.js';

export interface ClusterObjects {
  pvcs?: PersistentVolumeClaim[];
  services?: Service[];
  replicaSets?: ReplicaSet[];
  statefulSets?: StatefulSet[];
  namespaces?: Namespace[];
}

const keyOf = (o: { metadata: { namespace?: string; name?: string } }) =>
  `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

/** Indexes the pods the NodeInfos hold, on their node. */
export function podIndexOf(nodeInfos: readonly NodeInfo[]): PodIndex {
  const index = new PodIndex();
  for (const ni of nodeInfos) for (const pod of ni.pods.values()) index.add(pod, ni.name);
  return index;
}

export function staticClusterState(
  nodeInfos: readonly NodeInfo[],
  objects: ClusterObjects = {},
): ClusterState {
  const byName = new Map(nodeInfos.map((ni) => [ni.name, ni]));
  const pvcs = new Map((objects.pvcs ?? []).map((o) => [keyOf(o), o]));
  const replicaSets = new Map((objects.replicaSets ?? []).map((o) => [keyOf(o), o]));
  const statefulSets = new Map((objects.statefulSets ?? []).map((o) => [keyOf(o), o]));
  const namespaces = new Map((objects.namespaces ?? []).map((o) => [o.metadata.name ?? '', o]));
  let pods: PodIndex | undefined; // built on first use: most plugins never ask
  return {
    pvc: (ns, name) => pvcs.get(`${ns}/${name}`),
    services: (ns) => (objects.services ?? []).filter((s) => (s.metadata.namespace ?? '') === ns),
    replicaSet: (ns, name) => replicaSets.get(`${ns}/${name}`),
    statefulSet: (ns, name) => statefulSets.get(`${ns}/${name}`),
    namespaceLabels: (name) =>
      namespaces.get(name)?.metadata.labels ?? (namespaces.has(name) ? {} : undefined),
    nodeInfo: (name) => byName.get(name),
    get pods() {
      return (pods ??= podIndexOf(nodeInfos));
    },
  };
}
