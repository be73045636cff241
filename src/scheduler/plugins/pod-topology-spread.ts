// PodTopologySpread (kube-scheduler podtopologyspread/filtering.go and scoring.go): keep pods that match a
// selector evenly spread over topology domains (nodes, zones, any node label).
//   PreFilter  for each DoNotSchedule constraint, count matching pods per domain over every eligible node and
//              find the global minimum (0 while there are fewer domains than minDomains)
//   Filter     a node without the constraint's topology key is out (missing required label); otherwise
//              placing the pod must keep `pods in its domain + 1 (if the pod matches) − minimum ≤ maxSkew`
//   PreScore   for each ScheduleAnyway constraint (the system defaults when the pod has none), count matching
//              pods per domain of the feasible nodes; weight each constraint by log(domains + 2)
//   Score      Σ count(domain of node) · weight + (maxSkew − 1); normalize: fewer pods → closer to 100
// Cost per cycle: O(nodes + matching pods) in PreFilter/PreScore (counts come from the pod index), O(constraints)
// per node in Filter/Score.
import {
  MAX_NODE_SCORE,
  SKIP,
  SUCCESS,
  unresolvable,
  unschedulable,
  type FilterPlugin,
  type ScorePlugin,
} from '../framework.js';
import { hasLabel } from '../label-selector.js';
import {
  HOSTNAME_LABEL,
  hasAllTopologyKeys,
  inclusionCheck,
  matchingPodsPerNode,
  spreadConstraints,
  type SpreadConstraint,
} from './spread-constraints.js';

export const SPREAD_REASON = "node(s) didn't match pod topology spread constraints";
export const SPREAD_MISSING_LABEL_REASON = `${SPREAD_REASON} (missing required label)`;

const PRE_FILTER_KEY = 'PreFilterPodTopologySpread';
const PRE_SCORE_KEY = 'PreScorePodTopologySpread';

interface FilterState {
  constraints: SpreadConstraint[];
  /** Per constraint: topology value → matching pods in that domain. */
  domainCounts: Map<string, number>[];
  /** Per constraint: the global minimum the skew is measured against. */
  minMatch: number[];
}

interface ScoreState {
  constraints: SpreadConstraint[];
  /** Per constraint: whether its key is kubernetes.io/hostname (counted per node, by node name). */
  isHost: boolean[];
  /** Feasible nodes missing a topology key (only with the pod's own constraints); they score 0. */
  ignored: Set<string>;
  /** Per constraint: domain counts (non-hostname keys) or per-node counts (hostname). */
  counts: Map<string, number>[];
  weights: number[];
}

