// persistentVolumeClaimRetentionPolicy (Kubernetes StatefulSetAutoDeletePVC): who owns a StatefulSet's PVCs, so the
// garbage collector deletes them — or doesn't. The default, Retain/Retain, leaves them unowned: data outlives the
// pods and the set.
//   whenDeleted: Delete  the StatefulSet owns its claims (deleting the set deletes them)
//   whenScaled:  Delete  a pod removed by scale-down owns its claims (they go with the pod)
import { jsonEqual, newControllerRef } from '../../api/object-meta.js';
import type { OwnerReference, PersistentVolumeClaim, Pod, StatefulSet } from '../../api/types.js';

export interface RetentionPolicy {
  whenDeleted: 'Retain' | 'Delete';
  whenScaled: 'Retain' | 'Delete';
}

export function retentionPolicy(set: StatefulSet): RetentionPolicy {
  const p = set.spec.persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: p?.whenDeleted ?? 'Retain', whenScaled: p?.whenScaled ?? 'Retain' };
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

/** matchesRef: the reference names this object's kind and name (whatever its uid). */
function matchesRef(
  ref: OwnerReference,
  apiVersion: string,
  kind: string,
  name: string | undefined,
): boolean {
  return ref.kind === kind && ref.name === name && groupOf(ref.apiVersion) === groupOf(apiVersion);
}

/** A reference to a pod (pods from the cache may lack apiVersion/kind). */
function podRef(pod: Pod): OwnerReference {
  return newControllerRef({ ...pod, apiVersion: 'v1', kind: 'Pod' });
}

/**
 * updateClaimOwnerRefForSetAndPod: the claim's owner references as the policy wants them for `pod` (whose ordinal
 * may be outside the set's range after a scale-down). References to other owners are kept; when another controller
 * owns the claim, ours are only removed.
 */
export function desiredClaimOwners(
  claim: PersistentVolumeClaim,
  set: StatefulSet,
  pod: Pod,
  scaledDown: boolean,
): OwnerReference[] {
  const refs = claim.metadata.ownerReferences ?? [];
  const ours = (r: OwnerReference) =>
    matchesRef(r, set.apiVersion, 'StatefulSet', set.metadata.name) ||
    matchesRef(r, 'v1', 'Pod', pod.metadata.name);
  const unexpectedController = refs.some(
    (r) => r.controller && r.uid !== set.metadata.uid && r.uid !== pod.metadata.uid && !ours(r),
  );
  const kept = refs.filter((r) => !ours(r));
  if (unexpectedController) return kept;
  const policy = retentionPolicy(set);
  if (policy.whenScaled === 'Delete' && scaledDown) kept.push(podRef(pod));
  else if (policy.whenDeleted === 'Delete') kept.push(newControllerRef(set));
  return kept;
}

/** The references a new claim is created with (the pod is in range; its uid is not known yet). */
export function initialClaimOwners(set: StatefulSet): OwnerReference[] {
  return retentionPolicy(set).whenDeleted === 'Delete' ? [newControllerRef(set)] : [];
}

/** ClaimsMatchRetentionPolicy for one claim: undefined when nothing has to change, else the new references. */
export function claimOwnersUpdate(
  claim: PersistentVolumeClaim,
  set: StatefulSet,
  pod: Pod,
  scaledDown: boolean,
): OwnerReference[] | undefined {
  const want = desiredClaimOwners(claim, set, pod, scaledDown);
  return jsonEqual(want, claim.metadata.ownerReferences ?? []) ? undefined : want;
}

/**
 * PodClaimIsStale: with whenScaled=Delete a claim may still carry the reference to an earlier pod of the same name,
 * which the garbage collector is about to act on; the pod must not be recreated on it until that is settled.
 */
export function claimIsStale(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  if (retentionPolicy(set).whenScaled === 'Retain') return false;
  return (claim.metadata.ownerReferences ?? []).some(
    (r) => matchesRef(r, 'v1', 'Pod', pod.metadata.name) && r.uid !== pod.metadata.uid,
  );
}
