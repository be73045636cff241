import { describe, expect, it } from 'vitest';
import type { Job, JobSpec, Pod } from '../../api/types.js';
import { planJobSync, jobPodTemplate, pastBackoffLimitOnFailure, type JobSyncInput } from './reconcile.js';
import { finishJobStatus } from './status.js';
import { JOB_TRACKING_FINALIZER } from './job-util.js';
import { at, makeJob, makePod, NOW } from './test-fixtures.js';

const plan = (job: Job, pods: Pod[], extra: Partial<JobSyncInput> = {}) =>
  planJobSync({ job, pods, now: NOW + 5_000, expectationsSatisfied: true, ...extra });

/** Runs the whole sync purely: the plan, every finalizer removal succeeding, then the final status. */
function syncOnce(job: Job, pods: Pod[], extra: Partial<JobSyncInput> = {}) {
  const p = plan(job, pods, extra);
  const removed = new Set(p.removeFinalizers.map((x) => x.metadata.uid));
  const fin = finishJobStatus({
    job,
    status: p.status,
    uidsWithFinalizer: new Set(p.uidsWithFinalizer.filter((u) => !removed.has(u))),
    finished: p.finished,
    terminating: p.terminating,
    reachedMaxUncounted: p.reachedMaxUncounted,
    now: new Date(extra.now ?? NOW + 5_000).toISOString().replace('.000Z', 'Z'),
  });
  return { plan: p, ...fin };
}

const names = (pods: Pod[] | undefined) => (pods ?? []).map((p) => p.metadata.name);

describe('planJobSync: parallelism and completions', () => {
  const running = (job: Job, n: number) =>
    Array.from({ length: n }, (_, i) => makePod(job, `r${i}`, { phase: 'Running', node: 'n1' }));
  it.each([
    {
      name: 'fresh Job: min(parallelism, completions)',
      spec: { completions: 5, parallelism: 2 },
      active: 0,
      succeeded: 0,
      create: 2,
    },
    {
      name: 'tops up to parallelism',
      spec: { completions: 5, parallelism: 2 },
      active: 1,
      succeeded: 0,
      create: 1,
    },
    {
      name: 'never more than the remaining completions',
      spec: { completions: 5, parallelism: 3 },
      active: 0,
      succeeded: 4,
      create: 1,
    },
    {
      name: 'parallelism above completions',
      spec: { completions: 3, parallelism: 5 },
      active: 2,
      succeeded: 0,
      create: 1,
    },
    { name: 'enough running', spec: { completions: 5, parallelism: 2 }, active: 2, succeeded: 2, create: 0 },
    {
      name: 'work queue (no completions): parallelism',
      spec: { completions: undefined, parallelism: 3 },
      active: 0,
      succeeded: 0,
      create: 3,
    },
    {
      name: 'work queue after a success: nothing new',
      spec: { completions: undefined, parallelism: 3 },
      active: 2,
      succeeded: 1,
      create: 0,
    },
    {
      name: 'at most 500 per sync',
      spec: { completions: 1000, parallelism: 1000 },
      active: 0,
      succeeded: 0,
      create: 500,
    },
  ] as { name: string; spec: Partial<JobSpec>; active: number; succeeded: number; create: number }[])(
    '$name',
    ({ spec, active, succeeded, create }) => {
      const job = makeJob(spec, { status: { succeeded, startTime: '2026-01-01T00:00:00Z' } });
      const p = plan(job, running(job, active));
      expect(p.action).toEqual(create ? { kind: 'createPods', count: create } : undefined);
      expect(p.status.active).toBe(active + create);
    },
  );

  it('deletes surplus pods, least advanced first, taking their finalizer off first (not failures)', () => {
    const job = makeJob({ completions: 5, parallelism: 1 });
    const pods = [
      makePod(job, 'ready-old', { node: 'n1', ready: true, created: '2026-01-01T00:00:00Z' }),
      makePod(job, 'pending', { phase: 'Pending' }),
      makePod(job, 'running-new', { node: 'n1', ready: false, created: '2026-01-01T00:00:03Z' }),
    ];
    const p = plan(job, pods);
    expect(p.action?.kind).toBe('deletePods');
    expect(p.action && 'pods' in p.action && names(p.action.pods)).toEqual(['pending', 'running-new']);
    expect(p.action && 'removeFinalizerFirst' in p.action && p.action.removeFinalizerFirst).toBe(true);
    expect(p.status).toMatchObject({ active: 1, ready: 1, terminating: 2 });
  });

  it('does nothing while earlier creations are not yet in the cache (expectations)', () => {
    const job = makeJob({ completions: 3, parallelism: 3 });
    expect(plan(job, [], { expectationsSatisfied: false }).action).toBeUndefined();
  });

  it('podReplacementPolicy Failed waits for terminating pods before replacing them', () => {
    const job = makeJob({ podReplacementPolicy: 'Failed', completions: 2, parallelism: 2 });
    const pods = [
      makePod(job, 'a', { node: 'n1' }),
      makePod(job, 'b', { node: 'n1', deleting: '2026-01-01T00:00:04Z' }),
    ];
    expect(plan(job, pods).action).toBeUndefined();
    // The default (TerminatingOrFailed) replaces at once, after the failure backoff.
    const dflt = makeJob({ completions: 2, parallelism: 2 });
    const p = plan(
      dflt,
      [makePod(dflt, 'a', { node: 'n1' }), makePod(dflt, 'b', { deleting: '2026-01-01T00:00:04Z' })],
      {
        now: NOW + 60_000,
      },
    );
    expect(p.action).toEqual({ kind: 'createPods', count: 1 });
  });

  it('creates pods from the template with the tracking finalizer', () => {
    const t = jobPodTemplate(makeJob());
    expect(t.metadata?.finalizers).toEqual([JOB_TRACKING_FINALIZER]);
    expect(t.metadata?.labels?.['batch.kubernetes.io/job-name']).toBe('pi');
  });
});

