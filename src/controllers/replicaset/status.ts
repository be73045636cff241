// The ReplicaSet status the controller writes (calculateStatus in pkg/controller/replicaset/replica_set_utils.go),
// pure: counts over the active owned pods, the ReplicaFailure condition while creating or deleting fails, and when
// to look again so a pod that is Ready but not yet available (minReadySeconds) is counted the moment it is.
import { getPodCondition, podIsAvailable, podIsReady } from '../../api/object-meta.js';
import type { Pod, ReplicaSet, ReplicaSetStatus } from '../../api/types.js';
import { rfc3339 } from '../../common/clock.js';

type RsCondition = NonNullable<ReplicaSetStatus['conditions']>[number];

/**
 * `pods` are the active pods the ReplicaSet owns; `manageError` is the error of this sync's creates/deletes.
 * observedGeneration is set to the ReplicaSet's generation.
 */
export function calculateStatus(
  rs: ReplicaSet,
  pods: Pod[],
  manageError: Error | undefined,
  now: number,
): ReplicaSetStatus {
  const templateLabels = rs.spec.template?.metadata?.labels ?? {};
  const minReady = rs.spec.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    const labels = pod.metadata.labels ?? {};
    if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (podIsReady(pod)) {
      ready++;
      if (podIsAvailable(pod, minReady, now)) available++;
    }
  }
  let conditions = [...(rs.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageError && !failure) {
    const diff = pods.length - (rs.spec.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const cond: RsCondition = {
      type: 'ReplicaFailure',
      status: 'True',
      reason,
      message: manageError.message,
      lastTransitionTime: rfc3339(now),
    };
    conditions.push(cond);
  } else if (!manageError && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  const status: ReplicaSetStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? 1,
  };
  if (conditions.length > 0) status.conditions = conditions;
  return status;
}

/** True when writing `next` would change the stored status (field order and absent zero values ignored). */
export function statusChanged(current: ReplicaSetStatus | undefined, next: ReplicaSetStatus): boolean {
  const c = current ?? { replicas: 0 };
  return (
    (c.replicas ?? 0) !== next.replicas ||
    (c.fullyLabeledReplicas ?? 0) !== (next.fullyLabeledReplicas ?? 0) ||
    (c.readyReplicas ?? 0) !== (next.readyReplicas ?? 0) ||
    (c.availableReplicas ?? 0) !== (next.availableReplicas ?? 0) ||
    (c.observedGeneration ?? 0) !== (next.observedGeneration ?? 0) ||
    JSON.stringify(c.conditions ?? []) !== JSON.stringify(next.conditions ?? [])
  );
}

/**
 * Milliseconds until the first Ready-but-not-yet-available pod becomes available (minReadySeconds after it became
 * Ready), or undefined when none is waiting. The controller re-syncs then, so availableReplicas moves on time.
 */
export function nextAvailabilityCheckMs(rs: ReplicaSet, pods: Pod[], now: number): number | undefined {
  const minReady = rs.spec.minReadySeconds ?? 0;
  if (minReady <= 0) return undefined;
  let soonest: number | undefined;
  for (const pod of pods) {
    if (!podIsReady(pod) || podIsAvailable(pod, minReady, now)) continue;
    const since = Date.parse(getPodCondition(pod.status, 'Ready')?.lastTransitionTime ?? '');
    const wait = Number.isNaN(since) ? minReady * 1000 : since + minReady * 1000 - now;
    soonest = soonest === undefined ? wait : Math.min(soonest, wait);
  }
  return soonest === undefined ? undefined : Math.max(1, soonest);
}
