// The DaemonSet decision (Kubernetes pkg/controller/daemon: manage → podsShouldBeOnNode, then rollingUpdate), as
// pure functions of the DaemonSet, the nodes, its pods and the time. The controller acts on the plan.
//
//   manage         per node: create the missing daemon pod, delete failed/succeeded pods (with backoff), keep
//                  only the oldest pod when there are several, delete pods on nodes that no longer qualify
//                  (misscheduled) or no longer exist.
//   rollingUpdate  only when manage had nothing to do (Kubernetes checks its expectations in between): delete
//                  old-revision pods on at most maxUnavailable nodes at a time (counting the unavailable ones),
//                  or with maxSurge create the new pod beside the old one and delete the old one once the new one
//                  is available. manage then creates the replacement pods.
import type { DaemonSet, Node, Pod } from '../../api/types.js';
import { podIsAvailable, podIsReady } from '../../api/object-meta.js';
import { CONTROLLER_REVISION_HASH_LABEL } from '../common/controller-revision.js';
import { compareDaemonPods, isPodUpdated, nodeToDaemonPods, templateGeneration } from './daemon-pods.js';
import { nodeShouldRunDaemonPod } from './node-eligibility.js';

export interface DaemonSetView {
  ds: DaemonSet;
  /** Every node in the cluster. */
  nodes: readonly Node[];
  /** The pods the DaemonSet controls (terminating ones included). */
  pods: readonly Pod[];
  /** The current revision's hash (controller-revision-hash). */
  hash: string;
  /** Clock ms. */
  now: number;
  /** Failed-pod backoff: ms before a failed pod on this node may be deleted again (0 or absent: now). */
  backoffRemaining?: (node: string) => number;
}

export type DeleteReason = 'failed' | 'succeeded' | 'excess' | 'misscheduled' | 'orphaned' | 'update';

export interface DaemonPodDeletion {
  name: string;
  node: string;
  reason: DeleteReason;
  /** Delete with grace 0: the pod's node is gone, so no kubelet will confirm a graceful deletion. */
  force?: boolean;
}

export interface DaemonSetEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface DaemonSetPlan {
  /** Nodes that get a new daemon pod. */
  create: string[];
  delete: DaemonPodDeletion[];
  events: DaemonSetEvent[];
  /** Nodes whose failed pod is deleted now: their failed-pod backoff steps up. */
  failedOn: string[];
  /** Sync again after this long (a failed pod still in backoff). */
  requeueAfterMs?: number;
}

// ---- rolling update arithmetic -------------------------------------------------------------------

/** intstr.GetScaledValueFromIntOrPercent: an int as is, `N%` of total (rounded up or down). */
export function scaledValue(value: number | string, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const v = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(v) : Math.floor(v);
}

