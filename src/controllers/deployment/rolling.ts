// The RollingUpdate strategy (pkg/controller/deployment/rolling.go): grow the new ReplicaSet within maxSurge,
// shrink the old ones within maxUnavailable (unhealthy replicas first), one step per sync; each step's
// ReplicaSet changes bring the next sync.
import type { ReplicaSet } from '../../api/types.js';
import { deploymentComplete } from './conditions.js';
import { activeReplicaSets, byCreation } from './replica-sets.js';
import {
  availableReplicas,
  maxUnavailable,
  newRSNewReplicas,
  replicasOf,
  specReplicas,
} from './rollout-math.js';
import {
  cleanupDeployment,
  getAllReplicaSetsAndSyncRevision,
  scaleReplicaSetAndRecordEvent,
  type DeploymentSync,
} from './sync-state.js';

export function rolloutRolling(s: DeploymentSync, rsList: ReplicaSet[]): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(s, rsList, true);
  const allRSs = [...oldRSs, newRS!];
  if (reconcileNewReplicaSet(s, allRSs, newRS!)) return s.syncRolloutStatus(allRSs, newRS);
  if (reconcileOldReplicaSets(s, allRSs, activeReplicaSets(oldRSs), newRS!)) {
    return s.syncRolloutStatus(allRSs, newRS);
  }
  if (deploymentComplete(s.d, s.d.status)) cleanupDeployment(s, oldRSs);
  s.syncRolloutStatus(allRSs, newRS);
}

/** Scale the new ReplicaSet up as far as maxSurge allows (or down, if it has more than spec.replicas). */
export function reconcileNewReplicaSet(s: DeploymentSync, allRSs: ReplicaSet[], newRS: ReplicaSet): boolean {
  const replicas = s.replicas;
  if (replicasOf(newRS) === replicas) return false;
  if (replicasOf(newRS) > replicas) return scaleReplicaSetAndRecordEvent(s, newRS, replicas);
  return scaleReplicaSetAndRecordEvent(s, newRS, newRSNewReplicas(s.d, allRSs, newRS));
}

/**
 * Scale old ReplicaSets down by at most allPods − minAvailable − (new ReplicaSet's unavailable pods): first
 * their unhealthy replicas (which costs no availability), then available ones while more than minAvailable
 * pods are available.
 */
export function reconcileOldReplicaSets(
  s: DeploymentSync,
  allRSs: ReplicaSet[],
  oldRSs: ReplicaSet[],
  newRS: ReplicaSet,
): boolean {
  if (specReplicas(oldRSs) === 0) return false;
  const allPods = specReplicas(allRSs);
  const minAvailable = s.replicas - maxUnavailable(s.d);
  const newRSUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = allPods - minAvailable - newRSUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = cleanupUnhealthyReplicas(s, oldRSs, maxScaledDown);
  const scaledDown = scaleDownOldReplicaSetsForRollingUpdate(s, [...oldRSs, newRS], oldRSs);
  return cleaned + scaledDown > 0;
}

/** Scale old ReplicaSets down by their unavailable replicas (oldest first), up to maxCleanup in total. */
export function cleanupUnhealthyReplicas(
  s: DeploymentSync,
  oldRSs: ReplicaSet[],
  maxCleanup: number,
): number {
  oldRSs.sort(byCreation);
  let total = 0;
  for (const rs of oldRSs) {
    if (total >= maxCleanup) break;
    const available = rs.status?.availableReplicas ?? 0;
    if (replicasOf(rs) === 0 || replicasOf(rs) === available) continue;
    const count = Math.min(maxCleanup - total, replicasOf(rs) - available);
    scaleReplicaSetAndRecordEvent(s, rs, replicasOf(rs) - count);
    total += count;
  }
  return total;
}

/** Scale old ReplicaSets down (oldest first) while the available pods exceed minAvailable. */
export function scaleDownOldReplicaSetsForRollingUpdate(
  s: DeploymentSync,
  allRSs: ReplicaSet[],
  oldRSs: ReplicaSet[],
): number {
  const minAvailable = s.replicas - maxUnavailable(s.d);
  const available = availableReplicas(allRSs);
  if (available <= minAvailable) return 0;
  oldRSs.sort(byCreation);
  const target = available - minAvailable;
  let total = 0;
  for (const rs of oldRSs) {
    if (total >= target) break;
    if (replicasOf(rs) === 0) continue;
    const count = Math.min(replicasOf(rs), target - total);
    scaleReplicaSetAndRecordEvent(s, rs, replicasOf(rs) - count);
    total += count;
  }
  return total;
}
