import { afterEach, describe, expect, it } from 'vitest';
import type { CronJob, Event, Job } from '../../api/types.js';
import { CRONJOBS, EVENTS, JOBS } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { rfc3339 } from '../../common/clock.js';
import { FakeApiClient } from '../../../test/fakes/fake-api-client.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { makeCronJob } from '../job/test-fixtures.js';
import { CronJobController } from './controller.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const runName = (minute: number) => `backup-${T0 / 60_000 + minute}`;

interface Env {
  clock: FakeClock;
  client: FakeApiClient;
  stop: () => Promise<void>;
}
const running: Env[] = [];

async function startController(clock: FakeClock, client: FakeApiClient): Promise<Env> {
  const informers = new InformerFactory({ client, clock });
  const recorder = new EventRecorder({ client, component: 'cronjob-controller', clock });
  const controller = new CronJobController({ client, informers, clock, recorder });
  await informers.start();
  controller.start();
  const env = {
    clock,
    client,
    stop: async () => {
      await controller.stop();
      informers.stop();
    },
  };
  running.push(env);
  return env;
}

afterEach(async () => {
  for (const env of running.splice(0)) await env.stop();
});

function seedCronJob(client: FakeApiClient, spec: Partial<CronJob['spec']> = {}): void {
  const cj = makeCronJob(spec);
  delete cj.metadata.uid;
  delete cj.metadata.creationTimestamp;
  delete cj.metadata.resourceVersion;
  client.seed(CRONJOBS, cj);
}

const jobNames = (client: FakeApiClient) =>
  client
    .objectsOf<Job>(JOBS, 'default')
    .map((j) => j.metadata.name)
    .sort();

/** What the Job controller would do when a run finishes. */
async function finishJob(client: FakeApiClient, name: string, type: 'Complete' | 'Failed'): Promise<void> {
  const job = client.find<Job>(JOBS, 'default', name)!;
  const now = rfc3339(client.clock.now());
  await client.updateStatus(JOBS, 'default', {
    ...job,
    status: {
      startTime: job.metadata.creationTimestamp,
      conditions: [{ type, status: 'True', lastProbeTime: now, lastTransitionTime: now }],
      ...(type === 'Complete' ? { completionTime: now, succeeded: 1 } : { failed: 1 }),
    },
  });
}

function events(client: FakeApiClient): string[] {
  return client.objectsOf<Event>(EVENTS, 'default').map((e) => `${e.reason}: ${e.message}`);
}

describe('CronJobController loop (FakeApiClient + FakeClock)', () => {
  it('creates a Job at each minute boundary and prunes finished Jobs beyond the history limit', async () => {
    const clock = new FakeClock(T0);
    const client = new FakeApiClient({ clock });
    await clock.advance(10_000); // created at 00:00:10
    seedCronJob(client, { successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1 });
    await startController(clock, client);

    await clock.advance(49_000); // 00:00:59
    expect(jobNames(client)).toEqual([]);
    for (let minute = 1; minute <= 5; minute++) {
      await clock.advance(1_200); // just past the boundary (+100 ms delta)
      expect(jobNames(client)).toContain(runName(minute));
      const job = client.find<Job>(JOBS, 'default', runName(minute))!;
      expect(job.metadata.ownerReferences?.[0]).toMatchObject({
        kind: 'CronJob',
        name: 'backup',
        controller: true,
      });
      await clock.advance(30_000);
      await finishJob(client, runName(minute), minute === 2 ? 'Failed' : 'Complete');
      await clock.advance(28_800); // to hh:mm:59.9 — nothing new before the next boundary
      expect(jobNames(client)).not.toContain(runName(minute + 1));
    }
    // Complete: 1,3,4,5 (limit 2 → 1 and 3 pruned); Failed: 2 (limit 1 → kept).
    expect(jobNames(client)).toEqual([runName(2), runName(4), runName(5)]);
    const deletes = client.actionsOf('delete', 'jobs');
    expect(deletes.map((a) => a.name)).toEqual([runName(1), runName(3)]);
    expect(
      deletes.every((a) => (a.opts as { propagationPolicy?: string }).propagationPolicy === 'Background'),
    ).toBe(true);
    const cj = client.find<CronJob>(CRONJOBS, 'default', 'backup')!;
    expect(cj.status?.lastScheduleTime).toBe('2026-01-01T00:05:00Z');
    expect(cj.status?.active).toBeUndefined();
    expect(cj.status?.lastSuccessfulTime).toBe('2026-01-01T00:05:30Z');
    const ev = events(client);
    expect(ev).toContain(`SuccessfulCreate: Created job ${runName(1)}`);
    expect(ev).toContain(`SawCompletedJob: Saw completed job: ${runName(2)}, condition: Failed`);
    expect(ev).toContain(`SuccessfulDelete: Deleted job ${runName(1)}`);
  });

  it('after a master restart starts only the most recent missed run', async () => {
    const clock = new FakeClock(T0);
    const client = new FakeApiClient({ clock });
    await clock.advance(10_000);
    seedCronJob(client);
    const first = await startController(clock, client);
    await clock.advance(51_000); // 00:01:01
    expect(jobNames(client)).toEqual([runName(1)]);
    await first.stop();
    running.splice(running.indexOf(first), 1);

    await clock.advance(10 * 60_000); // down until 00:11:01
    expect(jobNames(client)).toEqual([runName(1)]);
    await startController(clock, client);
    await clock.advance(0);
    expect(jobNames(client)).toEqual([runName(1), runName(11)]);
    const cj = client.find<CronJob>(CRONJOBS, 'default', 'backup')!;
    expect(cj.status?.active?.map((r) => r.name)).toEqual([runName(1), runName(11)]);
    expect(cj.status?.lastScheduleTime).toBe('2026-01-01T00:11:00Z');
  });

  it('Replace deletes the running Job and starts the new one; Forbid skips while one is active', async () => {
    const clock = new FakeClock(T0);
    const client = new FakeApiClient({ clock });
    await clock.advance(10_000);
    seedCronJob(client, { concurrencyPolicy: 'Replace' });
    await startController(clock, client);
    await clock.advance(51_000);
    await clock.advance(60_000); // 00:02:01: the 00:01 run is still running
    expect(jobNames(client)).toEqual([runName(2)]);
    expect(client.actionsOf('delete', 'jobs').map((a) => a.name)).toEqual([runName(1)]);
    expect(events(client)).toContain(`SuccessfulDelete: Deleted job ${runName(1)}`);

    const cj = client.find<CronJob>(CRONJOBS, 'default', 'backup')!;
    await client.update(CRONJOBS, 'default', { ...cj, spec: { ...cj.spec, concurrencyPolicy: 'Forbid' } });
    await clock.advance(60_000); // 00:03:01
    expect(jobNames(client)).toEqual([runName(2)]);
    expect(events(client)).toContain(
      'JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid',
    );
    // As in Kubernetes, the skipped 00:03 run starts late once nothing is active (no startingDeadlineSeconds).
    await finishJob(client, runName(2), 'Complete');
    await clock.advance(1_000);
    expect(jobNames(client)).toEqual([runName(2), runName(3)]);
    await clock.advance(60_000); // 00:04:02: 00:03 still runs
    expect(jobNames(client)).toEqual([runName(2), runName(3)]);
  });
});
