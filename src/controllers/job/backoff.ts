// Pod-failure backoff (kubernetes pkg/controller/job/backoff_utils.go): after consecutive pod failures the Job
// controller waits 10 s, 20 s, 40 s, ... (at most 10 min) after the last failure before creating replacements.
// A success resets the count. The record lives in memory per Job; this file computes it purely.
import type { Pod } from '../../api/types.js';
import { getPodCondition } from '../../api/object-meta.js';
import { DEFAULT_POD_FAILURE_BACKOFF_MS, MAX_POD_FAILURE_BACKOFF_MS, parseTime } from './job-util.js';

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  /** When the most recent counted failure happened (ms). */
  lastFailureTime?: number;
}

/**
 * When a pod finished: its containers' latest termination, else when it stopped being Ready, else its deletion
 * time minus the grace period, else its creation.
 */
export function podFinishedTime(pod: Pod): number {
  const statuses = pod.status?.containerStatuses ?? [];
  let fromContainers: number | undefined;
  for (const cs of statuses) {
    const t = parseTime(cs.state?.terminated?.finishedAt);
    if (t === undefined) {
      fromContainers = undefined;
      break;
    }
    fromContainers = fromContainers === undefined ? t : Math.max(fromContainers, t);
  }
  if (fromContainers !== undefined) return fromContainers;
  const ready = getPodCondition(pod.status, 'Ready');
  const readyFalse = ready?.status === 'False' ? parseTime(ready.lastTransitionTime) : undefined;
  if (readyFalse !== undefined) return readyFalse;
  const deleted = parseTime(pod.metadata.deletionTimestamp);
  if (deleted !== undefined) return deleted - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
  return parseTime(pod.metadata.creationTimestamp) ?? 0;
}

/** The record after this sync's newly finished pods (those not yet counted in the Job status). */
export function newBackoffRecord(
  prev: BackoffRecord | undefined,
  newSucceeded: Pod[],
  newFailed: Pod[],
): BackoffRecord {
  const record: BackoffRecord = { failuresAfterLastSuccess: prev?.failuresAfterLastSuccess ?? 0 };
  if (prev?.lastFailureTime !== undefined) record.lastFailureTime = prev.lastFailureTime;
  const failedTimes = newFailed.map(podFinishedTime).sort((a, b) => a - b);
  if (newSucceeded.length === 0) {
    if (failedTimes.length === 0) return record;
    return {
      failuresAfterLastSuccess: record.failuresAfterLastSuccess + failedTimes.length,
      lastFailureTime: failedTimes[failedTimes.length - 1],
    };
  }
  // A success resets the count; only failures after the latest success still count.
  const lastSuccess = Math.max(...newSucceeded.map(podFinishedTime));
  const after = failedTimes.filter((t) => t > lastSuccess);
  if (after.length === 0) return { failuresAfterLastSuccess: 0 };
  return { failuresAfterLastSuccess: after.length, lastFailureTime: after[after.length - 1] };
}

/** How long to wait before creating pods again: base·2^(failures−1), capped, minus the time since the failure. */
export function remainingBackoffMs(
  record: BackoffRecord,
  now: number,
  baseMs = DEFAULT_POD_FAILURE_BACKOFF_MS,
  maxMs = MAX_POD_FAILURE_BACKOFF_MS,
): number {
  if (record.failuresAfterLastSuccess === 0 || record.lastFailureTime === undefined) return 0;
  let backoff = baseMs;
  for (let i = 1; i < record.failuresAfterLastSuccess; i++) {
    backoff *= 2;
    if (backoff >= maxMs) {
      backoff = maxMs;
      break;
    }
  }
  const elapsed = now - record.lastFailureTime;
  return backoff < elapsed ? 0 : backoff - elapsed;
}
