import { afterEach, describe, expect, it } from 'vitest';
import type { Event, Job, JobSpec, Pod } from '../../api/types.js';
import { EVENTS, JOBS, PODS } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { rfc3339 } from '../../common/clock.js';
import { FakeApiClient } from '../../../test/fakes/fake-api-client.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { JobController } from './controller.js';
import { JOB_TRACKING_FINALIZER } from './job-util.js';
import { makeJob, NOW } from './test-fixtures.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

async function setup(spec: Partial<JobSpec>) {
  const clock = new FakeClock(NOW);
  const client = new FakeApiClient({ clock });
  const job = makeJob(spec);
  delete job.metadata.uid;
  delete job.metadata.resourceVersion;
  client.seed(JOBS, job);
  const informers = new InformerFactory({ client, clock });
  const recorder = new EventRecorder({ client, component: 'job-controller', clock });
  const controller = new JobController({ client, informers, clock, recorder });
  await informers.start();
  controller.start();
  stops.push(async () => {
    await controller.stop();
    informers.stop();
  });
  await clock.advance(0);
  return { clock, client };
}

const pods = (client: FakeApiClient) =>
  client.objectsOf<Pod>(PODS, 'default').sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
const activePods = (client: FakeApiClient) =>
  pods(client).filter(
    (p) => !p.status?.phase || p.status.phase === 'Pending' || p.status.phase === 'Running',
  );
const job = (client: FakeApiClient) => client.find<Job>(JOBS, 'default', 'pi')!;
const events = (client: FakeApiClient) =>
  client.objectsOf<Event>(EVENTS, 'default').map((e) => `${e.type} ${e.reason}: ${e.message}`);

/** What the kubelet reports when the pod's container exits. */
async function finishPod(client: FakeApiClient, pod: Pod, phase: 'Succeeded' | 'Failed'): Promise<void> {
  const now = rfc3339(client.clock.now());
  await client.updateStatus(PODS, 'default', {
    ...pod,
    status: {
      phase,
      containerStatuses: [
        {
          name: 'pi',
          image: 'busybox',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, finishedAt: now } },
          lastState: {},
        },
      ],
    },
  });
}

