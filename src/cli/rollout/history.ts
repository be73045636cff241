// A Deployment's rollout history as kubectl reads it (k8s.io/kubectl/pkg/polymorphichelpers/history.go and
// rollback.go): its ReplicaSets (those it controls), one revision each from the revision annotation, the
// CHANGE-CAUSE table, the ReplicaSet of a revision, and the JSON patch `rollout undo` sends. Pure.
import { isControlledBy } from '../../api/object-meta.js';
import type { Deployment, PodTemplateSpec, ReplicaSet } from '../../api/types.js';
import { DESCRIBE_LAYOUT, tabwrite } from '../tabwriter.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** The Deployment's own annotations, which `rollout undo` keeps (and does not take from the ReplicaSet). */
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

/** The revision annotation as a number; undefined when missing or unparsable. */
export function revisionOf(rs: ReplicaSet): number | undefined {
  const v = rs.metadata.annotations?.[REVISION_ANNOTATION];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** The ReplicaSets `d` controls (ownerReference with controller: true and its uid). */
export function ownedReplicaSets(d: Deployment, replicaSets: ReplicaSet[]): ReplicaSet[] {
  return replicaSets.filter((rs) => isControlledBy(rs, d));
}

/** Revision → the ReplicaSet holding it (a later ReplicaSet with the same revision wins, as in kubectl's map). */
export function revisions(replicaSets: ReplicaSet[]): Map<number, ReplicaSet> {
  const out = new Map<number, ReplicaSet>();
  for (const rs of replicaSets) {
    const r = revisionOf(rs);
    if (r !== undefined) out.set(r, rs);
  }
  return new Map([...out.entries()].sort((a, b) => a[0] - b[0]));
}

/** The REVISION / CHANGE-CAUSE table (tabwriter padding 2), or kubectl's message when there is none. */
export function historyTable(replicaSets: ReplicaSet[]): string {
  const byRevision = revisions(replicaSets);
  if (byRevision.size === 0) return 'No rollout history found.';
  const lines = ['REVISION\tCHANGE-CAUSE'];
  for (const [revision, rs] of byRevision) {
    lines.push(`${revision}\t${rs.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION] || '<none>'}`);
  }
  return tabwrite(lines.join('\n') + '\n', DESCRIBE_LAYOUT);
}

/**
 * deploymentRevision: the ReplicaSet of `toRevision`, or for 0 the one before the latest. Throws an Error with
 * kubectl's message when there is none.
 */
export function replicaSetForRevision(
  d: Deployment,
  replicaSets: ReplicaSet[],
  toRevision: number,
): ReplicaSet {
  if (toRevision < 0) throw new Error(`unable to find specified revision ${toRevision} in history`);
  const byRevision = revisions(replicaSets);
  if (toRevision > 0) {
    const rs = byRevision.get(toRevision);
    if (!rs) throw new Error(`unable to find specified revision ${toRevision} in history`);
    return rs;
  }
  const ordered = [...byRevision.values()];
  if (ordered.length < 2) throw new Error(`no rollout history found for deployment "${d.metadata.name}"`);
  return ordered[ordered.length - 2];
}

/** kubectl's equalIgnoreHash for the undo check (both templates as they come from the API server). */
export function sameTemplate(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined) => {
    const copy = structuredClone(t ?? { spec: { containers: [] } });
    if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    return canonical(copy);
  };
  return strip(a) === strip(b);
}

function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
}

/**
 * The JSON patch `kubectl rollout undo` sends (KUBECTL-API.md §13): spec.template = the ReplicaSet's template
 * without the pod-template-hash label, as Go encodes it (`creationTimestamp: null`, `resources: {}` on each
 * container), and metadata.annotations = the Deployment's own annotations plus the ReplicaSet's others
 * (its change-cause, so history shows why).
 */
export function undoPatch(d: Deployment, rs: ReplicaSet): unknown[] {
  const template = structuredClone(rs.spec.template ?? { spec: { containers: [] } }) as PodTemplateSpec;
  const metadata: Record<string, unknown> = { creationTimestamp: null, ...(template.metadata ?? {}) };
  const labels = { ...((metadata.labels as Record<string, string> | undefined) ?? {}) };
  delete labels[POD_TEMPLATE_HASH_LABEL];
  metadata.labels = labels;
  template.metadata = metadata as PodTemplateSpec['metadata'];
  for (const c of [...(template.spec.initContainers ?? []), ...(template.spec.containers ?? [])]) {
    c.resources ??= {};
  }
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {}))
    if (ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  for (const [k, v] of Object.entries(rs.metadata.annotations ?? {}))
    if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  return [
    { op: 'replace', path: '/spec/template', value: template },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ];
}
