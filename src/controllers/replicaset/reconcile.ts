// The ReplicaSet controller's decisions (pkg/controller/replicaset/replica_set.go), pure: which pods the ReplicaSet
// owns, adopts or releases (ClaimPods through ownerReferences; the Deployment controller claims its ReplicaSets
// with the same claimObjects), and whether it must create or delete pods to have spec.replicas of them. No I/O,
// no clock: controller.ts acts on the result.
import { getControllerOf, isControlledBy, newControllerRef } from '../../api/object-meta.js';
import { labelSelectorMatcher } from '../../api/selectors.js';
import type { KubeObject, LabelSelector, Pod, ReplicaSet } from '../../api/types.js';
import { isPodActive, podsToDelete } from './pod-ranking.js';

/** Kubernetes' BurstReplicas: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;
/** slowStartBatch's first batch. */
export const SLOW_START_INITIAL_BATCH = 1;

export interface Claims<T> {
  /** Objects the owner controls whose labels still match its selector. */
  owned: T[];
  /** Orphans that match the selector: the controller adds its controllerRef to them. */
  adopt: T[];
  /** Objects it controls that no longer match: the controller removes its controllerRef. */
  release: T[];
}

export type PodClaims = Claims<Pod>;

/**
 * BaseControllerRefManager.ClaimObject over candidate objects (pods of a ReplicaSet, ReplicaSets of a
 * Deployment): an owner being deleted keeps what it has but adopts and releases nothing; objects controlled by
 * someone else, in another namespace, or being deleted (orphans) are ignored; an empty selector adopts nothing.
 */
export function claimObjects<T extends KubeObject>(
  owner: KubeObject,
  selector: LabelSelector | undefined,
  objects: T[],
): Claims<T> {
  const matcher = labelSelectorMatcher(selector);
  const deleting = !!owner.metadata.deletionTimestamp;
  const claims: Claims<T> = { owned: [], adopt: [], release: [] };
  for (const obj of objects) {
    if ((obj.metadata.namespace ?? '') !== (owner.metadata.namespace ?? '')) continue;
    const matches = !matcher.empty && matcher.matches(obj.metadata.labels);
    if (getControllerOf(obj)) {
      if (!isControlledBy(obj, owner)) continue;
      if (matches) claims.owned.push(obj);
      else if (!deleting) claims.release.push(obj);
      continue;
    }
    if (deleting || !matches || obj.metadata.deletionTimestamp) continue;
    claims.adopt.push(obj);
  }
  return claims;
}

/** ClaimPods: which of the namespace's active pods the ReplicaSet owns, adopts or releases. */
export function claimPods(rs: ReplicaSet, pods: Pod[]): PodClaims {
  return claimObjects(rs, rs.spec.selector, pods);
}

export type ReplicaDecision =
  { type: 'none' } | { type: 'create'; count: number } | { type: 'delete'; pods: Pod[] };

/**
 * manageReplicas: compare the active owned pods with spec.replicas. `relatedPods` are the active pods of the
 * owner's other ReplicaSets (for the doubled-up ranking); pass `pods` when there is no owner.
 */
export function manageReplicas(rs: ReplicaSet, pods: Pod[], relatedPods: Pod[] = pods): ReplicaDecision {
  const active = pods.filter(isPodActive);
  const diff = active.length - (rs.spec.replicas ?? 1);
  if (diff < 0) return { type: 'create', count: Math.min(-diff, BURST_REPLICAS) };
  if (diff > 0) {
    return { type: 'delete', pods: podsToDelete(active, relatedPods, Math.min(diff, BURST_REPLICAS)) };
  }
  return { type: 'none' };
}

/** The strategic merge patch that adopts an object: the owner's controllerRef, guarded by the object's uid. */
export function adoptPatch(owner: KubeObject, obj: KubeObject): unknown {
  return { metadata: { ownerReferences: [newControllerRef(owner)], uid: obj.metadata.uid } };
}

/** The strategic merge patch that releases an object: delete the owner's reference (by uid), guarded by uid. */
export function releasePatch(owner: KubeObject, obj: KubeObject): unknown {
  return {
    metadata: { ownerReferences: [{ $patch: 'delete', uid: owner.metadata.uid }], uid: obj.metadata.uid },
  };
}
