// What a DaemonSet pod looks like (Kubernetes pkg/controller/daemon/util): the template plus the tolerations every
// daemon pod gets, the revision labels, and — since Kubernetes 1.12 — a required node affinity
// `matchFields metadata.name In [<node>]` that pins the pod to its node while the default scheduler binds it.
import type { DaemonSet, Pod, PodSpec, PodTemplateSpec, Toleration } from '../../api/types.js';
import { CONTROLLER_REVISION_HASH_LABEL } from '../common/controller-revision.js';
import type { NodeSelectorTerm } from '../../scheduler/plugins/node-affinity.js';

/** Pod label with the DaemonSet's template generation (extensions.DaemonSetTemplateGenerationKey). */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** DaemonSet annotation the API server keeps at the generation of the last template change. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/**
 * util.AddOrUpdateDaemonPodTolerations: daemon pods survive node problems (not-ready/unreachable NoExecute, with no
 * tolerationSeconds) and run on nodes under pressure or cordoned; hostNetwork pods also on nodes whose pod network
 * is not up yet. A user toleration for the same key/operator/effect is replaced by the default one.
 */
export function daemonPodTolerations(spec: Pick<PodSpec, 'tolerations' | 'hostNetwork'>): Toleration[] {
  const defaults: Toleration[] = [
    { key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_DISK_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_MEMORY_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_PID_PRESSURE, operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec.hostNetwork)
    defaults.push({ key: TAINT_NETWORK_UNAVAILABLE, operator: 'Exists', effect: 'NoSchedule' });
  let out = [...(spec.tolerations ?? [])];
  for (const d of defaults) {
    // v1helper.AddOrUpdateTolerationInPodSpec: same key, operator, value and effect → replaced.
    const same = (t: Toleration) =>
      (t.key ?? '') === d.key &&
      (t.operator ?? 'Equal') === d.operator &&
      (t.value ?? '') === '' &&
      (t.effect ?? '') === d.effect;
    if (out.some(same)) out = out.map((t) => (same(t) ? { ...d } : t));
    else out.push({ ...d });
  }
  return out;
}

/** The DaemonSet's template generation (from its annotation), if it has one. */
export function templateGeneration(ds: DaemonSet): string | undefined {
  const g = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  return g && /^\d+$/.test(g) ? g : undefined;
}

/** util.CreatePodTemplate: the template daemon pods are created from (tolerations and revision labels added). */
export function daemonPodTemplate(ds: DaemonSet, hash: string): PodTemplateSpec {
  const t = structuredClone(ds.spec.template);
  t.spec.tolerations = daemonPodTolerations(t.spec);
  const labels: Record<string, string> = { ...(t.metadata?.labels ?? {}) };
  const generation = templateGeneration(ds);
  if (generation !== undefined) labels[TEMPLATE_GENERATION_LABEL] = generation;
  if (hash) labels[CONTROLLER_REVISION_HASH_LABEL] = hash;
  t.metadata = { ...t.metadata, labels };
  return t;
}

interface Affinity {
  nodeAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
    [extra: string]: unknown;
  };
  [extra: string]: unknown;
}

/**
 * util.ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes the single term
 * `metadata.name In [node]` (the DaemonSet controller has already checked the user's own terms); preferred terms
 * and pod (anti-)affinity are kept.
 */
export function replaceNodeNameAffinity(affinity: unknown, node: string): Affinity {
  const a: Affinity = structuredClone((affinity as Affinity | undefined) ?? {});
  a.nodeAffinity = {
    ...a.nodeAffinity,
    requiredDuringSchedulingIgnoredDuringExecution: {
      ...a.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
    },
  };
  return a;
}

/** util.GetTargetNodeName: spec.nodeName, or the node named by the `metadata.name In [x]` affinity term. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  const terms = (pod.spec.affinity as Affinity | undefined)?.nodeAffinity
    ?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  for (const term of terms ?? []) {
    for (const r of term.matchFields ?? []) {
      if (r.key === 'metadata.name' && r.operator === 'In')
        return r.values?.length === 1 ? r.values[0] : undefined;
    }
  }
  return undefined;
}

/** util.IsPodUpdated: the pod carries the current revision hash (or the current template generation). */
export function isPodUpdated(pod: Pod, hash: string, generation: string | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  const templateMatches = generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === generation;
  const hashMatches = hash.length > 0 && labels[CONTROLLER_REVISION_HASH_LABEL] === hash;
  return hashMatches || templateMatches;
}

/** podByCreationTimestampAndPhase: scheduled pods first, then oldest first, then by name. */
export function compareDaemonPods(a: Pod, b: Pod): number {
  const sa = a.spec.nodeName ? 0 : 1;
  const sb = b.spec.nodeName ? 0 : 1;
  if (sa !== sb) return sa - sb;
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  const [na, nb] = [a.metadata.name ?? '', b.metadata.name ?? ''];
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** The pods grouped by the node they run on or are meant for (pods with no target node are left out). */
export function nodeToDaemonPods(pods: readonly Pod[]): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const pod of pods) {
    const node = targetNodeName(pod);
    if (node === undefined) continue;
    const list = out.get(node);
    if (list) list.push(pod);
    else out.set(node, [pod]);
  }
  return out;
}
