// The CronJob controller's decision (kubernetes pkg/controller/cronjob/cronjob_controllerv2.go sync +
// syncCronJob + cleanupFinishedJobs), pure: from the CronJob, the Jobs it owns and the time, which finished Jobs
// to prune beyond the history limits, what the active list and lastSuccessfulTime become, whether a run is due
// (schedule, startingDeadlineSeconds, suspend, missed runs), what concurrencyPolicy says about running Jobs,
// which Job to create and when to look again.
import { newControllerRef } from '../../api/object-meta.js';
import type { CronJob, CronJobStatus, Job, ObjectReference } from '../../api/types.js';
import { formatRfc3339InZone, timeZoneError } from '../../common/cron.js';
import { jobFinishedCondition, parseTime } from '../job/job-util.js';
import {
  cronJobSchedule,
  formatRfc1123Z,
  jobNameFor,
  mostRecentScheduleTime,
  nextScheduleTime,
  nextScheduleTimeDuration,
} from './schedule.js';
import { deleteFromActiveList, inActiveList, inActiveListByName, noteSuccessfulJob } from './status.js';

export const CRONJOB_SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export interface CronJobEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface CronJobInput {
  cronJob: CronJob;
  /** The Jobs this CronJob controls. */
  jobs: Job[];
  now: number;
  /** UIDs in status.active whose Job the API confirmed gone (not merely missing from the cache). */
  goneActiveUids?: ReadonlySet<string>;
}

export interface CronJobPlan {
  /** Finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit, oldest first. */
  pruneJobs: Job[];
  /** Running Jobs to delete before the new one starts (concurrencyPolicy Replace). */
  replaceJobs: ObjectReference[];
  /** The Job to create for `scheduledTime`. */
  create?: { job: Job; scheduledTime: number };
  /** The status to write, assuming the deletes succeed; a created Job is added with withStartedJob(). */
  status: CronJobStatus;
  events: CronJobEvent[];
  /** When to sync again (the next schedule time); undefined when only a spec change can help. */
  requeueAfterMs?: number;
}

/** Oldest first by status.startTime (Jobs that never started last), then by name. */
function byStartTime(a: Job, b: Job): number {
  const ta = parseTime(a.status?.startTime);
  const tb = parseTime(b.status?.startTime);
  if (ta === undefined || tb === undefined) {
    if (ta === tb) return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
    return ta === undefined ? 1 : -1;
  }
  return ta - tb || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/** cleanupFinishedJobs: the oldest finished Jobs beyond each history limit. */
export function jobsToPrune(cj: CronJob, jobs: Job[]): Job[] {
  const ofType = (type: string) =>
    jobs.filter((j) => jobFinishedCondition(j)?.type === type).sort(byStartTime);
  const excess = (list: Job[], limit: number | undefined) =>
    limit === undefined || limit === null ? [] : list.slice(0, Math.max(0, list.length - limit));
  return [
    ...excess(ofType('Complete'), cj.spec.successfulJobsHistoryLimit),
    ...excess(ofType('Failed'), cj.spec.failedJobsHistoryLimit),
  ];
}

/** getJobFromTemplate2: the Job for one run, named after its schedule time and owned by the CronJob. */
export function jobFromTemplate(cj: CronJob, scheduledTime: number): Job {
  const tmpl = cj.spec.jobTemplate;
  const annotations = {
    ...(tmpl.metadata?.annotations ?? {}),
    [CRONJOB_SCHEDULED_TIMESTAMP]: formatRfc3339InZone(scheduledTime, cj.spec.timeZone ?? 'UTC'),
  };
  const job: Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj, scheduledTime),
      namespace: cj.metadata.namespace,
      annotations,
      ownerReferences: [newControllerRef({ ...cj, apiVersion: 'batch/v1', kind: 'CronJob' })],
    },
    spec: structuredClone(tmpl.spec),
  };
  const labels = tmpl.metadata?.labels;
  if (labels && Object.keys(labels).length) job.metadata.labels = { ...labels };
  return job;
}

