import { describe, expect, it } from 'vitest';
import { Scheduler, needsScheduling, nodeChangedForScheduling, unschedulableCondition } from './scheduler.js';
import { EventRecorder } from '../client/event-recorder.js';
import { InformerFactory } from '../client/informer-factory.js';
import { EVENTS, NODES, PODS } from '../client/api-client.js';
import { ApiError, conflict } from '../common/errors.js';
import { FakeApiClient } from '../../test/fakes/fake-api-client.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { makeNode, makePod } from '../../test/fakes/scheduler-fixtures.js';
import type { Event, Pod } from '../api/types.js';

async function setup(opts: { batchSize?: number } = {}) {
  const clock = new FakeClock();
  const api = new FakeApiClient({ clock });
  const logger = new RecordingLogger();
  const recorder = new EventRecorder({ client: api, component: 'default-scheduler', clock, logger });
  const scheduler = new Scheduler({ client: api, clock, logger, recorder, ...opts });
  const settle = async (ms = 0) => {
    await clock.advance(ms);
    await recorder.flush();
    await clock.advance(0);
  };
  const podOf = (name: string) => api.find<Pod>(PODS, 'default', name)!;
  const events = (reason: string) => api.objectsOf<Event>(EVENTS).filter((e) => e.reason === reason);
  return { clock, api, logger, recorder, scheduler, settle, podOf, events };
}

