// The Deployment controller's decision for one sync (syncDeployment in deployment_controller.go), pure: given the
// Deployment, the ReplicaSets it owns and their pods, the time now → the ReplicaSet actions to take, the
// Deployment's new revision annotation and status, and when to look again. controller.ts performs it.
import { labelSelectorMatcher } from '../../api/selectors.js';
import type { Deployment, DeploymentStatus, Pod, ReplicaSet } from '../../api/types.js';
import {
  getCondition,
  hasProgressDeadline,
  newCondition,
  PAUSED,
  RESUMED,
  setCondition,
  TIMED_OUT,
} from './conditions.js';
import { rolloutRecreate } from './recreate.js';
import { REVISION_ANNOTATION } from './replica-sets.js';
import { rolloutRolling } from './rolling.js';
import { isScalingEvent, syncScaling } from './scale.js';
import { statusEqual } from './status.js';
import {
  DeploymentSync,
  getAllReplicaSetsAndSyncRevision,
  type DeploymentAction,
  type PlannedEvent,
} from './sync-state.js';

export interface DeploymentInput {
  deployment: Deployment;
  /** The ReplicaSets the Deployment controls (after adoption and release). */
  replicaSets: ReplicaSet[];
  /** The Deployment's pods by the uid of their ReplicaSet (Recreate waits for old ones to be gone). */
  podsByReplicaSet?: Map<string, Pod[]>;
  now: number;
}

export interface DeploymentPlan {
  /** In order; stop at the first failure (the sync is retried). */
  actions: DeploymentAction[];
  events: PlannedEvent[];
  /** The Deployment's new `deployment.kubernetes.io/revision`, when it changes. */
  revision?: string;
  /** The status to write, when it differs from the current one. */
  status?: DeploymentStatus;
  /** Sync again after this long (a progress deadline may pass meanwhile). */
  requeueAfterMs?: number;
}

export function reconcileDeployment(input: DeploymentInput): DeploymentPlan {
  const { deployment, now } = input;
  const s = new DeploymentSync(deployment, now);
  const rsList = input.replicaSets.map((rs) => structuredClone(rs));
  const selector = labelSelectorMatcher(deployment.spec.selector);
  if (selector.empty) {
    s.events.push({
      type: 'Warning',
      reason: 'SelectingAll',
      message: 'This deployment is selecting all pods. A non-empty selector is required.',
    });
    if ((s.d.status?.observedGeneration ?? 0) < (s.d.metadata.generation ?? 1)) {
      s.status = { ...s.d.status, observedGeneration: s.d.metadata.generation };
    }
  } else if (deployment.metadata.deletionTimestamp) {
    const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(s, rsList, false);
    s.syncDeploymentStatus([...oldRSs, newRS], newRS);
  } else {
    checkPausedConditions(s);
    if (s.d.spec.paused || isScalingEvent(s, rsList)) syncScaling(s, rsList);
    else if (s.d.spec.strategy?.type === 'Recreate')
      rolloutRecreate(s, rsList, input.podsByReplicaSet ?? new Map());
    else rolloutRolling(s, rsList);
  }
  return toPlan(s, deployment);
}

/**
 * A paused Deployment gets Progressing=Unknown/DeploymentPaused, a resumed one DeploymentResumed, so the time spent
 * paused never counts against the progress deadline. A timed-out rollout keeps saying so.
 */
function checkPausedConditions(s: DeploymentSync): void {
  if (!hasProgressDeadline(s.d)) return;
  const cond = getCondition(s.d.status, 'Progressing');
  if (cond?.reason === TIMED_OUT) return;
  const pausedCond = cond?.reason === PAUSED;
  if (s.d.spec.paused && !pausedCond) {
    setCondition(s.d.status!, newCondition('Progressing', 'Unknown', PAUSED, 'Deployment is paused', s.now));
  } else if (!s.d.spec.paused && pausedCond) {
    setCondition(
      s.d.status!,
      newCondition('Progressing', 'Unknown', RESUMED, 'Deployment is resumed', s.now),
    );
  }
}

function toPlan(s: DeploymentSync, original: Deployment): DeploymentPlan {
  const plan: DeploymentPlan = { actions: s.actions, events: s.events };
  const revision = s.d.metadata.annotations?.[REVISION_ANNOTATION];
  if (revision !== undefined && revision !== original.metadata.annotations?.[REVISION_ANNOTATION]) {
    plan.revision = revision;
  }
  // Conditions set along the way (paused, new ReplicaSet) are part of the status even if no step computed one.
  const status = s.status ?? s.d.status;
  if (!statusEqual(status, original.status)) plan.status = status;
  if (s.checkAfterMs !== undefined) plan.requeueAfterMs = s.checkAfterMs;
  return plan;
}
