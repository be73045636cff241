// The CronJob controller loop (kubernetes pkg/controller/cronjob/cronjob_controllerv2.go), thin: CronJob and Job
// events enqueue the CronJob's key; sync(key) reads the CronJob and its Jobs from the caches, asks planCronJob
// what to do, deletes pruned/replaced Jobs (propagationPolicy Background, so the garbage collector takes their
// pods), creates the due Job, writes the status and queues the key again for the next schedule time — never a
// fixed poll. Schedules are computed from the API state alone, so a restarted master handles missed runs.
import { getControllerOf, isControlledBy, jsonEqual } from '../../api/object-meta.js';
import type { CronJob, Job, ObjectReference } from '../../api/types.js';
import { CRONJOBS, JOBS, type ApiClient, type ResourceRef } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import { objectKey } from '../../client/key.js';
import type { Clock } from '../../common/clock.js';
import { isApiError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { Controller } from '../runtime/controller.js';
import { isJobFinished } from '../job/job-util.js';
import { planCronJob, type CronJobEvent } from './reconcile.js';
import { cronJobSchedule, nextScheduleTimeDuration } from './schedule.js';
import { inActiveList, jobReference, withStartedJob } from './status.js';
import { controllerBasics } from '../runtime/controller-basics.js';

export interface CronJobControllerDeps {
  client: ApiClient;
  informers: InformerFactory;
  clock?: Clock;
  logger?: Logger;
  recorder?: EventRecorder;
  workers?: number;
  /** Every CronJob is re-synced this often (a safety net; schedule times are queued exactly); default 5 min. */
  resyncPeriodMs?: number;
}

function asCronJob(cj: CronJob): CronJob {
  return cj.apiVersion && cj.kind ? cj : { ...cj, apiVersion: 'batch/v1', kind: 'CronJob' };
}

export class CronJobController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly cronJobs: Informer<CronJob>;
  private readonly jobs: Informer<Job>;

  constructor(deps: CronJobControllerDeps) {
    this.client = deps.client;
    const basics = controllerBasics(deps, 'cronjob-controller');
    this.clock = basics.clock;
    this.log = basics.log;
    this.recorder = basics.recorder;
    this.cronJobs = deps.informers.get<CronJob>(CRONJOBS);
    this.jobs = deps.informers.get<Job>(JOBS);
    this.controller = new Controller({
      name: 'cronjob',
      sync: (key) => this.sync(key),
      workers: deps.workers,
      clock: this.clock,
      logger: this.log,
      resyncPeriodMs: deps.resyncPeriodMs ?? 5 * 60_000,
      resyncKeys: () => this.cronJobs.list().map(objectKey),
    });
    this.cronJobs.on('add', (cj) => this.controller.enqueue(objectKey(cj)));
    this.cronJobs.on('update', (old, cur) => this.updateCronJob(old, cur));
    this.cronJobs.on('delete', (cj) => this.controller.enqueue(objectKey(cj)));
    const onJob = (job: Job) => this.enqueueOwner(job);
    this.jobs.on('add', onJob);
    this.jobs.on('update', (old, cur) => {
      if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
      const oldRef = getControllerOf(old);
      if (oldRef && oldRef.uid !== getControllerOf(cur)?.uid) this.enqueueOwner(old);
      this.enqueueOwner(cur);
    });
    this.jobs.on('delete', onJob);
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  private enqueueOwner(job: Job): void {
    const ref = getControllerOf(job);
    if (ref?.kind !== 'CronJob') return;
    const cj = this.cronJobs.get(job.metadata.namespace, ref.name);
    if (cj && cj.metadata.uid === ref.uid) this.controller.enqueue(objectKey(cj));
  }

  /** A new schedule may be due sooner or later than the queued one: queue for its next time. */
  private updateCronJob(old: CronJob, cur: CronJob): void {
    const key = objectKey(cur);
    if (old.spec.schedule === cur.spec.schedule && old.spec.timeZone === cur.spec.timeZone) {
      this.controller.enqueue(key);
      return;
    }
    const { schedule } = cronJobSchedule(cur);
    if (!schedule) {
      this.recorder.record(
        asCronJob(cur),
        'Warning',
        'UnParseableCronJobSchedule',
        `unparseable schedule for cronjob: ${cur.spec.schedule}`,
      );
      return;
    }
    const delay = nextScheduleTimeDuration(cur, this.clock.now(), schedule);
    if (delay !== undefined) this.controller.enqueueAfter(key, delay);
  }

  private async sync(key: string): Promise<void> {
    const cached = this.cronJobs.getByKey(key);
    if (!cached) return;
    let cj = asCronJob(cached);
    const jobs = this.jobs
      .list()
      .filter((j) => j.metadata.namespace === cj.metadata.namespace && isControlledBy(j, cj));
    // An unfinished Job missing from status.active may only mean our own status write is not cached yet.
    if (jobs.some((j) => !isJobFinished(j) && !inActiveList(cj.status ?? {}, j.metadata.uid))) {
      const fresh = await this.getOrUndefined<CronJob>(CRONJOBS, cj.metadata.namespace, cj.metadata.name!);
      if (!fresh) return;
      if (fresh.metadata.uid === cj.metadata.uid) cj = asCronJob(fresh);
    }
    // An active Job missing from the cache may just not be cached yet: ask the API before forgetting it.
    const gone = new Set<string>();
    const uids = new Set(jobs.map((j) => j.metadata.uid));
    for (const ref of cj.status?.active ?? []) {
      if (uids.has(ref.uid)) continue;
      const job = await this.getOrUndefined<Job>(
        JOBS,
        ref.namespace ?? cj.metadata.namespace,
        ref.name ?? '',
      );
      if (!job) gone.add(ref.uid ?? '');
    }

    const plan = planCronJob({ cronJob: cj, jobs, now: this.clock.now(), goneActiveUids: gone });
    for (const job of plan.pruneJobs) await this.deleteJob(cj, jobReference(job), false);
    for (const e of plan.events) this.record(cj, e);
    for (const ref of plan.replaceJobs) await this.deleteJob(cj, ref, true);
    let status = plan.status;
    if (plan.create) {
      const started = await this.createJob(cj, plan.create.job);
      if (started) status = withStartedJob(status, started, plan.create.scheduledTime);
    }
    if (!jsonEqual(status, cj.status ?? {})) {
      await this.client.updateStatus<CronJob>(CRONJOBS, cj.metadata.namespace, { ...cj, status });
    }
    if (plan.requeueAfterMs !== undefined) this.controller.enqueueAfter(key, plan.requeueAfterMs);
  }

  /** Creates the run's Job; an existing one of ours (created before a crash) counts as started. */
  private async createJob(cj: CronJob, job: Job): Promise<Job | undefined> {
    try {
      const created = await this.client.create<Job>(JOBS, cj.metadata.namespace, job);
      this.recorder.record(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
      this.log.info({ cronjob: objectKey(cj), job: created.metadata.name }, 'created job');
      return created;
    } catch (err) {
      if (!isApiError(err, 'AlreadyExists')) {
        const message = err instanceof Error ? err.message : String(err);
        this.recorder.record(cj, 'Warning', 'FailedCreate', `Error creating job: ${message}`);
        throw err;
      }
    }
    const existing = await this.client.get<Job>(JOBS, cj.metadata.namespace, job.metadata.name!);
    if (!isControlledBy(existing, cj) || inActiveList(cj.status ?? {}, existing.metadata.uid))
      return undefined;
    this.log.info({ cronjob: objectKey(cj), job: job.metadata.name }, 'job already exists');
    return existing;
  }

  /** Deletes a Job with its pods (Background); a failed Replace stops the sync, a failed prune does not. */
  private async deleteJob(cj: CronJob, ref: ObjectReference, replace: boolean): Promise<void> {
    try {
      await this.client.delete(JOBS, ref.namespace ?? cj.metadata.namespace, ref.name ?? '', {
        propagationPolicy: 'Background',
      });
    } catch (err) {
      if (isApiError(err, 'NotFound')) return; // already gone: nothing to replace or prune
      const message = err instanceof Error ? err.message : String(err);
      this.recorder.record(cj, 'Warning', 'FailedDelete', `Deleted job: ${message}`);
      if (replace) throw err;
      return;
    }
    this.recorder.record(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${ref.name}`);
  }

  private record(cj: CronJob, e: CronJobEvent): void {
    this.recorder.record(cj, e.type, e.reason, e.message);
  }

  private async getOrUndefined<T extends CronJob | Job>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
  ): Promise<T | undefined> {
    try {
      return await this.client.get<T>(ref, namespace, name);
    } catch (err) {
      if (isApiError(err, 'NotFound')) return undefined;
      throw err;
    }
  }
}
