// One Deployment sync as data. Kubernetes' deployment controller acts while it decides (update a ReplicaSet, then
// decide the next step from the updated copy); here each step appends an action and updates the working copies
// in place, so later steps see exactly what Kubernetes' would, and controller.ts performs the actions afterwards.
// The helpers below are sync.go's getAllReplicaSetsAndSyncRevision / getNewReplicaSet / scaleReplicaSet /
// cleanupDeployment over those copies.
import type { Deployment, DeploymentStatus, ReplicaSet } from '../../api/types.js';
import { rfc3339 } from '../../common/clock.js';
import { computeTemplateHash, POD_TEMPLATE_HASH_LABEL } from '../common/template-hash.js';
import {
  FOUND_NEW_REPLICASET,
  getCondition,
  hasProgressDeadline,
  NEW_REPLICASET_CREATED,
  newCondition,
  setCondition,
} from './conditions.js';
import { withDeploymentDefaults } from './defaults.js';
import {
  byRevision,
  findNewReplicaSet,
  findOldReplicaSets,
  maxRevision,
  REVISION_ANNOTATION,
  replicasAnnotationsNeedUpdate,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from './replica-sets.js';
import { maxSurge, newRSNewReplicas, replicasOf } from './rollout-math.js';
import { calculateStatus, rolloutStatus } from './status.js';

export type DeploymentAction =
  /** Create the new ReplicaSet; on success, when it has replicas, the `Scaled up … from 0 to N` event. */
  | { type: 'createReplicaSet'; rs: ReplicaSet }
  /** Update (PUT) a ReplicaSet; `scaled` → a ScalingReplicaSet event. */
  | { type: 'updateReplicaSet'; rs: ReplicaSet; scaled?: { from: number; to: number } }
  /** Delete an old ReplicaSet beyond revisionHistoryLimit. */
  | { type: 'deleteReplicaSet'; rs: ReplicaSet };

export interface PlannedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export class DeploymentSync {
  /** The defaulted working copy: its annotations and status change as the sync proceeds. */
  readonly d: Deployment;
  readonly actions: DeploymentAction[] = [];
  readonly events: PlannedEvent[] = [];
  /** The status computed last (what the sync writes), if any step computed one. */
  status: DeploymentStatus | undefined;
  checkAfterMs: number | undefined;

  constructor(
    deployment: Deployment,
    readonly now: number,
  ) {
    this.d = withDeploymentDefaults(deployment);
    this.d.status = structuredClone(deployment.status ?? {});
  }

  get replicas(): number {
    return replicasOf(this.d);
  }

  /** syncDeploymentStatus: status from the ReplicaSets, no progress estimate. */
  syncDeploymentStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): void {
    this.status = calculateStatus(allRSs, newRS, this.d, this.now);
  }

  /** syncRolloutStatus: status with the Progressing condition and a timed re-check. */
  syncRolloutStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): void {
    const { status, checkAfterMs } = rolloutStatus(allRSs, newRS, this.d, this.now);
    this.status = status;
    this.checkAfterMs = checkAfterMs;
  }
}

/**
 * getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created when `create` and missing) and all old ones, with
 * the new one's revision raised to max(old)+1 and the Deployment's revision annotation following it.
 */
export function getAllReplicaSetsAndSyncRevision(
  s: DeploymentSync,
  rsList: ReplicaSet[],
  create: boolean,
): { newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] } {
  const { all: oldRSs } = findOldReplicaSets(s.d, rsList);
  const newRS = getNewReplicaSet(s, rsList, oldRSs, create);
  return { newRS, oldRSs };
}

