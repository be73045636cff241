// The StatefulSet decision (Kubernetes stateful_set_control.go updateStatefulSet), pure: the set, its pods and
// claims, its current and update revisions and the time → the ordered actions of this round and the status.
//
//   1. Replicas, ascending ordinal: a failed/succeeded pod is deleted (and recreated with the same name on a later
//      round); a missing pod is created after its missing PVCs. OrderedReady ("monotonic") stops after each create
//      and at the first pod that is not Running, Ready and Available — so ordinal i is created only when 0..i-1
//      are. Parallel ("burst") goes on.
//   2. Condemned pods (ordinal beyond the range), descending: claims get the retention policy's owners, then pods
//      are deleted — OrderedReady one at a time, each only when all others are healthy, waiting for it to be gone.
//   3. RollingUpdate: the highest-ordinal pod (≥ partition) whose revision differs is deleted; nothing more
//      until it is back, Running and Ready. OnDelete: nothing.
// The executor stops at the first failing action, so the order here is the order Kubernetes acts in.
import type {
  OwnerReference,
  PersistentVolumeClaim,
  Pod,
  PodTemplateSpec,
  StatefulSet,
  StatefulSetStatus,
} from '../../api/types.js';
import { claimIsStale, claimOwnersUpdate, initialClaimOwners } from './claim-retention.js';
import {
  claimsFor,
  endOrdinal,
  identityLabels,
  identityMatches,
  inOrdinalRange,
  isFailed,
  isPending,
  isRunningAndAvailable,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
  isUnavailable,
  newStatefulSetPod,
  ordinalOf,
  podRevision,
  startOrdinal,
} from './stateful-pods.js';
import { completeRollingUpdate, replicaCounts } from './status.js';

export interface RevisionRef {
  /** The ControllerRevision's name (the value of the pods' controller-revision-hash label). */
  name: string;
  template: PodTemplateSpec;
}

export interface StatefulSetView {
  set: StatefulSet;
  /** The pods the set controls (members: `<set>-<ordinal>`). */
  pods: readonly Pod[];
  /** The PVCs of the set's namespace, by name. */
  claims: ReadonlyMap<string, PersistentVolumeClaim>;
  currentRevision: RevisionRef;
  updateRevision: RevisionRef;
  collisionCount: number;
  /** Clock ms. */
  now: number;
}

export type StatefulSetAction =
  | { type: 'createClaim'; claim: PersistentVolumeClaim; pod: string }
  | { type: 'createPod'; pod: Pod }
  | { type: 'deletePod'; pod: string; reason: 'failed' | 'condemned' | 'update' }
  | { type: 'updatePodLabels'; pod: string; labels: Record<string, string> }
  | { type: 'updateClaimOwners'; claim: string; ownerReferences: OwnerReference[] };

export interface StatefulSetPlan {
  actions: StatefulSetAction[];
  status: StatefulSetStatus;
  /** Progress is blocked by an error (a claim being deleted): reported as FailedCreate and retried. */
  error?: { pod: string; message: string };
}

