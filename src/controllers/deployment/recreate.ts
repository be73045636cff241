// The Recreate strategy (pkg/controller/deployment/recreate.go): scale every old ReplicaSet to 0, wait until none
// of their pods is left running, and only then create (or scale up) the new ReplicaSet: never old and new pods
// at the same time.
import type { Pod, ReplicaSet } from '../../api/types.js';
import { deploymentComplete } from './conditions.js';
import { activeReplicaSets } from './replica-sets.js';
import { actualReplicas } from './rollout-math.js';
import {
  cleanupDeployment,
  getAllReplicaSetsAndSyncRevision,
  scaleReplicaSetAndRecordEvent,
  type DeploymentSync,
} from './sync-state.js';

/** `podsByReplicaSet`: the Deployment's pods grouped by the uid of the ReplicaSet that controls them. */
export function rolloutRecreate(
  s: DeploymentSync,
  rsList: ReplicaSet[],
  podsByReplicaSet: Map<string, Pod[]>,
): void {
  // Don't create the new ReplicaSet yet: nothing may scale up before the old ones are down.
  let { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(s, rsList, false);
  let allRSs = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of activeReplicaSets(oldRSs)) {
    if (scaleReplicaSetAndRecordEvent(s, rs, 0)) scaledDown = true;
  }
  if (scaledDown || oldPodsRunning(newRS, oldRSs, podsByReplicaSet)) {
    return s.syncRolloutStatus(allRSs, newRS);
  }
  if (!newRS) {
    ({ newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(s, rsList, true));
    allRSs = [...oldRSs, newRS];
  }
  scaleReplicaSetAndRecordEvent(s, newRS!, s.replicas);
  if (deploymentComplete(s.d, s.d.status)) cleanupDeployment(s, oldRSs);
  s.syncRolloutStatus(allRSs, newRS);
}

/**
 * oldPodsRunning: an old ReplicaSet still reports pods, or a pod of one is not terminal (Succeeded/Failed) —
 * including pods being deleted, which may still be running their grace period.
 */
export function oldPodsRunning(
  newRS: ReplicaSet | undefined,
  oldRSs: ReplicaSet[],
  podsByReplicaSet: Map<string, Pod[]>,
): boolean {
  if (actualReplicas(oldRSs) > 0) return true;
  for (const [uid, pods] of podsByReplicaSet) {
    if (newRS && newRS.metadata.uid === uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')) return true;
  }
  return false;
}
