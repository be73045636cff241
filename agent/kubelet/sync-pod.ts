// The kubelet's decision for one pod, as a pure function (kuberuntime_manager.go computePodActions):
// given the pod spec, what the runtime holds for it, the back-off state and the time, what must change.
// No I/O: pod-executor.ts carries the actions out.
import { imageTag } from '../../src/api/pod-spec-defaults.js';
import type { Container, Pod } from '../../src/api/types.js';
import type { RuntimeContainer } from '../runtime/container-runtime.js';
import { goDuration, inBackoff, retryAt, type BackoffEntry } from './backoff.js';
import { initContainersOf, initProgress } from './init-containers.js';
import {
  attemptOf,
  containerHash,
  containersNamed,
  LABEL_CONTAINER_NAME,
  LABEL_HASH,
  LABEL_SANDBOX_ID,
  type ObservedPod,
} from './labels.js';

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

export interface ContainerStart {
  /** An init container (index into spec.initContainers) rather than an app container (spec.containers). */
  init: boolean;
  index: number;
  name: string;
  /** The restart count the new container carries. */
  attempt: number;
  pullPolicy: PullPolicy;
}

export interface ContainerKill {
  id: string;
  name: string;
  /** Why, in the kubelet's words (used for the Killing event and logs). */
  message: string;
  /** The container failed this probe (the kubelet counts the kill in the crash-loop back-off). */
  probe?: 'liveness' | 'startup';
  /** Overrides the pod's grace (the failed probe's terminationGracePeriodSeconds). */
  graceSeconds?: number;
}

export interface ContainerWait {
  name: string;
  until: number;
  delayMs: number;
  /** The CrashLoopBackOff waiting message. */
  message: string;
}

export interface PodActions {
  /** Stop every running container of the pod, then its sandbox(es). */
  killPod?: {
    reason: 'PodDeleted' | 'PodTerminal' | 'SandboxChanged' | 'NothingToRun';
    graceSeconds: number;
  };
  createSandbox?: { attempt: number };
  /**
   * A sandbox is needed but creating one failed moments ago: nothing is created or started before this time (a
   * sync triggered meanwhile, e.g. by the runtime's events about the failed attempt's cleanup, must not retry).
   */
  sandboxRetryAt?: number;
  startContainers: ContainerStart[];
  /** Containers that should run again but are in crash-loop back-off. */
  waiting: ContainerWait[];
  killContainers: ContainerKill[];
  /** Dead containers no longer needed: all but the newest per container name, and superseded sandboxes. */
  removeContainers: RuntimeContainer[];
  /** The pod is being deleted: once everything is stopped, remove all containers and finish the deletion. */
  finishDeletion: boolean;
}

/** Whether carrying out the actions creates, starts, stops or removes a container (so the pod must be read again). */
export function changesContainers(a: PodActions): boolean {
  return (
    a.killPod !== undefined ||
    a.createSandbox !== undefined ||
    a.startContainers.length > 0 ||
    a.killContainers.length > 0 ||
    a.removeContainers.length > 0 ||
    a.finishDeletion
  );
}

export interface SyncContext {
  now: number;
  /** Crash-loop back-off per container name (already updated with the newest failure). */
  backoff: (containerName: string) => BackoffEntry | undefined;
  /** The probe a running container failed (probes/probe-manager.ts): it is killed and, per policy, restarted. */
  failedProbe?: (containerName: string, c: RuntimeContainer) => 'liveness' | 'startup' | undefined;
  /** Back-off after failed sandbox creations (the kubelet's pod worker back-off after a failed sync). */
  sandboxBackoff?: BackoffEntry;
}

export function podFullName(pod: Pod): string {
  return `${pod.metadata.name}_${pod.metadata.namespace ?? 'default'}(${pod.metadata.uid})`;
}

/** The grace for stopping this pod's containers: the deletion's, else the spec's, else 30 s. */
export function podGraceSeconds(pod: Pod): number {
  return pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
}

/**
 * The grace for killing a container that failed a liveness or startup probe (setTerminationGracePeriod): the
 * probe's terminationGracePeriodSeconds when set (and the pod is not being deleted), else the pod's.
 */
