import { describe, expect, it } from 'vitest';
import { AGGREGATION_WINDOW_MS, EventRecorder, eventName } from './event-recorder.js';
import { EVENTS } from './api-client.js';
import { FakeApiClient } from '../../test/fakes/fake-api-client.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { ApiError } from '../common/errors.js';
import type { Event, KubeObject } from '../api/types.js';

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'shop', uid: 'uid-1', resourceVersion: '42' },
};
const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', uid: 'uid-n' } };

function setup(host?: string) {
  const clock = new FakeClock(Date.parse('2026-02-03T04:05:06Z'));
  const api = new FakeApiClient({ clock });
  const logger = new RecordingLogger();
  const recorder = new EventRecorder({ client: api, component: 'kubelet', host, clock, logger });
  return { clock, api, logger, recorder };
}

describe('EventRecorder', () => {
  it('writes a core/v1 Event like the kubelet does', async () => {
    const { api, recorder } = setup('node-1');
    recorder.record(pod, 'Normal', 'Pulled', 'Container image "busybox" already present on machine');
    await recorder.flush();
    const [ev] = api.objectsOf<Event>(EVENTS);
    expect(ev.metadata.name).toMatch(/^web-1\.[0-9a-f]{16}$/);
    expect(ev.metadata.namespace).toBe('shop');
    expect(ev).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      involvedObject: {
        kind: 'Pod',
        namespace: 'shop',
        name: 'web-1',
        uid: 'uid-1',
        apiVersion: 'v1',
        resourceVersion: '42',
      },
      reason: 'Pulled',
      message: 'Container image "busybox" already present on machine',
      type: 'Normal',
      count: 1,
      firstTimestamp: '2026-02-03T04:05:06Z',
      lastTimestamp: '2026-02-03T04:05:06Z',
      source: { component: 'kubelet', host: 'node-1' },
      reportingComponent: 'kubelet',
      reportingInstance: 'node-1',
    });
  });

  it('puts events about cluster-scoped objects in default, without an involvedObject namespace', async () => {
    const { api, recorder } = setup();
    recorder.record(node, 'Warning', 'NodeNotReady', 'Node node-1 status is now: NodeNotReady');
    await recorder.flush();
    const [ev] = api.objectsOf<Event>(EVENTS);
    expect(ev.metadata.namespace).toBe('default');
    expect(ev.involvedObject.namespace).toBeUndefined();
    expect(ev.source).toEqual({ component: 'kubelet' });
  });

  it('aggregates repeats within 10 minutes into count and lastTimestamp', async () => {
    const { api, recorder, clock } = setup('node-1');
    recorder.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    await clock.advance(30_000);
    recorder.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    await clock.advance(30_000);
    recorder.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    await recorder.flush();
    const events = api.objectsOf<Event>(EVENTS);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      count: 3,
      firstTimestamp: '2026-02-03T04:05:06Z',
      lastTimestamp: '2026-02-03T04:06:06Z',
    });
    expect(api.actions.map((a) => `${a.verb}:${a.patchType ?? ''}`)).toEqual([
      'create:',
      'patch:merge',
      'patch:merge',
    ]);
  });

  it('aggregates back-to-back repeats recorded before the first write finished', async () => {
    const { api, recorder } = setup();
    for (let i = 0; i < 5; i++) recorder.record(pod, 'Normal', 'Killing', 'Stopping container app');
    await recorder.flush();
    expect(api.objectsOf<Event>(EVENTS)).toMatchObject([{ count: 5 }]);
  });

  it('starts a new Event after the 10-minute window, or for a different message', async () => {
    const { api, recorder, clock } = setup();
    recorder.record(pod, 'Normal', 'Started', 'Started container app');
    await recorder.flush();
    await clock.advance(AGGREGATION_WINDOW_MS + 1000);
    recorder.record(pod, 'Normal', 'Started', 'Started container app');
    recorder.record(pod, 'Normal', 'Started', 'Started container sidecar');
    await recorder.flush();
    const events = api.objectsOf<Event>(EVENTS);
    expect(events).toHaveLength(3);
    expect(new Set(events.map((e) => e.metadata.name)).size).toBe(3);
    expect(events.every((e) => e.count === 1)).toBe(true);
  });

  it('creates a fresh Event when the aggregated one is gone', async () => {
    const { api, recorder } = setup();
    recorder.record(pod, 'Normal', 'Pulling', 'Pulling image');
    await recorder.flush();
    const [first] = api.objectsOf<Event>(EVENTS);
    await api.delete(EVENTS, 'shop', first.metadata.name!);
    recorder.record(pod, 'Normal', 'Pulling', 'Pulling image');
    await recorder.flush();
    const events = api.objectsOf<Event>(EVENTS);
    expect(events).toHaveLength(1);
    expect(events[0].metadata.name).not.toBe(first.metadata.name);
  });

  it('never throws or blocks: the write happens later, failures are logged', async () => {
    const { api, recorder, logger } = setup();
    api.failNext('create', new ApiError(500, 'InternalError', 'store down'));
    expect(() => recorder.record(pod, 'Warning', 'Failed', 'boom')).not.toThrow();
    expect(api.actions).toHaveLength(0); // nothing written in the caller's turn
    await recorder.flush();
    expect(logger.records.some((r) => r.level === 'warn' && r.msg === 'could not write event')).toBe(true);
    recorder.record(pod, 'Warning', 'Failed', 'boom');
    await recorder.flush();
    expect(api.objectsOf(EVENTS)).toHaveLength(1);
  });

  it('drops events beyond maxPending instead of queueing without bound', async () => {
    const clock = new FakeClock();
    const api = new FakeApiClient({ clock });
    const logger = new RecordingLogger();
    const recorder = new EventRecorder({ client: api, component: 'x', clock, logger, maxPending: 2 });
    for (let i = 0; i < 4; i++) recorder.record(pod, 'Normal', 'R', `m${i}`);
    await recorder.flush();
    expect(api.objectsOf(EVENTS)).toHaveLength(2);
    expect(logger.records.filter((r) => r.msg === 'too many pending events; event dropped')).toHaveLength(2);
  });

  it('eventName is the object name and 16 hex digits of nanoseconds', () => {
    // 2026-01-01T00:00:00Z = 1767225600000 ms = 0x18867251edfa0000 ns
    expect(eventName('web', Date.parse('2026-01-01T00:00:00Z'), 5)).toBe('web.18867251edfa0005');
  });
});
