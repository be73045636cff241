import { describe, expect, it } from 'vitest';
import type { Taint, Toleration } from '../../api/types.js';
import { boundAtMs, evictionDecision, type EvictionDecision } from './taint-eviction.js';
import { at, makePod, tolerate, ts } from './test-fixtures.js';

const UNREACHABLE = 'node.kubernetes.io/unreachable';
const NOT_READY = 'node.kubernetes.io/not-ready';
const unreachable = (addedAt = 0): Taint => ({
  key: UNREACHABLE,
  effect: 'NoExecute',
  timeAdded: ts(addedAt),
});

describe('evictionDecision', () => {
  const cases: {
    name: string;
    tolerations?: Toleration[];
    taints: Taint[];
    now: number;
    boundAt?: number;
    want: EvictionDecision;
  }[] = [
    { name: 'no taints', taints: [], now: 0, want: { kind: 'never' } },
    {
      name: 'only NoSchedule taints do not evict',
      taints: [{ key: UNREACHABLE, effect: 'NoSchedule', timeAdded: ts(0) }],
      now: 100,
      want: { kind: 'never' },
    },
    {
      name: 'untolerated: at once',
      taints: [unreachable()],
      now: 0,
      want: { kind: 'now', reason: 'untolerated' },
    },
    {
      name: 'tolerating another key is not tolerating this one',
      tolerations: [tolerate(NOT_READY, 300)],
      taints: [unreachable()],
      now: 0,
      want: { kind: 'now', reason: 'untolerated' },
    },
    {
      name: 'a NoSchedule toleration does not cover NoExecute',
      tolerations: [{ key: UNREACHABLE, operator: 'Exists', effect: 'NoSchedule' }],
      taints: [unreachable()],
      now: 0,
      want: { kind: 'now', reason: 'untolerated' },
    },
    {
      name: 'tolerated forever (no tolerationSeconds)',
      tolerations: [tolerate(UNREACHABLE)],
      taints: [unreachable()],
      now: 10_000,
      want: { kind: 'never' },
    },
    {
      name: 'an empty key with Exists tolerates everything',
      tolerations: [{ operator: 'Exists' }],
      taints: [unreachable(), { key: 'x', value: 'y', effect: 'NoExecute', timeAdded: ts(0) }],
      now: 10,
      want: { kind: 'never' },
    },
    {
      name: '5 s toleration, 4.999 s in: due at timeAdded + 5 s',
      tolerations: [tolerate(UNREACHABLE, 5)],
      taints: [unreachable(10)],
      now: 14.999,
      want: { kind: 'at', atMs: at(15) },
    },
    {
      name: '5 s toleration, 5 s in: now',
      tolerations: [tolerate(UNREACHABLE, 5)],
      taints: [unreachable(10)],
      now: 15,
      want: { kind: 'now', reason: 'expired' },
    },
    {
      name: 'tolerationSeconds 0 or less: now',
      tolerations: [tolerate(UNREACHABLE, -3)],
      taints: [unreachable(10)],
      now: 10,
      want: { kind: 'now', reason: 'expired' },
    },
    {
      name: 'several taints: the earliest deadline',
      tolerations: [
        tolerate(UNREACHABLE, 300),
        tolerate(NOT_READY, 30),
        { key: 'forever', operator: 'Exists' },
      ],
      taints: [
        unreachable(0),
        { key: NOT_READY, effect: 'NoExecute', timeAdded: ts(100) },
        { key: 'forever', effect: 'NoExecute', timeAdded: ts(0) },
      ],
      now: 110,
      want: { kind: 'at', atMs: at(130) },
    },
    {
      name: 'one untolerated taint among tolerated ones: now',
      tolerations: [tolerate(UNREACHABLE)],
      taints: [unreachable(), { key: 'gpu', value: 'broken', effect: 'NoExecute', timeAdded: ts(0) }],
      now: 0,
      want: { kind: 'now', reason: 'untolerated' },
    },
    {
      name: 'the first matching toleration counts (as upstream’s GetMatchingTolerations)',
      tolerations: [tolerate(UNREACHABLE), tolerate(UNREACHABLE, 5)],
      taints: [unreachable()],
      now: 60,
      want: { kind: 'never' },
    },
    {
      name: 'a pod bound after the taint appeared gets its full toleration from then',
      tolerations: [tolerate(UNREACHABLE, 5)],
      taints: [unreachable(0)],
      boundAt: 100,
      now: 102,
      want: { kind: 'at', atMs: at(105) },
    },
    {
      name: 'a taint without timeAdded counts from now (callers fill it in)',
      tolerations: [tolerate(UNREACHABLE, 5)],
      taints: [{ key: UNREACHABLE, effect: 'NoExecute' }],
      now: 50,
      want: { kind: 'at', atMs: at(55) },
    },
    {
      name: 'Equal with a value must match the value',
      tolerations: [{ key: 'k', operator: 'Equal', value: 'a', effect: 'NoExecute', tolerationSeconds: 9 }],
      taints: [{ key: 'k', value: 'b', effect: 'NoExecute', timeAdded: ts(0) }],
      now: 1,
      want: { kind: 'now', reason: 'untolerated' },
    },
  ];

  it.each(cases)('$name', ({ tolerations, taints, now, boundAt, want }) => {
    const pod = makePod('p', {
      node: 'n',
      tolerations,
      boundAt: boundAt !== undefined ? ts(boundAt) : undefined,
    });
    expect(evictionDecision(pod, taints, at(now))).toEqual(want);
  });

  it('does not choke on a malformed tolerations field', () => {
    const pod = makePod('p', { node: 'n' });
    (pod.spec as { tolerations: unknown }).tolerations = 'all';
    expect(evictionDecision(pod, [unreachable()], at(0))).toEqual({ kind: 'now', reason: 'untolerated' });
  });
});

describe('boundAtMs', () => {
  it('is the PodScheduled transition, else the creation time', () => {
    expect(boundAtMs(makePod('p', { boundAt: ts(7), created: ts(1) }))).toBe(at(7));
    expect(boundAtMs(makePod('p', { created: ts(1) }))).toBe(at(1));
    expect(boundAtMs(makePod('p'))).toBeUndefined();
  });
});