describe('planJobSync: counting finished pods exactly once', () => {
  it('a new succeeded pod goes to uncountedTerminatedPods, loses its finalizer, then is counted', () => {
    const job = makeJob({ completions: 2, parallelism: 1 });
    const pod = makePod(job, 'a', { phase: 'Succeeded', node: 'n1' });
    const r = syncOnce(job, [pod]);
    expect(r.plan.status.uncountedTerminatedPods).toEqual({ succeeded: ['a-uid'] });
    expect(r.plan.flush).toBe(true);
    expect(names(r.plan.removeFinalizers)).toEqual(['a']);
    expect(r.plan.action).toEqual({ kind: 'createPods', count: 1 });
    expect(r.status.succeeded).toBe(1);
    expect(r.status.uncountedTerminatedPods).toEqual({});
  });

  it('counts uncounted pods whose finalizer is gone, even if the pod was deleted meanwhile', () => {
    const job = makeJob(
      { completions: 3 },
      {
        status: {
          succeeded: 1,
          failed: 1,
          uncountedTerminatedPods: { succeeded: ['gone-uid'], failed: ['f-uid'] },
        },
      },
    );
    const failedPod = makePod(job, 'f', { phase: 'Failed', finalizer: false });
    const p = plan(job, [failedPod]);
    expect(p.status).toMatchObject({ succeeded: 2, failed: 2, uncountedTerminatedPods: {} });
  });

  it('deleting a counted pod never lowers the counts', () => {
    const job = makeJob({ completions: 3 }, { status: { succeeded: 2, uncountedTerminatedPods: {} } });
    const p = plan(job, []);
    expect(p.status.succeeded).toBe(2);
    expect(p.action).toEqual({ kind: 'createPods', count: 1 });
  });

  it('does not count a pod twice while the cache still shows a finalizer already removed', () => {
    const job = makeJob({ completions: 3 }, { status: { succeeded: 1, uncountedTerminatedPods: {} } });
    const stale = makePod(job, 'a', { phase: 'Succeeded' }); // finalizer removal issued, not yet observed
    const p = plan(job, [stale], { expectedRemovedFinalizers: new Set(['a-uid']) });
    expect(p.status.succeeded).toBe(1);
    expect(p.status.uncountedTerminatedPods).toEqual({});
    expect(p.removeFinalizers).toEqual([]);
  });

  it('counts failed pods, and pods deleted while running, as failures', () => {
    const job = makeJob({ completions: 1, parallelism: 2 });
    const pods = [
      makePod(job, 'failed', { phase: 'Failed', finishedAt: '2026-01-01T00:00:02Z' }),
      makePod(job, 'deleted', { phase: 'Running', deleting: '2026-01-01T00:00:03Z' }),
      makePod(job, 'running', { phase: 'Running' }),
    ];
    const r = syncOnce(job, pods);
    expect(r.plan.status.uncountedTerminatedPods).toEqual({ failed: ['failed-uid', 'deleted-uid'] });
    expect(r.status.failed).toBe(2);
    expect(r.plan.status.terminating).toBe(1);
  });

  it('completes with SuccessCriteriaMet then Complete (CompletionsReached), completionTime and an event', () => {
    const job = makeJob({ completions: 1 }, { status: { startTime: '2026-01-01T00:00:00Z' } });
    const r = syncOnce(job, [makePod(job, 'a', { phase: 'Succeeded' })]);
    expect(r.status.conditions).toEqual([
      {
        type: 'SuccessCriteriaMet',
        status: 'True',
        reason: 'CompletionsReached',
        message: 'Reached expected number of succeeded pods',
        lastProbeTime: '2026-01-01T00:00:05Z',
        lastTransitionTime: '2026-01-01T00:00:05Z',
      },
      {
        type: 'Complete',
        status: 'True',
        reason: 'CompletionsReached',
        message: 'Reached expected number of succeeded pods',
        lastProbeTime: '2026-01-01T00:00:05Z',
        lastTransitionTime: '2026-01-01T00:00:05Z',
      },
    ]);
    expect(r.status).toMatchObject({ succeeded: 1, completionTime: '2026-01-01T00:00:05Z', active: 0 });
    expect(r.events).toEqual([{ type: 'Normal', reason: 'Completed', message: 'Job completed' }]);
  });

  it('does not complete while a finalizer could not be removed (the pod stays uncounted)', () => {
    const job = makeJob({ completions: 1 });
    const p = plan(job, [makePod(job, 'a', { phase: 'Succeeded' })]);
    const fin = finishJobStatus({
      job,
      status: p.status,
      uidsWithFinalizer: new Set(p.uidsWithFinalizer), // removal failed
      finished: p.finished,
      terminating: 0,
      reachedMaxUncounted: false,
      now: '2026-01-01T00:00:05Z',
    });
    expect(fin.finished).toBeUndefined();
    expect(fin.status.conditions?.map((c) => c.type)).toEqual(['SuccessCriteriaMet']);
  });
});

