// The Job controller's decision (kubernetes pkg/controller/job/job_controller.go syncJob + manageJob), pure:
// from the Job, its pods and the time it decides whether the Job has failed (backoffLimit, restart counts with
// restartPolicy OnFailure, activeDeadlineSeconds) or succeeded (completions), which pods to create or delete
// (parallelism, remaining completions, suspend, pod-failure backoff) and the status to write before tracking
// finalizers come off. The controller executes the plan; status.ts finishes the status afterwards.
import { podIsReady } from '../../api/object-meta.js';
import type { Job, JobCondition, JobStatus, Pod, PodTemplateSpec } from '../../api/types.js';
import { rfc3339 } from '../../common/clock.js';
import { sortForRemoval } from './active-pods.js';
import { newBackoffRecord, remainingBackoffMs, type BackoffRecord } from './backoff.js';
import {
  completionIndex,
  firstPendingIndexes,
  invalidOrDuplicatePods,
  succeededIndexes,
  withCompletionIndexEnv,
} from './indexed.js';
import {
  ensureJobCondition,
  hasTrackingFinalizer,
  hasTrueCondition,
  isIndexedJob,
  isPodActive,
  isPodFailed,
  isPodTerminating,
  JOB_TRACKING_FINALIZER,
  jobSuspended,
  MAX_POD_CREATE_DELETE_PER_SYNC,
  newJobCondition,
  onlyReplaceFailedPods,
  parseTime,
  SYNC_JOB_BATCH_PERIOD_MS,
} from './job-util.js';
import { jobStatusChanged, trackFinishedPods, type JobEvent } from './status.js';

export const DEFAULT_BACKOFF_LIMIT = 6;

export interface JobSyncInput {
  job: Job;
  /** The pods this Job controls, from the cache. */
  pods: Pod[];
  now: number;
  /** False while pod creations/deletions issued earlier are not yet visible in the cache. */
  expectationsSatisfied: boolean;
  /** Pods whose finalizer removal was issued but is not yet visible in the cache (not to be counted again). */
  expectedRemovedFinalizers?: ReadonlySet<string>;
  backoff?: BackoffRecord;
}

export type JobPodAction =
  /** Create `count` pods (for Indexed Jobs, one per index in `indexes`). */
  | { kind: 'createPods'; count: number; indexes?: number[] }
  /**
   * Delete these pods. Surplus and suspended pods lose their tracking finalizer first (they are not failures);
   * the pods of a failed Job keep it, so they are counted as failed.
   */
  | { kind: 'deletePods'; pods: Pod[]; removeFinalizerFirst: boolean };

export interface JobSyncPlan {
  action?: JobPodAction;
  /** The status to write (when `flush`) before any finalizer comes off; assumes `action` succeeds. */
  status: JobStatus;
  flush: boolean;
  removeFinalizers: Pod[];
  uidsWithFinalizer: string[];
  /** Complete / Failed, to set once no pod is uncounted or terminating (see finishJobStatus). */
  finished?: JobCondition;
  terminating: number;
  reachedMaxUncounted: boolean;
  backoff: BackoffRecord;
  events: JobEvent[];
  /** Sync again after this long (activeDeadlineSeconds, pod-failure backoff). */
  requeueAfterMs?: number;
}

/** The template the Job's pods are made from: with the tracking finalizer (and, Indexed, the index env var). */
export function jobPodTemplate(job: Job): PodTemplateSpec {
  const t = isIndexedJob(job)
    ? withCompletionIndexEnv(job.spec.template)
    : structuredClone(job.spec.template);
  const finalizers = t.metadata?.finalizers ?? [];
  const metadata = { ...(t.metadata ?? {}) };
  if (!finalizers.includes(JOB_TRACKING_FINALIZER))
    metadata.finalizers = [...finalizers, JOB_TRACKING_FINALIZER];
  return { ...t, metadata };
}

/** restartPolicy OnFailure: container restarts of running pods count against backoffLimit. */
export function pastBackoffLimitOnFailure(job: Job, pods: Pod[]): boolean {
  if (job.spec.template.spec.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const c of [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])]) {
      restarts += c.restartCount ?? 0;
    }
  }
  const limit = job.spec.backoffLimit ?? DEFAULT_BACKOFF_LIMIT;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

export function pastActiveDeadline(job: Job, startTime: string | undefined, now: number): boolean {
  const ads = job.spec.activeDeadlineSeconds;
  const start = parseTime(startTime);
  if (ads === undefined || start === undefined || jobSuspended(job)) return false;
  return now - start >= ads * 1000;
}

