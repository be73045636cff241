// The scheduling framework (kube-scheduler's, reduced): Filter plugins say whether a pod fits a node, Score
// plugins rank the nodes that fit, and schedule() runs filter → score → weighted sum → pick the highest (ties go to
// the first node name). Plugins are pure functions of (pod, NodeInfo, ClusterState); all I/O is in scheduler.ts.
import type { Node, PersistentVolumeClaim, Pod } from '../api/types.js';

export type StatusCode = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error';

/** "Doesn't fit" (Unschedulable*) is kept apart from "broke" (Error). Reasons are the texts users see. */
export interface Status {
  code: StatusCode;
  reasons: string[];
}

export const SUCCESS: Status = Object.freeze({ code: 'Success', reasons: [] }) as Status;

export function unschedulable(...reasons: string[]): Status {
  return { code: 'Unschedulable', reasons };
}

/** Doesn't fit, and no preemption on this node would change that. */
export function unresolvable(...reasons: string[]): Status {
  return { code: 'UnschedulableAndUnresolvable', reasons };
}

export interface Resources {
  cpuMillis: number;
  memoryBytes: number;
  pods: number;
}

/** What the scheduler knows about one node: the node and the pods bound (or assumed bound) to it. */
export interface NodeInfo {
  readonly name: string;
  node: Node;
  /** Bound and assumed pods that are not terminal, by `ns/name`. */
  pods: Map<string, Pod>;
  /** Sum of the pods' requests. */
  requested: Resources;
  /** Same, with each container's missing cpu/memory request counted as 100m/200Mi (for scoring). */
  nonZeroRequested: Resources;
  allocatable: Resources;
  /** Host ports in use: `${protocol}/${port}` → hostIP → number of users. */
  usedPorts: Map<string, Map<string, number>>;
  /** Pods per controller (ownerReference with controller: true), by owner uid. */
  podsByController: Map<string, number>;
}

/**
 * Cluster objects other than nodes and pods that some plugins read, from the scheduler's informer caches
 * (kube-scheduler hands its plugins listers the same way).
 */
export interface ClusterState {
  pvc(namespace: string, name: string): PersistentVolumeClaim | undefined;
}

export const EMPTY_CLUSTER_STATE: ClusterState = { pvc: () => undefined };

export interface FilterPlugin {
  readonly name: string;
  /**
   * Optional pod-level check before any node is looked at (kube-scheduler's PreFilter), e.g. "the pod's claims
   * exist". A rejection makes the pod unschedulable on every node, with this status's reasons as the message.
   */
  preFilter?(pod: Pod, cluster: ClusterState): Status;
  filter(pod: Pod, nodeInfo: NodeInfo, cluster?: ClusterState): Status;
}

export interface ScoreContext {
  /** The nodes that passed the filters. */
  feasible: readonly NodeInfo[];
}

export interface ScorePlugin {
  readonly name: string;
  /** 0–100 (MaxNodeScore), unless normalize() maps the raw scores into that range. */
  score(pod: Pod, nodeInfo: NodeInfo, ctx: ScoreContext): number;
  /** Rewrites the raw scores in place; `scores[i]` belongs to `ctx.feasible[i]`. */
  normalize?(scores: number[], pod: Pod, ctx: ScoreContext): void;
}

export interface Plugins {
  filters: FilterPlugin[];
  scores: { plugin: ScorePlugin; weight: number }[];
}

export const MAX_NODE_SCORE = 100;

export interface ScheduleOptions {
  /** Stop filtering once this many feasible nodes are found (kube-scheduler's percentageOfNodesToScore). */
  numFeasibleNodesToFind?: number;
  /** Index in nodeInfos where filtering starts (rotated between pods so all nodes get their turn). */
  startIndex?: number;
  /** What plugins may read besides nodes and pods; default: nothing. */
  cluster?: ClusterState;
}

export interface ScheduleResult {
  /** The chosen node, or undefined when none fits. */
  node?: string;
  /** Why each node that was filtered out was filtered out. */
  filtered: Map<string, Status>;
  /** Weighted total score per feasible node. */
  scores: Map<string, number>;
  /** Where the next pod should start filtering. */
  nextStartIndex: number;
  /** Set when a PreFilter rejected the pod (then no node was filtered). */
  preFilterStatus?: Status;
}

/** kube-scheduler's adaptive node sampling: all nodes below 100, then 50% − n/125 (at least 5%, 100 nodes). */
export function numFeasibleNodesToFind(numAllNodes: number): number {
  if (numAllNodes < 100) return numAllNodes;
  const percentage = Math.max(5, 50 - Math.floor(numAllNodes / 125));
  return Math.max(100, Math.floor((numAllNodes * percentage) / 100));
}

