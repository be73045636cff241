import { describe, expect, it } from 'vitest';
import { calculateStatus, nextAvailabilityCheckMs, statusChanged } from './status.js';
import { at, pod, replicaSet, T0 } from './test-support.js';

describe('calculateStatus', () => {
  it('counts replicas, fully labeled, ready and available pods, and observes the generation', () => {
    const rs = replicaSet('web-abc', {
      replicas: 4,
      labels: { app: 'web' },
      minReadySeconds: 10,
      generation: 3,
    });
    rs.spec.template!.metadata!.labels = { app: 'web', tier: 'fe' };
    const pods = [
      pod('a', { labels: { app: 'web', tier: 'fe' }, readyAt: 0 }), // available (ready 20 s)
      pod('b', { labels: { app: 'web', tier: 'fe' }, readyAt: 15 }), // ready 5 s: not yet available
      pod('c', { labels: { app: 'web' }, readyAt: 0 }), // not fully labeled
      pod('d', { labels: { app: 'web', tier: 'fe' } }), // not ready
    ];
    expect(calculateStatus(rs, pods, undefined, T0 + 20_000)).toEqual({
      replicas: 4,
      fullyLabeledReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 2,
      observedGeneration: 3,
    });
  });

  it('sets ReplicaFailure while creating fails and removes it once a sync succeeds', () => {
    const rs = replicaSet('web-abc', { replicas: 3 });
    const failed = calculateStatus(rs, [pod('a')], new Error('pods "x" is forbidden: quota'), T0);
    expect(failed.conditions).toEqual([
      {
        type: 'ReplicaFailure',
        status: 'True',
        reason: 'FailedCreate',
        message: 'pods "x" is forbidden: quota',
        lastTransitionTime: at(0),
      },
    ]);
    rs.status = failed;
    // The condition is kept (not re-stamped) while the error persists…
    expect(calculateStatus(rs, [pod('a')], new Error('again'), T0 + 5000).conditions).toEqual(
      failed.conditions,
    );
    // …and dropped when manageReplicas succeeds.
    expect(calculateStatus(rs, [pod('a')], undefined, T0 + 9000).conditions).toBeUndefined();
  });

  it('names deletion failures FailedDelete', () => {
    const rs = replicaSet('web-abc', { replicas: 1 });
    const status = calculateStatus(rs, [pod('a'), pod('b')], new Error('boom'), T0);
    expect(status.conditions?.[0].reason).toBe('FailedDelete');
  });
});

describe('statusChanged', () => {
  it('treats absent zero values as equal and sees every counted field', () => {
    const rs = replicaSet('web-abc');
    const s = calculateStatus(rs, [], undefined, T0);
    expect(statusChanged({ replicas: 0, observedGeneration: 1 }, s)).toBe(false);
    expect(statusChanged(undefined, s)).toBe(true); // observedGeneration 1 is new
    expect(statusChanged(s, { ...s, readyReplicas: 1 })).toBe(true);
    expect(statusChanged(s, { ...s, observedGeneration: 2 })).toBe(true);
  });
});

describe('nextAvailabilityCheckMs', () => {
  it('is the time until the first ready pod passes minReadySeconds', () => {
    const rs = replicaSet('web-abc', { minReadySeconds: 30 });
    const pods = [
      pod('a', { readyAt: 10 }),
      pod('b', { readyAt: 20 }),
      pod('c'),
      pod('d', { readyAt: -100 }),
    ];
    expect(nextAvailabilityCheckMs(rs, pods, T0 + 25_000)).toBe(15_000);
  });

  it('is undefined without minReadySeconds or when nothing waits', () => {
    expect(nextAvailabilityCheckMs(replicaSet('x'), [pod('a', { readyAt: 0 })], T0)).toBeUndefined();
    const rs = replicaSet('x', { minReadySeconds: 5 });
    expect(nextAvailabilityCheckMs(rs, [pod('a', { readyAt: 0 }), pod('b')], T0 + 60_000)).toBeUndefined();
  });
});
