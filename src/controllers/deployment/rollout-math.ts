// The arithmetic of a Deployment rollout, from Kubernetes' pkg/controller/deployment/util/deployment_util.go and
// apimachinery's intstr: maxSurge and maxUnavailable (ints or percents: surge rounds UP, unavailable rounds DOWN,
// and both 0 means unavailable 1), how far the new ReplicaSet may grow, and the proportions used when a
// Deployment is scaled in the middle of a rollout. Pure functions over defaulted objects (see defaults.ts).
import type { Deployment, ReplicaSet } from '../../api/types.js';
import { MAX_REPLICAS_ANNOTATION, DESIRED_REPLICAS_ANNOTATION, intAnnotation } from './replica-sets.js';

export type IntOrString = number | string;

/**
 * intstr.GetScaledValueFromIntOrPercent: an int as is; `"25%"` of `total`, rounded up or down. A string that
 * is not a percentage is an error, as in Kubernetes.
 */
export function scaledValue(value: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`invalid value for IntOrString: ${value}`);
    return value;
  }
  if (!value.endsWith('%')) {
    throw new Error('invalid value for IntOrString: invalid type: string is not a percentage');
  }
  const digits = value.slice(0, -1);
  if (!/^[+-]?\d+$/.test(digits)) {
    throw new Error(`invalid value for IntOrString: invalid value "${value}"`);
  }
  const scaled = (Number(digits) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/**
 * ResolveFenceposts: maxSurge (rounded up) and maxUnavailable (rounded down) for `desired` replicas. If both come
 * out 0, unavailable becomes 1 (validation forbids 0/0, but rounding down can produce it): a rollout must move.
 */
export function resolveFenceposts(
  maxSurge: IntOrString | undefined,
  maxUnavailable: IntOrString | undefined,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function isRollingUpdate(d: Deployment): boolean {
  return d.spec.strategy?.type === 'RollingUpdate';
}

export function replicasOf(obj: { spec: { replicas?: number } }): number {
  return obj.spec.replicas ?? 1;
}

/** MaxUnavailable: 0 for Recreate or 0 replicas, never more than the replicas. */
export function maxUnavailable(d: Deployment): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  const { unavailable } = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas);
  return Math.min(unavailable, replicas);
}

/** MaxSurge: 0 for Recreate. */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicasOf(d)).surge;
}

/** MinAvailable: replicas − maxUnavailable for RollingUpdate, 0 for Recreate. */
export function minAvailable(d: Deployment): number {
  return isRollingUpdate(d) ? replicasOf(d) - maxUnavailable(d) : 0;
}

/** Sum of spec.replicas (GetReplicaCountForReplicaSets). */
export function specReplicas(rss: (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs ? replicasOf(rs) : 0), 0);
}

/** Sum of status.replicas (GetActualReplicaCountForReplicaSets). */
export function actualReplicas(rss: (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
}

export function readyReplicas(rss: (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
}

export function availableReplicas(rss: (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);
}

/**
 * NewRSNewReplicas: the size the new ReplicaSet may grow to now. RollingUpdate: up to replicas + maxSurge pods
 * in all ReplicaSets together, never above replicas; Recreate: replicas.
 */
export function newRSNewReplicas(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d)) return replicas;
  const surge = scaledValue(d.spec.strategy?.rollingUpdate?.maxSurge ?? 0, replicas, true);
  const current = specReplicas(allRSs);
  const maxTotal = replicas + surge;
  if (current >= maxTotal) return replicasOf(newRS);
  const scaleUp = Math.min(maxTotal - current, replicas - replicasOf(newRS));
  return replicasOf(newRS) + scaleUp;
}

/**
 * IsSaturated: the new ReplicaSet has all the Deployment's replicas, believes so itself (desired-replicas
 * annotation) and all of them are available.
 */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
  if (desired === undefined) return false;
  const replicas = replicasOf(d);
  return (
    replicasOf(rs) === replicas && desired === replicas && (rs.status?.availableReplicas ?? 0) === replicas
  );
}

/** Go's math.Round (half away from zero). */
function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/**
 * getReplicaSetFraction: how many replicas this ReplicaSet gains (or loses, negative) when the Deployment goes
 * from the size recorded in its max-replicas annotation to replicas + maxSurge now.
 */
export function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  const replicas = replicasOf(d);
  if (replicas === 0) return -replicasOf(rs);
  const deploymentMax = replicas + maxSurge(d);
  let before = intAnnotation(rs, MAX_REPLICAS_ANNOTATION);
  if (before === undefined || before === 0) {
    // Annotation missing or tampered with: fall back to the current size.
    before = d.status?.replicas ?? 0;
    if (before === 0) return 0;
  }
  const size = (replicasOf(rs) * deploymentMax) / before;
  return roundHalfAway(size) - replicasOf(rs);
}

/**
 * GetReplicaSetProportion: this ReplicaSet's share of `toAdd` (positive when scaling up, negative when down),
 * never overshooting what is left to distribute after `added`.
 */
export function replicaSetProportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}