function getNewReplicaSet(
  s: DeploymentSync,
  rsList: ReplicaSet[],
  oldRSs: ReplicaSet[],
  create: boolean,
): ReplicaSet | undefined {
  const d = s.d;
  const existing = findNewReplicaSet(d, rsList);
  const newRevision = maxRevision(oldRSs) + 1;
  if (existing) {
    const annotationsUpdated = setNewReplicaSetAnnotations(d, existing, newRevision, true, maxSurge(d));
    const minReadyChanged = (existing.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
    if (annotationsUpdated || minReadyChanged) {
      existing.spec.minReadySeconds = d.spec.minReadySeconds;
      s.actions.push({ type: 'updateReplicaSet', rs: structuredClone(existing) });
      return existing;
    }
    setDeploymentRevision(d, existing.metadata.annotations?.[REVISION_ANNOTATION]);
    if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
      const msg = `Found new replica set "${existing.metadata.name}"`;
      setCondition(d.status!, newCondition('Progressing', 'True', FOUND_NEW_REPLICASET, msg, s.now));
    }
    return existing;
  }
  if (!create) return undefined;

  const hash = computeTemplateHash(d.spec.template, d.status?.collisionCount);
  const template = structuredClone(d.spec.template);
  template.metadata = { ...(template.metadata ?? {}) };
  template.metadata.labels = { ...(template.metadata.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const selector = structuredClone(d.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const newRS: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...template.metadata.labels },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: d.metadata.name ?? '',
          uid: d.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      // Only for ordering within this sync; the API server sets the real one.
      creationTimestamp: rfc3339(s.now),
    },
    spec: {
      replicas: 0,
      minReadySeconds: d.spec.minReadySeconds,
      selector,
      template,
    },
  };
  newRS.spec.replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  setNewReplicaSetAnnotations(d, newRS, newRevision, false, maxSurge(d));
  s.actions.push({ type: 'createReplicaSet', rs: structuredClone(newRS) });
  setDeploymentRevision(d, String(newRevision));
  if (hasProgressDeadline(d)) {
    const msg = `Created new replica set "${newRS.metadata.name}"`;
    setCondition(d.status!, newCondition('Progressing', 'True', NEW_REPLICASET_CREATED, msg, s.now));
  }
  return newRS;
}

/** scaleReplicaSetAndRecordEvent: resize when the size differs; true when it did. */
export function scaleReplicaSetAndRecordEvent(s: DeploymentSync, rs: ReplicaSet, newScale: number): boolean {
  if (replicasOf(rs) === newScale) return false;
  return scaleReplicaSet(s, rs, newScale);
}

/**
 * scaleReplicaSet: set the size and refresh the desired/max-replicas annotations (an update even when only the
 * annotations are stale). True when the size changed.
 */
export function scaleReplicaSet(s: DeploymentSync, rs: ReplicaSet, newScale: number): boolean {
  const desired = s.replicas;
  const max = desired + maxSurge(s.d);
  const sizeChanged = replicasOf(rs) !== newScale;
  if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
  const from = replicasOf(rs);
  rs.spec.replicas = newScale;
  setReplicasAnnotations(rs, desired, max);
  s.actions.push({
    type: 'updateReplicaSet',
    rs: structuredClone(rs),
    ...(sizeChanged ? { scaled: { from, to: newScale } } : {}),
  });
  return sizeChanged;
}

/**
 * cleanupDeployment: delete the oldest (lowest revision) old ReplicaSets beyond revisionHistoryLimit, only those
 * fully scaled down and observed so (they are the rollback history).
 */
export function cleanupDeployment(s: DeploymentSync, oldRSs: ReplicaSet[]): void {
  const limit = s.d.spec.revisionHistoryLimit;
  if (limit === undefined || limit === null || limit === 2147483647) return;
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort(byRevision);
  const diff = alive.length - limit;
  for (let i = 0; i < diff; i++) {
    const rs = alive[i];
    const observed = (rs.status?.observedGeneration ?? 0) >= (rs.metadata.generation ?? 1);
    if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || !observed) continue;
    s.actions.push({ type: 'deleteReplicaSet', rs: structuredClone(rs) });
  }
}