export function probeGraceSeconds(pod: Pod, c: Container, probe: 'liveness' | 'startup'): number | undefined {
  if (pod.metadata.deletionGracePeriodSeconds !== undefined) return undefined;
  const spec = probe === 'liveness' ? c.livenessProbe : c.startupProbe;
  return spec?.terminationGracePeriodSeconds;
}

export function effectivePullPolicy(c: Container): PullPolicy {
  return c.imagePullPolicy ?? (imageTag(c.image) === 'latest' ? 'Always' : 'IfNotPresent');
}

export function isTerminalPhase(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** kubelet ShouldContainerBeRestarted: does this container (given its newest instance) need a new one? */
export function shouldRestart(pod: Pod, newest: RuntimeContainer | undefined): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  if (!newest) return true;
  if (newest.state === 'running') return false;
  if (newest.state === 'created') return true;
  const policy = pod.spec.restartPolicy ?? 'Always';
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && newest.exitCode === 0) return false;
  return true;
}

function running(observed: ObservedPod): RuntimeContainer[] {
  return [...observed.containers, ...observed.sandboxes].filter((c) => c.state === 'running');
}

function emptyActions(): PodActions {
  return {
    startContainers: [],
    waiting: [],
    killContainers: [],
    removeContainers: [],
    finishDeletion: false,
  };
}

/**
 * Dead containers no longer needed. Like the kubelet's container GC (one dead container kept per container name),
 * the newest dead instance of each name stays, for `kubectl logs --previous` and the restart count; dead
 * containers the spec no longer names, and dead sandboxes other than the newest, go.
 */
function garbage(pod: Pod, observed: ObservedPod): RuntimeContainer[] {
  const out: RuntimeContainer[] = [];
  const keptDead = new Set<string>();
  for (const c of observed.containers) {
    if (c.state === 'running') continue;
    const name = c.labels[LABEL_CONTAINER_NAME];
    const inSpec = specNamed(pod, name) !== undefined;
    if (!inSpec || keptDead.has(name)) out.push(c);
    keptDead.add(name);
  }
  observed.sandboxes.slice(1).forEach((s) => s.state !== 'running' && out.push(s));
  return out;
}

/** The app or init container of that name. */
export function specNamed(pod: Pod, name: string): Container | undefined {
  return (
    pod.spec.containers.find((c) => c.name === name) ?? initContainersOf(pod).find((c) => c.name === name)
  );
}

/** The spec of a container to start. */
export function containerOf(pod: Pod, start: Pick<ContainerStart, 'init' | 'index'>): Container {
  return start.init ? initContainersOf(pod)[start.index] : pod.spec.containers[start.index];
}

function startOrWait(
  pod: Pod,
  target: Pick<ContainerStart, 'init' | 'index'>,
  observed: ObservedPod,
  ctx: SyncContext,
  actions: PodActions,
): void {
  const spec = containerOf(pod, target);
  const newest = containersNamed(observed, spec.name)[0];
  const attempt = newest ? attemptOf(newest) + 1 : 0;
  const entry = newest ? ctx.backoff(spec.name) : undefined;
  if (inBackoff(entry, ctx.now)) {
    const delay = goDuration(entry!.delayMs);
    actions.waiting.push({
      name: spec.name,
      until: retryAt(entry!),
      delayMs: entry!.delayMs,
      message: `back-off ${delay} restarting failed container=${spec.name} pod=${podFullName(pod)}`,
    });
    return;
  }
  actions.startContainers.push({
    ...target,
    name: spec.name,
    attempt,
    pullPolicy: effectivePullPolicy(spec),
  });
}

