// InterPodAffinity (kube-scheduler interpodaffinity/filtering.go and scoring.go): place a pod relative to the
// pods already running, per topology domain (a node for kubernetes.io/hostname, a zone, any node label).
//   PreFilter  count, per topology pair: existing pods whose required anti-affinity selects this pod (symmetry);
//              existing pods matching all of this pod's required affinity terms; existing pods matching each
//              of its required anti-affinity terms
//   Filter     affinity: the node's domain must hold a matching pod for every term (or, for the first pod of a
//              group that selects itself, no such pod may exist anywhere) — UnschedulableAndUnresolvable;
//              anti-affinity: no matching pod in the node's domain; existing pods' anti-affinity: no pod whose
//              term selects this pod in the node's domain
//   PreScore   weights per topology pair: +w / −w for existing pods matching this pod's preferred (anti-)
//              affinity terms; for existing pods' terms that select this pod: +1 per required affinity term
//              (hardPodAffinityWeight), +w / −w per preferred term
//   Score      Σ weights of the node's pairs; normalize: min → 0, max → 100
// Cost per cycle: O(pods matching this pod's terms + pods that have affinity terms), from the pod index.
import type { Pod } from '../../api/types.js';
import {
  MAX_NODE_SCORE,
  SKIP,
  SUCCESS,
  unresolvable,
  unschedulable,
  type ClusterState,
  type FilterPlugin,
  type ScorePlugin,
} from '../framework.js';
import { hasLabel } from '../label-selector.js';
import {
  podAffinityInfo,
  podsMatchingTerm,
  termMatches,
  TopologyCounts,
  type AffinityTerm,
  type PodAffinityInfo,
} from './pod-affinity-terms.js';

export const AFFINITY_REASON = "node(s) didn't match pod affinity rules";
export const ANTI_AFFINITY_REASON = "node(s) didn't match pod anti-affinity rules";
export const EXISTING_ANTI_AFFINITY_REASON = "node(s) didn't satisfy existing pods anti-affinity rules";

/** Weight of an existing pod's required affinity term that selects the incoming pod, in scoring. */
export const HARD_POD_AFFINITY_WEIGHT = 1;

const PRE_FILTER_KEY = 'PreFilterInterPodAffinity';
const PRE_SCORE_KEY = 'PreScoreInterPodAffinity';

interface FilterState {
  info: PodAffinityInfo;
  existingAntiAffinity: TopologyCounts;
  affinity: TopologyCounts;
  antiAffinity: TopologyCounts;
}

const nodeLabelsOf = (cluster: ClusterState, nodeName: string) =>
  cluster.nodeInfo(nodeName)?.node.metadata.labels;

function namespaceLabelsOf(pod: Pod, cluster: ClusterState) {
  return cluster.namespaceLabels(pod.metadata.namespace ?? '');
}

/** Whether the pod satisfies every one of the terms (podMatchesAllAffinityTerms; false without terms). */
function matchesAll(terms: AffinityTerm[], pod: Pod, cluster: ClusterState): boolean {
  if (terms.length === 0) return false;
  const nsLabels = namespaceLabelsOf(pod, cluster);
  return terms.every((t) => termMatches(t, pod, nsLabels));
}

function preFilterState(pod: Pod, cluster: ClusterState): FilterState {
  const info = podAffinityInfo(pod);
  const nsLabels = namespaceLabelsOf(pod, cluster);
  const existingAntiAffinity = new TopologyCounts();
  for (const { pod: existing, nodeName } of cluster.pods.withRequiredAntiAffinity()) {
    const labels = nodeLabelsOf(cluster, nodeName);
    if (!labels) continue;
    for (const t of podAffinityInfo(existing).requiredAntiAffinity)
      if (termMatches(t, pod, nsLabels)) existingAntiAffinity.add(t.topologyKey, labels, 1);
  }
  const affinity = new TopologyCounts();
  if (info.requiredAffinity.length > 0) {
    // A pod counts only if it matches all the terms; the first term's matches are the candidates.
    for (const { pod: p, nodeName } of podsMatchingTerm(info.requiredAffinity[0], cluster)) {
      const labels = nodeLabelsOf(cluster, nodeName);
      if (!labels || !matchesAll(info.requiredAffinity, p, cluster)) continue;
      for (const t of info.requiredAffinity) affinity.add(t.topologyKey, labels, 1);
    }
  }
  const antiAffinity = new TopologyCounts();
  for (const t of info.requiredAntiAffinity) {
    for (const { nodeName } of podsMatchingTerm(t, cluster)) {
      antiAffinity.add(t.topologyKey, nodeLabelsOf(cluster, nodeName), 1);
    }
  }
  return { info, existingAntiAffinity, affinity, antiAffinity };
}

