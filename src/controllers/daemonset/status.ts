// The DaemonSet status (Kubernetes updateDaemonSetStatus), computed from the nodes and the DaemonSet's pods:
//   desiredNumberScheduled  nodes that should run the daemon pod
//   currentNumberScheduled  of those, nodes that have one
//   numberMisscheduled      nodes that have one but should not
//   numberReady / numberAvailable / updatedNumberScheduled  judged by the oldest pod on each desired node
//   numberUnavailable       desired − available
import { podIsAvailable, podIsReady } from '../../api/object-meta.js';
import type { DaemonSetStatus } from '../../api/types.js';
import { compareDaemonPods, isPodUpdated, nodeToDaemonPods, templateGeneration } from './daemon-pods.js';
import { nodeShouldRunDaemonPod } from './node-eligibility.js';
import type { DaemonSetView } from './reconcile.js';

/**
 * The status to write. `observeGeneration` is false while expectations are pending (the controller has not acted
 * on this generation yet), so observedGeneration keeps its old value.
 */
export function computeDaemonSetStatus(
  view: Omit<DaemonSetView, 'backoffRemaining'>,
  observeGeneration: boolean,
): DaemonSetStatus {
  const { ds, hash, now } = view;
  const byNode = nodeToDaemonPods(view.pods);
  const generation = templateGeneration(ds);
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let availableCount = 0;
  let updated = 0;
  for (const node of view.nodes) {
    const pods = byNode.get(node.metadata.name ?? '') ?? [];
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    if (!shouldRun) {
      if (pods.length > 0) misscheduled++;
      continue;
    }
    desired++;
    if (pods.length === 0) continue;
    current++;
    const pod = [...pods].sort(compareDaemonPods)[0];
    if (podIsReady(pod)) {
      ready++;
      if (podIsAvailable(pod, ds.spec.minReadySeconds ?? 0, now)) availableCount++;
    }
    if (isPodUpdated(pod, hash, generation)) updated++;
  }
  const old = ds.status;
  const status: DaemonSetStatus = {
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    observedGeneration: observeGeneration ? ds.metadata.generation : old?.observedGeneration,
    updatedNumberScheduled: updated,
    numberAvailable: availableCount,
    numberUnavailable: desired - availableCount,
  };
  if (old?.collisionCount !== undefined) status.collisionCount = old.collisionCount;
  if (old?.conditions !== undefined) status.conditions = old.conditions;
  if (status.observedGeneration === undefined) delete status.observedGeneration;
  return status;
}
