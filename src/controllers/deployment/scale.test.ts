import { describe, expect, it } from 'vitest';
import type { Deployment, ReplicaSet } from '../../api/types.js';
import { T0 } from '../replicaset/test-support.js';
import { maxSurge } from './rollout-math.js';
import { isScalingEvent, scale } from './scale.js';
import { DeploymentSync } from './sync-state.js';
import { deployment, rsFor, templateWithImage } from './test-support.js';

// sync_test.go TestScale: the Deployment was `old` (its size is in the ReplicaSets' annotations) and is now `dep`.
// newDeployment there defaults maxSurge and maxUnavailable to 0.
const dep = (replicas: number, surge = 0, unavailable = 0) =>
  deployment('foo', { replicas, maxSurge: surge, maxUnavailable: unavailable });

interface Case {
  name: string;
  dep: Deployment;
  old: Deployment;
  /** [name, replicas, created] newest first; the first is the new ReplicaSet. */
  rss: [string, number, number][];
  expected: number[];
  availableNew?: number;
}

const cases: Case[] = [
  {
    name: 'normal scaling event: 10 -> 12',
    dep: dep(12),
    old: dep(10),
    rss: [['v1', 10, 2]],
    expected: [12],
  },
  { name: 'normal scaling event: 10 -> 5', dep: dep(5), old: dep(10), rss: [['v1', 10, 2]], expected: [5] },
  {
    name: 'proportional scaling: 5 -> 10',
    dep: dep(10),
    old: dep(5),
    rss: [
      ['v2', 2, 2],
      ['v1', 3, 1],
    ],
    expected: [4, 6],
  },
  {
    name: 'proportional scaling: 5 -> 3',
    dep: dep(3),
    old: dep(5),
    rss: [
      ['v2', 2, 2],
      ['v1', 3, 1],
    ],
    expected: [1, 2],
  },
  {
    name: 'proportional scaling: 9 -> 4',
    dep: dep(4),
    old: dep(9),
    rss: [
      ['v2', 8, 2],
      ['v1', 1, 1],
    ],
    expected: [4, 0],
  },
  {
    name: 'proportional scaling: 7 -> 10',
    dep: dep(10),
    old: dep(7),
    rss: [
      ['v3', 2, 3],
      ['v2', 3, 2],
      ['v1', 2, 1],
    ],
    expected: [3, 4, 3],
  },
  {
    name: 'proportional scaling: 13 -> 8',
    dep: dep(8),
    old: dep(13),
    rss: [
      ['v3', 2, 3],
      ['v2', 8, 2],
      ['v1', 3, 1],
    ],
    expected: [1, 5, 2],
  },
  {
    name: 'leftover distribution: 3 -> 4 (scales up the new replica set)',
    dep: dep(4),
    old: dep(3),
    rss: [
      ['v3', 1, 3],
      ['v2', 1, 2],
      ['v1', 1, 1],
    ],
    expected: [2, 1, 1],
  },
  {
    name: 'leftover distribution: 3 -> 2 (scales down the older replica set)',
    dep: dep(2),
    old: dep(3),
    rss: [
      ['v3', 1, 3],
      ['v2', 1, 2],
      ['v1', 1, 1],
    ],
    expected: [1, 1, 0],
  },
  {
    name: 'proportional scaling (no pods): 0 -> 1',
    dep: dep(1),
    old: dep(0),
    rss: [
      ['v2', 0, 2],
      ['v1', 0, 1],
    ],
    expected: [1, 0],
  },
  {
    name: 'proportional scaling: 6 -> 0',
    dep: dep(0),
    old: dep(6),
    rss: [
      ['v3', 3, 3],
      ['v2', 2, 2],
      ['v1', 1, 1],
    ],
    expected: [0, 0, 0],
  },
  {
    name: 'proportional scaling: 0 -> 6',
    dep: dep(6),
    old: dep(6),
    rss: [
      ['v3', 0, 3],
      ['v2', 0, 2],
      ['v1', 0, 1],
    ],
    expected: [6, 0, 0],
  },
  {
    name: 'deployment with surge pods',
    dep: dep(20, 2),
    old: dep(10, 2),
    rss: [
      ['v2', 6, 2],
      ['v1', 6, 1],
    ],
    expected: [11, 11],
  },
  {
    name: 'change both surge and size',
    dep: dep(50, 6),
    old: dep(10, 3),
    rss: [
      ['v2', 5, 2],
      ['v1', 8, 1],
    ],
    expected: [22, 34],
  },
  {
    name: 'saturated but broken new replica set does not affect old pods',
    dep: dep(2, 1, 1),
    old: dep(2, 1, 1),
    rss: [
      ['v2', 2, 2],
      ['v1', 1, 1],
    ],
    expected: [2, 1],
    availableNew: 0,
  },
];

function build(c: Case): { s: DeploymentSync; all: ReplicaSet[] } {
  const desired = c.old.spec.replicas!;
  const all = c.rss.map(([image, replicas, created], i) => {
    const template = i === 0 ? c.dep.spec.template : templateWithImage(c.dep, image);
    const rs = rsFor(c.dep, { replicas, created, template, desired, max: desired + maxSurge(c.old) });
    rs.metadata.name = `foo-${image}`;
    return rs;
  });
  if (c.availableNew !== undefined) all[0].status!.availableReplicas = c.availableNew;
  return { s: new DeploymentSync(c.dep, T0), all };
}

describe('scale (proportional scaling, sync_test.go TestScale)', () => {
  it.each(cases)('$name', (c) => {
    const { s, all } = build(c);
    const [newRS, ...oldRSs] = all;
    scale(s, newRS, oldRSs);
    expect(all.map((rs) => rs.spec.replicas)).toEqual(c.expected);
    // Every resize is an update with a ScalingReplicaSet event, and the annotations follow the new size.
    for (const a of s.actions) {
      expect(a.type).toBe('updateReplicaSet');
      expect(a.rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas']).toBe(
        String(c.dep.spec.replicas),
      );
    }
    const resized = all.filter((rs, i) => rs.spec.replicas !== c.rss[i][1]).length;
    expect(s.actions.filter((a) => a.type === 'updateReplicaSet' && a.scaled)).toHaveLength(resized);
  });
});

describe('isScalingEvent', () => {
  it('is true when an active ReplicaSet was sized for another replica count', () => {
    const d = dep(5);
    const rs = rsFor(d, { replicas: 3, desired: 3, revision: 1 });
    expect(isScalingEvent(new DeploymentSync(d, T0), [rs])).toBe(true);
    const same = rsFor(d, { replicas: 5, desired: 5, revision: 1 });
    expect(isScalingEvent(new DeploymentSync(d, T0), [same])).toBe(false);
    const unannotated = rsFor(d, { replicas: 3, revision: 1 });
    expect(isScalingEvent(new DeploymentSync(d, T0), [unannotated])).toBe(false);
  });
});