export const podTopologySpread: FilterPlugin & ScorePlugin = {
  name: 'PodTopologySpread',

  preFilter(pod, { nodes, cluster, state }) {
    const constraints = spreadConstraints(pod, 'DoNotSchedule', cluster);
    if (constraints.length === 0) return SKIP;
    const perNode = matchingPodsPerNode(pod, constraints, cluster);
    const included = constraints.map((c) => inclusionCheck(c, pod));
    const domainCounts = constraints.map(() => new Map<string, number>());
    for (const ni of nodes) {
      const node = ni.node;
      if (!hasAllTopologyKeys(node, constraints)) continue;
      for (let i = 0; i < constraints.length; i++) {
        if (included[i] && !included[i]!(node)) continue;
        const value = node.metadata.labels![constraints[i].topologyKey];
        domainCounts[i].set(value, (domainCounts[i].get(value) ?? 0) + (perNode[i].get(ni.name) ?? 0));
      }
    }
    const minMatch = constraints.map((c, i) => {
      if (domainCounts[i].size < c.minDomains) return 0;
      let min = Infinity;
      for (const n of domainCounts[i].values()) if (n < min) min = n;
      return min;
    });
    state.write(PRE_FILTER_KEY, { constraints, domainCounts, minMatch } satisfies FilterState);
    return SUCCESS;
  },

  filter(pod, nodeInfo, { state }) {
    const s = state.read<FilterState>(PRE_FILTER_KEY);
    if (!s) return SUCCESS;
    const labels = nodeInfo.node.metadata.labels;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i];
      if (!hasLabel(labels, c.topologyKey)) return unresolvable(SPREAD_MISSING_LABEL_REASON);
      const self = c.selector.matches(pod.metadata.labels) ? 1 : 0;
      const skew = (s.domainCounts[i].get(labels![c.topologyKey]) ?? 0) + self - s.minMatch[i];
      if (skew > c.maxSkew) return unschedulable(SPREAD_REASON);
    }
    return SUCCESS;
  },

  preScore(pod, { nodes, feasible, cluster, state }) {
    if (nodes.length === 0) return SKIP;
    const constraints = spreadConstraints(pod, 'ScheduleAnyway', cluster);
    if (constraints.length === 0) return SKIP;
    // Only the pod's own constraints need every key on a node: a node without a zone label still gets the
    // system default's hostname spreading.
    const requireAll = (pod.spec.topologySpreadConstraints?.length ?? 0) > 0;
    const ignored = new Set<string>();
    const isHost = constraints.map((c) => c.topologyKey === HOSTNAME_LABEL);
    // Domains (topology values) of the feasible nodes, for keys other than the hostname (counted per node).
    const domains = constraints.map(() => new Map<string, number>());
    for (const ni of feasible) {
      if (requireAll && !hasAllTopologyKeys(ni.node, constraints)) {
        ignored.add(ni.name);
        continue;
      }
      const labels = ni.node.metadata.labels;
      for (let i = 0; i < constraints.length; i++) {
        if (isHost[i]) continue;
        const value = labels?.[constraints[i].topologyKey] ?? '';
        if (!domains[i].has(value)) domains[i].set(value, 0);
      }
    }
    const weights = constraints.map((_c, i) =>
      Math.log((isHost[i] ? feasible.length - ignored.size : domains[i].size) + 2),
    );
    const perNode = matchingPodsPerNode(pod, constraints, cluster);
    const counts = constraints.map((c, i) => {
      if (isHost[i]) return perNode[i];
      // Sum the matching pods of every node (feasible or not) whose domain holds a feasible node.
      const included = inclusionCheck(c, pod);
      for (const [nodeName, n] of perNode[i]) {
        const node = cluster.nodeInfo(nodeName)?.node;
        if (!node || (requireAll && !hasAllTopologyKeys(node, constraints))) continue;
        if (included && !included(node)) continue;
        const value = node.metadata.labels?.[c.topologyKey] ?? '';
        const cur = domains[i].get(value);
        if (cur !== undefined) domains[i].set(value, cur + n);
      }
      return domains[i];
    });
    state.write(PRE_SCORE_KEY, { constraints, isHost, ignored, counts, weights } satisfies ScoreState);
    return SUCCESS;
  },

  score(_pod, nodeInfo, { state }) {
    const s = state.read<ScoreState>(PRE_SCORE_KEY);
    if (!s || s.ignored.has(nodeInfo.name)) return 0;
    const labels = nodeInfo.node.metadata.labels;
    let score = 0;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i];
      if (!hasLabel(labels, c.topologyKey)) continue;
      const count = s.counts[i].get(s.isHost[i] ? nodeInfo.name : labels![c.topologyKey]) ?? 0;
      score += count * s.weights[i] + (c.maxSkew - 1);
    }
    return Math.round(score);
  },

  normalize(scores, _pod, { feasible, state }) {
    const s = state.read<ScoreState>(PRE_SCORE_KEY);
    if (!s) return;
    let min = Infinity;
    let max = 0;
    for (let i = 0; i < scores.length; i++) {
      if (s.ignored.has(feasible[i].name)) continue;
      min = Math.min(min, scores[i]);
      max = Math.max(max, scores[i]);
    }
    for (let i = 0; i < scores.length; i++) {
      if (s.ignored.has(feasible[i].name)) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.floor((MAX_NODE_SCORE * (max + min - scores[i])) / max);
    }
  },
};