describe('Scheduler', () => {
  it('uses shared informers when given a factory: one watch per resource, and stop() leaves them to their owner', async () => {
    const clock = new FakeClock();
    const api = new FakeApiClient({ clock });
    const informers = new InformerFactory({ client: api, clock });
    const controllerPods = informers.get<Pod>(PODS); // what a controller would hold
    const scheduler = new Scheduler({ client: api, clock, informers });
    api.seed(NODES, makeNode('n1', { cpu: '2' }));
    api.seed(PODS, makePod('web', { cpu: '1' }));
    await scheduler.start();
    await informers.start();
    await clock.advance(0);
    // pods, nodes, claims, services, replicasets, statefulsets, namespaces: each watched once, by the factory.
    expect(api.activeWatches()).toBe(7);
    expect(api.find<Pod>(PODS, 'default', 'web')!.spec.nodeName).toBe('n1');
    scheduler.stop();
    await clock.advance(0);
    expect(api.activeWatches()).toBe(7);
    expect(controllerPods.get('default', 'web')?.spec.nodeName).toBe('n1');
    informers.stop();
    await clock.advance(0);
    expect(api.activeWatches()).toBe(0);
  });

  it('binds a pending pod to the node it fits and records Scheduled', async () => {
    const { api, scheduler, settle, podOf, events } = await setup();
    api.seed(NODES, makeNode('small', { cpu: '1' }), makeNode('big', { cpu: '4' }));
    api.seed(PODS, makePod('web', { cpu: '2' }));
    await scheduler.start();
    await settle();
    expect(podOf('web').spec.nodeName).toBe('big');
    expect(api.actionsOf('createSubresource')[0]).toMatchObject({
      resource: 'pods',
      namespace: 'default',
      name: 'web',
      subresource: 'binding',
      body: {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: 'web', namespace: 'default' },
        target: { apiVersion: 'v1', kind: 'Node', name: 'big' },
      },
    });
    expect(events('Scheduled')).toMatchObject([
      {
        type: 'Normal',
        message: 'Successfully assigned default/web to big',
        involvedObject: { name: 'web' },
      },
    ]);
    scheduler.stop();
  });

  it('spreads a burst of pods without overcommitting any node (assumed pods)', async () => {
    const { api, scheduler, settle, podOf } = await setup();
    api.seed(NODES, makeNode('n1', { cpu: '2' }), makeNode('n2', { cpu: '2' }), makeNode('n3', { cpu: '2' }));
    // All seven are pending at start: they are scheduled in one go, before any binding shows in the watch.
    for (let i = 0; i < 7; i++) api.seed(PODS, makePod(`p${i}`, { cpu: '1', owner: 'rs' }));
    await scheduler.start();
    await settle();
    const perNode = new Map<string, number>();
    for (let i = 0; i < 7; i++) {
      const n = podOf(`p${i}`).spec.nodeName;
      if (n) perNode.set(n, (perNode.get(n) ?? 0) + 1);
    }
    expect(Object.fromEntries(perNode)).toEqual({ n1: 2, n2: 2, n3: 2 });
    const left = [...Array(7).keys()].map((i) => podOf(`p${i}`)).find((p) => !p.spec.nodeName)!;
    expect(left.status?.conditions).toMatchObject([
      {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message: '0/3 nodes are available: 3 Insufficient cpu.',
      },
    ]);
    scheduler.stop();
  });

  it('marks an unschedulable pod with the exact message, once, and a FailedScheduling event', async () => {
    const { api, scheduler, settle, podOf, events, clock } = await setup();
    api.seed(
      NODES,
      makeNode('n1', { memory: '1Gi', labels: { disk: 'ssd' } }),
      makeNode('n2', { labels: { disk: 'hdd' } }),
      makeNode('n3'),
    );
    api.seed(PODS, makePod('db', { memory: '2Gi', nodeSelector: { disk: 'ssd' } }));
    await scheduler.start();
    await settle();
    const message =
      "0/3 nodes are available: 1 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector.";
    const pod = podOf('db');
    expect(pod.spec.nodeName).toBeUndefined();
    expect(pod.status?.conditions).toEqual([
      {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message,
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ]);
    expect(events('FailedScheduling')).toMatchObject([{ type: 'Warning', message, count: 1 }]);
    // Retried at least every 30 s; the identical condition is not rewritten, the event is aggregated.
    await settle(30_000);
    expect(api.actionsOf('patch', 'pods')).toHaveLength(1);
    expect(events('FailedScheduling')).toMatchObject([{ count: 2 }]);
    expect(clock.now() - Date.parse('2026-01-01T00:00:00Z')).toBe(30_000);
    scheduler.stop();
  });

  it('retries an unschedulable pod when a node is added, after its backoff', async () => {
    const { api, scheduler, settle, podOf, clock } = await setup();
    api.seed(NODES, makeNode('n1', { cpu: '1' }));
    api.seed(PODS, makePod('big', { cpu: '3' }));
    await scheduler.start();
    await settle();
    expect(podOf('big').status?.conditions?.[0].message).toBe('0/1 nodes are available: 1 Insufficient cpu.');
    await settle(200);
    await api.create(NODES, undefined, makeNode('n2', { cpu: '4' }));
    await settle();
    expect(podOf('big').spec.nodeName).toBeUndefined(); // still backing off (1 s after the attempt)
    await settle(800);
    expect(podOf('big').spec.nodeName).toBe('n2');
    // Only the informers' watch timeouts remain (pods, nodes, claims, services, replicasets, statefulsets,
    // namespaces).
    expect(clock.pending()).toBe(7);
    scheduler.stop();
  });

  it('schedules a pending pod when a bound pod is deleted and frees the room', async () => {
    const { api, scheduler, settle, podOf } = await setup();
    api.seed(NODES, makeNode('n1', { cpu: '2' }));
    api.seed(
      PODS,
      makePod('old', { cpu: '2', nodeName: 'n1', phase: 'Running' }),
      makePod('new', { cpu: '1' }),
    );
    await scheduler.start();
    await settle();
    expect(podOf('new').spec.nodeName).toBeUndefined();
    await api.delete(PODS, 'default', 'old', { gracePeriodSeconds: 0 });
    await settle(1000);
    expect(podOf('new').spec.nodeName).toBe('n1');
    scheduler.stop();
  });

  it('counts a pod that turned Succeeded as gone', async () => {
    const { api, scheduler, settle, podOf } = await setup();
    api.seed(NODES, makeNode('n1', { cpu: '1' }));
    api.seed(
      PODS,
      makePod('job', { cpu: '1', nodeName: 'n1', phase: 'Running' }),
      makePod('next', { cpu: '1' }),
    );
    await scheduler.start();
    await settle();
    const job = podOf('job');
    await api.updateStatus(PODS, 'default', { ...job, status: { phase: 'Succeeded' } });
    await settle(1000);
    expect(podOf('next').spec.nodeName).toBe('n1');
    scheduler.stop();
  });

  it('drops a pod whose binding conflicts (already bound) and retries other binding errors', async () => {
    const { api, scheduler, settle, podOf } = await setup();
    api.seed(NODES, makeNode('n1'));
    api.failNext(
      'createSubresource',
      conflict({ group: '', resource: 'pods/binding' }, 'a', 'already bound'),
    );
    api.seed(PODS, makePod('a'));
    await scheduler.start();
    await settle(60_000);
    expect(api.actionsOf('createSubresource')).toHaveLength(1);
    expect(podOf('a').spec.nodeName).toBeUndefined();

    api.failNext('createSubresource', new ApiError(503, 'ServiceUnavailable', 'etcd down'));
    await api.create(PODS, 'default', makePod('b'));
    await settle();
    expect(podOf('b').spec.nodeName).toBeUndefined();
    await settle(1000);
    expect(podOf('b').spec.nodeName).toBe('n1');
    scheduler.stop();
  });

  it('leaves alone pods of other schedulers, pods being deleted and bound pods', async () => {
    const { api, scheduler, settle } = await setup();
    api.seed(NODES, makeNode('n1'));
    api.seed(
      PODS,
      makePod('mine-elsewhere', { schedulerName: 'other-scheduler' }),
      makePod('bound', { nodeName: 'n1' }),
      { ...makePod('dying'), metadata: { ...makePod('dying').metadata, finalizers: ['x'] } },
    );
    await api.delete(PODS, 'default', 'dying');
    await scheduler.start();
    await settle(60_000);
    expect(api.actionsOf('createSubresource')).toHaveLength(0);
    expect(api.actionsOf('patch')).toHaveLength(0);
    scheduler.stop();
  });

  it('with no nodes reports "no nodes available to schedule pods"', async () => {
    const { api, scheduler, settle, podOf } = await setup();
    api.seed(PODS, makePod('p'));
    await scheduler.start();
    await settle();
    expect(podOf('p').status?.conditions?.[0].message).toBe('no nodes available to schedule pods');
    await api.create(NODES, undefined, makeNode('n1'));
    await settle(1000);
    expect(podOf('p').spec.nodeName).toBe('n1');
    scheduler.stop();
  });

  it('schedules many pods across many nodes in batches, yielding between them', async () => {
    const { api, scheduler, settle, podOf } = await setup({ batchSize: 10 });
    for (let i = 0; i < 20; i++) api.seed(NODES, makeNode(`n${String(i).padStart(2, '0')}`, { pods: '5' }));
    for (let i = 0; i < 100; i++) api.seed(PODS, makePod(`p${i}`, { owner: 'rs' }));
    await scheduler.start();
    for (let i = 0; i < 20; i++) await settle();
    const perNode = new Map<string, number>();
    for (let i = 0; i < 100; i++) {
      const n = podOf(`p${i}`).spec.nodeName!;
      perNode.set(n, (perNode.get(n) ?? 0) + 1);
    }
    expect(perNode.size).toBe(20);
    expect([...perNode.values()].every((n) => n === 5)).toBe(true);
    scheduler.stop();
  });
});

