// The Job controller loop (kubernetes pkg/controller/job/job_controller.go), thin: informer handlers enqueue Job
// keys (pod events batched by a second); sync(key) reads the Job and its pods from the caches, asks planJobSync
// what to do, creates/deletes pods through PodControl, writes the status (uncounted pods first), takes the
// tracking finalizers off counted pods, then writes the final counts and Complete/Failed. A second queue strips
// the finalizer from pods whose Job is gone or finished, so no pod is ever stuck on it.
import { getControllerOf, isControlledBy } from '../../api/object-meta.js';
import type { Job, OwnerReference, Pod } from '../../api/types.js';
import { JOBS, PODS, type ApiClient } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import { objectKey, splitKey } from '../../client/key.js';
import { rfc3339, type Clock } from '../../common/clock.js';
import { isApiError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { ApiPodControl, type PodControl } from '../common/pod-control.js';
import { Controller } from '../runtime/controller.js';
import { ControllerExpectations } from '../runtime/expectations.js';
import type { BackoffRecord } from './backoff.js';
import { FinalizerExpectations } from './finalizer-expectations.js';
import { indexedPodOverrides } from './indexed.js';
import {
  hasTrackingFinalizer,
  isJobFinished,
  removeTrackingFinalizerPatch,
  SYNC_JOB_BATCH_PERIOD_MS,
} from './job-util.js';
import { jobPodTemplate, planJobSync, type JobPodAction } from './reconcile.js';
import { slowStartBatch } from './slow-start.js';
import { finishJobStatus, jobStatusChanged, normalizeJobStatus, type JobEvent } from './status.js';
import { controllerBasics } from '../runtime/controller-basics.js';

export interface JobControllerDeps {
  client: ApiClient;
  informers: InformerFactory;
  clock?: Clock;
  logger?: Logger;
  recorder?: EventRecorder;
  podControl?: PodControl;
  workers?: number;
  /** Every Job is re-synced this often (level-triggered safety net); default 5 minutes. */
  resyncPeriodMs?: number;
}

/** Jobs as the API serves them carry apiVersion/kind; make sure owner references and events can rely on it. */
function asJob(job: Job): Job {
  return job.apiVersion && job.kind ? job : { ...job, apiVersion: 'batch/v1', kind: 'Job' };
}

export class JobController {
  readonly controller: Controller;
  /** Pods whose tracking finalizer must come off although no live Job will do it. */
  readonly orphanPods: Controller;
  readonly expectations: ControllerExpectations;
  private readonly finalizerExpectations = new FinalizerExpectations();
  private readonly backoffs = new Map<string, BackoffRecord>();
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly podControl: PodControl;
  private readonly jobs: Informer<Job>;
  private readonly pods: Informer<Pod>;

  constructor(deps: JobControllerDeps) {
    this.client = deps.client;
    const basics = controllerBasics(deps, 'job-controller');
    this.clock = basics.clock;
    this.log = basics.log;
    this.recorder = basics.recorder;
    this.podControl = deps.podControl ?? new ApiPodControl({ client: deps.client, recorder: this.recorder });
    this.expectations = new ControllerExpectations({ clock: this.clock });
    this.jobs = deps.informers.get<Job>(JOBS);
    this.pods = deps.informers.get<Pod>(PODS);
    this.controller = new Controller({
      name: 'job',
      sync: (key) => this.sync(key),
      workers: deps.workers,
      clock: this.clock,
      logger: this.log,
      resyncPeriodMs: deps.resyncPeriodMs ?? 5 * 60_000,
      resyncKeys: () => this.jobs.list().map(objectKey),
      rateLimit: { baseDelayMs: 1000, maxDelayMs: 60_000 },
    });
    this.orphanPods = new Controller({
      name: 'job-orphan-pods',
      sync: (key) => this.syncOrphanPod(key),
      workers: 1,
      clock: this.clock,
      logger: this.log,
      rateLimit: { baseDelayMs: 1000, maxDelayMs: 60_000 },
    });

    this.jobs.on('add', (job) => this.controller.enqueue(objectKey(job)));
    this.jobs.on('update', (old, cur) => this.updateJob(old, cur));
    this.jobs.on('delete', (job) => {
      this.controller.enqueue(objectKey(job));
      this.cleanupPodFinalizers(job);
    });
    this.pods.on('add', (pod) => this.addPod(pod));
    this.pods.on('update', (old, cur) => this.updatePod(old, cur));
    this.pods.on('delete', (pod) => this.deletePod(pod, true));
  }

  start(): void {
    this.controller.start();
    this.orphanPods.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.controller.stop(), this.orphanPods.stop()]);
  }

  // ---- event handlers: only enqueue (and note what the cache has observed) ----------------------------

  private enqueueBatched(job: Job): void {
    this.controller.enqueueAfter(objectKey(job), SYNC_JOB_BATCH_PERIOD_MS);
  }

  private updateJob(old: Job, cur: Job): void {
    const key = objectKey(cur);
    // A spec change syncs at once; status updates (typically ours, after pod events) are batched.
    if (old.metadata.generation === cur.metadata.generation) this.enqueueBatched(cur);
    else this.controller.enqueue(key);
    if (isJobFinished(cur)) this.cleanupPodFinalizers(cur);
    const ads = cur.spec.activeDeadlineSeconds;
    const start = cur.status?.startTime ? Date.parse(cur.status.startTime) : NaN;
    if (ads !== undefined && !Number.isNaN(start) && ads !== old.spec.activeDeadlineSeconds) {
      this.controller.enqueueAfter(key, ads * 1000 - (this.clock.now() - start));
    }
  }

  private resolveJob(namespace: string | undefined, ref: OwnerReference): Job | undefined {
    if (ref.kind !== 'Job') return undefined;
    const job = this.jobs.get(namespace, ref.name);
    return job && job.metadata.uid === ref.uid ? job : undefined;
  }

  private addPod(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) return this.deletePod(pod, false);
    const ref = getControllerOf(pod);
    const job = ref && this.resolveJob(pod.metadata.namespace, ref);
    if (job) {
      this.expectations.creationObserved(objectKey(job));
      this.enqueueBatched(job);
    } else if (hasTrackingFinalizer(pod)) {
      this.orphanPods.enqueue(objectKey(pod));
    }
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    if (cur.metadata.deletionTimestamp) return this.deletePod(cur, false);
    const finalizerGone = !hasTrackingFinalizer(cur);
    const oldRef = getControllerOf(old);
    const curRef = getControllerOf(cur);
    const notify = (ref: OwnerReference | undefined) => {
      const job = ref && this.resolveJob(cur.metadata.namespace, ref);
      if (!job) return false;
      if (finalizerGone) this.finalizerExpectations.removalObserved(objectKey(job), cur.metadata.uid ?? '');
      this.enqueueBatched(job);
      return true;
    };
    if (oldRef && oldRef.uid !== curRef?.uid) notify(oldRef);
    if (!notify(curRef) && hasTrackingFinalizer(cur)) this.orphanPods.enqueue(objectKey(cur));
  }

  /** `final`: the pod is gone from the API; otherwise it just got its deletionTimestamp. */
  private deletePod(pod: Pod, final: boolean): void {
    const ref = getControllerOf(pod);
    const job = ref && this.resolveJob(pod.metadata.namespace, ref);
    if (!job || isJobFinished(job)) {
      if (hasTrackingFinalizer(pod)) this.orphanPods.enqueue(objectKey(pod));
      return;
    }
    const key = objectKey(job);
    this.expectations.deletionObserved(key);
    if (final || !hasTrackingFinalizer(pod))
      this.finalizerExpectations.removalObserved(key, pod.metadata.uid ?? '');
    this.enqueueBatched(job);
  }

  private cleanupPodFinalizers(job: Job): void {
    for (const pod of this.podsOf(job))
      if (hasTrackingFinalizer(pod)) this.orphanPods.enqueue(objectKey(pod));
  }

  private podsOf(job: Job): Pod[] {
    const ns = job.metadata.namespace;
    return this.pods.list().filter((p) => p.metadata.namespace === ns && isControlledBy(p, job));
  }

  // ---- sync ------------------------------------------------------------------------------------------

  private async sync(key: string): Promise<void> {
    const cached = this.jobs.getByKey(key);
    if (!cached) {
      this.expectations.deleteExpectations(key);
      this.finalizerExpectations.delete(key);
      this.backoffs.delete(key);
      return;
    }
    const job = asJob(cached);
    if (isJobFinished(job)) {
      this.backoffs.delete(key);
      return;
    }
    const mode = job.spec.completionMode;
    if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') {
      this.record(job, {
        type: 'Warning',
        reason: 'UnknownCompletionMode',
        message: 'Skipped Job sync because completion mode is unknown',
      });
      return;
    }
    const now = this.clock.now();
    const plan = planJobSync({
      job,
      pods: this.podsOf(job),
      now,
      expectationsSatisfied: this.expectations.satisfied(key),
      expectedRemovedFinalizers: this.finalizerExpectations.expected(key),
      backoff: this.backoffs.get(key),
    });
    if (plan.action) await this.runAction(key, job, plan.action);
    let current = job;
    if (plan.flush) current = await this.writeStatus(current, plan.status);
    this.backoffs.set(key, plan.backoff);
    for (const e of plan.events) this.record(job, e);

    const removal = await this.removeFinalizers(key, plan.removeFinalizers);
    const stillHeld = new Set(plan.uidsWithFinalizer.filter((uid) => !removal.removed.has(uid)));
    const finish = finishJobStatus({
      job,
      status: plan.status,
      uidsWithFinalizer: stillHeld,
      finished: plan.finished,
      terminating: plan.terminating,
      reachedMaxUncounted: plan.reachedMaxUncounted || removal.error !== undefined,
      now: rfc3339(now),
    });
    if (jobStatusChanged(current.status, finish.status)) {
      await this.writeStatus(current, finish.status);
      for (const e of finish.events) this.record(job, e);
      if (finish.finished) {
        this.log.info(
          { job: key, condition: finish.finished.type, reason: finish.finished.reason },
          'job finished',
        );
      }
    }
    if (removal.error !== undefined) throw removal.error;
    if (plan.requeueAfterMs !== undefined) this.controller.enqueueAfter(key, plan.requeueAfterMs);
  }

  private async writeStatus(job: Job, status: Job['status']): Promise<Job> {
    const body = { ...job, status: normalizeJobStatus(status) };
    return asJob(await this.client.updateStatus<Job>(JOBS, job.metadata.namespace, body));
  }

  private record(job: Job, e: JobEvent): void {
    this.recorder.record(job, e.type, e.reason, e.message);
  }

  private async runAction(key: string, job: Job, action: JobPodAction): Promise<void> {
    if (action.kind === 'createPods') {
      this.expectations.expectCreations(key, action.count);
      const template = jobPodTemplate(job);
      const result = await slowStartBatch(action.count, async (i) => {
        const overrides = action.indexes ? indexedPodOverrides(job, action.indexes[i]) : undefined;
        await this.podControl.createPod(template, job, overrides);
      });
      // Creates that failed or were skipped will never show up in the cache.
      for (let i = result.succeeded; i < action.count; i++) this.expectations.creationObserved(key);
      if (result.error !== undefined) throw result.error;
      return;
    }
    const ns = job.metadata.namespace!;
    if (action.removeFinalizerFirst) this.expectations.expectDeletions(key, action.pods.length);
    const results = await Promise.allSettled(
      action.pods.map(async (pod) => {
        try {
          if (action.removeFinalizerFirst && hasTrackingFinalizer(pod)) await this.removeFinalizer(pod);
          await this.podControl.deletePod(ns, pod.metadata.name!, job);
        } catch (err) {
          if (action.removeFinalizerFirst) this.expectations.deletionObserved(key);
          if (!isApiError(err, 'NotFound')) throw err;
        }
      }),
    );
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private async removeFinalizer(pod: Pod): Promise<void> {
    await this.client.patch(
      PODS,
      pod.metadata.namespace,
      pod.metadata.name!,
      'strategic',
      removeTrackingFinalizerPatch(),
    );
  }

  /** Takes the finalizer off counted pods; a pod already gone counts as done. */
  private async removeFinalizers(
    key: string,
    pods: Pod[],
  ): Promise<{ removed: Set<string>; error?: unknown }> {
    const removed = new Set<string>();
    this.finalizerExpectations.expectRemovals(
      key,
      pods.map((p) => p.metadata.uid ?? ''),
    );
    let error: unknown;
    await Promise.all(
      pods.map(async (pod) => {
        const uid = pod.metadata.uid ?? '';
        try {
          await this.removeFinalizer(pod);
        } catch (err) {
          this.finalizerExpectations.removalObserved(key, uid);
          if (!isApiError(err, 'NotFound')) {
            error ??= err;
            return;
          }
        }
        removed.add(uid);
      }),
    );
    return { removed, error };
  }

  /** syncOrphanPod: drop the finalizer of a pod no live, unfinished Job will count. */
  private async syncOrphanPod(key: string): Promise<void> {
    const pod = this.pods.getByKey(key);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = getControllerOf(pod);
    if (ref) {
      if (ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return;
      const job = this.resolveJob(pod.metadata.namespace, ref);
      if (job && !isJobFinished(job)) return; // it will count the pod itself
    }
    try {
      await this.removeFinalizer(pod);
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
    }
    this.log.debug({ pod: splitKey(key).name }, 'removed job-tracking finalizer from orphan pod');
  }
}
