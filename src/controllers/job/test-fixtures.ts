// Builders for Job / CronJob / pod objects in the Job and CronJob controller tests. Jobs and CronJobs come with
// the defaults the API server fills in (backoffLimit 6, parallelism/completions 1, selector and controller-uid /
// job-name labels; concurrencyPolicy Allow, history limits 3/1), as the controllers see them in practice.
import type { ContainerStatus, CronJob, CronJobSpec, Job, JobSpec, Pod, PodPhase } from '../../api/types.js';
import { JOB_COMPLETION_INDEX, JOB_TRACKING_FINALIZER } from './job-util.js';

export const NOW = Date.parse('2026-01-01T00:00:00Z');
export const at = (iso: string) => Date.parse(iso);

export function makeJob(
  spec: Partial<JobSpec> = {},
  opts: { name?: string; uid?: string; status?: Job['status'] } = {},
): Job {
  const name = opts.name ?? 'pi';
  const uid = opts.uid ?? `${name}-uid`;
  const labels = {
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
    'controller-uid': uid,
    'job-name': name,
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: 'default',
      uid,
      resourceVersion: '10',
      generation: 1,
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name },
    },
    spec: {
      parallelism: 1,
      completions: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'pi', image: 'busybox' }], restartPolicy: 'Never' },
      },
      ...spec,
    },
    ...(opts.status ? { status: opts.status } : {}),
  };
}

export interface PodOpts {
  phase?: PodPhase;
  ready?: boolean;
  node?: string;
  finalizer?: boolean;
  deleting?: string;
  created?: string;
  index?: number;
  restarts?: number;
  /** Containers' terminated.finishedAt (for failure backoff). */
  finishedAt?: string;
}

export function makePod(job: Job, name: string, o: PodOpts = {}): Pod {
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: job.metadata.namespace,
      uid: `${name}-uid`,
      resourceVersion: '1',
      creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
      labels: { ...(job.spec.template.metadata?.labels ?? {}) },
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: job.metadata.name!,
          uid: job.metadata.uid!,
          controller: true,
        },
      ],
    },
    spec: { ...job.spec.template.spec, ...(o.node ? { nodeName: o.node } : {}) },
    status: { phase: o.phase ?? 'Running' },
  };
  if (o.finalizer !== false) pod.metadata.finalizers = [JOB_TRACKING_FINALIZER];
  if (o.deleting) pod.metadata.deletionTimestamp = o.deleting;
  if (o.index !== undefined) pod.metadata.annotations = { [JOB_COMPLETION_INDEX]: String(o.index) };
  if (o.ready !== undefined) {
    pod.status!.conditions = [
      {
        type: 'Ready',
        status: o.ready ? 'True' : 'False',
        lastTransitionTime: o.created ?? '2026-01-01T00:00:00Z',
      },
    ];
  }
  const cs: ContainerStatus = {
    name: 'pi',
    image: 'busybox',
    imageID: '',
    ready: o.ready ?? false,
    restartCount: o.restarts ?? 0,
    state: o.finishedAt ? { terminated: { exitCode: 1, finishedAt: o.finishedAt } } : { running: {} },
    lastState: {},
  };
  pod.status!.containerStatuses = [cs];
  return pod;
}

export function makeCronJob(
  spec: Partial<CronJobSpec> = {},
  opts: { status?: CronJob['status']; created?: string; name?: string } = {},
): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: opts.name ?? 'backup',
      namespace: 'default',
      uid: 'backup-uid',
      resourceVersion: '5',
      creationTimestamp: opts.created ?? '2026-01-01T00:00:10Z',
    },
    spec: {
      schedule: '* * * * *',
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        metadata: { labels: { app: 'backup' } },
        spec: {
          backoffLimit: 6,
          template: { spec: { containers: [{ name: 'b', image: 'busybox' }], restartPolicy: 'OnFailure' } },
        },
      },
      ...spec,
    },
    status: opts.status ?? {},
  };
}

/** A Job the CronJob started for `scheduledIso`, running or finished. */
export function cronJobRun(
  cj: CronJob,
  scheduledIso: string,
  state: 'running' | 'Complete' | 'Failed',
  startTime: string | undefined = scheduledIso,
): Job {
  const minutes = Math.floor(Date.parse(scheduledIso) / 60_000);
  const name = `${cj.metadata.name}-${minutes}`;
  const job: Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: 'default',
      uid: `${name}-uid`,
      resourceVersion: '7',
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          name: cj.metadata.name!,
          uid: cj.metadata.uid!,
          controller: true,
        },
      ],
    },
    spec: structuredClone(cj.spec.jobTemplate.spec),
    status: startTime ? { startTime } : {},
  };
  if (state !== 'running') {
    const done = new Date(Date.parse(scheduledIso) + 30_000).toISOString().replace('.000Z', 'Z');
    job.status!.conditions = [{ type: state, status: 'True', lastTransitionTime: done }];
    if (state === 'Complete') job.status!.completionTime = done;
  }
  return job;
}

export function refTo(job: Job) {
  return {
    kind: 'Job',
    namespace: job.metadata.namespace,
    name: job.metadata.name,
    uid: job.metadata.uid,
    apiVersion: 'batch/v1',
    resourceVersion: job.metadata.resourceVersion,
  };
}
