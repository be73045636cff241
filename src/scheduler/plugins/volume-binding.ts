// VolumeBinding (kube-scheduler's volumebinding plugin, for skiff's local-path claims): a pod that mounts a
// PersistentVolumeClaim can only run where the claim's data is. A claim is bound to a node by the first kubelet
// that uses it (annotation volume.kubernetes.io/selected-node, see agent/kubelet/volume-manager.ts); from then on
// pods using it fit only that node. An unbound claim fits anywhere.
//   PreFilter  every claim the pod mounts must exist and not be being deleted (else unschedulable everywhere)
//   Filter     a claim bound to another node rules this node out (not run for a pod without claims)
import type { PersistentVolumeClaim, Pod } from '../../api/types.js';
import { SKIP, SUCCESS, unresolvable, type FilterPlugin } from '../framework.js';

export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';
export const VOLUME_NODE_CONFLICT_REASON = 'node(s) had volume node affinity conflict';

const claimNames = new WeakMap<Pod, string[]>();

/** The claims the pod mounts (memoized per pod object: filter() asks once per node). */
function podClaimNames(pod: Pod): string[] {
  let names = claimNames.get(pod);
  if (!names) {
    names = (pod.spec.volumes ?? []).flatMap((v) =>
      v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : [],
    );
    claimNames.set(pod, names);
  }
  return names;
}

/** The node a claim is bound to, if any. */
export function claimNode(claim: PersistentVolumeClaim): string | undefined {
  return claim.metadata.annotations?.[SELECTED_NODE_ANNOTATION] || undefined;
}

export const volumeBinding: FilterPlugin = {
  name: 'VolumeBinding',
  preFilter(pod, { cluster }) {
    const names = podClaimNames(pod);
    if (names.length === 0) return SKIP; // no claim: nothing to check on any node (kube-scheduler's Skip)
    for (const name of names) {
      const claim = cluster.pvc(pod.metadata.namespace ?? 'default', name);
      if (!claim) return unresolvable(`persistentvolumeclaim "${name}" not found`);
      if (claim.metadata.deletionTimestamp)
        return unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
    }
    return SUCCESS;
  },
  filter(pod, nodeInfo, { cluster }) {
    for (const name of podClaimNames(pod)) {
      const claim = cluster.pvc(pod.metadata.namespace ?? 'default', name);
      if (!claim) return unresolvable(`persistentvolumeclaim "${name}" not found`);
      const node = claimNode(claim);
      if (node && node !== nodeInfo.name) return unresolvable(VOLUME_NODE_CONFLICT_REASON);
    }
    return SUCCESS;
  },
};
