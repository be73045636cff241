import { describe, expect, it } from 'vitest';
import type { KubeObject, OwnerReference } from '../../api/types.js';
import { AbsentOwnerCache, absentOwnerKey } from './absent-owner-cache.js';
import {
  isDeletingDependents,
  isOrphaning,
  matchesReference,
  needsAttention,
  nodeFromObject,
  OwnerGraph,
  type GraphNode,
} from './graph.js';

const WIDGETS = { group: 'example.skiff.io', version: 'v1', resource: 'widgets' };
const PODS = { group: '', version: 'v1', resource: 'pods' };

function ref(uid: string, extra: Partial<OwnerReference> = {}): OwnerReference {
  return { apiVersion: 'example.skiff.io/v1', kind: 'Widget', name: uid, uid, ...extra };
}

function obj(uid: string, meta: Partial<KubeObject['metadata']> = {}, kind = 'Widget'): KubeObject {
  return {
    apiVersion: kind === 'Pod' ? 'v1' : 'example.skiff.io/v1',
    kind,
    metadata: { name: uid, namespace: 'ns', uid, ...meta },
  };
}

function node(uid: string, meta: Partial<KubeObject['metadata']> = {}): GraphNode {
  return nodeFromObject(WIDGETS, obj(uid, meta))!;
}

describe('nodeFromObject', () => {
  it('keeps identity, owners, deletion state and finalizers', () => {
    const n = nodeFromObject(
      PODS,
      obj('p', { ownerReferences: [ref('rs')], deletionTimestamp: 'x', finalizers: ['orphan'] }, 'Pod'),
    )!;
    expect(n.identity).toEqual({ ref: PODS, kind: 'Pod', namespace: 'ns', name: 'p', uid: 'p' });
    expect(n.owners).toEqual([ref('rs')]);
    expect(n.beingDeleted).toBe(true);
    expect(isOrphaning(n)).toBe(true);
    expect(isDeletingDependents(n)).toBe(false);
  });

  it('ignores objects without uid and references without uid', () => {
    expect(nodeFromObject(WIDGETS, obj(''))).toBeUndefined();
    const n = node('a', { ownerReferences: [{ ...ref('x'), uid: '' }] });
    expect(n.owners).toEqual([]);
    expect(needsAttention(n)).toBe(false);
  });

  it('needs attention with owners or a GC finalizer being acted on', () => {
    expect(needsAttention(node('a', { ownerReferences: [ref('o')] }))).toBe(true);
    expect(needsAttention(node('a', { finalizers: ['foregroundDeletion'] }))).toBe(false);
    expect(needsAttention(node('a', { finalizers: ['foregroundDeletion'], deletionTimestamp: 't' }))).toBe(
      true,
    );
    expect(needsAttention(node('a', { finalizers: ['example.com/x'], deletionTimestamp: 't' }))).toBe(false);
  });
});

describe('matchesReference', () => {
  const owner = node('o');
  it.each([
    ['the same object', ref('o'), 'ns', true],
    ['another namespace (a cross-namespace reference points at nothing)', ref('o'), 'other', false],
    ['another name', ref('o', { name: 'x' }), 'ns', false],
    ['another kind', ref('o', { kind: 'Gadget' }), 'ns', false],
    ['another group', ref('o', { apiVersion: 'apps/v1' }), 'ns', false],
    ['another version of the same group', ref('o', { apiVersion: 'example.skiff.io/v2' }), 'ns', true],
  ])('%s → %s', (_name, r, ns, want) => {
    expect(matchesReference(owner, r, ns)).toBe(want);
  });

  it('a cluster-scoped owner matches dependents in any namespace', () => {
    const clusterOwner = nodeFromObject(WIDGETS, { ...obj('c'), metadata: { name: 'c', uid: 'c' } })!;
    expect(matchesReference(clusterOwner, ref('c'), 'anywhere')).toBe(true);
  });
});

