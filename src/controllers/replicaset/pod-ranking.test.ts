import { describe, expect, it } from 'vitest';
import type { Pod } from '../../api/types.js';
import { comparePodsForDeletion, deletionCost, isPodActive, podsToDelete } from './pod-ranking.js';
import { pod } from './test-support.js';

const names = (pods: Pod[]) => pods.map((p) => p.metadata.name);

describe('podsToDelete (getPodsToDelete ranking)', () => {
  it.each([
    [
      'unassigned before assigned',
      pod('a', { node: 'n1', phase: 'Pending' }),
      pod('b', { phase: 'Pending' }),
    ],
    [
      'Pending before Running',
      pod('a', { node: 'n1', phase: 'Running' }),
      pod('b', { node: 'n1', phase: 'Pending' }),
    ],
    [
      'Unknown before Running',
      pod('a', { node: 'n1', phase: 'Running' }),
      pod('b', { node: 'n1', phase: 'Unknown' }),
    ],
    [
      'Pending before Unknown',
      pod('a', { node: 'n1', phase: 'Unknown' }),
      pod('b', { node: 'n1', phase: 'Pending' }),
    ],
    [
      'not ready before ready',
      pod('a', { node: 'n1', phase: 'Running', readyAt: 5 }),
      pod('b', { node: 'n1', phase: 'Running' }),
    ],
    [
      'lower deletion cost first',
      pod('a', {
        node: 'n1',
        readyAt: 5,
        annotations: { 'controller.kubernetes.io/pod-deletion-cost': '10' },
      }),
      pod('b', {
        node: 'n1',
        readyAt: 5,
        annotations: { 'controller.kubernetes.io/pod-deletion-cost': '-5' },
      }),
    ],
    [
      'more recently ready first',
      pod('a', { node: 'n1', readyAt: 5 }),
      pod('b', { node: 'n1', readyAt: 50 }),
    ],
    [
      'more restarts first',
      pod('a', { node: 'n1', readyAt: 5, restarts: 1 }),
      pod('b', { node: 'n1', readyAt: 5, restarts: 4 }),
    ],
    [
      'newer first',
      pod('a', { node: 'n1', readyAt: 5, created: 1 }),
      pod('b', { node: 'n1', readyAt: 5, created: 2 }),
    ],
  ])('%s', (_name, keep, remove) => {
    expect(names(podsToDelete([keep, remove], [keep, remove], 1))).toEqual(['b']);
    expect(names(podsToDelete([remove, keep], [remove, keep], 1))).toEqual(['b']);
  });

  it('prefers pods doubled up on a node with other pods of the same owner', () => {
    const alone = pod('alone', { node: 'n1', readyAt: 5 });
    const doubled = pod('doubled', { node: 'n2', readyAt: 5 });
    const sibling = pod('sibling', { node: 'n2', readyAt: 5 }); // belongs to another ReplicaSet of the Deployment
    expect(names(podsToDelete([alone, doubled], [alone, doubled, sibling], 1))).toEqual(['doubled']);
  });

  it('applies the criteria in order: phase beats readiness, readiness beats age', () => {
    const pods = [
      pod('running-ready-old', { node: 'n1', readyAt: 1, created: 0 }),
      pod('running-ready-new', { node: 'n1', readyAt: 1, created: 9 }),
      pod('running-not-ready', { node: 'n1', phase: 'Running' }),
      pod('pending', { node: 'n1', phase: 'Pending' }),
      pod('unscheduled', { phase: 'Pending' }),
    ];
    expect(names(podsToDelete(pods, pods, 5))).toEqual(names(pods)); // all: no sorting needed
    expect(names(podsToDelete(pods, pods, 4))).toEqual([
      'unscheduled',
      'pending',
      'running-not-ready',
      'running-ready-new',
    ]);
  });

  it('is a consistent comparator', () => {
    const a = pod('a', { node: 'n1', readyAt: 5 });
    expect(comparePodsForDeletion(a, 0, a, 0)).toBe(0);
  });
});

describe('deletionCost and isPodActive', () => {
  it('reads the annotation as an int32, anything else is 0', () => {
    const withCost = (v: string) =>
      pod('p', { annotations: { 'controller.kubernetes.io/pod-deletion-cost': v } });
    expect(deletionCost(withCost('42'))).toBe(42);
    expect(deletionCost(withCost('-7'))).toBe(-7);
    expect(deletionCost(withCost('1.5'))).toBe(0);
    expect(deletionCost(withCost('99999999999'))).toBe(0);
    expect(deletionCost(pod('p'))).toBe(0);
  });

  it('counts neither terminal nor terminating pods', () => {
    expect(isPodActive(pod('p', { phase: 'Running' }))).toBe(true);
    expect(isPodActive(pod('p', { phase: 'Succeeded' }))).toBe(false);
    expect(isPodActive(pod('p', { phase: 'Failed' }))).toBe(false);
    expect(isPodActive(pod('p', { phase: 'Running', deleting: true }))).toBe(false);
  });
});
