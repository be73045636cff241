import { describe, expect, it } from 'vitest';
import type { DeploymentStatus } from '../../api/types.js';
import { T0 } from '../replicaset/test-support.js';
import {
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  newCondition,
  progressCheckAfterMs,
  setCondition,
} from './conditions.js';
import { deployment } from './test-support.js';

const status = (replicas: number, updated: number, ready: number, available: number): DeploymentStatus => ({
  replicas,
  updatedReplicas: updated,
  readyReplicas: ready,
  availableReplicas: available,
});

describe('deploymentComplete (TestDeploymentComplete)', () => {
  it.each([
    ['not complete: min but not all pods become available', 5, 5, 5, 4, false],
    ['not complete: min availability is not honored', 5, 5, 5, 3, false],
    ['complete', 5, 5, 5, 5, true],
    ['not complete: all pods are available but not updated', 5, 5, 4, 5, false],
    ['not complete: still running old pods', 1, 2, 1, 1, false],
    ['not complete: one replica deployment never comes up', 1, 1, 1, 0, false],
  ])('%s', (_name, desired, current, updated, available, expected) => {
    const d = deployment('web', { replicas: desired });
    const s = { ...status(current, updated, 0, available), observedGeneration: 1 };
    expect(deploymentComplete(d, s)).toBe(expected);
  });

  it('is not complete before the generation is observed', () => {
    const d = deployment('web', { replicas: 1, generation: 2 });
    expect(deploymentComplete(d, { ...status(1, 1, 1, 1), observedGeneration: 1 })).toBe(false);
  });
});

describe('deploymentProgressing (TestDeploymentProgressing)', () => {
  it.each([
    ['progressing: updated pods', status(10, 4, 4, 4), status(10, 6, 4, 4), true],
    ['not progressing', status(10, 4, 4, 4), status(10, 4, 4, 4), false],
    ['progressing: old pods removed', status(10, 4, 6, 6), status(8, 4, 6, 6), true],
    ['not progressing: less new pods', status(10, 7, 3, 3), status(10, 6, 3, 3), false],
    ['progressing: less overall but more new pods', status(10, 4, 7, 7), status(8, 8, 5, 5), true],
    ['progressing: more ready pods', status(10, 10, 9, 8), status(10, 10, 10, 8), true],
    ['progressing: more available pods', status(10, 10, 10, 9), status(10, 10, 10, 10), true],
  ])('%s', (_name, old, next, expected) => {
    const d = deployment('web');
    d.status = old;
    expect(deploymentProgressing(d, next)).toBe(expected);
  });
});

describe('deploymentTimedOut (TestDeploymentTimedOut)', () => {
  const time = (min: number, sec: number) => Date.parse('2016-01-01T00:00:00Z') + (min * 60 + sec) * 1000;
  const withCond = (reason: string, from: number, pds?: number) => {
    const d = deployment('web', { progressDeadlineSeconds: pds });
    if (pds === undefined) delete d.spec.progressDeadlineSeconds;
    const s: DeploymentStatus = { conditions: [newCondition('Progressing', 'True', reason, '', from)] };
    return { d, s };
  };

  it.each([
    ['no progressDeadlineSeconds specified - no timeout', undefined, time(1, 9), time(1, 20), false],
    [
      'progressDeadlineSeconds: 10s, now - started => 00:01:20 - 00:01:09 => 11s',
      10,
      time(1, 9),
      time(1, 20),
      true,
    ],
    [
      'progressDeadlineSeconds: 10s, now - started => 00:01:20 - 00:01:11 => 9s',
      10,
      time(1, 11),
      time(1, 20),
      false,
    ],
  ])('%s', (_name, pds, from, now, expected) => {
    const { d, s } = withCond('ReplicaSetUpdated', from, pds);
    expect(deploymentTimedOut(d, s, now)).toBe(expected);
  });

  it('never times out a completed rollout, and stays timed out', () => {
    const done = withCond('NewReplicaSetAvailable', time(0, 0), 10);
    expect(deploymentTimedOut(done.d, done.s, time(10, 0))).toBe(false);
    const out = withCond('ProgressDeadlineExceeded', time(0, 0), 10);
    expect(deploymentTimedOut(out.d, out.s, time(0, 1))).toBe(true);
  });
});

describe('setCondition', () => {
  it('keeps the condition when status and reason are unchanged, keeps lastTransitionTime on a reason change', () => {
    const s: DeploymentStatus = {};
    setCondition(s, newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'a', T0));
    setCondition(s, newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'b', T0 + 5000));
    expect(s.conditions).toEqual([newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'a', T0)]);
    setCondition(s, newCondition('Progressing', 'True', 'ReplicaSetUpdated', 'c', T0 + 9000));
    expect(s.conditions?.[0]).toMatchObject({
      reason: 'ReplicaSetUpdated',
      lastUpdateTime: '2026-01-01T00:00:09Z',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    });
    setCondition(s, newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', 'd', T0 + 20_000));
    expect(s.conditions?.[0].lastTransitionTime).toBe('2026-01-01T00:00:20Z');
  });
});

describe('progressCheckAfterMs (requeueStuckDeployment)', () => {
  it('is the time left until the deadline plus a second', () => {
    const d = deployment('web', { progressDeadlineSeconds: 600 });
    d.status = { conditions: [newCondition('Progressing', 'True', 'ReplicaSetUpdated', '', T0)] };
    expect(progressCheckAfterMs(d, status(3, 1, 0, 0), T0 + 180_000)).toBe(421_000);
    expect(progressCheckAfterMs(d, status(3, 1, 0, 0), T0 + 700_000)).toBe(1000);
  });

  it('is undefined when complete, timed out, or without a deadline', () => {
    const d = deployment('web', { replicas: 1 });
    d.status = { conditions: [newCondition('Progressing', 'True', 'ReplicaSetUpdated', '', T0)] };
    expect(progressCheckAfterMs(d, { ...status(1, 1, 1, 1), observedGeneration: 1 }, T0)).toBeUndefined();
    d.status = { conditions: [newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', '', T0)] };
    expect(progressCheckAfterMs(d, status(1, 1, 0, 0), T0)).toBeUndefined();
    d.spec.progressDeadlineSeconds = 2147483647;
    expect(progressCheckAfterMs(d, status(1, 1, 0, 0), T0)).toBeUndefined();
  });
});
