// Scaling a Deployment without rolling it (sync.go sync/scale/isScalingEvent): when spec.replicas changes — or the
// Deployment is paused — the ReplicaSets are resized, proportionally when a rollout is in flight, so that a
// half-finished rollout keeps its old/new ratio instead of hastening (or reverting) it.
import type { ReplicaSet } from '../../api/types.js';
import {
  activeReplicaSets,
  bySizeNewer,
  bySizeOlder,
  DESIRED_REPLICAS_ANNOTATION,
  findActiveOrLatest,
  intAnnotation,
} from './replica-sets.js';
import {
  isRollingUpdate,
  isSaturated,
  maxSurge,
  replicaSetProportion,
  replicasOf,
  specReplicas,
} from './rollout-math.js';
import {
  cleanupDeployment,
  getAllReplicaSetsAndSyncRevision,
  scaleReplicaSet,
  scaleReplicaSetAndRecordEvent,
  type DeploymentSync,
} from './sync-state.js';

/** isScalingEvent: some active ReplicaSet was sized for a different spec.replicas (desired-replicas annotation). */
export function isScalingEvent(s: DeploymentSync, rsList: ReplicaSet[]): boolean {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(s, rsList, false);
  return activeReplicaSets([...oldRSs, newRS]).some((rs) => {
    const desired = intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
    return desired !== undefined && desired !== s.replicas;
  });
}

/** sync: scale, clean up old ReplicaSets when paused, write the status (no progress estimate). */
export function syncScaling(s: DeploymentSync, rsList: ReplicaSet[]): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(s, rsList, false);
  scale(s, newRS, oldRSs);
  if (s.d.spec.paused) cleanupDeployment(s, oldRSs);
  s.syncDeploymentStatus([...oldRSs, newRS], newRS);
}

/** scale: see the file comment. */
export function scale(s: DeploymentSync, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): void {
  const replicas = s.replicas;
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    scaleReplicaSetAndRecordEvent(s, activeOrLatest, replicas);
    return;
  }
  // The new ReplicaSet is complete: old ones (e.g. just adopted) go away entirely.
  if (isSaturated(s.d, newRS)) {
    for (const old of activeReplicaSets(oldRSs)) scaleReplicaSetAndRecordEvent(s, old, 0);
    return;
  }
  if (!isRollingUpdate(s.d)) return;
  const all = activeReplicaSets([...oldRSs, newRS]);
  const allowed = replicas > 0 ? replicas + maxSurge(s.d) : 0;
  const toAdd = allowed - specReplicas(all);
  // Bigger ReplicaSets first; on ties newer ones grow first and older ones shrink first.
  if (toAdd > 0) all.sort(bySizeNewer);
  else if (toAdd < 0) all.sort(bySizeOlder);
  let added = 0;
  const sizes = new Map<ReplicaSet, number>();
  for (const rs of all) {
    if (toAdd === 0) {
      sizes.set(rs, replicasOf(rs));
      continue;
    }
    const proportion = replicaSetProportion(rs, s.d, toAdd, added);
    sizes.set(rs, replicasOf(rs) + proportion);
    added += proportion;
  }
  all.forEach((rs, i) => {
    let size = sizes.get(rs)!;
    // Leftovers (rounding) go to the largest ReplicaSet.
    if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
    scaleReplicaSet(s, rs, size);
  });
}