function satisfiesAffinity(
  s: FilterState,
  pod: Pod,
  labels: Record<string, string> | undefined,
  cluster: ClusterState,
) {
  let podsExist = true;
  for (const t of s.info.requiredAffinity) {
    if (!hasLabel(labels, t.topologyKey)) return false;
    if (s.affinity.get(t.topologyKey, labels![t.topologyKey]) <= 0) podsExist = false;
  }
  // The first pod of a group with affinity to itself: allowed when no pod anywhere matches yet.
  return podsExist || (s.affinity.size === 0 && matchesAll(s.info.requiredAffinity, pod, cluster));
}

function satisfiesAntiAffinity(s: FilterState, labels: Record<string, string> | undefined): boolean {
  if (s.antiAffinity.size === 0 || !labels) return true;
  for (const t of s.info.requiredAntiAffinity) {
    if (!hasLabel(labels, t.topologyKey)) continue;
    if (s.antiAffinity.get(t.topologyKey, labels[t.topologyKey]) > 0) return false;
  }
  return true;
}

/** The existing pods' side of scoring, and this pod's preferred terms against the pods they select. */
function scoreState(pod: Pod, cluster: ClusterState): TopologyCounts {
  const info = podAffinityInfo(pod);
  const scores = new TopologyCounts();
  for (const [terms, sign] of [
    [info.preferredAffinity, 1],
    [info.preferredAntiAffinity, -1],
  ] as const) {
    for (const { term, weight } of terms) {
      for (const { nodeName } of podsMatchingTerm(term, cluster))
        scores.add(term.topologyKey, nodeLabelsOf(cluster, nodeName), sign * weight);
    }
  }
  const nsLabels = namespaceLabelsOf(pod, cluster);
  for (const { pod: existing, nodeName } of cluster.pods.withAffinity()) {
    const labels = nodeLabelsOf(cluster, nodeName);
    if (!labels) continue;
    const e = podAffinityInfo(existing);
    for (const t of e.requiredAffinity)
      if (termMatches(t, pod, nsLabels)) scores.add(t.topologyKey, labels, HARD_POD_AFFINITY_WEIGHT);
    for (const { term, weight } of e.preferredAffinity)
      if (termMatches(term, pod, nsLabels)) scores.add(term.topologyKey, labels, weight);
    for (const { term, weight } of e.preferredAntiAffinity)
      if (termMatches(term, pod, nsLabels)) scores.add(term.topologyKey, labels, -weight);
  }
  return scores;
}

export const interPodAffinity: FilterPlugin & ScorePlugin = {
  name: 'InterPodAffinity',

  preFilter(pod, { cluster, state }) {
    const s = preFilterState(pod, cluster);
    const { requiredAffinity, requiredAntiAffinity } = s.info;
    if (
      s.existingAntiAffinity.size === 0 &&
      requiredAffinity.length === 0 &&
      requiredAntiAffinity.length === 0
    )
      return SKIP;
    state.write(PRE_FILTER_KEY, s);
    return SUCCESS;
  },

  filter(pod, nodeInfo, { cluster, state }) {
    const s = state.read<FilterState>(PRE_FILTER_KEY);
    if (!s) return SUCCESS;
    const labels = nodeInfo.node.metadata.labels;
    if (!satisfiesAffinity(s, pod, labels, cluster)) return unresolvable(AFFINITY_REASON);
    if (!satisfiesAntiAffinity(s, labels)) return unschedulable(ANTI_AFFINITY_REASON);
    if (s.existingAntiAffinity.anyPositiveFor(labels)) return unschedulable(EXISTING_ANTI_AFFINITY_REASON);
    return SUCCESS;
  },

  preScore(pod, { feasible, cluster, state }) {
    if (feasible.length === 0) return SKIP;
    const scores = scoreState(pod, cluster);
    if (scores.size === 0) return SKIP;
    state.write(PRE_SCORE_KEY, scores);
    return SUCCESS;
  },

  score(_pod, nodeInfo, { state }) {
    return state.read<TopologyCounts>(PRE_SCORE_KEY)?.sumFor(nodeInfo.node.metadata.labels) ?? 0;
  },

  normalize(scores) {
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      min = Math.min(min, s);
      max = Math.max(max, s);
    }
    const diff = max - min;
    for (let i = 0; i < scores.length; i++)
      scores[i] = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((scores[i] - min) / diff)) : 0; // Go's float order
  },
};
