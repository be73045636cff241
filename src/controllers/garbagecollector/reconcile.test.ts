import { describe, expect, it } from 'vitest';
import type { OwnerReference } from '../../api/types.js';
import type { GraphNode } from './graph.js';
import {
  decideDeletingOwner,
  decideDependent,
  policyFromFinalizers,
  stateOfExistingOwner,
  unblockedOwnerReferences,
  withoutFinalizer,
  withoutOwnerReferences,
  type ClassifiedOwner,
  type DependentAction,
  type OwnerState,
} from './reconcile.js';

function ref(uid: string, blockOwnerDeletion?: boolean): OwnerReference {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    name: uid,
    uid,
    ...(blockOwnerDeletion ? { blockOwnerDeletion } : {}),
  };
}

function owners(...states: [string, OwnerState][]): ClassifiedOwner[] {
  return states.map(([uid, state]) => ({ ref: ref(uid), state }));
}

function dep(uid: string, opts: { owners?: OwnerReference[]; deletingDependents?: boolean } = {}): GraphNode {
  return {
    identity: {
      ref: { group: '', version: 'v1', resource: 'pods' },
      kind: 'Pod',
      namespace: 'ns',
      name: uid,
      uid,
    },
    owners: opts.owners ?? [],
    beingDeleted: Boolean(opts.deletingDependents),
    finalizers: opts.deletingDependents ? ['foregroundDeletion'] : [],
  };
}

describe('decideDependent', () => {
  const cases: {
    name: string;
    owners: ClassifiedOwner[];
    finalizers?: string[];
    dependents?: GraphNode[];
    want: DependentAction;
  }[] = [
    { name: 'no owners', owners: [], want: { type: 'none' } },
    { name: 'a live owner', owners: owners(['a', 'solid']), want: { type: 'none' } },
    {
      name: 'its only owner is gone: Background',
      owners: owners(['a', 'dangling']),
      want: { type: 'delete', policy: 'Background', unblockOwnerReferences: false },
    },
    {
      name: 'all owners gone',
      owners: owners(['a', 'dangling'], ['b', 'dangling']),
      want: { type: 'delete', policy: 'Background', unblockOwnerReferences: false },
    },
    {
      name: 'one of two owners gone: drop only that reference',
      owners: owners(['a', 'dangling'], ['b', 'solid']),
      want: { type: 'removeOwnerReferences', uids: ['a'] },
    },
    {
      name: 'a live owner and a waiting owner: drop the waiting reference so it can finish',
      owners: owners(['a', 'waiting'], ['b', 'solid'], ['c', 'dangling']),
      want: { type: 'removeOwnerReferences', uids: ['a', 'c'] },
    },
    {
      name: 'its owner waits, it has no dependents: plain delete',
      owners: owners(['a', 'waiting']),
      want: { type: 'delete', policy: 'Background', unblockOwnerReferences: false },
    },
    {
      name: 'its owner waits and it has dependents: Foreground, so the wait covers the whole tree',
      owners: owners(['a', 'waiting']),
      dependents: [dep('p')],
      want: { type: 'delete', policy: 'Foreground', unblockOwnerReferences: false },
    },
    {
      name: 'Foreground with a dependent itself deleting dependents: unblock first (cycle breaker)',
      owners: owners(['a', 'waiting'], ['b', 'dangling']),
      dependents: [dep('p', { deletingDependents: true })],
      want: { type: 'delete', policy: 'Foreground', unblockOwnerReferences: true },
    },
    {
      name: 'owners gone, an orphan finalizer already on it is honoured',
      owners: owners(['a', 'dangling']),
      finalizers: ['orphan'],
      want: { type: 'delete', policy: 'Orphan', unblockOwnerReferences: false },
    },
    {
      name: 'owners gone, a foregroundDeletion finalizer already on it is honoured',
      owners: owners(['a', 'dangling']),
      finalizers: ['foregroundDeletion'],
      dependents: [],
      want: { type: 'delete', policy: 'Foreground', unblockOwnerReferences: false },
    },
  ];
  it.each(cases)('$name', ({ owners: o, finalizers = [], dependents = [], want }) => {
    expect(decideDependent({ owners: o, finalizers, dependents })).toEqual(want);
  });

  it('names each reference once', () => {
    const dup = [...owners(['a', 'dangling']), ...owners(['a', 'dangling']), ...owners(['b', 'solid'])];
    expect(decideDependent({ owners: dup, finalizers: [], dependents: [] })).toEqual({
      type: 'removeOwnerReferences',
      uids: ['a'],
    });
  });
});

describe('decideDeletingOwner', () => {
  it('removes the finalizer when no dependent blocks', () => {
    expect(decideDeletingOwner('o', [])).toEqual({ type: 'removeFinalizer' });
    expect(decideDeletingOwner('o', [dep('p', { owners: [ref('o')] })])).toEqual({ type: 'removeFinalizer' });
    // blockOwnerDeletion toward another owner does not block this one
    expect(decideDeletingOwner('o', [dep('p', { owners: [ref('o'), ref('x', true)] })])).toEqual({
      type: 'removeFinalizer',
    });
  });

  it('processes its dependents while one blocks, skipping those already being deleted', () => {
    const blocking = dep('p1', { owners: [ref('o', true)] });
    const loose = dep('p2', { owners: [ref('o')] });
    const deleting = dep('p3', { owners: [ref('o', true)], deletingDependents: true });
    const stopping = { ...dep('p4', { owners: [ref('o', true)] }), beingDeleted: true };
    expect(decideDeletingOwner('o', [blocking, loose, deleting, stopping])).toEqual({
      type: 'processDependents',
      uids: ['p1', 'p2'],
    });
    // A blocking pod that is still stopping keeps the owner waiting, with nothing more to ask of anyone.
    expect(decideDeletingOwner('o', [stopping])).toEqual({ type: 'processDependents', uids: [] });
  });
});

describe('helpers', () => {
  it('stateOfExistingOwner: waiting only when being deleted with foregroundDeletion', () => {
    expect(stateOfExistingOwner({ beingDeleted: false, finalizers: ['foregroundDeletion'] })).toBe('solid');
    expect(stateOfExistingOwner({ beingDeleted: true, finalizers: [] })).toBe('solid');
    expect(stateOfExistingOwner({ beingDeleted: true, finalizers: ['orphan'] })).toBe('solid');
    expect(stateOfExistingOwner({ beingDeleted: true, finalizers: ['foregroundDeletion'] })).toBe('waiting');
  });

  it('policyFromFinalizers prefers orphan, then foreground, else background', () => {
    expect(policyFromFinalizers(['orphan', 'foregroundDeletion'])).toBe('Orphan');
    expect(policyFromFinalizers(['foregroundDeletion'])).toBe('Foreground');
    expect(policyFromFinalizers(['example.com/x'])).toBe('Background');
  });

  it('edits references and finalizers without touching the rest', () => {
    const refs = [ref('a', true), ref('b')];
    expect(withoutOwnerReferences(refs, ['a'])).toEqual([ref('b')]);
    expect(unblockedOwnerReferences(refs)).toEqual([{ ...ref('a'), blockOwnerDeletion: false }, ref('b')]);
    expect(withoutFinalizer(['orphan', 'x.io/y'], 'orphan')).toEqual(['x.io/y']);
  });
});