/** Pods to delete when `rmAtLeast` must go: Indexed duplicates/strays first, then the least advanced. */
function activePodsForRemoval(job: Job, pods: Pod[], rmAtLeast: number): Pod[] {
  let rm: Pod[] = [];
  let left = pods;
  if (isIndexedJob(job)) ({ rm, left } = invalidOrDuplicatePods(pods, job.spec.completions ?? 0));
  if (rm.length < rmAtLeast) rm = [...rm, ...sortForRemoval(left).slice(0, rmAtLeast - rm.length)];
  return rm;
}

interface Manage {
  action?: JobPodAction;
  active: number;
  ready: number;
  terminating: number;
  requeueAfterMs?: number;
}

function deletePods(pods: Pod[], m: Manage): Manage {
  const n = pods.length;
  if (n === 0) return m;
  return {
    action: { kind: 'deletePods', pods, removeFinalizerFirst: true },
    active: m.active - n,
    ready: m.ready - pods.filter(podIsReady).length,
    terminating: m.terminating + n,
  };
}

/** manageJob: how many pods should run now, and what to create or delete to get there. */
function manageJob(
  job: Job,
  activePods: Pod[],
  base: Manage,
  succeeded: number,
  succeededIdx: number[],
  backoff: BackoffRecord,
  now: number,
): Manage {
  const active = activePods.length;
  if (jobSuspended(job)) return deletePods(activePodsForRemoval(job, activePods, active), base);
  const parallelism = job.spec.parallelism ?? 1;
  const completions = job.spec.completions;
  let wantActive: number;
  if (completions === undefined) {
    // Work-queue Jobs: after the first success, let what runs finish but start nothing new.
    wantActive = succeeded > 0 ? active : parallelism;
  } else {
    wantActive = Math.max(0, Math.min(completions - succeeded, parallelism));
  }
  const rmAtLeast = Math.max(0, active - wantActive);
  const toDelete = activePodsForRemoval(job, activePods, rmAtLeast).slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
  if (toDelete.length > 0) return deletePods(toDelete, base);

  const waitFor = onlyReplaceFailedPods(job) ? base.terminating : 0;
  let diff = wantActive - waitFor - active;
  if (diff <= 0) return base;
  const remaining = remainingBackoffMs(backoff, now);
  if (remaining > 0) return { ...base, requeueAfterMs: Math.max(remaining, SYNC_JOB_BATCH_PERIOD_MS) };
  diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
  if (isIndexedJob(job)) {
    const indexes = firstPendingIndexes(activePods, succeededIdx, diff, completions ?? 0);
    if (indexes.length === 0) return base;
    return {
      ...base,
      action: { kind: 'createPods', count: indexes.length, indexes },
      active: active + indexes.length,
    };
  }
  return { ...base, action: { kind: 'createPods', count: diff }, active: active + diff };
}

