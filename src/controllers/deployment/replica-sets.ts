// A Deployment's ReplicaSets (pkg/controller/deployment/util/deployment_util.go, controller_utils.go): which one
// is new (same normalized template), which are old, their revisions and annotations, and the orders Kubernetes
// sorts them in. Pure; functions named set… mutate the ReplicaSet or Deployment copy they are given.
import type { Deployment, ReplicaSet } from '../../api/types.js';
import { templatesEqualIgnoringHash } from '../common/template-hash.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
export const ROLLBACK_TO_ANNOTATION = 'deprecated.deployment.rollback.to';
/** The deployment controller's limit for the revision-history annotation. */
export const MAX_REVISION_HISTORY_CHARS = 2000;

/** Annotations that are the Deployment's own and are not copied to its ReplicaSets (or back on rollback). */
export const ANNOTATIONS_TO_SKIP = new Set([
  LAST_APPLIED_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  ROLLBACK_TO_ANNOTATION,
]);

const replicas = (rs: ReplicaSet) => rs.spec.replicas ?? 1;

/** An integer annotation, or undefined when absent or not an integer. */
export function intAnnotation(obj: { metadata: { annotations?: Record<string, string> } }, key: string) {
  const v = obj.metadata.annotations?.[key];
  return v !== undefined && /^[+-]?\d+$/.test(v) ? Number(v) : undefined;
}

/** The revision annotation: 0 when absent, undefined when unparsable (such ReplicaSets are skipped). */
export function revisionOf(obj: { metadata: { annotations?: Record<string, string> } }): number | undefined {
  const v = obj.metadata.annotations?.[REVISION_ANNOTATION];
  if (v === undefined) return 0;
  return /^\d+$/.test(v) ? Number(v) : undefined;
}

export function maxRevision(rss: ReplicaSet[]): number {
  return rss.reduce((max, rs) => Math.max(max, revisionOf(rs) ?? 0), 0);
}

function creationMs(rs: ReplicaSet): number {
  const t = Date.parse(rs.metadata.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}

/** ReplicaSetsByCreationTimestamp: oldest first, ties by name. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const d = creationMs(a) - creationMs(b);
  if (d !== 0) return d;
  const an = a.metadata.name ?? '';
  const bn = b.metadata.name ?? '';
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/** ReplicaSetsByRevision: lowest revision first, then by creation. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = revisionOf(a);
  const rb = revisionOf(b);
  if (ra === undefined || rb === undefined || ra === rb) return byCreation(a, b);
  return ra - rb;
}

/** ReplicaSetsBySizeNewer: largest first; equal sizes newest first (scaling up favours new ones). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return replicas(a) === replicas(b) ? byCreation(b, a) : replicas(b) - replicas(a);
}

/** ReplicaSetsBySizeOlder: largest first; equal sizes oldest first (scaling down hits old ones). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return replicas(a) === replicas(b) ? byCreation(a, b) : replicas(b) - replicas(a);
}

/** FilterActiveReplicaSets: those with spec.replicas > 0. */
export function activeReplicaSets(rss: (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => rs !== undefined && replicas(rs) > 0);
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's (ignoring the hash label). */
export function findNewReplicaSet(d: Deployment, rsList: ReplicaSet[]): ReplicaSet | undefined {
  return [...rsList]
    .sort(byCreation)
    .find((rs) => templatesEqualIgnoringHash(rs.spec.template, d.spec.template));
}

/** FindOldReplicaSets: every other ReplicaSet (`all`), and those of them that still have replicas (`active`). */
export function findOldReplicaSets(
  d: Deployment,
  rsList: ReplicaSet[],
): { active: ReplicaSet[]; all: ReplicaSet[] } {
  const newRS = findNewReplicaSet(d, rsList);
  const all = rsList.filter((rs) => rs !== newRS);
  return { active: all.filter((rs) => replicas(rs) !== 0), all };
}

/**
 * FindActiveOrLatest: the only ReplicaSet with replicas, or the newest one when none has any; undefined when
 * several are active (they are then scaled proportionally).
 */
export function findActiveOrLatest(
  newRS: ReplicaSet | undefined,
  oldRSs: ReplicaSet[],
): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/** SetDeploymentRevision; true when it changed. */
export function setDeploymentRevision(d: Deployment, revision: string | undefined): boolean {
  if (revision === undefined) return false;
  const annotations = (d.metadata.annotations ??= {});
  if (annotations[REVISION_ANNOTATION] === revision) return false;
  annotations[REVISION_ANNOTATION] = revision;
  return true;
}

/** SetReplicasAnnotations: desired-replicas and max-replicas; true when either changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const annotations = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of [
    [DESIRED_REPLICAS_ANNOTATION, String(desired)],
    [MAX_REPLICAS_ANNOTATION, String(max)],
  ]) {
    if (annotations[k] !== v) {
      annotations[k] = v;
      changed = true;
    }
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
}

/**
 * SetNewReplicaSetAnnotations: copy the Deployment's annotations (change-cause among them) except its own, raise
 * the revision to `newRevision` when lower (a revived old ReplicaSet keeps its former revisions in
 * revision-history), and for a ReplicaSet about to be created record desired/max replicas. True when changed.
 */
export function setNewReplicaSetAnnotations(
  d: Deployment,
  rs: ReplicaSet,
  newRevision: number,
  exists: boolean,
  maxSurge: number,
): boolean {
  const annotations = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || annotations[k] === v) continue;
    annotations[k] = v;
    changed = true;
  }
  const old = annotations[REVISION_ANNOTATION];
  const oldRevision = old === undefined ? 0 : /^\d+$/.test(old) ? Number(old) : undefined;
  if (oldRevision === undefined) return changed; // not a number: leave it alone, as Kubernetes does
  if (oldRevision < newRevision) {
    annotations[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (old !== undefined) appendRevisionHistory(annotations, old);
  }
  const desired = d.spec.replicas ?? 1;
  if (!exists && setReplicasAnnotations(rs, desired, desired + maxSurge)) changed = true;
  return changed;
}

function appendRevisionHistory(annotations: Record<string, string>, oldRevision: string): void {
  const history = annotations[REVISION_HISTORY_ANNOTATION] ?? '';
  if (history === '') {
    annotations[REVISION_HISTORY_ANNOTATION] = oldRevision;
    return;
  }
  const revisions = history.split(',');
  let total = history.length + oldRevision.length + 1;
  let start = 0;
  while (total > MAX_REVISION_HISTORY_CHARS && start < revisions.length) {
    total -= revisions[start].length + 1;
    start++;
  }
  if (total <= MAX_REVISION_HISTORY_CHARS) {
    annotations[REVISION_HISTORY_ANNOTATION] = [...revisions.slice(start), oldRevision].join(',');
  }
}