describe('planJobSync: backoffLimit', () => {
  it('more failures than backoffLimit: FailureTarget, active pods deleted (keeping finalizers), then Failed', () => {
    const job = makeJob(
      { backoffLimit: 2, completions: 3, parallelism: 2 },
      { status: { failed: 2, startTime: '2026-01-01T00:00:00Z' } },
    );
    const pods = [makePod(job, 'bad', { phase: 'Failed' }), makePod(job, 'run', { node: 'n1', ready: true })];
    const r = syncOnce(job, pods);
    expect(r.plan.action).toEqual({ kind: 'deletePods', pods: [pods[1]], removeFinalizerFirst: false });
    const target = r.plan.status.conditions?.find((c) => c.type === 'FailureTarget');
    expect(target).toMatchObject({
      status: 'True',
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    });
    // The running pod was just deleted: it still terminates, so Failed waits.
    expect(r.finished).toBeUndefined();
    expect(r.status).toMatchObject({ failed: 4, active: 0, terminating: 1 });

    // Next sync: the pods are gone; FailureTarget turns into Failed.
    const next = syncOnce({ ...job, status: r.status }, []);
    expect(next.status.conditions?.map((c) => [c.type, c.reason])).toEqual([
      ['FailureTarget', 'BackoffLimitExceeded'],
      ['Failed', 'BackoffLimitExceeded'],
    ]);
    expect(next.events).toEqual([
      {
        type: 'Warning',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      },
    ]);
    expect(next.status.completionTime).toBeUndefined();
  });

  it('backoffLimit 0: the first failure fails the Job', () => {
    const job = makeJob({ backoffLimit: 0 });
    const r = syncOnce(job, [makePod(job, 'a', { phase: 'Failed' })]);
    expect(r.status.conditions?.map((c) => c.type)).toEqual(['FailureTarget', 'Failed']);
    expect(r.events[0].reason).toBe('BackoffLimitExceeded');
  });

  it.each([
    { restartPolicy: 'OnFailure', restarts: 6, limit: 6, fails: true },
    { restartPolicy: 'OnFailure', restarts: 5, limit: 6, fails: false },
    { restartPolicy: 'OnFailure', restarts: 1, limit: 0, fails: true },
    { restartPolicy: 'Never', restarts: 9, limit: 6, fails: false },
  ] as const)(
    'restartPolicy $restartPolicy with $restarts restarts, backoffLimit $limit → fails: $fails',
    (c) => {
      const job = makeJob({ backoffLimit: c.limit });
      job.spec.template.spec.restartPolicy = c.restartPolicy;
      const pods = [makePod(job, 'a', { node: 'n1', restarts: c.restarts })];
      expect(pastBackoffLimitOnFailure(job, pods)).toBe(c.fails);
      expect(plan(job, pods).status.conditions?.some((x) => x.type === 'FailureTarget') ?? false).toBe(
        c.fails,
      );
    },
  );
});

