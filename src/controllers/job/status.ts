// Counting finished pods exactly once (kubernetes job_controller.go trackJobStatusAndRemoveFinalizers): every pod
// the Job creates carries the batch.kubernetes.io/job-tracking finalizer, so it cannot vanish before it is
// counted. A finished pod's UID first goes into .status.uncountedTerminatedPods (written to the API), then its
// finalizer comes off, then the UID moves into .status.succeeded/.failed. A crash between the steps repeats a
// step, never counts twice, and deleting a finished pod later never lowers the counts. All pure.
import { jsonEqual } from '../../api/object-meta.js';
import type { Job, JobCondition, JobStatus, Pod } from '../../api/types.js';
import { completionIndex, formatIndexes } from './indexed.js';
import {
  ensureJobCondition,
  hasTrackingFinalizer,
  isIndexedJob,
  isPodFailed,
  MAX_UNCOUNTED_PODS,
  newJobCondition,
  type JobConditionType,
} from './job-util.js';

export interface JobEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** The status as Kubernetes serializes it: zero counters and empty lists left out, ready/terminating kept. */
export function normalizeJobStatus(s: JobStatus | undefined): JobStatus {
  const out: JobStatus = { ...(s ?? {}) };
  for (const k of ['active', 'succeeded', 'failed'] as const) if (!out[k]) delete out[k];
  if (!out.conditions?.length) delete out.conditions;
  if (!out.completedIndexes) delete out.completedIndexes;
  const u = out.uncountedTerminatedPods;
  if (u) {
    const nu: NonNullable<JobStatus['uncountedTerminatedPods']> = {};
    if (u.succeeded?.length) nu.succeeded = [...u.succeeded];
    if (u.failed?.length) nu.failed = [...u.failed];
    out.uncountedTerminatedPods = nu;
  }
  return out;
}

export function jobStatusChanged(a: JobStatus | undefined, b: JobStatus | undefined): boolean {
  return !jsonEqual(normalizeJobStatus(a), normalizeJobStatus(b));
}

/**
 * Moves the uncounted UIDs whose pods no longer hold the finalizer (or are gone) into the counters
 * (cleanUncountedPodsWithoutFinalizers). Mutates `status`; true when anything moved.
 */
export function countUncountedWithoutFinalizers(
  status: JobStatus,
  withFinalizer: ReadonlySet<string>,
): boolean {
  const u = (status.uncountedTerminatedPods ??= {});
  let changed = false;
  for (const k of ['succeeded', 'failed'] as const) {
    const list = u[k] ?? [];
    const keep = list.filter((uid) => withFinalizer.has(uid));
    if (keep.length !== list.length) {
      changed = true;
      status[k] = (status[k] ?? 0) + list.length - keep.length;
      if (keep.length) u[k] = keep;
      else delete u[k];
    }
  }
  return changed;
}

export interface TrackInput {
  job: Job;
  pods: Pod[];
  /** The status computed so far this sync (mutated). */
  status: JobStatus;
  /** The condition the Job is heading for (FailureTarget / SuccessCriteriaMet / Failed / Complete), if any. */
  finished: JobCondition | undefined;
  expectedRemovedFinalizers: ReadonlySet<string>;
  /** Indexed Jobs: indexes in the stored status and all succeeded ones known now. */
  prevSucceededIndexes?: number[];
  succeededIndexes?: number[];
  now: string;
}

export interface TrackResult {
  /** Pods whose tracking finalizer may come off once the status with their UIDs is written. */
  removeFinalizers: Pod[];
  /** UIDs of pods still holding the finalizer (not counting removals already in flight). */
  uidsWithFinalizer: string[];
  reachedMaxUncounted: boolean;
  /** The terminal condition (Complete / Failed) to set once nothing is uncounted or terminating. */
  finished: JobCondition | undefined;
}

