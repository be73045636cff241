// Which runtime container `kubectl logs` / `exec` / `attach` mean (the kubelet's validateContainerLogStatus):
// the newest instance of the named container, or with `previous` the last terminated one. Errors carry the
// messages kubectl prints ("container "x" in pod "y" is waiting to start: ContainerCreating").
import type { Pod } from '../../src/api/types.js';
import { ApiError, badRequest, notFound } from '../../src/common/errors.js';
import type { ContainerRuntime, RuntimeContainer } from '../runtime/container-runtime.js';
import { containersNamed, LABEL_NODE, LABEL_POD_UID, observePod } from './labels.js';
import { shouldRestart } from './sync-pod.js';

/** The pods bound to this node (the kubelet's informer cache). */
export interface PodLookup {
  getPod(namespace: string, name: string): Pod | undefined;
}

const WAITING_MESSAGES: Record<string, string> = {
  ErrImagePull: "image can't be pulled",
  ImagePullBackOff: 'trying and failing to pull image',
};

/** Pure: pick the container among a pod's instances of that name (newest first). */
export function pickContainer(
  pod: Pod,
  name: string,
  instances: RuntimeContainer[],
  previous: boolean,
): RuntimeContainer | ApiError {
  const podName = pod.metadata.name ?? '';
  if (!pod.spec.containers.some((c) => c.name === name)) {
    return badRequest(`container ${name} is not valid for pod ${podName}`);
  }
  const [current, before] = instances;
  if (previous) {
    // While a dead container waits for its restart, it is the "last state", i.e. what --previous shows.
    const last = current && current.state !== 'running' && shouldRestart(pod, current) ? current : before;
    if (!last || last.state === 'running') {
      return badRequest(`previous terminated container "${name}" in pod "${podName}" not found`);
    }
    return last;
  }
  if (current) return current;
  const status = pod.status?.containerStatuses?.find((s) => s.name === name);
  const reason = status?.state.waiting?.reason ?? 'ContainerCreating';
  return badRequest(
    `container "${name}" in pod "${podName}" is waiting to start: ${WAITING_MESSAGES[reason] ?? reason}`,
  );
}

export async function findContainer(
  deps: { pods: PodLookup; runtime: ContainerRuntime; nodeName: string },
  namespace: string,
  podName: string,
  container: string,
  previous: boolean,
): Promise<RuntimeContainer> {
  const pod = deps.pods.getPod(namespace, podName);
  if (!pod) throw notFound({ group: '', resource: 'pods' }, podName);
  const all = await deps.runtime.listContainers({
    [LABEL_NODE]: deps.nodeName,
    [LABEL_POD_UID]: pod.metadata.uid ?? '',
  });
  const picked = pickContainer(pod, container, containersNamed(observePod(all), container), previous);
  if (picked instanceof ApiError) throw picked;
  return picked;
}