describe('scheduler helpers', () => {
  it.each([
    ['pending pod', makePod('p'), true],
    ['bound pod', makePod('p', { nodeName: 'n' }), false],
    ['other scheduler', makePod('p', { schedulerName: 'x' }), false],
    ['explicit default-scheduler', makePod('p', { schedulerName: 'default-scheduler' }), true],
    ['finished pod', makePod('p', { phase: 'Failed' }), false],
    [
      'deleting pod',
      { ...makePod('p'), metadata: { name: 'p', deletionTimestamp: '2026-01-01T00:00:00Z' } },
      false,
    ],
  ])('needsScheduling: %s → %s', (_n, pod, expected) => {
    expect(needsScheduling(pod as Pod, 'default-scheduler')).toBe(expected);
  });

  it('nodeChangedForScheduling ignores heartbeats but not readiness, taints, labels, allocatable', () => {
    const a = makeNode('n');
    const heartbeat = structuredClone(a);
    heartbeat.status!.conditions![0].lastHeartbeatTime = '2026-01-01T00:01:00Z';
    expect(nodeChangedForScheduling(a, heartbeat)).toBe(false);
    expect(nodeChangedForScheduling(a, makeNode('n', { ready: 'False' }))).toBe(true);
    expect(nodeChangedForScheduling(a, makeNode('n', { taints: [{ key: 'k', effect: 'NoSchedule' }] }))).toBe(
      true,
    );
    expect(nodeChangedForScheduling(a, makeNode('n', { labels: { x: 'y' } }))).toBe(true);
    expect(nodeChangedForScheduling(a, makeNode('n', { cpu: '8' }))).toBe(true);
    expect(nodeChangedForScheduling(a, makeNode('n', { unschedulable: true }))).toBe(true);
  });

  it('unschedulableCondition keeps the transition time and skips identical conditions', () => {
    const pod = makePod('p');
    const first = unschedulableCondition(pod, 'm1', Date.parse('2026-01-01T00:00:00Z'))!;
    pod.status = { conditions: [first] };
    expect(unschedulableCondition(pod, 'm1', Date.parse('2026-01-01T00:05:00Z'))).toBeUndefined();
    const second = unschedulableCondition(pod, 'm2', Date.parse('2026-01-01T00:05:00Z'))!;
    expect(second.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
    expect(second.message).toBe('m2');
  });
});
