import { describe, expect, it } from 'vitest';
import { applyPatch } from '../../api/patch.js';
import { getControllerOf } from '../../api/object-meta.js';
import type { Pod } from '../../api/types.js';
import { adoptPatch, BURST_REPLICAS, claimPods, manageReplicas, releasePatch } from './reconcile.js';
import { pod, replicaSet } from './test-support.js';

const names = (pods: Pod[]) => pods.map((p) => p.metadata.name);

describe('claimPods', () => {
  const rs = replicaSet('web-abc', { labels: { app: 'web' } });
  const other = replicaSet('other', { labels: { app: 'web' }, uid: 'uid-other' });

  it('keeps matching owned pods, adopts matching orphans, releases owned pods that stopped matching', () => {
    const owned = pod('owned', { owner: rs });
    const orphan = pod('orphan');
    const strayed = pod('strayed', { owner: rs, labels: { app: 'debug' } });
    const foreign = pod('foreign', { owner: other });
    const unrelated = pod('unrelated', { labels: { app: 'db' } });
    const terminatingOrphan = pod('terminating', { deleting: true });
    const claims = claimPods(rs, [owned, orphan, strayed, foreign, unrelated, terminatingOrphan]);
    expect(names(claims.owned)).toEqual(['owned']);
    expect(names(claims.adopt)).toEqual(['orphan']);
    expect(names(claims.release)).toEqual(['strayed']);
  });

  it('adopts and releases nothing while the ReplicaSet is being deleted', () => {
    const deleting = replicaSet('web-abc', { labels: { app: 'web' } });
    deleting.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    const claims = claimPods(deleting, [
      pod('owned', { owner: deleting }),
      pod('orphan'),
      pod('strayed', { owner: deleting, labels: { app: 'x' } }),
    ]);
    expect(names(claims.owned)).toEqual(['owned']);
    expect(claims.adopt).toEqual([]);
    expect(claims.release).toEqual([]);
  });

  it('ignores pods in other namespaces and never adopts with an empty selector', () => {
    const elsewhere = pod('elsewhere');
    elsewhere.metadata.namespace = 'other';
    expect(claimPods(rs, [elsewhere]).adopt).toEqual([]);
    const everything = replicaSet('all');
    everything.spec.selector = {};
    expect(claimPods(everything, [pod('orphan')]).adopt).toEqual([]);
  });

  it('builds patches that set and remove the controllerRef (strategic merge by uid)', () => {
    const orphan = pod('orphan');
    orphan.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'cm-uid' }];
    const adopted = applyPatch(orphan, 'strategic', adoptPatch(rs, orphan));
    expect(getControllerOf(adopted)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: 'web-abc',
      uid: 'uid-web-abc',
      controller: true,
      blockOwnerDeletion: true,
    });
    expect(adopted.metadata.ownerReferences).toHaveLength(2);
    const released = applyPatch(adopted, 'strategic', releasePatch(rs, orphan));
    expect(released.metadata.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', uid: 'cm-uid' },
    ]);
    expect(released.metadata.uid).toBe(orphan.metadata.uid);
  });
});

describe('manageReplicas', () => {
  const rs = (replicas: number) => replicaSet('web-abc', { replicas });

  it.each([
    [3, 0, { type: 'create', count: 3 }],
    [3, 1, { type: 'create', count: 2 }],
    [3, 3, { type: 'none' }],
    [0, 0, { type: 'none' }],
  ])('replicas %i with %i pods → %o', (replicas, have, expected) => {
    const pods = Array.from({ length: have }, (_, i) => pod(`p${i}`, { owner: rs(replicas) }));
    expect(manageReplicas(rs(replicas), pods)).toEqual(expected);
  });

  it('deletes the surplus, cheapest pods first', () => {
    const pods = [
      pod('ready', { node: 'n1', readyAt: 1 }),
      pod('pending', { node: 'n1', phase: 'Pending' }),
      pod('unscheduled'),
      pod('ready-newer', { node: 'n1', readyAt: 1, created: 5 }),
    ];
    const decision = manageReplicas(rs(2), pods);
    expect(decision.type).toBe('delete');
    expect(decision.type === 'delete' && names(decision.pods)).toEqual(['unscheduled', 'pending']);
  });

  it('does not count terminal or terminating pods', () => {
    const pods = [
      pod('done', { phase: 'Succeeded' }),
      pod('failed', { phase: 'Failed' }),
      pod('going', { readyAt: 1, deleting: true }),
      pod('ok', { readyAt: 1 }),
    ];
    expect(manageReplicas(rs(2), pods)).toEqual({ type: 'create', count: 1 });
  });

  it('creates at most BURST_REPLICAS per sync', () => {
    expect(manageReplicas(rs(2000), [])).toEqual({ type: 'create', count: BURST_REPLICAS });
  });
});
