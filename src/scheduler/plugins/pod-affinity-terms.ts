// A pod's inter-pod affinity terms, compiled once per pod object (kube-scheduler's framework.PodInfo /
// AffinityTerm): which namespaces a term looks at, which pods it selects, and per-topology counting helpers.
//   namespaces: the listed ones, plus those namespaceSelector matches ({} = all); neither given → the pod's own
//   labelSelector: absent selects no pod; matchLabelKeys / mismatchLabelKeys add `key In/NotIn (this pod's value)`
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from '../../api/types.js';
import type { ClusterState } from '../framework.js';
import { compileSelector, hasLabel, selectorOf, type Requirement, type Selector } from '../label-selector.js';
import type { IndexedPod } from '../pod-index.js';

export interface AffinityTerm {
  namespaces: ReadonlySet<string>;
  namespaceSelector: Selector;
  selector: Selector;
  topologyKey: string;
}

export interface WeightedAffinityTerm {
  term: AffinityTerm;
  weight: number;
}

export interface PodAffinityInfo {
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: WeightedAffinityTerm[];
  preferredAntiAffinity: WeightedAffinityTerm[];
}

function compileTerm(owner: Pod, t: PodAffinityTerm): AffinityTerm {
  const namespaces = new Set(t.namespaces ?? []);
  if (namespaces.size === 0 && !t.namespaceSelector) namespaces.add(owner.metadata.namespace ?? '');
  let selector = compileSelector(t.labelSelector);
  const labels = owner.metadata.labels ?? {};
  const extra: Requirement[] = [];
  if (t.labelSelector && !selector.nothing) {
    for (const key of t.matchLabelKeys ?? [])
      if (hasLabel(labels, key)) extra.push({ key, operator: 'In', values: [labels[key]] });
    for (const key of t.mismatchLabelKeys ?? [])
      if (hasLabel(labels, key)) extra.push({ key, operator: 'NotIn', values: [labels[key]] });
  }
  if (extra.length > 0) selector = selectorOf([...selector.requirements, ...extra]);
  return {
    namespaces,
    namespaceSelector: compileSelector(t.namespaceSelector),
    selector,
    topologyKey: t.topologyKey,
  };
}

const weighted = (owner: Pod, terms: WeightedPodAffinityTerm[] | undefined): WeightedAffinityTerm[] =>
  (terms ?? []).map((w) => ({ term: compileTerm(owner, w.podAffinityTerm), weight: w.weight }));

const EMPTY: PodAffinityInfo = Object.freeze({
  requiredAffinity: [],
  requiredAntiAffinity: [],
  preferredAffinity: [],
  preferredAntiAffinity: [],
});

const memo = new WeakMap<Pod, PodAffinityInfo>();

export function podAffinityInfo(pod: Pod): PodAffinityInfo {
  const a = pod.spec?.affinity;
  if (!a?.podAffinity && !a?.podAntiAffinity) return EMPTY;
  let info = memo.get(pod);
  if (!info) {
    const compile = (terms: PodAffinityTerm[] | undefined) => (terms ?? []).map((t) => compileTerm(pod, t));
    info = {
      requiredAffinity: compile(a.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
      requiredAntiAffinity: compile(a.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
      preferredAffinity: weighted(pod, a.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
      preferredAntiAffinity: weighted(
        pod,
        a.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
      ),
    };
    memo.set(pod, info);
  }
  return info;
}

/** AffinityTerm.Matches: the pod is in one of the term's namespaces and its labels match. */
export function termMatches(
  term: AffinityTerm,
  pod: Pod,
  namespaceLabels: Readonly<Record<string, string>> | undefined,
): boolean {
  const ns = pod.metadata.namespace ?? '';
  return (
    (term.namespaces.has(ns) || term.namespaceSelector.matches(namespaceLabels)) &&
    term.selector.matches(pod.metadata.labels)
  );
}

/** The pods (bound or assumed) that a term selects, from the pod index: O(matching pods). */
export function podsMatchingTerm(term: AffinityTerm, cluster: ClusterState): IndexedPod[] {
  if (term.selector.nothing) return [];
  const namespaces = new Set(term.namespaces);
  if (!term.namespaceSelector.nothing) {
    for (const ns of cluster.pods.namespaces())
      if (term.namespaceSelector.matches(cluster.namespaceLabels(ns))) namespaces.add(ns);
  }
  const out: IndexedPod[] = [];
  for (const ns of namespaces) out.push(...cluster.pods.matching(ns, term.selector));
  return out;
}

/** Counts (or weights) per topology pair: topology key → value → number. */
export class TopologyCounts {
  private readonly byKey = new Map<string, Map<string, number>>();
  private pairs = 0;

  /** Adds `n` to the pair (key, the value of key on the node); a node without the key is not counted. */
  add(key: string, nodeLabels: Readonly<Record<string, string>> | undefined, n: number): void {
    if (!hasLabel(nodeLabels, key)) return;
    let values = this.byKey.get(key);
    if (!values) this.byKey.set(key, (values = new Map()));
    const value = nodeLabels![key];
    if (!values.has(value)) this.pairs++;
    values.set(value, (values.get(value) ?? 0) + n);
  }

  get(key: string, value: string): number {
    return this.byKey.get(key)?.get(value) ?? 0;
  }

  /** Number of distinct (key, value) pairs recorded. */
  get size(): number {
    return this.pairs;
  }

  /** Σ over the recorded keys of the count of the node's value (how Score reads the map). */
  sumFor(nodeLabels: Readonly<Record<string, string>> | undefined): number {
    let sum = 0;
    if (!nodeLabels) return 0;
    for (const [key, values] of this.byKey) {
      if (hasLabel(nodeLabels, key)) sum += values.get(nodeLabels[key]) ?? 0;
    }
    return sum;
  }

  /** Whether any recorded key has a positive count for the node's value of that key. */
  anyPositiveFor(nodeLabels: Readonly<Record<string, string>> | undefined): boolean {
    if (!nodeLabels) return false;
    for (const [key, values] of this.byKey) {
      if (hasLabel(nodeLabels, key) && (values.get(nodeLabels[key]) ?? 0) > 0) return true;
    }
    return false;
  }
}