export function isRollingUpdate(ds: DaemonSet): boolean {
  return (ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** util.UnavailableCount / util.SurgeCount for `desired` nodes (both round up; 0 unless RollingUpdate). */
export function rollingUpdateCounts(
  ds: DaemonSet,
  desired: number,
): { maxUnavailable: number; maxSurge: number } {
  if (!isRollingUpdate(ds)) return { maxUnavailable: 0, maxSurge: 0 };
  const ru = ds.spec.updateStrategy?.rollingUpdate;
  let maxUnavailable = scaledValue(ru?.maxUnavailable ?? 1, desired, true);
  const maxSurge = scaledValue(ru?.maxSurge ?? 0, desired, true);
  // An impossible configuration (both 0) falls back to accepting one unavailable node, as Kubernetes does.
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxUnavailable, maxSurge };
}

export function allowsSurge(ds: DaemonSet): boolean {
  try {
    return rollingUpdateCounts(ds, 1).maxSurge > 0;
  } catch {
    return false;
  }
}

// ---- manage ------------------------------------------------------------------------------------------

const terminating = (p: Pod) => !!p.metadata.deletionTimestamp;
const available = (p: Pod, ds: DaemonSet, now: number) =>
  podIsAvailable(p, ds.spec.minReadySeconds ?? 0, now);

interface NodePlan {
  create: boolean;
  delete: DaemonPodDeletion[];
  events: DaemonSetEvent[];
  failed: boolean;
  requeueAfterMs?: number;
}

/** podsShouldBeOnNode: what to create and delete on one node. `daemonPods` are the DaemonSet's pods there. */
export function podsShouldBeOnNode(node: Node, daemonPods: readonly Pod[], view: DaemonSetView): NodePlan {
  const { ds, hash, now } = view;
  const nodeName = node.metadata.name ?? '';
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  const plan: NodePlan = { create: false, delete: [], events: [], failed: false };
  const del = (p: Pod, reason: DeleteReason) =>
    plan.delete.push({ name: p.metadata.name ?? '', node: nodeName, reason });
  const exists = daemonPods.length > 0;

  if (shouldRun && !exists) {
    plan.create = true;
    return plan;
  }
  if (!shouldContinueRunning) {
    for (const p of daemonPods) if (!terminating(p)) del(p, 'misscheduled');
    return plan;
  }

  const running: Pod[] = [];
  for (const p of daemonPods) {
    if (terminating(p)) continue;
    const phase = p.status?.phase;
    const podRef = `${p.metadata.namespace}/${p.metadata.name}`;
    if (phase === 'Failed') {
      // The DaemonSet often fights a kubelet that rejects its pods: back off instead of hot-looping.
      const wait = view.backoffRemaining?.(nodeName) ?? 0;
      if (wait > 0) {
        plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? wait, wait);
        continue;
      }
      plan.failed = true;
      plan.events.push({
        type: 'Warning',
        reason: 'FailedDaemonPod',
        message: `Found failed daemon pod ${podRef} on node ${nodeName}, will try to kill it`,
      });
      del(p, 'failed');
    } else if (phase === 'Succeeded') {
      plan.events.push({
        type: 'Normal',
        reason: 'SucceededDaemonPod',
        message: `Found succeeded daemon pod ${podRef} on node ${nodeName}, will try to delete it`,
      });
      del(p, 'succeeded');
    } else {
      running.push(p);
    }
  }
  running.sort(compareDaemonPods);

  if (!allowsSurge(ds)) {
    // Without surge a node runs one daemon pod: keep the oldest. A node left with none gets one on the next sync.
    for (const p of running.slice(1)) del(p, 'excess');
    return plan;
  }
  if (running.length <= 1) {
    if (running.length === 0 && shouldRun) plan.create = true;
    return plan;
  }
  // With surge a node may run an old and a new pod while the new one becomes available; any others go.
  let oldestNew: Pod | undefined;
  let oldestOld: Pod | undefined;
  for (const p of running) {
    const isNew = p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash;
    if (isNew && !oldestNew) oldestNew = p;
    else if (!isNew && !oldestOld) oldestOld = p;
    else del(p, 'excess');
  }
  if (oldestNew && oldestOld && (!podIsReady(oldestOld) || available(oldestNew, ds, now)))
    del(oldestOld, 'update');
  return plan;
}

/** manage: the plan for every node, plus the pods whose node no longer exists. */
export function manage(view: DaemonSetView): DaemonSetPlan {
  const byNode = nodeToDaemonPods(view.pods);
  const plan: DaemonSetPlan = { create: [], delete: [], events: [], failedOn: [] };
  const known = new Set<string>();
  for (const node of view.nodes) {
    const name = node.metadata.name ?? '';
    known.add(name);
    const p = podsShouldBeOnNode(node, byNode.get(name) ?? [], view);
    if (p.create) plan.create.push(name);
    plan.delete.push(...p.delete);
    plan.events.push(...p.events);
    if (p.failed) plan.failedOn.push(name);
    if (p.requeueAfterMs !== undefined)
      plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? p.requeueAfterMs, p.requeueAfterMs);
  }
  // Pods meant for nodes that are gone. Kubernetes deletes the unscheduled ones here and leaves bound ones to the
  // pod garbage collector; skiff has none, so bound ones are force-deleted too (their kubelet is gone).
  for (const [node, pods] of [...byNode].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (known.has(node)) continue;
    for (const p of pods) {
      const name = p.metadata.name ?? '';
      if (p.spec.nodeName) plan.delete.push({ name, node, reason: 'orphaned', force: true });
      else if (!terminating(p)) plan.delete.push({ name, node, reason: 'orphaned' });
    }
  }
  return plan;
}

// ---- rolling update -------------------------------------------------------------------------------------

/** findUpdatedPodsOnNode: the node's one new and one old live pod; ok=false when it has more than one of either. */
function updatedPodsOnNode(
  pods: readonly Pod[],
  hash: string,
  generation: string | undefined,
): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const p of pods) {
    if (terminating(p)) continue;
    if (isPodUpdated(p, hash, generation)) {
      if (newPod) return { ok: false };
      newPod = p;
    } else {
      if (oldPod) return { ok: false };
      oldPod = p;
    }
  }
  return { newPod, oldPod, ok: true };
}

