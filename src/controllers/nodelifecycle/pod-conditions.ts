// The pod status changes the node lifecycle controllers make, decided purely:
// - MarkPodsNotReady: pods on a node that stopped reporting can no longer be trusted to serve, so their Ready
//   condition turns False (Services stop sending them traffic) until their agent reports again;
// - DisruptionTarget: why a pod is about to be deleted (taint eviction, PodGC), as Kubernetes records it;
// - Failed: a pod PodGC force-deletes is first marked Failed, since no agent will ever report its end.
// Only the named fields change; the rest of the status stays the kubelet's.
import { setPodCondition } from '../../api/object-meta.js';
import type { Pod, PodStatus } from '../../api/types.js';
import { rfc3339 } from '../../common/clock.js';

export interface DisruptionReason {
  reason: string;
  message: string;
}

export const DELETION_BY_TAINT_MANAGER: DisruptionReason = {
  reason: 'DeletionByTaintManager',
  message: 'Taint manager: deleting due to NoExecute taint',
};

export const DELETION_BY_POD_GC: DisruptionReason = {
  reason: 'DeletionByPodGC',
  message: 'PodGC: node no longer exists',
};

/** The status to write for a pod on a node gone silent, or undefined when its Ready condition is absent or False. */
export function notReadyStatus(pod: Pod, nowMs: number): PodStatus | undefined {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (!ready || ready.status === 'False') return undefined;
  const status = structuredClone(pod.status ?? {});
  setPodCondition(status, { ...ready, status: 'False' }, rfc3339(nowMs));
  return status;
}

/** The status with a DisruptionTarget=True condition, or undefined when it already has that one. */
export function disruptionTargetStatus(
  pod: Pod,
  why: DisruptionReason,
  nowMs: number,
): PodStatus | undefined {
  const status = structuredClone(pod.status ?? {});
  const changed = setPodCondition(
    status,
    { type: 'DisruptionTarget', status: 'True', reason: why.reason, message: why.message },
    rfc3339(nowMs),
  );
  return changed ? status : undefined;
}

/** Phase Failed (plus the DisruptionTarget condition, when given) for a pod that has not finished; else undefined. */
export function failedStatus(
  pod: Pod,
  why: DisruptionReason | undefined,
  nowMs: number,
): PodStatus | undefined {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return undefined;
  const status = structuredClone(pod.status ?? {});
  status.phase = 'Failed';
  if (why) {
    setPodCondition(
      status,
      { type: 'DisruptionTarget', status: 'True', reason: why.reason, message: why.message },
      rfc3339(nowMs),
    );
  }
  return status;
}

/** Pods by the node they are bound to. */
export function podsByNode(pods: Pod[]): Map<string, Pod[]> {
  const byNode = new Map<string, Pod[]>();
  for (const pod of pods) {
    const node = pod.spec?.nodeName;
    if (!node) continue;
    let list = byNode.get(node);
    if (!list) byNode.set(node, (list = []));
    list.push(pod);
  }
  return byNode;
}