describe('JobController loop (FakeApiClient + FakeClock)', () => {
  it('runs completions one at a time, counts each success once, even after its pod is deleted', async () => {
    const { clock, client } = await setup({ completions: 3, parallelism: 1 });
    expect(pods(client)).toHaveLength(1);
    const first = pods(client)[0];
    expect(first.metadata.finalizers).toEqual([JOB_TRACKING_FINALIZER]);
    expect(first.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Job', name: 'pi', controller: true });
    expect(job(client).status).toMatchObject({ active: 1, startTime: '2026-01-01T00:00:00Z' });

    await finishPod(client, first, 'Succeeded');
    await clock.advance(1_100);
    expect(job(client).status).toMatchObject({ succeeded: 1, active: 1, uncountedTerminatedPods: {} });
    expect(client.find<Pod>(PODS, 'default', first.metadata.name!)?.metadata.finalizers ?? []).toEqual([]);

    // The counted pod disappears: the count stays.
    await client.delete(PODS, 'default', first.metadata.name!);
    await clock.advance(1_100);
    expect(job(client).status?.succeeded).toBe(1);
    expect(activePods(client)).toHaveLength(1);

    for (let i = 0; i < 2; i++) {
      await finishPod(client, activePods(client)[0], 'Succeeded');
      await clock.advance(1_100);
    }
    const status = job(client).status!;
    expect(status.succeeded).toBe(3);
    expect(status.active).toBeFalsy();
    expect(status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['SuccessCriteriaMet', 'True', 'CompletionsReached'],
      ['Complete', 'True', 'CompletionsReached'],
    ]);
    expect(status.completionTime).toBeDefined();
    expect(pods(client).every((p) => !p.metadata.finalizers?.length)).toBe(true);
    const ev = events(client);
    expect(ev.filter((e) => e.startsWith('Normal SuccessfulCreate: Created pod: pi-'))).toHaveLength(3);
    expect(ev).toContain('Normal Completed: Job completed');
  });

  it('a pod that always fails: backoff between retries, then Failed with BackoffLimitExceeded', async () => {
    const { clock, client } = await setup({ completions: 1, parallelism: 1, backoffLimit: 2 });
    const fail = async () => {
      expect(activePods(client)).toHaveLength(1);
      await finishPod(client, activePods(client)[0], 'Failed');
    };
    await fail(); // failure 1 at 00:00:00
    await clock.advance(1_100);
    expect(job(client).status?.failed).toBe(1);
    expect(activePods(client)).toHaveLength(0);
    await clock.advance(8_000); // 00:00:09.1: still backing off
    expect(activePods(client)).toHaveLength(0);
    await clock.advance(1_000); // 10 s after the failure
    await fail(); // failure 2
    await clock.advance(11_000);
    expect(activePods(client)).toHaveLength(0); // the second backoff is 20 s
    await clock.advance(10_000);
    await fail(); // failure 3 > backoffLimit 2
    await clock.advance(1_100);

    const status = job(client).status!;
    expect(status.failed).toBe(3);
    expect(status.conditions?.map((c) => [c.type, c.reason, c.message])).toEqual([
      ['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
      ['Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
    ]);
    expect(pods(client)).toHaveLength(3);
    expect(pods(client).every((p) => !p.metadata.finalizers?.length)).toBe(true);
    expect(events(client)).toContain(
      'Warning BackoffLimitExceeded: Job has reached the specified backoff limit',
    );
    await clock.advance(60_000);
    expect(pods(client)).toHaveLength(3); // nothing more is created
  });

  it('activeDeadlineSeconds: deletes the running pods and fails the Job', async () => {
    const { clock, client } = await setup({ completions: 1, activeDeadlineSeconds: 30 });
    expect(activePods(client)).toHaveLength(1);
    await clock.advance(29_000);
    expect(job(client).status?.conditions).toBeUndefined();
    await clock.advance(1_500);
    await clock.advance(1_100);
    expect(pods(client)).toHaveLength(0); // deleted, finalizer removed
    const status = job(client).status!;
    expect(status.conditions?.map((c) => [c.type, c.reason])).toEqual([
      ['FailureTarget', 'DeadlineExceeded'],
      ['Failed', 'DeadlineExceeded'],
    ]);
    expect(status.failed).toBe(1);
    expect(events(client)).toContain(
      'Warning DeadlineExceeded: Job was active longer than specified deadline',
    );
  });

  it('suspend deletes the pods without counting them; resume recreates them', async () => {
    const { clock, client } = await setup({ completions: 2, parallelism: 2 });
    expect(activePods(client)).toHaveLength(2);
    const j = job(client);
    await client.update(JOBS, 'default', { ...j, spec: { ...j.spec, suspend: true } });
    await clock.advance(1_100);
    expect(pods(client)).toHaveLength(0);
    expect([job(client).status?.active, job(client).status?.failed]).toEqual([undefined, undefined]);
    expect(job(client).status?.conditions?.[0]).toMatchObject({ type: 'Suspended', status: 'True' });

    const s = job(client);
    await client.update(JOBS, 'default', { ...s, spec: { ...s.spec, suspend: false } });
    await clock.advance(1_100);
    expect(activePods(client)).toHaveLength(2);
    expect(job(client).status?.conditions?.[0]).toMatchObject({ type: 'Suspended', status: 'False' });
    expect(events(client)).toEqual(
      expect.arrayContaining(['Normal Suspended: Job suspended', 'Normal Resumed: Job resumed']),
    );
  });

  it('takes the tracking finalizer off the pods of a deleted Job', async () => {
    const { clock, client } = await setup({ completions: 1 });
    const [pod] = pods(client);
    await client.delete(JOBS, 'default', 'pi');
    await clock.advance(1_100);
    expect(client.find<Pod>(PODS, 'default', pod.metadata.name!)?.metadata.finalizers ?? []).toEqual([]);
  });
});
