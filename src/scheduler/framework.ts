// The scheduling framework (kube-scheduler's, reduced): PreFilter plugins compute per-pod state once, Filter
// plugins say whether a pod fits a node, PreScore/Score plugins rank the nodes that fit, and schedule() runs
// prefilter → filter → prescore → score → normalize → weighted sum → pick the highest (ties go to the first node
// name). Plugins are pure functions of (pod, NodeInfo, CycleContext); all I/O is in scheduler.ts.
//
// Cost of one cycle: PreFilter/PreScore are O(nodes + matching pods) (the pod index answers "which pods match
// this selector"), Filter and Score O(1)-ish per node, so a cycle is O(nodes) for any pod.
import type { Node, PersistentVolumeClaim, Pod, ReplicaSet, Service, StatefulSet } from '../api/types.js';
import { staticClusterState } from './cluster-state.js';
import type { PodLister } from './pod-index.js';

export type StatusCode = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error' | 'Skip';

/** "Doesn't fit" (Unschedulable*) is kept apart from "broke" (Error). Reasons are the texts users see. */
export interface Status {
  code: StatusCode;
  reasons: string[];
}

export const SUCCESS: Status = Object.freeze({ code: 'Success', reasons: [] }) as Status;

/** From PreFilter: this plugin has nothing to check for the pod (its Filter is not run); from PreScore: no score. */
export const SKIP: Status = Object.freeze({ code: 'Skip', reasons: [] }) as Status;

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
}

/**
 * Cluster objects other than nodes that some plugins read, from the scheduler's informer caches and its pod
 * index (kube-scheduler hands its plugins listers and a snapshot the same way).
 */
export interface ClusterState {
  pvc(namespace: string, name: string): PersistentVolumeClaim | undefined;
  /** The Services of a namespace (default spreading selects a pod's siblings by its Services' selectors). */
  services(namespace: string): readonly Service[];
  replicaSet(namespace: string, name: string): ReplicaSet | undefined;
  statefulSet(namespace: string, name: string): StatefulSet | undefined;
  /** A namespace's labels (for namespaceSelector in pod affinity terms); undefined if unknown. */
  namespaceLabels(name: string): Readonly<Record<string, string>> | undefined;
  /** The NodeInfo of a schedulable node, e.g. to read the topology labels of the node a pod runs on. */
  nodeInfo(name: string): NodeInfo | undefined;
  /** Bound and assumed pods, indexed by namespace and labels. */
  readonly pods: PodLister;
}

/** Per-cycle data that plugins compute in PreFilter/PreScore and read per node (kube-scheduler's CycleState). */
export class CycleState {
  private readonly data = new Map<string, unknown>();

  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
}

/** What every plugin call of one scheduling cycle can see besides the pod and the node in question. */
export interface CycleContext {
  /** Every schedulable node (what PreFilter and PreScore count pods over). */
  readonly nodes: readonly NodeInfo[];
  readonly cluster: ClusterState;
  readonly state: CycleState;
  /** The nodes that passed the filters; set before PreScore. */
  feasible: readonly NodeInfo[];
}

/** A fresh cycle over `nodes`; `feasible` starts as all of them (schedule() narrows it before PreScore). */
export function newCycle(
  nodes: readonly NodeInfo[],
  cluster: ClusterState = staticClusterState(nodes),
): CycleContext {
  return { nodes, cluster, state: new CycleState(), feasible: nodes };
}

export interface FilterPlugin {
  readonly name: string;
  /**
   * Optional pod-level step before any node is looked at (kube-scheduler's PreFilter): precompute state for
   * filter(), or reject the pod on every node (its reasons are the message), or SKIP when there is nothing to
   * check (then filter() is not called for this pod).
   */
  preFilter?(pod: Pod, ctx: CycleContext): Status;
  filter(pod: Pod, nodeInfo: NodeInfo, ctx: CycleContext): Status;
}

export interface ScorePlugin {
  readonly name: string;
  /** Optional per-pod step before scoring (kube-scheduler's PreScore); SKIP means "every node scores 0". */
  preScore?(pod: Pod, ctx: CycleContext): Status;
  /** 0–100 (MaxNodeScore), unless normalize() maps the raw scores into that range. */
  score(pod: Pod, nodeInfo: NodeInfo, ctx: CycleContext): number;
  /** Rewrites the raw scores in place; `scores[i]` belongs to `ctx.feasible[i]`. */
  normalize?(scores: number[], pod: Pod, ctx: CycleContext): void;
}