export function planJobSync(input: JobSyncInput): JobSyncPlan {
  const { job, pods, now } = input;
  const nowIso = rfc3339(now);
  const expectedRm = input.expectedRemovedFinalizers ?? new Set<string>();
  const status: JobStatus = structuredClone(job.status ?? {});
  status.uncountedTerminatedPods ??= {};
  const uncSucceeded = new Set(status.uncountedTerminatedPods.succeeded ?? []);
  const uncFailed = new Set(status.uncountedTerminatedPods.failed ?? []);
  const indexed = isIndexedJob(job);
  const completions = job.spec.completions;
  const suspended = jobSuspended(job);
  const events: JobEvent[] = [];
  let requeueAfterMs: number | undefined;
  const requeue = (ms: number) => (requeueAfterMs = Math.min(requeueAfterMs ?? ms, ms));

  const activePods = pods.filter(isPodActive);
  let m: Manage = {
    active: activePods.length,
    ready: activePods.filter(podIsReady).length,
    terminating: pods.filter(isPodTerminating).length,
  };

  // Finished pods not yet in the counters or in uncountedTerminatedPods.
  const countable = (p: Pod) => {
    if (!hasTrackingFinalizer(p) || expectedRm.has(p.metadata.uid ?? '')) return false;
    const ix = completionIndex(p);
    return !indexed || (ix !== undefined && ix < (completions ?? 0));
  };
  const uid = (p: Pod) => p.metadata.uid ?? '';
  const newSucceeded = pods.filter(
    (p) => countable(p) && !uncSucceeded.has(uid(p)) && p.status?.phase === 'Succeeded',
  );
  const newFailed = pods.filter((p) => countable(p) && !uncFailed.has(uid(p)) && isPodFailed(p, job));
  let succeeded = (status.succeeded ?? 0) + newSucceeded.length + uncSucceeded.size;
  const failed = (status.failed ?? 0) + newFailed.length + uncFailed.size;

  if (!status.startTime && !suspended) status.startTime = nowIso;
  const backoff = newBackoffRecord(input.backoff, newSucceeded, newFailed);

  // Where the Job is heading: a condition recorded earlier, or a failure found now.
  let finished: JobCondition | undefined = hasTrueCondition(job, 'SuccessCriteriaMet');
  if (!finished) {
    const target = hasTrueCondition(job, 'FailureTarget');
    if (target) finished = newJobCondition('Failed', 'True', target.reason, target.message, nowIso);
  }
  if (!finished) {
    const ads = job.spec.activeDeadlineSeconds;
    if (failed > (job.spec.backoffLimit ?? DEFAULT_BACKOFF_LIMIT) || pastBackoffLimitOnFailure(job, pods)) {
      finished = newJobCondition(
        'FailureTarget',
        'True',
        'BackoffLimitExceeded',
        'Job has reached the specified backoff limit',
        nowIso,
      );
    } else if (pastActiveDeadline(job, status.startTime, now)) {
      finished = newJobCondition(
        'FailureTarget',
        'True',
        'DeadlineExceeded',
        'Job was active longer than specified deadline',
        nowIso,
      );
    } else if (ads !== undefined && !suspended) {
      requeue(ads * 1000 - (now - (parseTime(status.startTime) ?? now)));
    }
  }

  let idx: { prev: number[]; all: number[] } | undefined;
  if (indexed) {
    idx = succeededIndexes(job, pods);
    succeeded = idx.all.length;
  }

  let action: JobPodAction | undefined;
  if (finished) {
    // Stop everything still running; the pods keep their finalizer and are counted as failed.
    if (activePods.length > 0) action = { kind: 'deletePods', pods: activePods, removeFinalizerFirst: false };
    m = { active: 0, ready: 0, terminating: m.terminating + activePods.length };
    // Pods not yet in the cache could still appear: finish on a later sync.
    if (!input.expectationsSatisfied) finished = undefined;
  } else {
    let managed = false;
    if (input.expectationsSatisfied && !job.metadata.deletionTimestamp) {
      m = manageJob(job, activePods, m, succeeded, idx?.all ?? [], backoff, now);
      action = m.action;
      if (m.requeueAfterMs !== undefined) requeue(m.requeueAfterMs);
      managed = true;
    }
    const complete =
      completions === undefined
        ? succeeded > 0 && m.active === 0
        : succeeded >= completions && m.active === 0;
    if (complete) {
      finished = newJobCondition(
        'SuccessCriteriaMet',
        'True',
        'CompletionsReached',
        'Reached expected number of succeeded pods',
        nowIso,
      );
    } else if (managed) {
      const suspend = suspended
        ? ensureJobCondition(
            status.conditions ?? [],
            'Suspended',
            'True',
            'JobSuspended',
            'Job suspended',
            nowIso,
          )
        : ensureJobCondition(
            status.conditions ?? [],
            'Suspended',
            'False',
            'JobResumed',
            'Job resumed',
            nowIso,
          );
      if (suspend.changed) {
        status.conditions = suspend.conditions;
        events.push({
          type: 'Normal',
          reason: suspended ? 'Suspended' : 'Resumed',
          message: `Job ${suspended ? 'suspended' : 'resumed'}`,
        });
        // activeDeadlineSeconds counts continuous activity: a resumed Job starts its clock again.
        if (!suspended) status.startTime = nowIso;
      }
    }
  }
  status.active = m.active;
  status.ready = m.ready;
  status.terminating = m.terminating;

  const tracked = trackFinishedPods({
    job,
    pods,
    status,
    finished,
    expectedRemovedFinalizers: expectedRm,
    prevSucceededIndexes: idx?.prev,
    succeededIndexes: idx?.all,
    now: nowIso,
  });
  return {
    action,
    status,
    flush: jobStatusChanged(job.status, status),
    removeFinalizers: tracked.removeFinalizers,
    uidsWithFinalizer: tracked.uidsWithFinalizer,
    finished: tracked.finished,
    terminating: m.terminating,
    reachedMaxUncounted: tracked.reachedMaxUncounted,
    backoff,
    events,
    requeueAfterMs,
  };
}
