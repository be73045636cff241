// CronJob status bookkeeping, pure: status.active lists the Jobs still running (ObjectReferences),
// lastScheduleTime the schedule time of the latest Job started, lastSuccessfulTime when the latest Job completed.
import type { CronJobStatus, Job, ObjectReference } from '../../api/types.js';
import { rfc3339 } from '../../common/clock.js';
import { parseTime } from '../job/job-util.js';

export function inActiveList(status: CronJobStatus, uid: string | undefined): boolean {
  return !!uid && (status.active ?? []).some((ref) => ref.uid === uid);
}

export function inActiveListByName(status: CronJobStatus, name: string): boolean {
  return (status.active ?? []).some((ref) => ref.name === name);
}

/** Removes the reference (mutates); an emptied list disappears, as Kubernetes omits it. */
export function deleteFromActiveList(status: CronJobStatus, uid: string | undefined): void {
  const rest = (status.active ?? []).filter((ref) => ref.uid !== uid);
  if (rest.length) status.active = rest;
  else delete status.active;
}

/** The reference kept in status.active (client-go's reference.GetReference). */
export function jobReference(job: Job): ObjectReference {
  return {
    kind: 'Job',
    namespace: job.metadata.namespace,
    name: job.metadata.name,
    uid: job.metadata.uid,
    apiVersion: 'batch/v1',
    resourceVersion: job.metadata.resourceVersion,
  };
}

/** The status after a Job was started for `scheduledTime`. */
export function withStartedJob(status: CronJobStatus, job: Job, scheduledTime: number): CronJobStatus {
  return {
    ...status,
    active: [...(status.active ?? []), jobReference(job)],
    lastScheduleTime: rfc3339(scheduledTime),
  };
}

/** Keeps the later of lastSuccessfulTime and a completed Job's completionTime (mutates); true when changed. */
export function noteSuccessfulJob(status: CronJobStatus, job: Job): boolean {
  const completed = parseTime(job.status?.completionTime);
  if (completed === undefined) return false;
  const last = parseTime(status.lastSuccessfulTime);
  if (last !== undefined && completed <= last) return false;
  status.lastSuccessfulTime = job.status!.completionTime;
  return true;
}
