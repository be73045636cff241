import { describe, expect, it } from 'vitest';
import { leastAllocated, leastRequestedScore } from './least-allocated.js';
import { newNodeInfo } from '../node-info.js';
import { newCycle } from '../framework.js';
import {
  makeNode,
  makePod,
  type NodeOptions,
  type PodOptions,
} from '../../../test/fakes/scheduler-fixtures.js';

describe('LeastAllocated score', () => {
  it.each<[string, NodeOptions, PodOptions[], PodOptions, number]>([
    // cpu (4000-1000)/4000 = 75, memory (8Gi-2Gi)/8Gi = 75
    ['empty node', { cpu: '4', memory: '8Gi' }, [], { cpu: '1', memory: '2Gi' }, 75],
    // cpu (4000-3000)*100/4000 = 25, memory (8-4)/8 = 50 → 37
    [
      'half-used node',
      { cpu: '4', memory: '8Gi' },
      [{ cpu: '2', memory: '2Gi' }],
      { cpu: '1', memory: '2Gi' },
      37,
    ],
    // no requests count as 100m and 200Mi: cpu (1000-100)/1000 = 90, memory (1024-200)/1024 = 80.47 → 80 → 85
    ['pod without requests', { cpu: '1', memory: '1Gi' }, [], {}, 85],
    [
      'over-committed node scores 0 for that resource',
      { cpu: '1', memory: '1Gi' },
      [{ cpu: '2', memory: '512Mi' }],
      { cpu: '1', memory: '512Mi' },
      0,
    ],
  ])('%s', (_name, node, existing, wanted, score) => {
    const ni = newNodeInfo(
      makeNode('n', node),
      existing.map((o, i) => makePod(`old-${i}`, o)),
    );
    expect(leastAllocated.score(makePod('new', wanted), ni, newCycle([ni]))).toBe(score);
  });

  it.each([
    [0, 100, 100],
    [50, 100, 50],
    [100, 100, 0],
    [101, 100, 0],
    [1, 0, 0],
    [1, 3, 66],
  ])('leastRequestedScore(%i, %i) = %i', (requested, allocatable, score) => {
    expect(leastRequestedScore(requested, allocatable)).toBe(score);
  });
});
