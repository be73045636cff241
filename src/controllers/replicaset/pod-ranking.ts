// Which pods a ReplicaSet deletes first when it has too many: Kubernetes' getPodsToDelete and
// ActivePodsWithRanks.Less (pkg/controller/replicaset/replica_set.go, pkg/controller/controller_utils.go).
// The cheapest pods to lose go first, so scaling down hurts availability as little as possible:
//   1. unassigned < assigned            2. Pending < Unknown < Running      3. not ready < ready
//   4. lower pod-deletion-cost annotation < higher
//   5. doubled up (more active pods of the same owner on its node) < alone
//   6. ready for less time < ready for longer     7. more container restarts < fewer
//   8. newer < older
import { getPodCondition, podIsReady } from '../../api/object-meta.js';
import type { Pod } from '../../api/types.js';

export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** Not terminal (Succeeded/Failed) and not being deleted: the pods a ReplicaSet counts (FilterActivePods). */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/**
 * The `diff` pods of `pods` to delete. `relatedPods` are the active pods of every ReplicaSet with the same owner
 * (the Deployment's other ReplicaSets), used to prefer pods doubled up on a node.
 */
export function podsToDelete(pods: Pod[], relatedPods: Pod[], diff: number): Pod[] {
  if (diff >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const p of relatedPods) {
    if (!isPodActive(p)) continue;
    const node = p.spec?.nodeName ?? '';
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((a, b) => comparePodsForDeletion(a.pod, a.rank, b.pod, b.rank));
  return ranked.slice(0, diff).map((r) => r.pod);
}

/** Negative when `a` should be deleted before `b` (ActivePodsWithRanks.Less as a comparator). */
export function comparePodsForDeletion(a: Pod, rankA: number, b: Pod, rankB: number): number {
  const before = (aFirst: boolean) => (aFirst ? -1 : 1);
  const nodeA = a.spec?.nodeName ?? '';
  const nodeB = b.spec?.nodeName ?? '';
  if (nodeA !== nodeB && (nodeA === '' || nodeB === '')) return before(nodeA === '');
  const phaseA = PHASE_ORDINAL[a.status?.phase ?? ''] ?? 0;
  const phaseB = PHASE_ORDINAL[b.status?.phase ?? ''] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = podIsReady(a);
  const readyB = podIsReady(b);
  if (readyA !== readyB) return before(!readyA);
  const costA = deletionCost(a);
  const costB = deletionCost(b);
  if (costA !== costB) return costA - costB;
  if (rankA !== rankB) return before(rankA > rankB);
  if (readyA && readyB) {
    const c = afterOrZero(readySince(a), readySince(b));
    if (c !== 0) return c;
  }
  const restartsA = maxRestarts(a);
  const restartsB = maxRestarts(b);
  if (restartsA.regular !== restartsB.regular) return before(restartsA.regular > restartsB.regular);
  if (restartsA.sidecar !== restartsB.sidecar) return before(restartsA.sidecar > restartsB.sidecar);
  return afterOrZero(timeOf(a.metadata.creationTimestamp), timeOf(b.metadata.creationTimestamp));
}

/** The pod-deletion-cost annotation (an int32; anything else counts as 0). */
export function deletionCost(pod: Pod): number {
  const raw = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (raw === undefined || !/^[+-]?\d+$/.test(raw.trim())) return 0;
  const n = Number(raw);
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : 0;
}

function readySince(pod: Pod): number | undefined {
  return timeOf(getPodCondition(pod.status, 'Ready')?.lastTransitionTime);
}

function timeOf(ts: string | undefined | null): number | undefined {
  const t = ts ? Date.parse(ts) : NaN;
  return Number.isNaN(t) ? undefined : t;
}

/** Go's afterOrZero(t1, t2) as a comparator: a zero time sorts first, then the later time. */
function afterOrZero(t1: number | undefined, t2: number | undefined): number {
  if (t1 === t2) return 0;
  if (t1 === undefined || t2 === undefined) return t1 === undefined ? -1 : 1;
  return t1 > t2 ? -1 : 1;
}

/** Highest restart count of the regular containers, and of the sidecars (init containers with restartPolicy Always). */
function maxRestarts(pod: Pod): { regular: number; sidecar: number } {
  const regular = Math.max(0, ...(pod.status?.containerStatuses ?? []).map((s) => s.restartCount ?? 0));
  const sidecars = new Set(
    (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name),
  );
  const sidecar = Math.max(
    0,
    ...(pod.status?.initContainerStatuses ?? [])
      .filter((s) => sidecars.has(s.name))
      .map((s) => s.restartCount ?? 0),
  );
  return { regular, sidecar };
}
