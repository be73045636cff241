// The `kubectl get pods` row, computed exactly like Kubernetes' printPod
// (pkg/printers/internalversion/printers.go): the STATUS cell is the most specific reason available —
// a waiting/terminated container reason (ContainerCreating, CrashLoopBackOff, ImagePullBackOff, Error,
// Completed), an init container's progress (Init:0/1, Init:Error), Terminating while being deleted, else the phase.
import { formatAge, translateTimestampSince } from '../format.js';
import type { Container, ContainerStatus, Pod } from '../types.js';

const isRestartableInit = (c: Container | undefined) => c?.restartPolicy === 'Always';

function finishedAt(cs: ContainerStatus): number {
  const t = Date.parse(cs.lastState?.terminated?.finishedAt ?? '');
  return Number.isNaN(t) ? 0 : t;
}

function hasCondition(pod: Pod, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** The STATUS, READY and RESTARTS cells. */
export function podStatusCells(pod: Pod, now: number): { ready: string; status: string; restarts: string } {
  const spec = pod.spec ?? { containers: [] };
  const status = pod.status ?? {};
  const initSpecs = Array.isArray(spec.initContainers) ? spec.initContainers : [];
  const initByName = new Map(initSpecs.map((c) => [c.name, c]));
  let total = (Array.isArray(spec.containers) ? spec.containers : []).length;
  total += initSpecs.filter(isRestartableInit).length;
  let readyCount = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart = 0;
  let lastSidecarRestart = 0;

  const phase = status.phase ?? '';
  let reason: string = status.reason || phase;
  if ((status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) {
    reason = 'SchedulingGated';
  }

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    restarts += cs.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, finishedAt(cs));
    const sidecar = isRestartableInit(initByName.get(cs.name));
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestart = Math.max(lastSidecarRestart, finishedAt(cs));
    }
    const { terminated, waiting } = cs.state ?? {};
    if (terminated && terminated.exitCode === 0) continue;
    if (sidecar && cs.started) {
      if (cs.ready) readyCount++;
      continue;
    }
    if (terminated) {
      if (terminated.reason) reason = `Init:${terminated.reason}`;
      else if (terminated.signal) reason = `Init:Signal:${terminated.signal}`;
      else reason = `Init:ExitCode:${terminated.exitCode}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(pod, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += cs.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, finishedAt(cs));
      const { terminated, waiting, running } = cs.state ?? {};
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated)
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      else if (cs.ready && running) {
        hasRunning = true;
        readyCount++;
      }
    }
    // A pod whose last container completed but another still runs is shown as Running (or NotReady).
    if (reason === 'Completed' && hasRunning) reason = hasCondition(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata?.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed')
    reason = 'Terminating';

  const restartsText =
    restarts !== 0 && lastRestart !== 0
      ? `${restarts} (${formatAge(now - lastRestart)} ago)`
      : String(restarts);
  return { ready: `${readyCount}/${total}`, status: reason, restarts: restartsText };
}

/** Cells for: Name, Ready, Status, Restarts, Age | IP, Node, Nominated Node, Readiness Gates. */
export function podRow(pod: Pod, now: number): string[] {
  const { ready, status, restarts } = podStatusCells(pod, now);
  const podIP = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>';
  const gates = pod.spec?.readinessGates ?? [];
  let readinessGates = '<none>';
  if (gates.length > 0) {
    const trueCount = gates.filter((g) => hasCondition(pod, g.conditionType)).length;
    readinessGates = `${trueCount}/${gates.length}`;
  }
  return [
    pod.metadata?.name ?? '',
    ready,
    status,
    restarts,
    translateTimestampSince(pod.metadata?.creationTimestamp, now),
    podIP,
    pod.spec?.nodeName || '<none>',
    pod.status?.nominatedNodeName || '<none>',
    readinessGates,
  ];
}
