// The StatefulSet status (Kubernetes stateful_set_control.go updateStatus / completeRollingUpdate /
// inconsistentStatus): counts of the set's pods, and the current and update revisions.
//   replicas           pods that exist
//   readyReplicas      Running and Ready;  availableReplicas: and Ready for minReadySeconds
//   currentReplicas    live pods at currentRevision;  updatedReplicas: live pods at updateRevision
import type { Pod, StatefulSet, StatefulSetStatus } from '../../api/types.js';
import {
  isRunningAndAvailable,
  isRunningAndReady,
  isTerminating,
  podRevision,
  replicasOf,
} from './stateful-pods.js';

export function replicaCounts(
  pods: readonly Pod[],
  minReadySeconds: number,
  now: number,
  currentRevision: string,
  updateRevision: string,
): Pick<
  StatefulSetStatus,
  'replicas' | 'readyReplicas' | 'availableReplicas' | 'currentReplicas' | 'updatedReplicas'
> {
  let ready = 0;
  let available = 0;
  let current = 0;
  let updated = 0;
  for (const pod of pods) {
    if (isRunningAndReady(pod)) {
      ready++;
      if (isRunningAndAvailable(pod, minReadySeconds, now)) available++;
    }
    if (isTerminating(pod)) continue;
    const rev = podRevision(pod);
    if (rev === currentRevision) current++;
    if (rev === updateRevision) updated++;
  }
  return {
    replicas: pods.length,
    readyReplicas: ready,
    availableReplicas: available,
    currentReplicas: current,
    updatedReplicas: updated,
  };
}

/** completeRollingUpdate: once every replica is updated and ready, the update revision becomes the current one. */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): StatefulSetStatus {
  const replicas = replicasOf(set);
  const rolling = (set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  if (
    rolling &&
    status.updatedReplicas === replicas &&
    status.readyReplicas === replicas &&
    status.replicas === replicas
  ) {
    return { ...status, currentReplicas: status.updatedReplicas, currentRevision: status.updateRevision };
  }
  return status;
}

/** inconsistentStatus: whether `status` must be written over the set's current one. */
export function statusChanged(set: StatefulSet, status: StatefulSetStatus): boolean {
  const cur = set.status;
  const n = (v: number | undefined) => v ?? 0;
  return (
    !cur ||
    n(status.observedGeneration) > n(cur.observedGeneration) ||
    status.replicas !== cur.replicas ||
    n(status.currentReplicas) !== n(cur.currentReplicas) ||
    n(status.readyReplicas) !== n(cur.readyReplicas) ||
    n(status.updatedReplicas) !== n(cur.updatedReplicas) ||
    n(status.availableReplicas) !== n(cur.availableReplicas) ||
    status.currentRevision !== cur.currentRevision ||
    status.updateRevision !== cur.updateRevision ||
    n(status.collisionCount) !== n(cur.collisionCount)
  );
}
