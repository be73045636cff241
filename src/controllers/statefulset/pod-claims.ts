// ClaimPods (Kubernetes PodControllerRefManager) for DaemonSets and StatefulSets, pure: which of the namespace's
// pods the owner keeps, which orphans it adopts (its selector matches, e.g. after `kubectl delete --cascade=orphan`
// and a re-create) and which of its pods it releases (their labels no longer match). The controllers patch
// ownerReferences with adoptPatch / releasePatch.
import { getControllerOf } from '../../api/object-meta.js';
import { labelSelectorMatcher } from '../../api/selectors.js';
import type { KubeObject, LabelSelector, Pod } from '../../api/types.js';

export interface SelectingOwner extends KubeObject {
  spec: { selector: LabelSelector };
}

export interface PodClaims {
  owned: Pod[];
  adopt: Pod[];
  release: Pod[];
}

/**
 * `filter` narrows what the owner may claim beyond its selector (a StatefulSet only claims `<set>-<ordinal>`).
 * An owner being deleted adopts and releases nothing; pods of other controllers are ignored.
 */
export function claimPods(
  owner: SelectingOwner,
  pods: readonly Pod[],
  filter: (pod: Pod) => boolean = () => true,
): PodClaims {
  const selector = labelSelectorMatcher(owner.spec.selector);
  const deleting = !!owner.metadata.deletionTimestamp;
  const claims: PodClaims = { owned: [], adopt: [], release: [] };
  for (const pod of pods) {
    if ((pod.metadata.namespace ?? '') !== (owner.metadata.namespace ?? '')) continue;
    const matches = !selector.empty && selector.matches(pod.metadata.labels) && filter(pod);
    const ref = getControllerOf(pod);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matches) claims.owned.push(pod);
      else if (!deleting) claims.release.push(pod);
    } else if (matches && !deleting && !pod.metadata.deletionTimestamp) {
      claims.adopt.push(pod);
    }
  }
  return claims;
}

/** Strategic merge patch adding our controllerRef, guarded by the pod's uid. */
export function adoptPatch(owner: KubeObject, pod: Pod): unknown {
  return {
    metadata: {
      ownerReferences: [
        {
          apiVersion: owner.apiVersion,
          kind: owner.kind,
          name: owner.metadata.name,
          uid: owner.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      uid: pod.metadata.uid,
    },
  };
}

/** Strategic merge patch deleting our ownerReference (by uid), guarded by the pod's uid. */
export function releasePatch(owner: KubeObject, pod: Pod): unknown {
  return {
    metadata: { ownerReferences: [{ $patch: 'delete', uid: owner.metadata.uid }], uid: pod.metadata.uid },
  };
}
