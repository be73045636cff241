// ttlSecondsAfterFinished (kubernetes pkg/controller/ttlafterfinished): a finished Job with a TTL is deleted once
// TTL seconds have passed since its Complete/Failed condition turned True. Pure time arithmetic.
import type { Job } from '../../api/types.js';
import { jobFinishedCondition, parseTime } from './job-util.js';

/** Finished, with a TTL, and not already being deleted. */
export function needsCleanup(job: Job): boolean {
  return (
    job.spec.ttlSecondsAfterFinished !== undefined &&
    !job.metadata.deletionTimestamp &&
    jobFinishedCondition(job) !== undefined
  );
}

/** When the Job finished (its terminal condition's lastTransitionTime). */
export function jobFinishTime(job: Job): number | undefined {
  return parseTime(jobFinishedCondition(job)?.lastTransitionTime);
}

/** Milliseconds until the Job may be deleted (≤ 0: now), or undefined when it is not due for cleanup. */
export function ttlRemainingMs(job: Job, now: number): number | undefined {
  if (!needsCleanup(job)) return undefined;
  const finishedAt = jobFinishTime(job);
  if (finishedAt === undefined) return undefined;
  return finishedAt + job.spec.ttlSecondsAfterFinished! * 1000 - now;
}