/** rollingUpdate: which old pods to delete (and, with surge, where to add new pods) in this round. */
export function rollingUpdate(view: DaemonSetView): { create: string[]; delete: DaemonPodDeletion[] } {
  const { ds, hash, now } = view;
  const generation = templateGeneration(ds);
  const byNode = nodeToDaemonPods(view.pods);
  const nodes = new Map(view.nodes.map((n) => [n.metadata.name ?? '', n]));
  let desired = 0;
  for (const [name, node] of nodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    desired++;
    if (!byNode.has(name)) byNode.set(name, []);
  }
  const { maxUnavailable, maxSurge } = rollingUpdateCounts(ds, desired);
  const entries = [...byNode].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const deletion = (p: Pod, node: string): DaemonPodDeletion => ({
    name: p.metadata.name ?? '',
    node,
    reason: 'update',
  });

  if (maxSurge === 0) {
    // Delete just enough old pods to stay within maxUnavailable; manage creates their replacements.
    let numUnavailable = 0;
    const replace: DaemonPodDeletion[] = [];
    const candidates: DaemonPodDeletion[] = [];
    for (const [node, pods] of entries) {
      const { newPod, oldPod, ok } = updatedPodsOnNode(pods, hash, generation);
      if (!ok || (!oldPod && !newPod) || (oldPod && newPod)) {
        numUnavailable++; // manage still has work here
      } else if (newPod) {
        if (!available(newPod, ds, now)) numUnavailable++;
      } else if (oldPod && !available(oldPod, ds, now)) {
        replace.push(deletion(oldPod, node)); // old and unavailable anyway: replace it right away
        numUnavailable++;
      } else if (oldPod && numUnavailable < maxUnavailable) {
        candidates.push(deletion(oldPod, node));
      }
    }
    const room = Math.min(Math.max(maxUnavailable - numUnavailable, 0), candidates.length);
    return { create: [], delete: [...replace, ...candidates.slice(0, room)] };
  }

  // Surge: a node with an old pod gets the new pod first; the old one goes once the new one is available.
  const oldPodsToDelete: DaemonPodDeletion[] = [];
  const shouldNotRun: DaemonPodDeletion[] = [];
  const allowedNew: string[] = [];
  const candidateNew: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;
  for (const [name, pods] of entries) {
    const { newPod, oldPod, ok } = updatedPodsOnNode(pods, hash, generation);
    if (!ok) {
      numSurge++;
      continue;
    }
    const shown = oldPod ?? newPod;
    if (shown && available(shown, ds, now)) numAvailable++;
    const node = nodes.get(name);
    const shouldRun = node ? nodeShouldRunDaemonPod(node, ds).shouldRun : false;
    if (!oldPod) continue; // nothing old here: manage handles the node
    if (!newPod) {
      if (!available(oldPod, ds, now)) {
        if (!shouldRun) oldPodsToDelete.push(deletion(oldPod, name));
        else allowedNew.push(name);
      } else if (!shouldRun) {
        shouldNotRun.push(deletion(oldPod, name));
      } else if (numSurge < maxSurge) {
        candidateNew.push(name);
      }
    } else if (!available(newPod, ds, now)) {
      numSurge++;
    } else {
      oldPodsToDelete.push(deletion(oldPod, name));
    }
  }
  // With surge the owner expects full availability: a pod on a node that no longer qualifies goes only when
  // enough pods elsewhere are available.
  const deletable = Math.min(numAvailable - desired, shouldNotRun.length);
  if (deletable > 0) oldPodsToDelete.push(...shouldNotRun.slice(0, deletable));
  const room = Math.min(Math.max(maxSurge - numSurge, 0), candidateNew.length);
  return { create: [...allowedNew, ...candidateNew.slice(0, room)], delete: oldPodsToDelete };
}

/**
 * The whole decision for one sync. The rolling update runs only when manage has nothing to do, as in Kubernetes
 * (whose rollingUpdate waits for the expectations manage just set).
 */
export function reconcileDaemonSet(view: DaemonSetView): DaemonSetPlan {
  const plan = manage(view);
  if (plan.create.length > 0 || plan.delete.length > 0 || !isRollingUpdate(view.ds)) return plan;
  const update = rollingUpdate(view);
  plan.create.push(...update.create);
  plan.delete.push(...update.delete);
  return plan;
}
