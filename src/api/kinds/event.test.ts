import { describe, expect, it } from 'vitest';
import type { Event } from '../types.js';
import { eventDef, eventTarget } from './event.js';

const NOW = Date.parse('2026-11-30T05:00:00Z');

function event(over: Partial<Event> = {}): Event {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: 'web-1.1878a2b3c4d5e6f7',
      namespace: 'default',
      creationTimestamp: '2026-11-30T04:50:00Z',
    },
    involvedObject: {
      kind: 'Pod',
      namespace: 'default',
      name: 'web-1',
      uid: 'u1',
      apiVersion: 'v1',
      fieldPath: 'spec.containers{app}',
    },
    reason: 'Pulled',
    message: 'Container image "nginx" already present on machine\n',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: '2026-11-30T04:50:00Z',
    lastTimestamp: '2026-11-30T04:59:00Z',
    count: 3,
    type: 'Normal',
    ...over,
  };
}

describe('events', () => {
  it('prints Last Seen, Type, Reason, Object, Message and the wide columns', () => {
    const row = eventDef.row(event(), { now: NOW });
    expect(row).toEqual([
      '60s',
      'Normal',
      'Pulled',
      'pod/web-1',
      'spec.containers{app}',
      'kubelet, node-1',
      'Container image "nginx" already present on machine',
      '10m',
      3,
      'web-1.1878a2b3c4d5e6f7',
    ]);
    expect(row).toHaveLength(eventDef.columns.length);
    expect(eventDef.columns.filter((c) => c.priority === 0).map((c) => c.name)).toEqual([
      'Last Seen',
      'Type',
      'Reason',
      'Object',
      'Message',
    ]);
  });
  it('falls back to firstTimestamp/eventTime, count 1 and reporting fields', () => {
    const ev = event({
      lastTimestamp: undefined,
      firstTimestamp: undefined,
      eventTime: '2026-11-30T04:59:30.000000Z',
      count: undefined,
      source: undefined,
      reportingComponent: 'default-scheduler',
    });
    const row = eventDef.row(ev, { now: NOW });
    expect(row[0]).toBe('30s');
    expect(row[5]).toBe('default-scheduler');
    expect(row[7]).toBe('30s');
    expect(row[8]).toBe(1);
  });
  it('names the target with or without a name', () => {
    expect(eventTarget(event())).toBe('pod/web-1');
    expect(eventTarget(event({ involvedObject: { kind: 'Node' } }))).toBe('node');
  });
  it('exposes the field selectors describe uses', () => {
    expect(eventDef.fields!(event())).toEqual({
      'involvedObject.kind': 'Pod',
      'involvedObject.namespace': 'default',
      'involvedObject.name': 'web-1',
      'involvedObject.uid': 'u1',
      'involvedObject.apiVersion': 'v1',
      'involvedObject.resourceVersion': '',
      'involvedObject.fieldPath': 'spec.containers{app}',
      reason: 'Pulled',
      reportingComponent: '',
      source: 'kubelet',
      type: 'Normal',
    });
  });
  it('validates type and the involved namespace', () => {
    expect(eventDef.validate!(event())).toEqual([]);
    expect(eventDef.validate!(event({ type: 'Bad' as 'Normal' }))[0].message).toBe(
      'Unsupported value: "Bad": supported values: "Normal", "Warning"',
    );
    expect(
      eventDef.validate!(event({ involvedObject: { kind: 'Pod', namespace: 'other', name: 'x' } })).map(
        (e) => e.field,
      ),
    ).toEqual(['involvedObject.namespace']);
  });
  it('defaults a missing involvedObject so printing never crashes', () => {
    const ev = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'd' } } as Event;
    eventDef.defaults!(ev);
    expect(eventDef.row(ev, { now: NOW })).toHaveLength(eventDef.columns.length);
  });
});