describe('planJobSync: pod failure backoff', () => {
  it('waits 10 s after a failure before creating the replacement', () => {
    const job = makeJob({ completions: 1 }, { status: { startTime: '2026-01-01T00:00:00Z' } });
    const failed = makePod(job, 'a', { phase: 'Failed', finishedAt: '2026-01-01T00:00:02Z' });
    const early = plan(job, [failed], { now: at('2026-01-01T00:00:05Z') });
    expect(early.action).toBeUndefined();
    expect(early.requeueAfterMs).toBe(7_000);
    expect(early.backoff).toEqual({
      failuresAfterLastSuccess: 1,
      lastFailureTime: at('2026-01-01T00:00:02Z'),
    });
    // Once counted (uncounted, finalizer gone) the record carries the failure; at +10 s the pod comes back.
    const counted = makeJob({ completions: 1 }, { status: { failed: 1, startTime: '2026-01-01T00:00:00Z' } });
    const later = plan(counted, [], { now: at('2026-01-01T00:00:12Z'), backoff: early.backoff });
    expect(later.action).toEqual({ kind: 'createPods', count: 1 });
  });

  it('doubles with consecutive failures (a requeue at least a second away)', () => {
    const job = makeJob({ completions: 1 }, { status: { failed: 3, startTime: '2026-01-01T00:00:00Z' } });
    const backoff = { failuresAfterLastSuccess: 3, lastFailureTime: at('2026-01-01T00:00:00Z') };
    expect(plan(job, [], { now: at('2026-01-01T00:00:30Z'), backoff }).requeueAfterMs).toBe(10_000);
    expect(plan(job, [], { now: at('2026-01-01T00:00:39.500Z'), backoff }).requeueAfterMs).toBe(1_000);
  });
});

describe('planJobSync: activeDeadlineSeconds', () => {
  const job = makeJob(
    { activeDeadlineSeconds: 60, completions: 1 },
    { status: { startTime: '2026-01-01T00:00:00Z' } },
  );
  const pod = () => makePod(job, 'a', { node: 'n1' });

  it('syncs again when the deadline is due', () => {
    const p = plan(job, [pod()], { now: at('2026-01-01T00:00:30Z') });
    expect(p.requeueAfterMs).toBe(30_000);
    expect(p.action).toBeUndefined();
  });

  it('past the deadline: DeadlineExceeded, active pods deleted, Failed once they are gone', () => {
    const r = syncOnce(job, [pod()], { now: at('2026-01-01T00:01:00Z') });
    expect(r.plan.action).toMatchObject({ kind: 'deletePods', removeFinalizerFirst: false });
    expect(r.plan.status.conditions?.[0]).toMatchObject({
      type: 'FailureTarget',
      reason: 'DeadlineExceeded',
      message: 'Job was active longer than specified deadline',
    });
    const next = syncOnce({ ...job, status: r.status }, [], { now: at('2026-01-01T00:01:02Z') });
    expect(next.events).toEqual([
      {
        type: 'Warning',
        reason: 'DeadlineExceeded',
        message: 'Job was active longer than specified deadline',
      },
    ]);
  });
});

