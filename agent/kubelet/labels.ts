// Container identity. Every container the agent creates carries these labels, so the runtime itself is the record
// of what runs: a restarted agent rebuilds its view from them (re-adopting running containers, keeping restart
// counts), and several agents sharing one Docker engine each touch only their own node's containers.
// Docker names follow the kubelet's dockershim: skiff_<container>_<pod>_<namespace>_<uid first 8>_<attempt>.
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { Container, Pod } from '../../src/api/types.js';
import type { RuntimeContainer } from '../runtime/container-runtime.js';

export const LABEL_NODE = 'io.skiff.node';
export const LABEL_POD_UID = 'io.skiff.pod.uid';
export const LABEL_POD_NAME = 'io.skiff.pod.name';
export const LABEL_POD_NAMESPACE = 'io.skiff.pod.namespace';
export const LABEL_CONTAINER_NAME = 'io.skiff.container.name';
/** Sandbox: its attempt (0, 1, … each time the sandbox is recreated). App container: its restart count. */
export const LABEL_ATTEMPT = 'io.skiff.container.attempt';
/** Hash of the container spec the container was created from; a different hash means "recreate". */
export const LABEL_HASH = 'io.skiff.container.hash';
/** App containers: the sandbox they joined. */
export const LABEL_SANDBOX_ID = 'io.skiff.sandbox.id';
/** Pod termination grace, for stopping containers of a pod that is already gone from the API. */
export const LABEL_GRACE = 'io.skiff.pod.termination-grace-period';

/** The container name of the sandbox, as the kubelet names it. */
export const SANDBOX_NAME = 'POD';

export function podLabels(node: string, pod: Pod): Record<string, string> {
  return {
    [LABEL_NODE]: node,
    [LABEL_POD_UID]: pod.metadata.uid ?? '',
    [LABEL_POD_NAME]: pod.metadata.name ?? '',
    [LABEL_POD_NAMESPACE]: pod.metadata.namespace ?? 'default',
  };
}

export function runtimeName(pod: Pod, container: string, attempt: number): string {
  const uid = (pod.metadata.uid ?? '').slice(0, 8);
  return `skiff_${container}_${pod.metadata.name}_${pod.metadata.namespace ?? 'default'}_${uid}_${attempt}`;
}

export function attemptOf(c: RuntimeContainer): number {
  const n = Number(c.labels[LABEL_ATTEMPT]);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

export function isSandbox(c: RuntimeContainer): boolean {
  return c.labels[LABEL_CONTAINER_NAME] === SANDBOX_NAME;
}

/** What the runtime holds for one pod, newest first (by attempt, then creation time). */
export interface ObservedPod {
  sandboxes: RuntimeContainer[];
  containers: RuntimeContainer[];
}

export function newestFirst(a: RuntimeContainer, b: RuntimeContainer): number {
  return attemptOf(b) - attemptOf(a) || b.createdAt - a.createdAt;
}

export function observePod(all: RuntimeContainer[]): ObservedPod {
  const sandboxes = all.filter(isSandbox).sort(newestFirst);
  const containers = all.filter((c) => !isSandbox(c)).sort(newestFirst);
  return { sandboxes, containers };
}

/** The containers of one name, newest first. */
export function containersNamed(observed: ObservedPod, name: string): RuntimeContainer[] {
  return observed.containers.filter((c) => c.labels[LABEL_CONTAINER_NAME] === name);
}

/**
 * Hash of a container spec (stored in LABEL_HASH). Keys are sorted and empty values dropped, so a spec that
 * round-trips through the API server (which may add empty fields) keeps its hash.
 */
export function containerHash(c: Container): string {
  return createHash('sha256').update(canonicalJson(c)).digest('hex').slice(0, 16);
}
