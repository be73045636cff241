import { describe, expect, it } from 'vitest';
import type { CronJob, Job } from '../../api/types.js';
import { at, cronJobRun, makeCronJob, refTo } from '../job/test-fixtures.js';
import { CRONJOB_SCHEDULED_TIMESTAMP, jobsToPrune, planCronJob, type CronJobInput } from './reconcile.js';

const plan = (cronJob: CronJob, now: string, jobs: Job[] = [], extra: Partial<CronJobInput> = {}) =>
  planCronJob({ cronJob, jobs, now: at(now), ...extra });
const minutes = (iso: string) => at(iso) / 60_000;
const reasons = (p: ReturnType<typeof planCronJob>) => p.events.map((e) => e.reason);

describe('planCronJob: when to run', () => {
  it('creates the Job due at a schedule time, named after it, owned by the CronJob', () => {
    const p = plan(makeCronJob(), '2026-01-01T00:01:00.100Z');
    expect(p.create?.scheduledTime).toBe(at('2026-01-01T00:01:00Z'));
    expect(p.create?.job).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: `backup-${minutes('2026-01-01T00:01:00Z')}`,
        namespace: 'default',
        labels: { app: 'backup' },
        annotations: { [CRONJOB_SCHEDULED_TIMESTAMP]: '2026-01-01T00:01:00Z' },
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            name: 'backup',
            uid: 'backup-uid',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: makeCronJob().spec.jobTemplate.spec,
    });
    expect(p.requeueAfterMs).toBe(60_000); // 00:02:00.100
    expect(p.events).toEqual([]);
  });

  it('does nothing before the first schedule time and comes back just after it', () => {
    const p = plan(makeCronJob(), '2026-01-01T00:00:30Z');
    expect(p.create).toBeUndefined();
    expect(p.requeueAfterMs).toBe(30_100);
  });

  it('does not start a schedule time twice', () => {
    const cj = makeCronJob({}, { status: { lastScheduleTime: '2026-01-01T00:01:00Z' } });
    const p = plan(cj, '2026-01-01T00:01:30Z');
    expect(p.create).toBeUndefined();
    expect(p.requeueAfterMs).toBe(30_100);
  });

  it('schedules in spec.timeZone and stamps the scheduled time in that zone', () => {
    const cj = makeCronJob(
      { schedule: '0 9 * * *', timeZone: 'Europe/Berlin' },
      { created: '2026-01-01T00:00:00Z' },
    );
    const p = plan(cj, '2026-01-01T08:00:00.100Z');
    expect(p.create?.scheduledTime).toBe(at('2026-01-01T08:00:00Z'));
    expect(p.create?.job.metadata.annotations?.[CRONJOB_SCHEDULED_TIMESTAMP]).toBe(
      '2026-01-01T09:00:00+01:00',
    );
    expect(
      plan(
        makeCronJob({ schedule: '0 9 * * *' }, { created: '2026-01-01T00:00:00Z' }),
        '2026-01-01T08:00:00.100Z',
      ).create,
    ).toBeUndefined();
  });

  it('after a master restart starts only the most recent missed run', () => {
    const cj = makeCronJob({}, { status: { lastScheduleTime: '2026-01-01T00:05:00Z' } });
    const p = plan(cj, '2026-01-01T00:10:30Z');
    expect(p.create?.scheduledTime).toBe(at('2026-01-01T00:10:00Z'));
    expect(p.events).toEqual([]);
    expect(p.requeueAfterMs).toBe(30_100);
  });

  it('after a restart with startingDeadlineSeconds: starts a run still within the deadline', () => {
    const cj = makeCronJob(
      { startingDeadlineSeconds: 120 },
      { status: { lastScheduleTime: '2026-01-01T00:05:00Z' } },
    );
    expect(plan(cj, '2026-01-01T00:10:30Z').create?.scheduledTime).toBe(at('2026-01-01T00:10:00Z'));
  });

  it('after a restart with startingDeadlineSeconds: skips a run missed by more, with MissSchedule', () => {
    const cj = makeCronJob(
      { schedule: '*/10 * * * *', startingDeadlineSeconds: 30 },
      { status: { lastScheduleTime: '2026-01-01T00:00:00Z' } },
    );
    const p = plan(cj, '2026-01-01T00:10:45Z');
    expect(p.create).toBeUndefined();
    expect(p.events).toEqual([
      {
        type: 'Warning',
        reason: 'MissSchedule',
        message: 'Missed scheduled time to start a job: Thu, 01 Jan 2026 00:10:00 +0000',
      },
    ]);
    expect(p.requeueAfterMs).toBe(at('2026-01-01T00:20:00.100Z') - at('2026-01-01T00:10:45Z'));
  });

  it('more than 100 missed runs: warns and starts only the latest', () => {
    const cj = makeCronJob({}, { status: { lastScheduleTime: '2026-01-01T00:00:00Z' } });
    const p = plan(cj, '2026-01-01T02:00:30Z');
    expect(reasons(p)).toEqual(['TooManyMissedTimes']);
    expect(p.events[0].message).toBe(
      'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
    );
    expect(p.create?.scheduledTime).toBe(at('2026-01-01T02:00:00Z'));
  });

  it('suspended: starts nothing and does not requeue', () => {
    const p = plan(makeCronJob({ suspend: true }), '2026-01-01T00:05:00.100Z');
    expect(p.create).toBeUndefined();
    expect(p.requeueAfterMs).toBeUndefined();
  });

  it.each([
    {
      name: 'unknown time zone',
      spec: { timeZone: 'Mars/Olympus' },
      event: ['UnknownTimeZone', 'invalid timeZone: "Mars/Olympus": unknown time zone Mars/Olympus'],
    },
    {
      name: 'unparseable schedule',
      spec: { schedule: 'every day' },
      event: [
        'UnparseableSchedule',
        'unparseable schedule: "every day" : expected exactly 5 fields, found 2: every day',
      ],
    },
    {
      name: 'schedule that never fires',
      spec: { schedule: '0 0 31 2 *' },
      event: [
        'InvalidSchedule',
        'invalid schedule: 0 0 31 2 * : time difference between two schedules is less than 1 second',
      ],
    },
  ])('$name: warns, starts nothing, waits for a spec change', ({ spec, event }) => {
    const p = plan(makeCronJob(spec), '2026-03-01T00:00:00Z');
    expect(p.events.map((e) => [e.reason, e.message])).toEqual([event]);
    expect(p.create).toBeUndefined();
    expect(p.requeueAfterMs).toBeUndefined();
  });

  it('a TZ= prefix in the schedule still works, with an UnsupportedSchedule warning', () => {
    const p = plan(makeCronJob({ schedule: 'TZ=Asia/Tokyo 0 9 * * *' }), '2026-01-02T00:00:00.100Z');
    expect(reasons(p)).toEqual(['UnsupportedSchedule']);
    expect(p.create?.scheduledTime).toBe(at('2026-01-02T00:00:00Z'));
  });
});

