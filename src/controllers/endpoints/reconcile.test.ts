import { describe, expect, it } from 'vitest';
import type { EndpointAddress, EndpointSubset, Endpoints } from '../../api/types.js';
import {
  HEADLESS_LABEL,
  LAST_CHANGE_TRIGGER_TIME,
  MAX_CAPACITY,
  OVER_CAPACITY,
  reconcileEndpoints,
  truncateSubsets,
} from './reconcile.js';
import { service } from './test-fixtures.js';

const addr = (i: number): EndpointAddress => ({
  ip: `10.244.${Math.floor(i / 250)}.${(i % 250) + 1}`,
  targetRef: { kind: 'Pod', uid: `u${i}` },
});
const addrs = (from: number, n: number) => Array.from({ length: n }, (_, i) => addr(from + i));
const PORT = [{ name: 'http', port: 8080, protocol: 'TCP' as const }];
const SUBSETS: EndpointSubset[] = [{ addresses: [addr(1), addr(2)], ports: PORT }];

function stored(
  subsets: EndpointSubset[] | undefined,
  extra: Partial<Endpoints['metadata']> = {},
): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web', namespace: 'default', resourceVersion: '7', uid: 'ep-uid', ...extra },
    ...(subsets ? { subsets } : {}),
  };
}

describe('reconcileEndpoints', () => {
  it('creates the Endpoints named after the service, with its labels and the trigger time', () => {
    const svc = service('web', { labels: { app: 'web', tier: 'front' } });
    expect(
      reconcileEndpoints({
        service: svc,
        subsets: SUBSETS,
        current: undefined,
        triggerTime: '2026-01-01T00:00:05Z',
      }),
    ).toEqual({
      type: 'create',
      endpoints: {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: {
          name: 'web',
          namespace: 'default',
          labels: { app: 'web', tier: 'front' },
          annotations: { [LAST_CHANGE_TRIGGER_TIME]: '2026-01-01T00:00:05Z' },
        },
        subsets: SUBSETS,
      },
    });
  });

  it('creates an Endpoints without subsets (and without empty maps) when no pod matches', () => {
    const action = reconcileEndpoints({ service: service('web'), subsets: [], current: undefined });
    expect(action).toEqual({
      type: 'create',
      endpoints: { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' } },
    });
  });

  it('labels the Endpoints of a headless service', () => {
    const action = reconcileEndpoints({
      service: service('db', { clusterIP: 'None' }),
      subsets: [],
      current: undefined,
    });
    expect(action.type === 'create' && action.endpoints.metadata.labels).toEqual({ [HEADLESS_LABEL]: '' });
  });

  it('writes nothing when subsets, labels and capacity annotation agree, whatever the trigger time', () => {
    const reordered: EndpointSubset[] = [{ addresses: [addr(2), addr(1)], ports: PORT }];
    const current = stored(reordered, {
      annotations: { [LAST_CHANGE_TRIGGER_TIME]: '2025-01-01T00:00:00Z' },
    });
    expect(
      reconcileEndpoints({
        service: service('web'),
        subsets: SUBSETS,
        current,
        triggerTime: '2026-01-01T00:00:09Z',
      }),
    ).toEqual({ type: 'none' });
  });

  it('updates the cached object (resourceVersion kept, other annotations kept) when subsets change', () => {
    const current = stored([{ addresses: [addr(1)], ports: PORT }], {
      annotations: { keep: 'me', [LAST_CHANGE_TRIGGER_TIME]: '2025-01-01T00:00:00Z' },
      labels: { app: 'web' },
    });
    const action = reconcileEndpoints({ service: service('web'), subsets: SUBSETS, current });
    expect(action).toEqual({
      type: 'update',
      endpoints: {
        ...current,
        metadata: {
          name: 'web',
          namespace: 'default',
          resourceVersion: '7',
          uid: 'ep-uid',
          annotations: { keep: 'me' },
        },
        subsets: SUBSETS,
      },
    });
  });

  it('updates when only the labels differ (service relabelled, headless label missing)', () => {
    const current = stored(SUBSETS);
    const relabelled = reconcileEndpoints({
      service: service('web', { labels: { v: '2' } }),
      subsets: SUBSETS,
      current,
    });
    expect(relabelled.type === 'update' && relabelled.endpoints.metadata.labels).toEqual({ v: '2' });
    const headless = reconcileEndpoints({
      service: service('web', { clusterIP: 'None' }),
      subsets: SUBSETS,
      current,
    });
    expect(headless.type === 'update' && headless.endpoints.metadata.labels).toEqual({
      [HEADLESS_LABEL]: '',
    });
  });

  it('clears the subsets when the last pod goes', () => {
    const action = reconcileEndpoints({ service: service('web'), subsets: [], current: stored(SUBSETS) });
    expect(action.type).toBe('update');
    expect(action.type === 'update' && 'subsets' in action.endpoints).toBe(false);
  });

  it('truncates above capacity, marks it, and then stays quiet', () => {
    const many: EndpointSubset[] = [{ addresses: addrs(0, MAX_CAPACITY + 5), ports: PORT }];
    const first = reconcileEndpoints({ service: service('web'), subsets: many, current: undefined });
    if (first.type !== 'create') throw new Error('expected a create');
    expect(first.endpoints.subsets![0].addresses).toHaveLength(MAX_CAPACITY);
    expect(first.endpoints.metadata.annotations).toEqual({ [OVER_CAPACITY]: 'truncated' });
    const current = { ...first.endpoints, metadata: { ...first.endpoints.metadata, resourceVersion: '3' } };
    expect(reconcileEndpoints({ service: service('web'), subsets: many, current })).toEqual({ type: 'none' });
    // Back under capacity: the annotation goes.
    const back = reconcileEndpoints({ service: service('web'), subsets: SUBSETS, current });
    expect(back.type === 'update' && back.endpoints.metadata.annotations).toBeUndefined();
  });
});

describe('truncateSubsets', () => {
  it('leaves small subsets alone', () => {
    expect(truncateSubsets(SUBSETS)).toEqual({ subsets: SUBSETS, truncated: false });
  });

  it('drops not-ready addresses first, in proportion to each subset', () => {
    const subsets: EndpointSubset[] = [
      { addresses: addrs(0, 900), notReadyAddresses: addrs(900, 150), ports: PORT },
      { notReadyAddresses: addrs(1050, 50), ports: [{ name: 'other', port: 1, protocol: 'TCP' }] },
    ];
    const { subsets: out, truncated } = truncateSubsets(subsets);
    expect(truncated).toBe(true);
    expect(out[0].addresses).toHaveLength(900);
    expect(out[0].notReadyAddresses).toHaveLength(75); // ceil(150/200 * 100)
    expect(out[1].notReadyAddresses).toHaveLength(25); // what is left
  });

  it('keeps only ready addresses when they alone exceed the capacity', () => {
    const subsets: EndpointSubset[] = [
      { addresses: addrs(0, 800), notReadyAddresses: addrs(800, 10), ports: PORT },
      { addresses: addrs(810, 400), ports: [{ name: 'other', port: 1, protocol: 'TCP' }] },
    ];
    const { subsets: out } = truncateSubsets(subsets);
    expect(out[0].addresses).toHaveLength(667); // ceil(800/1200 * 1000)
    expect(out[0].notReadyAddresses).toBeUndefined();
    expect(out[1].addresses).toHaveLength(333);
  });
});
