// Small pure facts about Jobs and their pods that the Job, CronJob and TTL controllers share
// (kubernetes pkg/controller/job/util, job_controller.go, controller_utils.go).
import type { Job, JobCondition, Pod } from '../../api/types.js';

/** Pods carry this finalizer until the Job controller has counted them (finalizer-based tracking). */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** Annotation (and label) with an Indexed Job pod's completion index. */
export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
export const JOB_COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

/** Pod events are batched: the Job is synced at most once per second for them. */
export const SYNC_JOB_BATCH_PERIOD_MS = 1000;
/** Delay before re-creating pods after failures: 10 s doubling per failure since the last success, max 10 min. */
export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;
/** Keeps .status.uncountedTerminatedPods small and one sync from starving others. */
export const MAX_UNCOUNTED_PODS = 500;
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

export type JobConditionType = 'Complete' | 'Failed' | 'Suspended' | 'FailureTarget' | 'SuccessCriteriaMet';

export function findCondition(
  conditions: JobCondition[] | undefined,
  type: string,
): JobCondition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function hasTrueCondition(job: Job, type: string): JobCondition | undefined {
  const c = findCondition(job.status?.conditions, type);
  return c?.status === 'True' ? c : undefined;
}

/** The Complete or Failed condition with status True, if the Job has finished. */
export function jobFinishedCondition(job: Job): JobCondition | undefined {
  return job.status?.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
}

export function isJobFinished(job: Job): boolean {
  return jobFinishedCondition(job) !== undefined;
}

export function jobSuspended(job: Job): boolean {
  return job.spec.suspend === true;
}

export function isIndexedJob(job: Job): boolean {
  return job.spec.completionMode === 'Indexed';
}

export function newJobCondition(
  type: JobConditionType,
  status: 'True' | 'False',
  reason: string | undefined,
  message: string | undefined,
  now: string,
): JobCondition {
  const c: JobCondition = { type, status, lastProbeTime: now, lastTransitionTime: now };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

/**
 * ensureJobConditionStatus: update the condition of `type` when status, reason or message differ (with new
 * times), append it when missing, unless it would be appended as False (nothing → False means nothing).
 */
export function ensureJobCondition(
  conditions: JobCondition[],
  type: JobConditionType,
  status: 'True' | 'False',
  reason: string | undefined,
  message: string | undefined,
  now: string,
): { conditions: JobCondition[]; changed: boolean } {
  const i = conditions.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = conditions[i];
    if (c.status === status && (c.reason ?? '') === (reason ?? '') && (c.message ?? '') === (message ?? '')) {
      return { conditions, changed: false };
    }
    const next = [...conditions];
    next[i] = newJobCondition(type, status, reason, message, now);
    return { conditions: next, changed: true };
  }
  if (status === 'False') return { conditions, changed: false };
  return { conditions: [...conditions, newJobCondition(type, status, reason, message, now)], changed: true };
}

export function hasTrackingFinalizer(pod: Pod): boolean {
  return pod.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** FilterActivePods: neither finished nor being deleted. */
export function isPodActive(pod: Pod): boolean {
  return !isTerminal(pod) && !pod.metadata.deletionTimestamp;
}

/** Being deleted but not finished yet (its containers may still run). */
export function isPodTerminating(pod: Pod): boolean {
  return !isTerminal(pod) && !!pod.metadata.deletionTimestamp;
}

/** podReplacementPolicy Failed: replacements wait until terminating pods have really finished. */
export function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec.podReplacementPolicy === 'Failed';
}

/** Failed, or (unless only failed pods are replaced) deleted before it could succeed. */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

/** The strategic merge patch that takes the tracking finalizer off a pod. */
export function removeTrackingFinalizerPatch(): Record<string, unknown> {
  return { metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] } };
}

export function parseTime(ts: string | undefined): number | undefined {
  if (!ts) return undefined;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? undefined : ms;
}