export function planCronJob(input: CronJobInput): CronJobPlan {
  const { cronJob: cj, jobs, now } = input;
  const status: CronJobStatus = structuredClone(cj.status ?? {});
  const events: CronJobEvent[] = [];
  const plan: CronJobPlan = { pruneJobs: [], replaceJobs: [], status, events };
  const warn = (reason: string, message: string) => events.push({ type: 'Warning', reason, message });

  plan.pruneJobs = jobsToPrune(cj, jobs);
  for (const j of plan.pruneJobs) deleteFromActiveList(status, j.metadata.uid);

  // What happened to the Jobs since the last sync.
  const children = new Set(jobs.map((j) => j.metadata.uid));
  for (const j of jobs) {
    const found = inActiveList(status, j.metadata.uid);
    const finished = jobFinishedCondition(j);
    if (!found && !finished) {
      // Created by us just before a crash, or by someone else: it is not in our active list.
      warn('UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
    } else if (finished) {
      if (found) {
        deleteFromActiveList(status, j.metadata.uid);
        events.push({
          type: 'Normal',
          reason: 'SawCompletedJob',
          message: `Saw completed job: ${j.metadata.name}, condition: ${finished.type}`,
        });
      }
      if (finished.type === 'Complete') noteSuccessfulJob(status, j);
    }
  }
  for (const ref of [...(status.active ?? [])]) {
    if (children.has(ref.uid) || !input.goneActiveUids?.has(ref.uid ?? '')) continue;
    events.push({ type: 'Normal', reason: 'MissingJob', message: `Active job went missing: ${ref.name}` });
    deleteFromActiveList(status, ref.uid);
  }

  if (cj.metadata.deletionTimestamp) return plan;
  if (cj.spec.timeZone !== undefined && cj.spec.timeZone !== null) {
    const err = timeZoneError(cj.spec.timeZone);
    if (err) {
      warn('UnknownTimeZone', `invalid timeZone: "${cj.spec.timeZone}": ${err}`);
      return plan;
    }
  }
  if (cj.spec.suspend) return plan;

  const parsed = cronJobSchedule(cj);
  if (parsed.tzInSchedule) {
    warn(
      'UnsupportedSchedule',
      `CRON_TZ or TZ used in schedule "${cj.spec.schedule}" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`,
    );
  }
  const schedule = parsed.schedule;
  if (!schedule) {
    warn('UnparseableSchedule', `unparseable schedule: "${cj.spec.schedule}" : ${parsed.error}`);
    return plan;
  }
  const due = nextScheduleTime(cj, now, schedule);
  if (due.error) {
    warn('InvalidSchedule', `invalid schedule: ${cj.spec.schedule} : ${due.error}`);
    return plan;
  }
  const requeue = (c: CronJob) => nextScheduleTimeDuration(c, now, schedule);
  plan.requeueAfterMs = requeue(cj);
  if (due.time === undefined) {
    // Nothing to start. If that is because the latest run is older than startingDeadlineSeconds (the master
    // was down), say so. (Kubernetes 1.32 still has this event, but its check can no longer trigger since
    // the deadline is applied while searching; skiff reports the skipped run instead.)
    const missed =
      cj.spec.startingDeadlineSeconds == null ? undefined : mostRecentScheduleTime(cj, now, schedule, false);
    if (missed?.mostRecent !== undefined) {
      warn('MissSchedule', `Missed scheduled time to start a job: ${formatRfc1123Z(missed.mostRecent)}`);
    }
    return plan;
  }
  if (due.missed === 'many') {
    warn(
      'TooManyMissedTimes',
      'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
    );
  }
  const scheduled = due.time;
  const alreadyProcessed =
    inActiveListByName(status, jobNameFor(cj, scheduled)) || parseTime(status.lastScheduleTime) === scheduled;
  if (alreadyProcessed) return plan;
  const policy = cj.spec.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && (status.active?.length ?? 0) > 0) {
    events.push({
      type: 'Normal',
      reason: 'JobAlreadyActive',
      message: 'Not starting job because prior execution is running and concurrency policy is Forbid',
    });
    return plan;
  }
  if (policy === 'Replace') {
    plan.replaceJobs = [...(status.active ?? [])];
    delete status.active;
  }
  plan.create = { job: jobFromTemplate(cj, scheduled), scheduledTime: scheduled };
  // Once the Job exists, the next sync is due at the schedule time after this one.
  plan.requeueAfterMs = requeue({
    ...cj,
    status: { ...status, lastScheduleTime: new Date(scheduled).toISOString() },
  });
  return plan;
}
