import { describe, expect, it } from 'vitest';
import {
  deepClone,
  getControllerOf,
  getPodCondition,
  groupVersionOf,
  isControlledBy,
  jsonEqual,
  newControllerRef,
  objectKey,
  podIsAvailable,
  podIsReady,
  setPodCondition,
  splitObjectKey,
} from './object-meta.js';
import type { KubeObject, Pod, PodStatus } from './types.js';

const rs: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web-abc', namespace: 'default', uid: 'rs-1' },
};

function pod(status: PodStatus = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [] },
    status,
  };
}

describe('keys and versions', () => {
  it.each([
    [{ apiVersion: 'apps/v1' }, { group: 'apps', version: 'v1' }],
    [{ apiVersion: 'v1' }, { group: '', version: 'v1' }],
    [{ apiVersion: 'coordination.k8s.io/v1' }, { group: 'coordination.k8s.io', version: 'v1' }],
    [{}, { group: '', version: '' }],
  ])('groupVersionOf(%j)', (obj, want) => {
    expect(groupVersionOf(obj)).toEqual(want);
  });
  it('objectKey / splitObjectKey', () => {
    expect(objectKey(rs)).toBe('default/web-abc');
    expect(objectKey({ metadata: { name: 'node-1' } })).toBe('node-1');
    expect(splitObjectKey('default/web-abc')).toEqual({ namespace: 'default', name: 'web-abc' });
    expect(splitObjectKey('node-1')).toEqual({ name: 'node-1' });
  });
  it('deepClone copies', () => {
    const c = deepClone(rs);
    c.metadata.name = 'x';
    expect(rs.metadata.name).toBe('web-abc');
  });
  it('jsonEqual ignores key order and undefined members', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1, x: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: '1' })).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
  });
});

describe('owner references', () => {
  it('finds the controller and recognises its owner by uid', () => {
    const p = pod();
    expect(getControllerOf(p)).toBeUndefined();
    p.metadata.ownerReferences = [
      { apiVersion: 'v1', kind: 'Thing', name: 't', uid: 't-1' },
      newControllerRef(rs),
    ];
    expect(getControllerOf(p)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: 'web-abc',
      uid: 'rs-1',
      controller: true,
      blockOwnerDeletion: true,
    });
    expect(isControlledBy(p, rs)).toBe(true);
    expect(isControlledBy(p, { ...rs, metadata: { ...rs.metadata, uid: 'other' } })).toBe(false);
  });
});

describe('pod conditions', () => {
  const T0 = '2026-01-01T00:00:00Z';
  const T1 = '2026-01-01T00:01:00Z';

  it('adds a condition with lastTransitionTime = now', () => {
    const status: PodStatus = {};
    expect(
      setPodCondition(status, { type: 'Ready', status: 'False', reason: 'ContainersNotReady' }, T0),
    ).toBe(true);
    expect(status.conditions).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'ContainersNotReady',
        lastTransitionTime: T0,
        lastProbeTime: null,
      },
    ]);
  });

  it('keeps lastTransitionTime when the status value does not change', () => {
    const status: PodStatus = {};
    setPodCondition(status, { type: 'Ready', status: 'False' }, T0);
    expect(setPodCondition(status, { type: 'Ready', status: 'False' }, T1)).toBe(false);
    expect(setPodCondition(status, { type: 'Ready', status: 'False', message: 'still waiting' }, T1)).toBe(
      true,
    );
    expect(getPodCondition(status, 'Ready')?.lastTransitionTime).toBe(T0);
  });

  it('moves lastTransitionTime when the status flips', () => {
    const status: PodStatus = {};
    setPodCondition(status, { type: 'Ready', status: 'False' }, T0);
    expect(setPodCondition(status, { type: 'Ready', status: 'True' }, T1)).toBe(true);
    expect(getPodCondition(status, 'Ready')).toMatchObject({ status: 'True', lastTransitionTime: T1 });
    expect(status.conditions).toHaveLength(1);
  });

  it('readiness and availability', () => {
    const ready = pod({ conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: T0 }] });
    expect(podIsReady(ready)).toBe(true);
    expect(podIsReady(pod())).toBe(false);
    expect(podIsReady(pod({ conditions: [{ type: 'Ready', status: 'False' }] }))).toBe(false);
    const now = Date.parse(T1);
    expect(podIsAvailable(ready, 0, now)).toBe(true);
    expect(podIsAvailable(ready, 60, now)).toBe(true);
    expect(podIsAvailable(ready, 61, now)).toBe(false);
    expect(podIsAvailable(pod(), 0, now)).toBe(false);
  });
});