export function computePodActions(pod: Pod, observed: ObservedPod, ctx: SyncContext): PodActions {
  const actions = emptyActions();
  const grace = podGraceSeconds(pod);

  if (pod.metadata.deletionTimestamp) {
    if (running(observed).length) actions.killPod = { reason: 'PodDeleted', graceSeconds: grace };
    actions.finishDeletion = true;
    return actions;
  }
  if (isTerminalPhase(pod)) {
    // A finished pod keeps its containers (for logs) but nothing of it may run.
    if (running(observed).length) actions.killPod = { reason: 'PodTerminal', graceSeconds: grace };
    return actions;
  }

  actions.removeContainers = garbage(pod, observed);
  const sandbox = observed.sandboxes[0];
  const sandboxRunning = sandbox?.state === 'running';
  const extraRunningSandboxes = observed.sandboxes.slice(1).some((s) => s.state === 'running');

  if (!sandboxRunning || extraRunningSandboxes) {
    // No usable sandbox: (re)create it, with every container that should run. Like the kubelet, a Never pod
    // that already ran does not get a new sandbox, and nothing is created when nothing would run in it.
    const attempt = sandbox ? attemptOf(sandbox) + 1 : 0;
    const everStarted = observed.containers.length > 0;
    if (running(observed).length) actions.killPod = { reason: 'SandboxChanged', graceSeconds: grace };
    const policy = pod.spec.restartPolicy ?? 'Always';
    if (policy === 'Never' && sandbox && everStarted) return actions;
    if (initContainersOf(pod).length) {
      // A new sandbox runs initialization again from the first init container.
      startOrWait(pod, { init: true, index: 0 }, observed, ctx, actions);
    } else {
      pod.spec.containers.forEach((c, i) => {
        const newest = containersNamed(observed, c.name)[0];
        if (policy === 'OnFailure' && newest?.state === 'exited' && newest.exitCode === 0) return;
        startOrWait(pod, { init: false, index: i }, observed, ctx, actions);
      });
    }
    if (!actions.startContainers.length && !actions.waiting.length) return actions;
    if (inBackoff(ctx.sandboxBackoff, ctx.now)) {
      actions.sandboxRetryAt = retryAt(ctx.sandboxBackoff!);
      actions.startContainers = [];
    } else {
      actions.createSandbox = { attempt };
    }
    return actions;
  }

  const init = initProgress(pod, observed);
  if (!init.done) {
    if (init.next === undefined) return actions; // an init container is running
    if (init.failed && (pod.spec.restartPolicy ?? 'Always') === 'Never') {
      actions.killPod = { reason: 'NothingToRun', graceSeconds: grace };
    } else {
      startOrWait(pod, { init: true, index: init.next }, observed, ctx, actions);
    }
    return actions;
  }

  let keep = 0;
  pod.spec.containers.forEach((spec, i) => {
    const newest = containersNamed(observed, spec.name)[0];
    if (newest?.state !== 'running') {
      if (shouldRestart(pod, newest)) startOrWait(pod, { init: false, index: i }, observed, ctx, actions);
      return;
    }
    let why: string | undefined;
    let probe: 'liveness' | 'startup' | undefined;
    if (newest.labels[LABEL_HASH] !== containerHash(spec)) why = `Container ${spec.name} definition changed`;
    else if (newest.labels[LABEL_SANDBOX_ID] !== sandbox.id)
      why = `Container ${spec.name} is outside the pod sandbox`;
    else if ((probe = ctx.failedProbe?.(spec.name, newest)))
      why = `Container ${spec.name} failed ${probe} probe`;
    if (!why) {
      keep++;
      return;
    }
    const restart = (pod.spec.restartPolicy ?? 'Always') !== 'Never';
    const graceSeconds = probe && probeGraceSeconds(pod, spec, probe);
    actions.killContainers.push({
      id: newest.id,
      name: spec.name,
      message: `${why}, ${restart ? 'will be restarted' : 'will not be restarted'}`,
      ...(probe ? { probe } : {}),
      ...(graceSeconds !== undefined ? { graceSeconds } : {}),
    });
    if (!restart) return;
    if (probe) {
      // As the kubelet's doBackOff does, repeated probe kills end in CrashLoopBackOff.
      startOrWait(pod, { init: false, index: i }, observed, ctx, actions);
      return;
    }
    actions.startContainers.push({
      init: false,
      index: i,
      name: spec.name,
      attempt: attemptOf(newest) + 1,
      pullPolicy: effectivePullPolicy(spec),
    });
  });
  // Running containers the spec no longer names.
  for (const c of observed.containers) {
    const name = c.labels[LABEL_CONTAINER_NAME];
    if (c.state === 'running' && !specNamed(pod, name)) {
      actions.killContainers.push({ id: c.id, name, message: `Container ${name} is not in the pod spec` });
    }
  }
  if (keep === 0 && !actions.startContainers.length && !actions.waiting.length) {
    actions.killPod = { reason: 'NothingToRun', graceSeconds: grace };
  }
  return actions;
}
