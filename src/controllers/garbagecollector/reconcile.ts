// The garbage collector's decisions, pure (Kubernetes' attemptToDeleteItem, processDeletingDependentsItem and
// attemptToOrphan, pkg/controller/garbagecollector/garbagecollector.go). The controller gathers the facts (from
// its graph, confirmed by live GETs where the cache may lag) and executes what these functions answer.
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from '../../apiserver/deletion.js';
import type { DeleteOptions, OwnerReference } from '../../api/types.js';
import { isDeletingDependents, type GraphNode } from './graph.js';

export type PropagationPolicy = NonNullable<DeleteOptions['propagationPolicy']>;

/**
 * What an owner reference points at:
 * - solid: the owner exists and is not waiting for its dependents;
 * - dangling: no object with that uid exists (confirmed live);
 * - waiting: the owner exists, is being deleted with propagationPolicy Foreground, and waits for its dependents.
 */
export type OwnerState = 'solid' | 'dangling' | 'waiting';

export interface ClassifiedOwner {
  ref: OwnerReference;
  state: OwnerState;
}

export type DependentAction =
  | { type: 'none' }
  /** Some owners remain: only drop the references to the gone (or waiting) ones. */
  | { type: 'removeOwnerReferences'; uids: string[] }
  /**
   * No owner remains: delete the object itself. `unblockOwnerReferences` first sets blockOwnerDeletion to false
   * on its references, which breaks a cycle of Foreground deletions waiting on each other.
   */
  | { type: 'delete'; policy: PropagationPolicy; unblockOwnerReferences: boolean };

/** The state of an existing owner object. */
export function stateOfExistingOwner(owner: { beingDeleted: boolean; finalizers: string[] }): OwnerState {
  return owner.beingDeleted && owner.finalizers.includes(FOREGROUND_FINALIZER) ? 'waiting' : 'solid';
}

export interface DependentFacts {
  /** The dependent's current ownerReferences, each classified. */
  owners: ClassifiedOwner[];
  /** The dependent's current finalizers (a policy it was already deleted with is honoured). */
  finalizers: string[];
  /** Its own dependents, as the graph knows them. */
  dependents: GraphNode[];
}

/** What to do with an object that has owner references (attemptToDeleteItem's switch). */
export function decideDependent(facts: DependentFacts): DependentAction {
  const { owners } = facts;
  if (owners.length === 0) return { type: 'none' };
  const solid = owners.filter((o) => o.state === 'solid');
  const notSolid = owners.filter((o) => o.state !== 'solid');
  if (solid.length > 0) {
    if (notSolid.length === 0) return { type: 'none' };
    // A waiting owner would otherwise wait forever for a dependent that still has another owner.
    return { type: 'removeOwnerReferences', uids: unique(notSolid.map((o) => o.ref.uid)) };
  }
  const waiting = owners.some((o) => o.state === 'waiting');
  if (waiting && facts.dependents.length > 0) {
    // An owner waits for this object, which has dependents of its own: delete it in Foreground too, so the
    // wait reaches down the whole tree.
    return {
      type: 'delete',
      policy: 'Foreground',
      unblockOwnerReferences: facts.dependents.some(isDeletingDependents),
    };
  }
  return { type: 'delete', policy: policyFromFinalizers(facts.finalizers), unblockOwnerReferences: false };
}

/** A policy the object was already given (its GC finalizer) is honoured; otherwise Background. */
export function policyFromFinalizers(finalizers: string[]): PropagationPolicy {
  if (finalizers.includes(ORPHAN_FINALIZER)) return 'Orphan';
  if (finalizers.includes(FOREGROUND_FINALIZER)) return 'Foreground';
  return 'Background';
}

export type DeletingOwnerAction =
  /** No blocking dependent is left: drop the foregroundDeletion finalizer so the API server removes it. */
  | { type: 'removeFinalizer' }
  /** Dependents to process (they see this owner waiting and get deleted). */
  | { type: 'processDependents'; uids: string[] };

/** An owner deleted in Foreground (processDeletingDependentsItem). */
export function decideDeletingOwner(uid: string, dependents: GraphNode[]): DeletingOwnerAction {
  const blocking = dependents.filter((d) =>
    d.owners.some((r) => r.uid === uid && r.blockOwnerDeletion === true),
  );
  if (blocking.length === 0) return { type: 'removeFinalizer' };
  // Dependents already being deleted are on their way (a pod stopping, a dependent deleting its own
  // dependents); the rest are asked again, and see this owner waiting.
  return {
    type: 'processDependents',
    uids: dependents.filter((d) => !d.beingDeleted).map((d) => d.identity.uid),
  };
}

/** ownerReferences without those to the given uids. */
export function withoutOwnerReferences(refs: OwnerReference[], uids: string[]): OwnerReference[] {
  const drop = new Set(uids);
  return refs.filter((r) => !drop.has(r.uid));
}

/** ownerReferences that no longer block their owners' Foreground deletion. */
export function unblockedOwnerReferences(refs: OwnerReference[]): OwnerReference[] {
  return refs.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r));
}

export function withoutFinalizer(finalizers: string[], name: string): string[] {
  return finalizers.filter((f) => f !== name);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