/** Adds newly finished pods to uncountedTerminatedPods and records the interim conditions. */
export function trackFinishedPods(input: TrackInput): TrackResult {
  const { job, status, expectedRemovedFinalizers: expectedRm, now } = input;
  const indexed = isIndexedJob(job);
  const completions = job.spec.completions ?? 0;
  const stored = job.status?.uncountedTerminatedPods;
  const wasUncounted = {
    succeeded: new Set(stored?.succeeded ?? []),
    failed: new Set(stored?.failed ?? []),
  };
  const uidOf = (p: Pod) => p.metadata.uid ?? '';
  const withFinalizer = input.pods.filter((p) => hasTrackingFinalizer(p) && !expectedRm.has(uidOf(p)));
  const uidsWithFinalizer = new Set(withFinalizer.map(uidOf));
  countUncountedWithoutFinalizers(status, uidsWithFinalizer);

  const u = (status.uncountedTerminatedPods ??= {});
  const uncSucceeded = [...(u.succeeded ?? [])];
  const uncFailed = [...(u.failed ?? [])];
  const prevIndexes = new Set(input.prevSucceededIndexes ?? []);
  const newIndexes: number[] = [];
  const removeFinalizers: Pod[] = [];
  let reachedMaxUncounted = false;
  const ordered = indexed
    ? [...withFinalizer].sort((a, b) => (completionIndex(a) ?? -1) - (completionIndex(b) ?? -1))
    : withFinalizer;
  for (const pod of ordered) {
    const uid = uidOf(pod);
    const failed = isPodFailed(pod, job);
    const succeeded = pod.status?.phase === 'Succeeded';
    // canRemoveFinalizer: the Job is going away or finishing, or the pod is done.
    if (!job.metadata.deletionTimestamp && !input.finished && !succeeded && !failed) continue;
    removeFinalizers.push(pod);
    const ix = completionIndex(pod);
    const validIndex = ix !== undefined && ix < completions;
    if (succeeded && !wasUncounted.failed.has(uid)) {
      if (indexed) {
        if (validIndex && !prevIndexes.has(ix)) newIndexes.push(ix);
      } else if (!wasUncounted.succeeded.has(uid)) {
        uncSucceeded.push(uid);
      }
    } else if (failed || (input.finished && input.finished.type !== 'SuccessCriteriaMet')) {
      // A Job that failed counts each pod it still has as failed.
      if (!wasUncounted.failed.has(uid) && (!indexed || validIndex)) uncFailed.push(uid);
    }
    if (newIndexes.length + uncSucceeded.length + uncFailed.length >= MAX_UNCOUNTED_PODS) {
      reachedMaxUncounted = true;
      break;
    }
  }
  if (uncSucceeded.length) u.succeeded = uncSucceeded;
  if (uncFailed.length) u.failed = uncFailed;
  if (indexed) {
    const all = [...new Set([...(input.succeededIndexes ?? []), ...newIndexes])];
    status.completedIndexes = formatIndexes(all);
    status.succeeded = all.length;
  }

  // Interim conditions go into the status before the finalizers come off; the terminal one follows later.
  let finished = input.finished;
  if (finished?.type === 'FailureTarget') {
    status.conditions = [...(status.conditions ?? []), finished];
    finished = newJobCondition('Failed', 'True', finished.reason, finished.message, now);
  } else if (finished?.type === 'SuccessCriteriaMet') {
    if (!status.conditions?.some((c) => c.type === 'SuccessCriteriaMet' && c.status === 'True')) {
      status.conditions = [...(status.conditions ?? []), finished];
    }
    finished = newJobCondition('Complete', 'True', finished.reason, finished.message, now);
  }
  return { removeFinalizers, uidsWithFinalizer: [...uidsWithFinalizer], reachedMaxUncounted, finished };
}

export interface FinishInput {
  job: Job;
  /** The status after trackFinishedPods (not mutated). */
  status: JobStatus;
  /** UIDs still holding the finalizer after this sync's removals. */
  uidsWithFinalizer: ReadonlySet<string>;
  finished: JobCondition | undefined;
  terminating: number;
  reachedMaxUncounted: boolean;
  now: string;
}

/**
 * After the finalizers came off: count the pods, and set Complete/Failed (with completionTime) once no pod is
 * uncounted or still terminating (enactJobFinished). Returns the events of a Job that finished now.
 */
export function finishJobStatus(input: FinishInput): {
  status: JobStatus;
  finished: JobCondition | undefined;
  events: JobEvent[];
} {
  const status = structuredClone(input.status);
  countUncountedWithoutFinalizers(status, input.uidsWithFinalizer);
  const f = input.finished;
  const u = status.uncountedTerminatedPods;
  const uncounted = (u?.succeeded?.length ?? 0) + (u?.failed?.length ?? 0);
  if (!f || input.reachedMaxUncounted || uncounted > 0 || input.terminating > 0) {
    return { status, finished: undefined, events: [] };
  }
  const type = f.type as JobConditionType;
  status.conditions = ensureJobCondition(
    status.conditions ?? [],
    type,
    'True',
    f.reason,
    f.message,
    input.now,
  ).conditions;
  const events: JobEvent[] = [];
  if (type === 'Complete') {
    status.completionTime = status.conditions.find((c) => c.type === 'Complete')?.lastTransitionTime;
    const completions = input.job.spec.completions;
    if (completions !== undefined && (status.succeeded ?? 0) > completions) {
      events.push({
        type: 'Warning',
        reason: 'TooManySucceededPods',
        message: 'Too many succeeded pods running after completion count reached',
      });
    }
    events.push({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
  } else {
    events.push({ type: 'Warning', reason: f.reason ?? 'Failed', message: f.message ?? '' });
  }
  return { status, finished: f, events };
}
