import { describe, expect, it } from 'vitest';
import {
  DELETION_BY_POD_GC,
  disruptionTargetStatus,
  failedStatus,
  notReadyStatus,
  podsByNode,
} from './pod-conditions.js';
import { at, makePod, ts } from './test-fixtures.js';

describe('pod conditions', () => {
  it('notReadyStatus turns Ready False (new transition time), and leaves pods without Ready alone', () => {
    const pod = makePod('p', { node: 'n', ready: true });
    const status = notReadyStatus(pod, at(50));
    expect(status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      lastTransitionTime: ts(50),
    });
    expect(pod.status?.conditions?.[0].status).toBe('True');
    expect(notReadyStatus(makePod('p', { ready: false }), at(50))).toBeUndefined();
    expect(notReadyStatus(makePod('p'), at(50))).toBeUndefined();
  });

  it('disruptionTargetStatus adds the condition once', () => {
    const pod = makePod('p', { ready: true });
    const status = disruptionTargetStatus(pod, DELETION_BY_POD_GC, at(3));
    expect(status?.conditions?.at(-1)).toEqual({
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'DeletionByPodGC',
      message: 'PodGC: node no longer exists',
      lastTransitionTime: ts(3),
      lastProbeTime: null,
    });
    expect(disruptionTargetStatus({ ...pod, status }, DELETION_BY_POD_GC, at(9))).toBeUndefined();
  });

  it('failedStatus marks unfinished pods Failed, and leaves finished ones', () => {
    expect(failedStatus(makePod('p'), undefined, at(1))).toMatchObject({ phase: 'Failed' });
    expect(failedStatus(makePod('p'), DELETION_BY_POD_GC, at(1))?.conditions?.at(-1)?.type).toBe(
      'DisruptionTarget',
    );
    expect(failedStatus(makePod('p', { phase: 'Succeeded' }), undefined, at(1))).toBeUndefined();
  });

  it('podsByNode groups bound pods', () => {
    const byNode = podsByNode([makePod('a', { node: 'x' }), makePod('b'), makePod('c', { node: 'x' })]);
    expect([...byNode].map(([n, ps]) => [n, ps.map((p) => p.metadata.name)])).toEqual([['x', ['a', 'c']]]);
  });
});