/** Runs the filters in order; the first that rejects the node decides its Status. */
export function runFilters(
  pod: Pod,
  nodeInfo: NodeInfo,
  filters: FilterPlugin[],
  cluster: ClusterState = EMPTY_CLUSTER_STATE,
): Status {
  for (const f of filters) {
    const s = f.filter(pod, nodeInfo, cluster);
    if (s.code !== 'Success') return s;
  }
  return SUCCESS;
}

/** Runs the PreFilters; the first rejection, if any. */
export function runPreFilters(pod: Pod, filters: FilterPlugin[], cluster: ClusterState): Status | undefined {
  for (const f of filters) {
    const s = f.preFilter?.(pod, cluster);
    if (s && s.code !== 'Success') return s;
  }
  return undefined;
}

export function schedule(
  pod: Pod,
  nodeInfos: readonly NodeInfo[],
  plugins: Plugins,
  opts: ScheduleOptions = {},
): ScheduleResult {
  const n = nodeInfos.length;
  const want = Math.min(n, opts.numFeasibleNodesToFind ?? n);
  const start = n === 0 ? 0 : (opts.startIndex ?? 0) % n;
  const filtered = new Map<string, Status>();
  const feasible: NodeInfo[] = [];
  const cluster = opts.cluster ?? EMPTY_CLUSTER_STATE;
  const preFilterStatus = n === 0 ? undefined : runPreFilters(pod, plugins.filters, cluster);
  if (preFilterStatus) return { filtered, scores: new Map(), nextStartIndex: start, preFilterStatus };
  let i = 0;
  for (; i < n && feasible.length < want; i++) {
    const ni = nodeInfos[(start + i) % n];
    const status = runFilters(pod, ni, plugins.filters, cluster);
    if (status.code === 'Success') feasible.push(ni);
    else filtered.set(ni.name, status);
  }
  const nextStartIndex = n === 0 ? 0 : (start + i) % n;
  const scores = new Map<string, number>();
  if (feasible.length === 0) return { filtered, scores, nextStartIndex };
  if (feasible.length === 1) {
    scores.set(feasible[0].name, 0);
    return { node: feasible[0].name, filtered, scores, nextStartIndex };
  }

  // Plain arrays indexed like `feasible`: this loop runs for every pod over hundreds of nodes.
  const totals = new Array<number>(feasible.length).fill(0);
  const raw = new Array<number>(feasible.length);
  const ctx: ScoreContext = { feasible };
  for (const { plugin, weight } of plugins.scores) {
    for (let j = 0; j < feasible.length; j++) raw[j] = plugin.score(pod, feasible[j], ctx);
    plugin.normalize?.(raw, pod, ctx);
    for (let j = 0; j < feasible.length; j++) totals[j] += raw[j] * weight;
  }
  let best = 0;
  for (let j = 0; j < feasible.length; j++) {
    scores.set(feasible[j].name, totals[j]);
    const better =
      totals[j] > totals[best] || (totals[j] === totals[best] && feasible[j].name < feasible[best].name);
    if (better) best = j;
  }
  return { node: feasible[best].name, filtered, scores, nextStartIndex };
}

export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

/**
 * The FailedScheduling message, exactly as kube-scheduler's FitError.Error() writes it:
 * `0/3 nodes are available: 1 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector.`
 * Each reason is counted once per node; the "<count> <reason>" strings are sorted as text. A PreFilter rejection
 * is reported once, not per node: `0/3 nodes are available: persistentvolumeclaim "data" not found.`
 */
export function fitErrorMessage(
  numAllNodes: number,
  filtered: ReadonlyMap<string, Status>,
  preFilterStatus?: Status,
): string {
  if (numAllNodes === 0) return NO_NODES_AVAILABLE;
  if (preFilterStatus) return `0/${numAllNodes} nodes are available: ${preFilterStatus.reasons.join(', ')}.`;
  const counts = new Map<string, number>();
  for (const status of filtered.values()) {
    for (const r of status.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  const parts = [...counts].map(([reason, count]) => `${count} ${reason}`).sort(compareGoStrings);
  let msg = `0/${numAllNodes} nodes are available:`;
  if (parts.length > 0) msg += ` ${parts.join(', ')}.`;
  return msg;
}

/** Go's sort.Strings order (byte-wise), not localeCompare. */
function compareGoStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
