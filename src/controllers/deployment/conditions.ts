// Deployment conditions and the progress checks built on them (deployment_util.go): Progressing (with the reasons
// `kubectl rollout status` and `describe` show) and Available. Pure: the time is passed in.
import type { Deployment, DeploymentCondition, DeploymentStatus } from '../../api/types.js';
import { rfc3339 } from '../../common/clock.js';

// Progressing reasons.
export const REPLICASET_UPDATED = 'ReplicaSetUpdated';
export const FAILED_RS_CREATE = 'ReplicaSetCreateError';
export const NEW_REPLICASET_CREATED = 'NewReplicaSetCreated';
export const FOUND_NEW_REPLICASET = 'FoundNewReplicaSet';
export const NEW_RS_AVAILABLE = 'NewReplicaSetAvailable';
export const TIMED_OUT = 'ProgressDeadlineExceeded';
export const PAUSED = 'DeploymentPaused';
export const RESUMED = 'DeploymentResumed';
// Available reasons.
export const MINIMUM_REPLICAS_AVAILABLE = 'MinimumReplicasAvailable';
export const MINIMUM_REPLICAS_UNAVAILABLE = 'MinimumReplicasUnavailable';

/** progressDeadlineSeconds of "never" (math.MaxInt32), as Kubernetes spells it. */
export const NO_DEADLINE = 2147483647;

export function newCondition(
  type: string,
  status: DeploymentCondition['status'],
  reason: string,
  message: string,
  now: number,
): DeploymentCondition {
  const t = rfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getCondition(status: DeploymentStatus | undefined, type: string) {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * SetDeploymentCondition: no change when the same status and reason are already there; otherwise replace it
 * (moving it last), keeping lastTransitionTime when only the reason changed.
 */
export function setCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec.progressDeadlineSeconds;
  return s !== undefined && s !== null && s !== NO_DEADLINE;
}

/** DeploymentComplete: every replica updated and available, no old ones, and the spec observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus | undefined): boolean {
  const replicas = d.spec.replicas ?? 1;
  return (
    (s?.updatedReplicas ?? 0) === replicas &&
    (s?.replicas ?? 0) === replicas &&
    (s?.availableReplicas ?? 0) === replicas &&
    (s?.observedGeneration ?? 0) >= (d.metadata.generation ?? 1)
  );
}

/**
 * DeploymentProgressing: compared with the Deployment's current status, the new one has more updated pods,
 * fewer old ones, or more ready or available pods.
 */
export function deploymentProgressing(d: Deployment, next: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/**
 * DeploymentTimedOut: the Progressing condition was last updated more than progressDeadlineSeconds ago (or says
 * so already). A completed rollout (NewReplicaSetAvailable) never times out.
 */
export function deploymentTimedOut(d: Deployment, next: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(next, 'Progressing');
  if (!cond) return false;
  if (cond.reason === NEW_RS_AVAILABLE) return false;
  if (cond.reason === TIMED_OUT) return true;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return false;
  return from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 < now;
}

/**
 * requeueStuckDeployment: when to look again for a timeout, in ms (undefined: not needed). One second is added,
 * as Kubernetes does, so the check lands after the deadline.
 */
export function progressCheckAfterMs(d: Deployment, next: DeploymentStatus, now: number): number | undefined {
  const current = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !current) return undefined;
  if (deploymentComplete(d, next) || current.reason === TIMED_OUT) return undefined;
  const from = Date.parse(current.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return undefined;
  const after = from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 - now;
  return Math.max(after, 0) + 1000;
}
