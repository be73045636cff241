// The pod status the kubelet reports, computed purely from the pod, what the runtime holds and why containers
// could not start (kubelet_pods.go generateAPIPodStatus / convertToAPIContainerStatuses / getPhase).
import { computeQosClass } from '../../src/api/pod-qos.js';
import type {
  Container,
  ContainerState,
  ContainerStatus,
  Pod,
  PodCondition,
  PodPhase,
  PodStatus,
} from '../../src/api/types.js';
import { rfc3339 } from '../../src/common/clock.js';
import type { RuntimeContainer } from '../runtime/container-runtime.js';
import { initContainersOf, initProgress } from './init-containers.js';
import { attemptOf, containersNamed, type ObservedPod } from './labels.js';
import { isTerminalPhase, shouldRestart } from './sync-pod.js';

/** Why a container is waiting (ErrImagePull, CrashLoopBackOff, CreateContainerConfigError, …). */
export interface WaitingReason {
  reason: string;
  message?: string;
}

export interface StatusContext {
  now: number;
  nodeIP: string;
  /** The last start failure per container name (the kubelet's reasonCache). */
  reasons: ReadonlyMap<string, WaitingReason>;
  /** Readiness (probes/probe-manager.ts): absent, a running container is ready. */
  isReady?: (containerName: string, c: RuntimeContainer) => boolean;
  /** Whether a running container has started (its startup probe succeeded); absent, running = started. */
  isStarted?: (containerName: string, c: RuntimeContainer) => boolean;
}

export function containerID(c: RuntimeContainer): string {
  return `docker://${c.id}`;
}

export function imageID(c: RuntimeContainer): string {
  const digest = c.imageDigests?.[0];
  return digest ? `docker-pullable://${digest}` : `docker://${c.imageID}`;
}

function terminatedReason(c: RuntimeContainer): string {
  if (c.oomKilled) return 'OOMKilled';
  if (c.state === 'created' && c.error) return 'ContainerCannotRun';
  return c.exitCode === 0 ? 'Completed' : 'Error';
}

/** A runtime container as a Kubernetes ContainerState. */
export function containerState(c: RuntimeContainer): ContainerState {
  if (c.state === 'running') return { running: { startedAt: rfc3339(c.startedAt ?? c.createdAt) } };
  if (c.state === 'created' && !c.error) return { waiting: { reason: 'ContainerCreating' } };
  return {
    terminated: {
      exitCode: c.exitCode ?? (c.error ? 128 : 0),
      reason: terminatedReason(c),
      ...(c.error ? { message: c.error } : {}),
      startedAt: rfc3339(c.startedAt ?? c.createdAt),
      finishedAt: rfc3339(c.finishedAt ?? c.startedAt ?? c.createdAt),
      containerID: containerID(c),
    },
  };
}

function containerStatus(
  pod: Pod,
  spec: Container,
  observed: ObservedPod,
  ctx: StatusContext,
  kind: { init: boolean; initialized: boolean },
): ContainerStatus {
  const [current, previous] = containersNamed(observed, spec.name);
  const waiting = ctx.reasons.get(spec.name);
  if (!current) {
    const defaultReason = kind.initialized || kind.init ? 'ContainerCreating' : 'PodInitializing';
    return {
      name: spec.name,
      state: { waiting: waiting ? { ...waiting } : { reason: defaultReason } },
      lastState: {},
      ready: false,
      restartCount: 0,
      image: spec.image ?? '',
      imageID: '',
      started: false,
    };
  }
  let state = containerState(current);
  let lastState: ContainerState = previous && previous.state !== 'running' ? containerState(previous) : {};
  // A container that will be started again shows why it is not running yet, its last run becoming lastState.
  if (waiting && shouldRestart(pod, current)) {
    if (state.terminated) lastState = state;
    state = { waiting: { ...waiting } };
  }
  const isRunning = current.state === 'running';
  const started = isRunning && (kind.init || !ctx.isStarted || ctx.isStarted(spec.name, current));
  // An init container is "ready" once it completed successfully; an app container once it started and passes
  // its readiness probe.
  const ready = kind.init
    ? state.terminated?.exitCode === 0
    : started && (ctx.isReady ? ctx.isReady(spec.name, current) : true);
  return {
    name: spec.name,
    state,
    lastState,
    ready,
    restartCount: attemptOf(current),
    image: current.image,
    imageID: imageID(current),
    containerID: containerID(current),
    started,
  };
}

