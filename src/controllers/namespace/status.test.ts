import { describe, expect, it } from 'vitest';
import { rfc3339 } from '../../common/clock.js';
import {
  CONDITION_TYPES,
  CONTENT_FAILURE,
  CONTENT_REMAINING,
  failingConditions,
  FINALIZERS_REMAINING,
  mergeConditions,
  type NamespaceCondition,
} from './status.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const T1 = T0 + 60_000;

describe('failingConditions', () => {
  it('reports nothing for an empty namespace', () => {
    expect(failingConditions({ remainingByResource: {}, remainingByFinalizer: {} }, [], T0)).toEqual([]);
  });

  it('words remaining content, finalizers and errors as Kubernetes does, sorted', () => {
    const got = failingConditions(
      {
        remainingByResource: { 'pods.': 2, 'deployments.apps': 1, 'configmaps.': 0 },
        remainingByFinalizer: { foregroundDeletion: 1, 'example.com/hold': 3 },
      },
      ['b failed', 'a failed'],
      T0,
    );
    expect(got).toEqual([
      {
        type: CONTENT_REMAINING,
        status: 'True',
        lastTransitionTime: rfc3339(T0),
        reason: 'SomeResourcesRemain',
        message:
          'Some resources are remaining: deployments.apps has 1 resource instances, pods. has 2 resource instances',
      },
      {
        type: FINALIZERS_REMAINING,
        status: 'True',
        lastTransitionTime: rfc3339(T0),
        reason: 'SomeFinalizersRemain',
        message:
          'Some content in the namespace has finalizers remaining: example.com/hold in 3 resource instances, foregroundDeletion in 1 resource instances',
      },
      {
        type: CONTENT_FAILURE,
        status: 'True',
        lastTransitionTime: rfc3339(T0),
        reason: 'ContentDeletionFailed',
        message: 'Failed to delete all resource types, 2 remaining: a failed, b failed',
      },
    ]);
  });
});

describe('mergeConditions', () => {
  it('writes all five types on the first pass, the ok variant where nothing fails', () => {
    const failing = failingConditions(
      { remainingByResource: { 'pods.': 1 }, remainingByFinalizer: {} },
      [],
      T0,
    );
    const { conditions, changed } = mergeConditions(undefined, failing, T0);
    expect(changed).toBe(true);
    expect(conditions.map((c) => c.type)).toEqual(CONDITION_TYPES);
    expect(conditions.map((c) => [c.status, c.reason])).toEqual([
      ['False', 'ResourcesDiscovered'],
      ['False', 'ParsedGroupVersions'],
      ['False', 'ContentDeleted'],
      ['True', 'SomeResourcesRemain'],
      ['False', 'ContentHasNoFinalizers'],
    ]);
  });

  it('is unchanged when a pass finds the same, and keeps condition types it does not own', () => {
    const foreign: NamespaceCondition = {
      type: 'example.com/Custom',
      status: 'True',
      lastTransitionTime: rfc3339(T0),
      reason: 'Mine',
      message: 'not yours',
    };
    const first = mergeConditions([foreign], [], T0).conditions;
    const again = mergeConditions(first, [], T1);
    expect(again.changed).toBe(false);
    expect(again.conditions).toEqual(first);
    expect(again.conditions[0]).toEqual(foreign);
  });

  it('moves lastTransitionTime only when the status flips', () => {
    const remaining = (n: number) =>
      failingConditions({ remainingByResource: { 'pods.': n }, remainingByFinalizer: {} }, [], T0);
    const first = mergeConditions(undefined, remaining(2), T0).conditions;
    const fewer = mergeConditions(first, remaining(1), T1);
    expect(fewer.changed).toBe(true);
    const c1 = fewer.conditions.find((c) => c.type === CONTENT_REMAINING)!;
    expect(c1.message).toContain('pods. has 1 resource instances');
    expect(c1.lastTransitionTime).toBe(rfc3339(T0));
    const empty = mergeConditions(fewer.conditions, [], T1 + 1000);
    const c2 = empty.conditions.find((c) => c.type === CONTENT_REMAINING)!;
    expect(c2).toMatchObject({
      status: 'False',
      reason: 'ContentRemoved',
      lastTransitionTime: rfc3339(T1 + 1000),
    });
  });
});