function rollingUpdatePartition(set: StatefulSet): number | undefined {
  if ((set.spec.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return undefined;
  return set.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
}

export function reconcileStatefulSet(view: StatefulSetView): StatefulSetPlan {
  const { set, now, currentRevision, updateRevision } = view;
  const minReady = set.spec.minReadySeconds ?? 0;
  const monotonic = (set.spec.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';
  const partition = rollingUpdatePartition(set);
  const actions: StatefulSetAction[] = [];

  let status: StatefulSetStatus = {
    observedGeneration: set.metadata.generation,
    ...replicaCounts(view.pods, minReady, now, currentRevision.name, updateRevision.name),
    currentRevision: currentRevision.name,
    updateRevision: updateRevision.name,
    collisionCount: view.collisionCount,
  };
  const finish = (error?: StatefulSetPlan['error']): StatefulSetPlan => ({
    actions,
    status: completeRollingUpdate(set, status),
    ...(error ? { error } : {}),
  });

  // Partition the pods: replicas[i] holds ordinal start+i (or a pod to create), condemned the rest (descending).
  const start = startOrdinal(set);
  const end = endOrdinal(set);
  const existing = new Map<number, Pod>();
  const condemned: Pod[] = [];
  for (const pod of view.pods) {
    const ord = ordinalOf(pod);
    if (ord < 0) continue;
    if (inOrdinalRange(set, ord)) existing.set(ord, pod);
    else condemned.push(pod);
  }
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
  const replicas: { ordinal: number; pod: Pod; created: boolean }[] = [];
  for (let ord = start; ord <= end; ord++) {
    const pod = existing.get(ord);
    if (pod) replicas.push({ ordinal: ord, pod, created: true });
    else {
      // newVersionedStatefulSetPod: ordinals below the partition stay at the current revision.
      const rev = partition !== undefined && ord < start + partition ? currentRevision : updateRevision;
      replicas.push({
        ordinal: ord,
        pod: newStatefulSetPod(set, rev.template, rev.name, ord),
        created: false,
      });
    }
  }
  const firstUnhealthy =
    replicas.find((r) => !r.created || isUnavailable(r.pod, minReady, now))?.pod ??
    [...condemned].reverse().find((p) => isUnavailable(p, minReady, now));

  if (set.metadata.deletionTimestamp) return finish();

  const missingClaims = (ordinal: number, pod: string) => {
    for (const claim of claimsFor(set, ordinal, initialClaimOwners(set)).values()) {
      if (!view.claims.has(claim.metadata.name ?? '')) actions.push({ type: 'createClaim', claim, pod });
    }
  };
  const fixClaimOwners = (pod: Pod, ordinal: number, scaledDown: boolean) => {
    for (const want of claimsFor(set, ordinal).values()) {
      const claim = view.claims.get(want.metadata.name ?? '');
      if (!claim) continue;
      const refs = claimOwnersUpdate(claim, set, pod, scaledDown);
      if (refs)
        actions.push({ type: 'updateClaimOwners', claim: want.metadata.name ?? '', ownerReferences: refs });
    }
  };

  // 1. Replicas.
  for (const { ordinal, pod, created } of replicas) {
    const name = pod.metadata.name ?? '';
    if (created && (isFailed(pod) || isSucceeded(pod))) {
      if (!isTerminating(pod)) actions.push({ type: 'deletePod', pod: name, reason: 'failed' });
      if (monotonic) return finish();
      continue;
    }
    if (!created) {
      const claims = [...claimsFor(set, ordinal).values()].map((c) => view.claims.get(c.metadata.name ?? ''));
      if (claims.some((c) => c && claimIsStale(c, set, pod))) {
        if (monotonic) return finish();
        continue;
      }
      const deleting = claims.find((c) => c?.metadata.deletionTimestamp);
      if (deleting) {
        const error = { pod: name, message: `pvc ${deleting.metadata.name} is being deleted` };
        return finish(error);
      }
      missingClaims(ordinal, name);
      actions.push({ type: 'createPod', pod });
      if (monotonic) return finish();
      continue;
    }
    if (isPending(pod)) missingClaims(ordinal, name);
    if (monotonic && isTerminating(pod)) return finish();
    if (monotonic && !isRunningAndReady(pod)) return finish();
    if (monotonic && !isRunningAndAvailable(pod, minReady, now)) return finish();
    if (!identityMatches(set, pod)) {
      actions.push({
        type: 'updatePodLabels',
        pod: name,
        labels: { ...(pod.metadata.labels ?? {}), ...identityLabels(set, ordinal) },
      });
    }
    fixClaimOwners(pod, ordinal, false);
  }

  // 2. Condemned pods: claim owners first, then the deletions.
  for (const pod of condemned) fixClaimOwners(pod, ordinalOf(pod), true);
  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return finish();
      continue;
    }
    if (monotonic && pod !== firstUnhealthy && isUnavailable(pod, minReady, now)) return finish();
    actions.push({ type: 'deletePod', pod: pod.metadata.name ?? '', reason: 'condemned' });
    if (monotonic) return finish();
  }

  // 3. Rolling update, highest ordinal first.
  if (partition === undefined) return finish();
  for (let i = replicas.length - 1; i >= partition; i--) {
    const { pod, created } = replicas[i];
    if (created && podRevision(pod) !== updateRevision.name && !isTerminating(pod)) {
      actions.push({ type: 'deletePod', pod: pod.metadata.name ?? '', reason: 'update' });
      status = { ...status, currentReplicas: (status.currentReplicas ?? 0) - 1 };
      return finish();
    }
    if (!created || isUnavailable(pod, minReady, now)) return finish();
  }
  return finish();
}