export interface Plugins {
  filters: FilterPlugin[];
  scores: { plugin: ScorePlugin; weight: number }[];
}

export const MAX_NODE_SCORE = 100;

/** helper.DefaultNormalizeScore: scale so the highest is 100 (reverse: the highest becomes 0). */
export function defaultNormalizeScore(scores: number[], reverse = false): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  for (let i = 0; i < scores.length; i++) {
    if (max === 0) {
      if (reverse) scores[i] = MAX_NODE_SCORE;
      continue;
    }
    const s = Math.trunc((MAX_NODE_SCORE * scores[i]) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}

export interface ScheduleOptions {
  /** Stop filtering once this many feasible nodes are found (kube-scheduler's percentageOfNodesToScore). */
  numFeasibleNodesToFind?: number;
  /** Index in nodeInfos where filtering starts (rotated between pods so all nodes get their turn). */
  startIndex?: number;
  /** What plugins may read besides the nodes; default: the pods of `nodeInfos` and no other objects. */
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
export function runFilters(pod: Pod, nodeInfo: NodeInfo, filters: FilterPlugin[], ctx: CycleContext): Status {
  for (const f of filters) {
    const s = f.filter(pod, nodeInfo, ctx);
    if (s.code !== 'Success') return s;
  }
  return SUCCESS;
}

/** Runs the PreFilters: the first rejection, if any, and the filters left to run (those that did not SKIP). */
export function runPreFilters(
  pod: Pod,
  filters: FilterPlugin[],
  ctx: CycleContext,
): { rejection?: Status; active: FilterPlugin[] } {
  const active: FilterPlugin[] = [];
  for (const f of filters) {
    const s = f.preFilter?.(pod, ctx);
    if (s?.code === 'Skip') continue;
    if (s && s.code !== 'Success') return { rejection: s, active };
    active.push(f);
  }
  return { active };
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
  if (n === 0) return { filtered, scores: new Map(), nextStartIndex: 0 };
  const ctx = newCycle(nodeInfos, opts.cluster);
  const { rejection, active } = runPreFilters(pod, plugins.filters, ctx);
  if (rejection) return { filtered, scores: new Map(), nextStartIndex: start, preFilterStatus: rejection };
  const feasible: NodeInfo[] = [];
  let i = 0;
  for (; i < n && feasible.length < want; i++) {
    const ni = nodeInfos[(start + i) % n];
    const status = runFilters(pod, ni, active, ctx);
    if (status.code === 'Success') feasible.push(ni);
    else filtered.set(ni.name, status);
  }
  const nextStartIndex = (start + i) % n;
  if (feasible.length === 0) return { filtered, scores: new Map(), nextStartIndex };
  if (feasible.length === 1) {
    return { node: feasible[0].name, filtered, scores: new Map([[feasible[0].name, 0]]), nextStartIndex };
  }

  // Plain arrays indexed like `feasible`: this loop runs for every pod over hundreds of nodes.
  ctx.feasible = feasible;
  const totals = new Array<number>(feasible.length).fill(0);
  const raw = new Array<number>(feasible.length);
  for (const { plugin, weight } of plugins.scores) {
    if (plugin.preScore?.(pod, ctx).code === 'Skip') continue; // every node scores 0
    for (let j = 0; j < feasible.length; j++) raw[j] = plugin.score(pod, feasible[j], ctx);
    plugin.normalize?.(raw, pod, ctx);
    for (let j = 0; j < feasible.length; j++) totals[j] += raw[j] * weight;
  }
  let best = 0;
  for (let j = 1; j < feasible.length; j++) {
    const better =
      totals[j] > totals[best] || (totals[j] === totals[best] && feasible[j].name < feasible[best].name);
    if (better) best = j;
  }
  // The per-node totals are for tests and debugging; the scheduler never reads them, so the Map (hundreds of
  // entries per pod) is only built when asked for.
  let byName: Map<string, number> | undefined;
  return {
    node: feasible[best].name,
    filtered,
    get scores() {
      return (byName ??= new Map(feasible.map((ni, j) => [ni.name, totals[j]])));
    },
    nextStartIndex,
  };
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
