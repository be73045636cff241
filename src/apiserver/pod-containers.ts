// Which container a logs/exec/attach request means, and whether it can answer yet (Kubernetes' pod REST
// helpers and the kubelet's log checks), as pure functions over the Pod.
import type { Container, ContainerStatus, KubeObject } from '../api/types.js';
import { badRequest } from '../common/errors.js';

export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

function names(list: Container[] | undefined): string[] {
  return (list ?? []).map((c) => c.name);
}

/** The container named by `?container=`, or the pod's default one; 400 when that is ambiguous or unknown. */
export function chooseContainer(pod: KubeObject, requested: string | undefined): string {
  const podName = pod.metadata.name ?? '';
  const main = names(pod.spec?.containers);
  const init = names(pod.spec?.initContainers);
  const all = [...main, ...init, ...names(pod.spec?.ephemeralContainers)];
  if (requested) {
    if (!all.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${podName}`);
    return requested;
  }
  if (main.length === 1) return main[0];
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated && all.includes(annotated)) return annotated;
  let message = `a container name must be specified for pod ${podName}, choose one of: [${main.join(' ')}]`;
  if (init.length > 0) message += ` or one of the init containers: [${init.join(' ')}]`;
  throw badRequest(message);
}

function statusOf(pod: KubeObject, container: string): ContainerStatus | undefined {
  const statuses: ContainerStatus[] = [
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.ephemeralContainerStatuses ?? []),
  ];
  return statuses.find((s) => s.name === container);
}

/**
 * 400 while a container has never run (nothing to show yet). A container that ran before (it has a terminated
 * state now or last time) has logs; `previous` requests are left to the node, which knows what exists.
 */
export function checkLogsAvailable(pod: KubeObject, container: string, previous: boolean): void {
  if (previous) return;
  const waiting = (reason: string) =>
    badRequest(`container "${container}" in pod "${pod.metadata.name ?? ''}" is waiting to start: ${reason}`);
  if (!pod.spec?.nodeName) throw waiting('ContainerCreating');
  const status = statusOf(pod, container);
  if (!status) throw waiting('ContainerCreating');
  const state = status.state ?? {};
  if (state.running || state.terminated || status.lastState?.terminated) return;
  throw waiting(state.waiting?.reason || 'ContainerCreating');
}

/** exec/attach need a pod placed on a node and not finished. */
export function checkStreamAllowed(pod: KubeObject): void {
  const name = pod.metadata.name ?? '';
  if (!pod.spec?.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') {
    throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  }
}