/** kubelet getPhase (init containers that are not sidecars). */
export function podPhase(
  pod: Pod,
  statuses: ContainerStatus[],
  initStatuses: ContainerStatus[] = [],
): PodPhase {
  let pendingInit = 0;
  let failedInit = 0;
  for (const s of initStatuses) {
    const exit =
      s.state.terminated?.exitCode ?? (s.state.waiting ? s.lastState.terminated?.exitCode : undefined);
    if (exit === undefined) pendingInit++;
    else if (exit !== 0) failedInit++;
  }
  if (failedInit > 0 && pod.spec.restartPolicy === 'Never') return 'Failed';
  const appStarted = statuses.some((s) => s.state.running || s.state.terminated || s.lastState.terminated);
  if (pendingInit > 0 && !appStarted) return 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) stopped++;
      else waiting++;
    }
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    const policy = pod.spec.restartPolicy ?? 'Always';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return policy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

function condition(
  pod: Pod,
  type: string,
  ok: boolean,
  now: number,
  reason?: string,
  message?: string,
): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = pod.status?.conditions?.find((c) => c.type === type);
  return {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime:
      prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(now),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

export function computePodStatus(pod: Pod, observed: ObservedPod, ctx: StatusContext): PodStatus {
  const old = pod.status ?? {};
  const initialized = initProgress(pod, observed).done;
  const initStatuses = initContainersOf(pod).map((c) =>
    containerStatus(pod, c, observed, ctx, { init: true, initialized }),
  );
  const statuses = pod.spec.containers.map((c) =>
    containerStatus(pod, c, observed, ctx, { init: false, initialized }),
  );
  const phase = isTerminalPhase(pod) ? old.phase! : podPhase(pod, statuses, initStatuses);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const sandbox = observed.sandboxes[0];
  const hostNet = pod.spec.hostNetwork === true;
  const sandboxReady = sandbox?.state === 'running' && (hostNet || !!sandbox.ip);
  const podIP = hostNet ? ctx.nodeIP : sandboxReady ? sandbox.ip : old.podIP;

  const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
  const allReady = unready.length === 0 && !terminal;
  const notReadyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMessage = terminal ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const conditions: PodCondition[] = [
    condition(pod, 'PodReadyToStartContainers', sandboxReady, ctx.now),
    initialized
      ? condition(pod, 'Initialized', true, ctx.now)
      : condition(
          pod,
          'Initialized',
          false,
          ctx.now,
          'ContainersNotInitialized',
          `containers with incomplete status: [${initStatuses
            .filter((s) => !s.ready)
            .map((s) => s.name)
            .join(' ')}]`,
        ),
    condition(
      pod,
      'Ready',
      allReady,
      ctx.now,
      allReady ? undefined : notReadyReason,
      allReady ? undefined : notReadyMessage,
    ),
    condition(
      pod,
      'ContainersReady',
      allReady,
      ctx.now,
      allReady ? undefined : notReadyReason,
      allReady ? undefined : notReadyMessage,
    ),
    condition(pod, 'PodScheduled', true, ctx.now),
  ];

  return {
    ...old,
    phase,
    conditions,
    hostIP: ctx.nodeIP,
    hostIPs: [{ ip: ctx.nodeIP }],
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime: old.startTime ?? rfc3339(ctx.now),
    ...(initStatuses.length ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: statuses,
    qosClass: old.qosClass ?? computeQosClass(pod.spec),
  };
}
