import { describe, expect, it } from 'vitest';
import type { ReplicaSet } from '../../api/types.js';
import {
  bySizeNewer,
  bySizeOlder,
  byRevision,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  maxRevision,
  revisionOf,
  setNewReplicaSetAnnotations,
} from './replica-sets.js';
import { deployment, rsFor, templateWithImage } from './test-support.js';

const d = deployment('nginx', { replicas: 3, maxSurge: 1 });
const names = (rss: ReplicaSet[]) => rss.map((rs) => rs.metadata.name);
const named = (rs: ReplicaSet, name: string) => ((rs.metadata.name = name), rs);

describe('findNewReplicaSet / findOldReplicaSets', () => {
  const newRS = named(rsFor(d, { replicas: 1, created: 60 }), 'new');
  const newDup = named(rsFor(d, { replicas: 0, created: 0 }), 'new-dup');
  newDup.spec.template!.metadata!.labels!['pod-template-hash'] = 'different-hash';
  const oldRS = named(rsFor(d, { replicas: 0, created: -60, template: templateWithImage(d, 'old') }), 'old');

  it('finds the ReplicaSet with the same template whatever its hash label (TestFindNewReplicaSet)', () => {
    expect(findNewReplicaSet(d, [newRS, oldRS])?.metadata.name).toBe('new');
    expect(findNewReplicaSet(d, [newRS, oldRS, newDup])?.metadata.name).toBe('new-dup'); // the oldest
    expect(findNewReplicaSet(d, [oldRS])).toBeUndefined();
  });

  it('finds the old ReplicaSets, and which of them still have replicas (TestFindOldReplicaSets)', () => {
    expect(findOldReplicaSets(d, [newRS, oldRS])).toEqual({ active: [], all: [oldRS] });
    const both = findOldReplicaSets(d, [oldRS, newRS, newDup]);
    expect(names(both.all)).toEqual(['old', 'new']);
    expect(names(both.active)).toEqual(['new']);
    expect(findOldReplicaSets(d, [newRS])).toEqual({ active: [], all: [] });
  });

  it('matches the template kubectl rollout undo sends (creationTimestamp null, resources {})', () => {
    const undone = deployment('nginx');
    const t = structuredClone(undone.spec.template) as any;
    t.metadata.creationTimestamp = null;
    t.spec.containers[0].resources = {};
    undone.spec.template = t;
    expect(findNewReplicaSet(undone, [newRS, oldRS])?.metadata.name).toBe('new');
  });
});

describe('findActiveOrLatest', () => {
  it('returns the only active ReplicaSet, the newest when none is active, nothing when several are', () => {
    const a = named(rsFor(d, { replicas: 0, created: 1, template: templateWithImage(d, 'a') }), 'a');
    const b = named(rsFor(d, { replicas: 2, created: 2, template: templateWithImage(d, 'b') }), 'b');
    const c = named(rsFor(d, { replicas: 0, created: 3 }), 'c');
    expect(findActiveOrLatest(c, [a, b])?.metadata.name).toBe('b');
    expect(findActiveOrLatest(c, [a])?.metadata.name).toBe('c');
    expect(
      findActiveOrLatest(undefined, [a, named(rsFor(d, { replicas: 0, created: 9 }), 'z')])?.metadata.name,
    ).toBe('z');
    c.spec.replicas = 1;
    expect(findActiveOrLatest(c, [a, b])).toBeUndefined();
    expect(findActiveOrLatest(undefined, [])).toBeUndefined();
  });
});

describe('revisions', () => {
  it('reads revisions (absent = 0, garbage skipped) and their maximum', () => {
    expect(revisionOf(rsFor(d, { replicas: 1 }))).toBe(0);
    expect(revisionOf(rsFor(d, { replicas: 1, revision: 7 }))).toBe(7);
    const bad = rsFor(d, { replicas: 1 });
    bad.metadata.annotations!['deployment.kubernetes.io/revision'] = 'x';
    expect(revisionOf(bad)).toBeUndefined();
    expect(
      maxRevision([bad, rsFor(d, { replicas: 1, revision: 3 }), rsFor(d, { replicas: 1, revision: 2 })]),
    ).toBe(3);
  });

  it('copies the Deployment annotations except its own, and records desired/max on a new ReplicaSet', () => {
    const dep = deployment('nginx', {
      replicas: 3,
      maxSurge: 1,
      annotations: {
        'kubernetes.io/change-cause': 'kubectl set image deployment/nginx nginx=nginx:1.28',
        'deployment.kubernetes.io/revision': '4',
        'kubectl.kubernetes.io/last-applied-configuration': '{}',
        team: 'blue',
      },
    });
    const rs = rsFor(dep, { replicas: 0 });
    expect(setNewReplicaSetAnnotations(dep, rs, 5, false, 1)).toBe(true);
    expect(rs.metadata.annotations).toEqual({
      'kubernetes.io/change-cause': 'kubectl set image deployment/nginx nginx=nginx:1.28',
      team: 'blue',
      'deployment.kubernetes.io/revision': '5',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
    expect(setNewReplicaSetAnnotations(dep, rs, 5, true, 1)).toBe(false);
  });

  it('gives a revived ReplicaSet the next revision and keeps its old ones in revision-history', () => {
    const rs = rsFor(d, { replicas: 0, revision: 1 });
    expect(setNewReplicaSetAnnotations(d, rs, 3, true, 1)).toBe(true);
    expect(rs.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    expect(rs.metadata.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1');
    setNewReplicaSetAnnotations(d, rs, 5, true, 1);
    expect(rs.metadata.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1,3');
    // Never lowered.
    expect(setNewReplicaSetAnnotations(d, rs, 2, true, 1)).toBe(false);
    expect(rs.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('5');
  });
});

describe('orderings', () => {
  const rs = (name: string, replicas: number, created: number, revision?: number) =>
    named(rsFor(d, { replicas, created, revision, template: templateWithImage(d, name) }), name);

  it('sorts by size then age, in both directions', () => {
    const list = [rs('old', 2, 1), rs('new', 2, 5), rs('big', 4, 3)];
    expect(names([...list].sort(bySizeNewer))).toEqual(['big', 'new', 'old']);
    expect(names([...list].sort(bySizeOlder))).toEqual(['big', 'old', 'new']);
  });

  it('sorts by revision, then age', () => {
    const list = [rs('r3', 0, 1, 3), rs('r1', 0, 9, 1), rs('r2b', 0, 8, 2), rs('r2a', 0, 2, 2)];
    expect(names(list.sort(byRevision))).toEqual(['r1', 'r2a', 'r2b', 'r3']);
  });
});
