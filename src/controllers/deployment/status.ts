// The Deployment status the controller writes (sync.go calculateStatus, progress.go syncRolloutStatus), pure:
// the replica counts `kubectl rollout status` reads, the Available condition, and during a rollout the
// Progressing condition (progressing, complete, or past its progress deadline).
import { jsonEqual } from '../../api/object-meta.js';
import type { Deployment, DeploymentStatus, ReplicaSet } from '../../api/types.js';
import {
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  getCondition,
  hasProgressDeadline,
  MINIMUM_REPLICAS_AVAILABLE,
  MINIMUM_REPLICAS_UNAVAILABLE,
  NEW_RS_AVAILABLE,
  newCondition,
  progressCheckAfterMs,
  REPLICASET_UPDATED,
  removeCondition,
  setCondition,
  TIMED_OUT,
} from './conditions.js';
import {
  actualReplicas,
  availableReplicas,
  maxUnavailable,
  readyReplicas,
  replicasOf,
  specReplicas,
} from './rollout-math.js';

/**
 * calculateStatus: counts over the ReplicaSets (replicas and updatedReplicas are pods that exist, from the
 * ReplicaSets' status), the conditions carried over, and Available set from minimum availability. Zero counts
 * are omitted, as Kubernetes' JSON does.
 */
export function calculateStatus(
  allRSs: (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
  now: number,
): DeploymentStatus {
  const available = availableReplicas(allRSs);
  const unavailable = Math.max(0, specReplicas(allRSs) - available);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 1,
    replicas: actualReplicas(allRSs),
    updatedReplicas: actualReplicas([newRS]),
    readyReplicas: readyReplicas(allRSs),
    availableReplicas: available,
    unavailableReplicas: unavailable,
  };
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(
      status,
      newCondition(
        'Available',
        'True',
        MINIMUM_REPLICAS_AVAILABLE,
        'Deployment has minimum availability.',
        now,
      ),
    );
  } else {
    setCondition(
      status,
      newCondition(
        'Available',
        'False',
        MINIMUM_REPLICAS_UNAVAILABLE,
        'Deployment does not have minimum availability.',
        now,
      ),
    );
  }
  return omitZeroCounts(status);
}

/**
 * syncRolloutStatus: calculateStatus plus the Progressing condition (when a deadline is set and the last rollout
 * is not complete) and the newest ReplicaFailure of the ReplicaSets. Also when to check again for a timeout.
 */
export function rolloutStatus(
  allRSs: (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
  now: number,
): { status: DeploymentStatus; checkAfterMs?: number } {
  const status = calculateStatus(allRSs, newRS, d, now);
  if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
  const current = getCondition(d.status, 'Progressing');
  const isComplete =
    (status.replicas ?? 0) === (status.updatedReplicas ?? 0) && current?.reason === NEW_RS_AVAILABLE;
  if (hasProgressDeadline(d) && !isComplete) {
    const rsName = newRS?.metadata.name;
    if (deploymentComplete(d, status)) {
      const msg = rsName
        ? `ReplicaSet "${rsName}" has successfully progressed.`
        : `Deployment "${d.metadata.name}" has successfully progressed.`;
      setCondition(status, newCondition('Progressing', 'True', NEW_RS_AVAILABLE, msg, now));
    } else if (deploymentProgressing(d, status)) {
      const msg = rsName
        ? `ReplicaSet "${rsName}" is progressing.`
        : `Deployment "${d.metadata.name}" is progressing.`;
      const cond = newCondition('Progressing', 'True', REPLICASET_UPDATED, msg, now);
      // Progress moves lastUpdateTime even when the reason stays ReplicaSetUpdated.
      if (current) {
        if (current.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, 'Progressing');
      }
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status, now)) {
      const msg = rsName
        ? `ReplicaSet "${rsName}" has timed out progressing.`
        : `Deployment "${d.metadata.name}" has timed out progressing.`;
      setCondition(status, newCondition('Progressing', 'False', TIMED_OUT, msg, now));
    }
  }
  const failure = replicaFailure(allRSs, newRS);
  if (failure) setCondition(status, failure);
  else removeCondition(status, 'ReplicaFailure');
  return { status, checkAfterMs: progressCheckAfterMs(d, status, now) };
}

/** getReplicaFailures: the new ReplicaSet's ReplicaFailure condition, else an old one's, as a Deployment condition. */
function replicaFailure(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined) {
  const from = (rs: ReplicaSet | undefined) =>
    rs?.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
  const c = from(newRS) ?? allRSs.map(from).find((x) => x !== undefined);
  if (!c) return undefined;
  return {
    type: 'ReplicaFailure',
    status: c.status as 'True' | 'False' | 'Unknown',
    lastUpdateTime: c.lastTransitionTime,
    lastTransitionTime: c.lastTransitionTime,
    reason: c.reason,
    message: c.message,
  };
}

const COUNTS = [
  'observedGeneration',
  'replicas',
  'updatedReplicas',
  'readyReplicas',
  'availableReplicas',
  'unavailableReplicas',
] as const;

function omitZeroCounts(status: DeploymentStatus): DeploymentStatus {
  for (const k of COUNTS) if (!status[k]) delete status[k];
  return status;
}

/** Equal statuses (absent counts are 0; conditions compared in order, their keys in any order). */
export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  for (const k of COUNTS) if ((a?.[k] ?? 0) !== (b?.[k] ?? 0)) return false;
  if ((a?.collisionCount ?? undefined) !== (b?.collisionCount ?? undefined)) return false;
  return jsonEqual(a?.conditions ?? [], b?.conditions ?? []);
}
