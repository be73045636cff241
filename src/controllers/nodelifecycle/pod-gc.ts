// Which pods the pod garbage collector force-deletes, decided purely (Kubernetes' PodGC,
// pkg/controller/podgc/gc_controller.go):
// - orphaned: bound to a node that no longer exists (after `kubectl delete node`). A node missing from the cache
//   is quarantined first, and only a node still missing afterwards — confirmed by the API, not the cache — counts
//   as deleted, so a lagging cache never costs a pod;
// - terminating on a node that is not Ready and carries the node.kubernetes.io/out-of-service taint (an admin's
//   statement that the node is down for good);
// - terminating without ever having been scheduled.
// A pod terminating on an unreachable node is NOT collected: its agent may still be running it, so it waits for
// the agent to come back (or for the node to be deleted or declared out of service), exactly as in Kubernetes.
import type { Node, Pod } from '../../api/types.js';
import { readyStatus } from './node-health.js';
import { DELETION_BY_POD_GC, type DisruptionReason } from './pod-conditions.js';

export const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

export type GcReason = 'orphaned' | 'terminating-out-of-service' | 'unscheduled-terminating';

export interface GcVerdict {
  pod: Pod;
  reason: GcReason;
  /** The DisruptionTarget condition to record before the deletion, if any. */
  condition?: DisruptionReason;
}

/** Names of nodes that pods are bound to but that are not in `nodes`. */
export function missingNodes(pods: Pod[], nodes: Node[]): Set<string> {
  const existing = new Set(nodes.map((n) => n.metadata.name));
  const missing = new Set<string>();
  for (const pod of pods) {
    const name = pod.spec?.nodeName;
    if (name && !existing.has(name)) missing.add(name);
  }
  return missing;
}

/**
 * The quarantine after this pass: nodes still missing keep the time they went missing, newly missing ones start
 * now, the rest are dropped. `due` lists those missing for at least `quarantineMs` (to be confirmed by the API).
 */
export function advanceQuarantine(
  prev: ReadonlyMap<string, number>,
  missing: ReadonlySet<string>,
  nowMs: number,
  quarantineMs: number,
): { quarantine: Map<string, number>; due: string[] } {
  const quarantine = new Map<string, number>();
  const due: string[] = [];
  for (const name of [...missing].sort()) {
    const since = prev.get(name) ?? nowMs;
    quarantine.set(name, since);
    if (nowMs - since >= quarantineMs) due.push(name);
  }
  return { quarantine, due };
}

function isOutOfService(node: Node | undefined): boolean {
  if (!node || readyStatus(node) === 'True') return false;
  return (node.spec?.taints ?? []).some((t) => t.key === TAINT_OUT_OF_SERVICE);
}

/** `deletedNodes`: nodes confirmed gone. Orphans first, then terminating pods by deletion time (oldest first). */
export function podsToCollect(pods: Pod[], nodes: Node[], deletedNodes: ReadonlySet<string>): GcVerdict[] {
  const byName = new Map(nodes.map((n) => [n.metadata.name ?? '', n]));
  const orphans: GcVerdict[] = [];
  const terminating: GcVerdict[] = [];
  for (const pod of pods) {
    const nodeName = pod.spec?.nodeName;
    if (nodeName && deletedNodes.has(nodeName)) {
      orphans.push({ pod, reason: 'orphaned', condition: DELETION_BY_POD_GC });
      continue;
    }
    if (!pod.metadata.deletionTimestamp) continue;
    if (!nodeName) terminating.push({ pod, reason: 'unscheduled-terminating' });
    else if (isOutOfService(byName.get(nodeName)))
      terminating.push({ pod, reason: 'terminating-out-of-service' });
  }
  const when = (v: GcVerdict) => v.pod.metadata.deletionTimestamp ?? '';
  terminating.sort((a, b) => when(a).localeCompare(when(b)));
  return [...orphans, ...terminating];
}