describe('OwnerGraph', () => {
  it('indexes dependents by owner uid, even for owners it has not seen', () => {
    const g = new OwnerGraph();
    expect(g.upsert(node('rs', { ownerReferences: [ref('deploy')] }))).toEqual(['rs']);
    expect(g.upsert(node('p1', { ownerReferences: [ref('rs', { blockOwnerDeletion: true })] }))).toEqual([
      'p1',
    ]);
    expect(g.upsert(node('p2', { ownerReferences: [ref('rs')] }))).toEqual(['p2']);
    expect(g.dependentsOf('deploy').map((n) => n.identity.uid)).toEqual(['rs']);
    expect(g.dependentsOf('rs').map((n) => n.identity.uid)).toEqual(['p1', 'p2']);
    expect(g.blockingDependentsOf('rs').map((n) => n.identity.uid)).toEqual(['p1']);
    expect(g.get('deploy')).toBeUndefined();
  });

  it('an object without owners or GC work queues nothing', () => {
    const g = new OwnerGraph();
    expect(g.upsert(node('lonely'))).toEqual([]);
    expect(g.size()).toBe(1);
  });

  it('re-links when ownerReferences change', () => {
    const g = new OwnerGraph();
    g.upsert(node('p', { ownerReferences: [ref('a')] }));
    g.upsert(node('p', { ownerReferences: [ref('b')] }));
    expect(g.dependentsOf('a')).toEqual([]);
    expect(g.dependentsOf('b').map((n) => n.identity.uid)).toEqual(['p']);
  });

  it('removing an owner queues its dependents; removing a dependent queues owners waiting for it', () => {
    const g = new OwnerGraph();
    g.upsert(node('rs', { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] }));
    g.upsert(node('p', { ownerReferences: [ref('rs', { blockOwnerDeletion: true })] }));
    g.upsert(node('q', { ownerReferences: [ref('rs')] }));
    expect(g.remove('p').sort()).toEqual(['rs']);
    expect(g.blockingDependentsOf('rs')).toEqual([]);
    expect(g.remove('rs')).toEqual(['q']);
    expect(g.remove('rs')).toEqual([]);
  });

  it('a change of a dependent queues an owner being deleted in Foreground or Orphan, not other owners', () => {
    const g = new OwnerGraph();
    g.upsert(node('fg', { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] }));
    g.upsert(node('or', { deletionTimestamp: 't', finalizers: ['orphan'] }));
    g.upsert(node('alive'));
    const queued = g.upsert(node('d', { ownerReferences: [ref('fg'), ref('or'), ref('alive')] }));
    expect(queued.sort()).toEqual(['d', 'fg', 'or']);
    // The dependent dropped its reference: the owner it no longer names still hears of it.
    expect(g.upsert(node('d', { ownerReferences: [ref('alive')] })).sort()).toEqual(['d', 'fg', 'or']);
  });

  it('attentionUids lists what a resync looks at', () => {
    const g = new OwnerGraph();
    g.upsert(node('a'));
    g.upsert(node('b', { ownerReferences: [ref('a')] }));
    g.upsert(node('c', { deletionTimestamp: 't', finalizers: ['orphan'] }));
    expect([...g.attentionUids()].sort()).toEqual(['b', 'c']);
  });
});

describe('AbsentOwnerCache', () => {
  it('remembers confirmed-absent owners by coordinates, dropping the least recently used', () => {
    const cache = new AbsentOwnerCache(2);
    const a = absentOwnerKey(ref('a'), 'ns');
    const b = absentOwnerKey(ref('b'), 'ns');
    const c = absentOwnerKey(ref('c'), 'ns');
    cache.add(a);
    cache.add(b);
    expect(cache.has(a)).toBe(true); // a is now the most recently used
    cache.add(c);
    expect(cache.has(b)).toBe(false);
    expect(cache.has(a)).toBe(true);
    expect(cache.has(c)).toBe(true);
    expect(cache.size()).toBe(2);
    expect(absentOwnerKey(ref('a'), 'other')).not.toBe(a);
  });
});