describe('planJobSync: suspend', () => {
  it('a Job created suspended starts no pods and no clock', () => {
    const job = makeJob({ suspend: true });
    const p = plan(job, []);
    expect(p.action).toBeUndefined();
    expect(p.status.startTime).toBeUndefined();
    expect(p.status.conditions).toEqual([
      expect.objectContaining({
        type: 'Suspended',
        status: 'True',
        reason: 'JobSuspended',
        message: 'Job suspended',
      }),
    ]);
    expect(p.events).toEqual([{ type: 'Normal', reason: 'Suspended', message: 'Job suspended' }]);
  });

  it('suspending deletes the active pods (not counted as failures)', () => {
    const job = makeJob(
      { suspend: true, parallelism: 2, completions: 4 },
      { status: { startTime: '2026-01-01T00:00:00Z' } },
    );
    const pods = [makePod(job, 'a', { node: 'n1' }), makePod(job, 'b', { node: 'n1' })];
    const p = plan(job, pods);
    expect(p.action).toMatchObject({ kind: 'deletePods', removeFinalizerFirst: true });
    expect(p.action && 'pods' in p.action && names(p.action.pods).sort()).toEqual(['a', 'b']);
    expect(p.status).toMatchObject({ active: 0, terminating: 2 });
    expect(p.status.uncountedTerminatedPods).toEqual({});
  });

  it('resuming marks Suspended False, restarts the clock and creates pods', () => {
    const job = makeJob(
      { suspend: false },
      {
        status: {
          startTime: '2025-12-31T00:00:00Z',
          conditions: [
            { type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' },
          ],
        },
      },
    );
    const p = plan(job, []);
    expect(p.action).toEqual({ kind: 'createPods', count: 1 });
    expect(p.status.conditions?.[0]).toMatchObject({
      type: 'Suspended',
      status: 'False',
      reason: 'JobResumed',
    });
    expect(p.status.startTime).toBe('2026-01-01T00:00:05Z');
    expect(p.events).toEqual([{ type: 'Normal', reason: 'Resumed', message: 'Job resumed' }]);
  });
});

describe('planJobSync: Indexed completion mode', () => {
  it('creates the lowest pending indexes and records completed ones', () => {
    const job = makeJob({ completionMode: 'Indexed', completions: 4, parallelism: 2 });
    const pods = [
      makePod(job, 'i0', { phase: 'Succeeded', index: 0 }),
      makePod(job, 'i1', { index: 1, node: 'n1' }),
    ];
    const r = syncOnce(job, pods);
    expect(r.plan.action).toEqual({ kind: 'createPods', count: 1, indexes: [2] });
    expect(r.status).toMatchObject({ succeeded: 1, completedIndexes: '0' });
  });

  it('removes duplicate and out-of-range indexes', () => {
    const job = makeJob({ completionMode: 'Indexed', completions: 2, parallelism: 2 });
    const pods = [
      makePod(job, 'a0', { index: 0, node: 'n1', ready: true }),
      makePod(job, 'b0', { index: 0, phase: 'Pending' }),
      makePod(job, 'x5', { index: 5, node: 'n1' }),
      makePod(job, 'c1', { index: 1, node: 'n1' }),
    ];
    const p = plan(job, pods);
    expect(p.action && 'pods' in p.action && names(p.action.pods)).toEqual(['x5', 'b0']);
  });

  it('is complete when every index succeeded', () => {
    const job = makeJob(
      { completionMode: 'Indexed', completions: 2, parallelism: 2 },
      { status: { completedIndexes: '0', succeeded: 1 } },
    );
    const r = syncOnce(job, [makePod(job, 'i1', { phase: 'Succeeded', index: 1 })]);
    expect(r.status).toMatchObject({ completedIndexes: '0-1', succeeded: 2 });
    expect(r.finished?.type).toBe('Complete');
  });
});
