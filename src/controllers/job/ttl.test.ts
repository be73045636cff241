import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../api/types.js';
import { JOBS } from '../../client/api-client.js';
import { InformerFactory } from '../../client/informer-factory.js';
import { FakeApiClient } from '../../../test/fakes/fake-api-client.js';
import { FakeClock } from '../../../test/fakes/fake-clock.js';
import { at, makeJob } from './test-fixtures.js';
import { ttlRemainingMs } from './ttl.js';
import { TtlAfterFinishedController } from './ttl-after-finished-controller.js';

const finished = (type: 'Complete' | 'Failed', when: string, ttl?: number): Job =>
  makeJob(
    { ttlSecondsAfterFinished: ttl },
    { status: { conditions: [{ type, status: 'True', lastTransitionTime: when }] } },
  );

describe('ttlRemainingMs', () => {
  it.each([
    {
      name: 'no TTL',
      job: finished('Complete', '2026-01-01T00:00:00Z'),
      now: '2026-01-01T01:00:00Z',
      want: undefined,
    },
    {
      name: 'not finished',
      job: makeJob({ ttlSecondsAfterFinished: 0 }),
      now: '2026-01-01T00:00:00Z',
      want: undefined,
    },
    {
      name: 'complete, TTL running',
      job: finished('Complete', '2026-01-01T00:00:00Z', 100),
      now: '2026-01-01T00:00:40Z',
      want: 60_000,
    },
    {
      name: 'failed, TTL over',
      job: finished('Failed', '2026-01-01T00:00:00Z', 100),
      now: '2026-01-01T00:01:50Z',
      want: -10_000,
    },
    {
      name: 'TTL 0: at once',
      job: finished('Complete', '2026-01-01T00:00:00Z', 0),
      now: '2026-01-01T00:00:00Z',
      want: 0,
    },
  ])('$name', ({ job, now, want }) => {
    expect(ttlRemainingMs(job, at(now))).toBe(want);
  });

  it('ignores a Job already being deleted', () => {
    const job = finished('Complete', '2026-01-01T00:00:00Z', 1);
    job.metadata.deletionTimestamp = '2026-01-01T00:00:05Z';
    expect(ttlRemainingMs(job, at('2026-01-01T00:01:00Z'))).toBeUndefined();
  });
});

describe('TtlAfterFinishedController', () => {
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
  });

  it('deletes a finished Job (Background, uid precondition) when its TTL runs out, not before', async () => {
    const clock = new FakeClock(at('2026-01-01T00:00:00Z'));
    const client = new FakeApiClient({ clock });
    const job = finished('Complete', '2026-01-01T00:00:00Z', 100);
    delete job.metadata.uid;
    const [stored] = client.seed(JOBS, job);
    client.seed(JOBS, { ...makeJob({}, { name: 'keep' }), metadata: { name: 'keep', namespace: 'default' } });
    const informers = new InformerFactory({ client, clock });
    const c = new TtlAfterFinishedController({ client, informers, clock });
    await informers.start();
    c.start();
    stops.push(async () => {
      await c.stop();
      informers.stop();
    });

    await clock.advance(99_000);
    expect(client.find(JOBS, 'default', 'pi')).toBeDefined();
    await clock.advance(1_500);
    expect(client.find(JOBS, 'default', 'pi')).toBeUndefined();
    expect(client.find(JOBS, 'default', 'keep')).toBeDefined();
    expect(client.actionsOf('delete', 'jobs')).toEqual([
      expect.objectContaining({
        name: 'pi',
        opts: { propagationPolicy: 'Background', preconditions: { uid: stored.metadata.uid } },
      }),
    ]);
  });

  it('re-reads the Job before deleting: a TTL raised meanwhile wins', async () => {
    const clock = new FakeClock(at('2026-01-01T00:00:00Z'));
    const client = new FakeApiClient({ clock });
    const job = finished('Complete', '2026-01-01T00:00:00Z', 10);
    delete job.metadata.uid;
    client.seed(JOBS, job);
    const informers = new InformerFactory({ client, clock });
    const c = new TtlAfterFinishedController({ client, informers, clock });
    await informers.start();
    c.start();
    stops.push(async () => {
      await c.stop();
      informers.stop();
    });
    const stored = client.find<Job>(JOBS, 'default', 'pi')!;
    await client.update(JOBS, 'default', {
      ...stored,
      spec: { ...stored.spec, ttlSecondsAfterFinished: 60 },
    });
    await clock.advance(11_000);
    expect(client.find(JOBS, 'default', 'pi')).toBeDefined();
    await clock.advance(50_000);
    expect(client.find(JOBS, 'default', 'pi')).toBeUndefined();
  });
});