describe('planCronJob: concurrencyPolicy', () => {
  const running = (cj: CronJob) => cronJobRun(cj, '2026-01-01T00:01:00Z', 'running');
  const withActive = (policy: 'Allow' | 'Forbid' | 'Replace') => {
    const base = makeCronJob({ concurrencyPolicy: policy });
    const job = running(base);
    const cj = makeCronJob(
      { concurrencyPolicy: policy },
      { status: { active: [refTo(job)], lastScheduleTime: '2026-01-01T00:01:00Z' } },
    );
    return { cj, job };
  };

  it('Allow: starts the next run while the previous one still runs', () => {
    const { cj, job } = withActive('Allow');
    const p = plan(cj, '2026-01-01T00:02:00.100Z', [job]);
    expect(p.create?.scheduledTime).toBe(at('2026-01-01T00:02:00Z'));
    expect(p.replaceJobs).toEqual([]);
    expect(p.status.active).toEqual([refTo(job)]);
  });

  it('Forbid: skips the run while the previous one is active', () => {
    const { cj, job } = withActive('Forbid');
    const p = plan(cj, '2026-01-01T00:02:00.100Z', [job]);
    expect(p.create).toBeUndefined();
    expect(p.events).toEqual([
      {
        type: 'Normal',
        reason: 'JobAlreadyActive',
        message: 'Not starting job because prior execution is running and concurrency policy is Forbid',
      },
    ]);
    expect(p.requeueAfterMs).toBe(60_000); // the next tick, 00:03
  });

  it('Forbid: runs once the previous Job has finished', () => {
    const { cj } = withActive('Forbid');
    const done = cronJobRun(cj, '2026-01-01T00:01:00Z', 'Complete');
    const p = plan(cj, '2026-01-01T00:02:00.100Z', [done]);
    expect(reasons(p)).toEqual(['SawCompletedJob']);
    expect(p.create?.scheduledTime).toBe(at('2026-01-01T00:02:00Z'));
  });

  it('Replace: deletes the active Job, then creates the new one', () => {
    const { cj, job } = withActive('Replace');
    const p = plan(cj, '2026-01-01T00:02:00.100Z', [job]);
    expect(p.replaceJobs).toEqual([refTo(job)]);
    expect(p.create?.job.metadata.name).toBe(`backup-${minutes('2026-01-01T00:02:00Z')}`);
    expect(p.status.active).toBeUndefined();
  });
});

