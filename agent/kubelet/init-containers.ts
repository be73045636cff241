// Init containers run one at a time, in order, each to successful completion, before any app container starts
// (the kubelet's findNextInitContainerToRun). Pure: which one runs next, given what the runtime holds.
import type { Container, Pod } from '../../src/api/types.js';
import type { RuntimeContainer } from '../runtime/container-runtime.js';
import { containersNamed, type ObservedPod } from './labels.js';

export interface InitProgress {
  /** Every init container completed (or app containers already run: initialization happened before). */
  done: boolean;
  /** Index in spec.initContainers of the one to (re)start now, if any (none while one is running). */
  next?: number;
  /** The newest instance of `next` when it failed (its restart goes through back-off, or fails the pod). */
  failed?: RuntimeContainer;
}

export function initContainersOf(pod: Pod): Container[] {
  return pod.spec.initContainers ?? [];
}

/** An init container instance that did not complete: exited non-zero, or created but never started. */
export function initFailed(c: RuntimeContainer): boolean {
  return (c.state === 'exited' && c.exitCode !== 0) || c.state === 'created';
}

export function initProgress(pod: Pod, observed: ObservedPod): InitProgress {
  const inits = initContainersOf(pod);
  if (inits.length === 0) return { done: true };
  const newest = (c: Container) => containersNamed(observed, c.name)[0];
  if (pod.spec.containers.some((c) => newest(c)?.state === 'running')) return { done: true };
  for (let i = inits.length - 1; i >= 0; i--) {
    const n = newest(inits[i]);
    if (n && initFailed(n)) return { done: false, next: i, failed: n };
  }
  for (let i = inits.length - 1; i >= 0; i--) {
    const n = newest(inits[i]);
    if (!n) continue;
    if (n.state === 'running') return { done: false };
    return i === inits.length - 1 ? { done: true } : { done: false, next: i + 1 };
  }
  return { done: false, next: 0 };
}