describe('planCronJob: watching its Jobs', () => {
  it('moves a finished Job out of active and remembers the latest success', () => {
    const cj0 = makeCronJob();
    const done = cronJobRun(cj0, '2026-01-01T00:01:00Z', 'Complete');
    const cj = makeCronJob(
      {},
      { status: { active: [refTo(done)], lastScheduleTime: '2026-01-01T00:01:00Z' } },
    );
    const p = plan(cj, '2026-01-01T00:01:40Z', [done]);
    expect(p.events).toEqual([
      {
        type: 'Normal',
        reason: 'SawCompletedJob',
        message: `Saw completed job: ${done.metadata.name}, condition: Complete`,
      },
    ]);
    expect(p.status).toEqual({
      lastScheduleTime: '2026-01-01T00:01:00Z',
      lastSuccessfulTime: '2026-01-01T00:01:30Z',
    });
  });

  it('warns about a running Job of its own that is not in active', () => {
    const cj = makeCronJob({}, { status: { lastScheduleTime: '2026-01-01T00:01:00Z' } });
    const stray = cronJobRun(cj, '2026-01-01T00:00:00Z', 'running');
    const p = plan(cj, '2026-01-01T00:01:30Z', [stray]);
    expect(p.events.map((e) => [e.type, e.reason, e.message])).toEqual([
      [
        'Warning',
        'UnexpectedJob',
        `Saw a job that the controller did not create or forgot: ${stray.metadata.name}`,
      ],
    ]);
  });

  it('forgets an active Job only when the API confirmed it is gone', () => {
    const cj0 = makeCronJob();
    const job = cronJobRun(cj0, '2026-01-01T00:01:00Z', 'running');
    const cj = makeCronJob(
      {},
      { status: { active: [refTo(job)], lastScheduleTime: '2026-01-01T00:01:00Z' } },
    );
    expect(plan(cj, '2026-01-01T00:01:30Z', []).status.active).toEqual([refTo(job)]);
    const p = plan(cj, '2026-01-01T00:01:30Z', [], { goneActiveUids: new Set([job.metadata.uid!]) });
    expect(p.status.active).toBeUndefined();
    expect(p.events.map((e) => e.message)).toEqual([`Active job went missing: ${job.metadata.name}`]);
  });
});

describe('history limits', () => {
  const cj = makeCronJob({ successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
  const run = (min: number, state: 'running' | 'Complete' | 'Failed', start: boolean | string = true) =>
    cronJobRun(
      cj,
      new Date(at('2026-01-01T00:00:00Z') + min * 60_000).toISOString(),
      state,
      start === true ? undefined : start === false ? '' : start,
    );

  it('prunes the oldest finished Jobs beyond each limit, by start time (unstarted last), keeping running ones', () => {
    const jobs = [
      run(5, 'Complete'),
      run(1, 'Complete'),
      run(3, 'Complete'),
      run(2, 'Complete'),
      run(4, 'Complete'),
      run(6, 'Failed'),
      run(7, 'Failed', false),
      run(8, 'Failed'),
      run(9, 'running'),
    ];
    const names = jobsToPrune(cj, jobs).map((j) => j.metadata.name);
    expect(names).toEqual(
      [run(1, 'Complete'), run(2, 'Complete'), run(6, 'Failed'), run(8, 'Failed')].map(
        (j) => j.metadata.name,
      ),
    );
  });

  it('plans the prune in the same sync that starts the next run', () => {
    const jobs = [1, 2, 3, 4].map((m) => run(m, 'Complete'));
    const p = plan(
      makeCronJob({}, { status: { lastScheduleTime: '2026-01-01T00:04:00Z' } }),
      '2026-01-01T00:05:00.100Z',
      jobs,
    );
    expect(p.pruneJobs.map((j) => j.metadata.name)).toEqual([jobs[0].metadata.name]);
    expect(p.create?.scheduledTime).toBe(at('2026-01-01T00:05:00Z'));
  });

  it('without limits prunes nothing', () => {
    const noLimits = makeCronJob({
      successfulJobsHistoryLimit: undefined,
      failedJobsHistoryLimit: undefined,
    });
    expect(
      jobsToPrune(
        noLimits,
        [1, 2, 3, 4, 5].map((m) => run(m, 'Complete')),
      ),
    ).toEqual([]);
  });
});
