// The topology spread constraints that apply to a pod (kube-scheduler podtopologyspread/common.go):
//   - its own spec.topologySpreadConstraints of the wanted kind (DoNotSchedule for the filter, ScheduleAnyway
//     for the score), with matchLabelKeys merged into the selector;
//   - otherwise the system defaults (hostname maxSkew 3, zone maxSkew 5, both ScheduleAnyway), selecting the
//     pod's siblings by the selectors of its Services and of its ReplicaSet or StatefulSet
//     (helper.DefaultSelector). A pod with no such selector gets none: that is why replicas of one owner spread
//     across nodes by default while a bare pod does not.
import type { Node, NodeInclusionPolicy, Pod, Service, TopologySpreadConstraint } from '../../api/types.js';
import type { ClusterState } from '../framework.js';
import {
  compileSelector,
  hasLabel,
  labelSelectorRequirements,
  selectorOf,
  setRequirements,
  type Requirement,
  type Selector,
} from '../label-selector.js';
import { requiredNodeAffinity } from './node-affinity.js';
import { tolerated } from './taint-toleration.js';

export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export const SYSTEM_DEFAULT_CONSTRAINTS: readonly TopologySpreadConstraint[] = [
  { topologyKey: HOSTNAME_LABEL, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: ZONE_LABEL, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
];

/** A constraint with its selector compiled and its defaults applied. */
export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  selector: Selector;
  minDomains: number;
  nodeAffinityPolicy: NodeInclusionPolicy;
  nodeTaintsPolicy: NodeInclusionPolicy;
}

type Action = TopologySpreadConstraint['whenUnsatisfiable'];

function compile(
  constraints: readonly TopologySpreadConstraint[],
  pod: Pod,
  action: Action,
): SpreadConstraint[] {
  const out: SpreadConstraint[] = [];
  const podLabels = pod.metadata.labels ?? {};
  for (const c of constraints) {
    if (c.whenUnsatisfiable !== action) continue;
    let selector = compileSelector(c.labelSelector);
    const keys = (c.matchLabelKeys ?? []).filter((k) => hasLabel(podLabels, k));
    if (keys.length > 0) {
      const set = Object.fromEntries(keys.map((k) => [k, podLabels[k]]));
      selector = selectorOf([...setRequirements(set), ...selector.requirements]);
    }
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      minDomains: c.minDomains ?? 1,
      nodeAffinityPolicy: c.nodeAffinityPolicy ?? 'Honor',
      nodeTaintsPolicy: c.nodeTaintsPolicy ?? 'Ignore',
    });
  }
  return out;
}

const serviceSelectors = new WeakMap<Service, readonly (readonly [string, string])[] | null>();

/** A Service's selector as entries (null: it has none and selects nothing), memoized per Service object. */
function serviceSelector(svc: Service): readonly (readonly [string, string])[] | null {
  let sel = serviceSelectors.get(svc);
  if (sel === undefined) {
    sel = svc.spec?.selector ? Object.entries(svc.spec.selector) : null;
    serviceSelectors.set(svc, sel);
  }
  return sel;
}

/** helper.DefaultSelector: the pod's Services' selectors, ANDed with its ReplicaSet's or StatefulSet's. */
export function defaultSelector(pod: Pod, cluster: ClusterState): Selector {
  const ns = pod.metadata.namespace ?? '';
  const labels = pod.metadata.labels ?? {};
  const set: Record<string, string> = {};
  for (const svc of cluster.services(ns)) {
    const sel = serviceSelector(svc);
    if (!sel) continue; // a Service without a selector selects nothing
    let selects = true;
    for (const [k, v] of sel) {
      if (labels[k] !== v || !hasLabel(labels, k)) {
        selects = false;
        break;
      }
    }
    if (selects) for (const [k, v] of sel) set[k] = v;
  }
  const reqs: Requirement[] = setRequirements(set);
  const owner = pod.metadata.ownerReferences?.find((o) => o.controller);
  if (owner?.apiVersion === 'apps/v1' && (owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet')) {
    const ctrl =
      owner.kind === 'ReplicaSet' ? cluster.replicaSet(ns, owner.name) : cluster.statefulSet(ns, owner.name);
    const ownerReqs = ctrl?.spec?.selector ? labelSelectorRequirements(ctrl.spec.selector) : undefined;
    if (ownerReqs) reqs.push(...ownerReqs);
  }
  return selectorOf(reqs);
}

/** The constraints of the given kind that apply to the pod (its own, else the system defaults). */
export function spreadConstraints(pod: Pod, action: Action, cluster: ClusterState): SpreadConstraint[] {
  const own = pod.spec?.topologySpreadConstraints;
  if (own && own.length > 0) return compile(own, pod, action);
  const defaults = compile(SYSTEM_DEFAULT_CONSTRAINTS, pod, action);
  if (defaults.length === 0) return [];
  const selector = defaultSelector(pod, cluster);
  if (selector.everything) return [];
  return defaults.map((c) => ({ ...c, selector }));
}

export function hasAllTopologyKeys(node: Node, constraints: readonly SpreadConstraint[]): boolean {
  const labels = node.metadata.labels;
  return constraints.every((c) => hasLabel(labels, c.topologyKey));
}

/**
 * Whether a node's pods count for a constraint (matchNodeInclusionPolicies): with nodeAffinityPolicy Honor the
 * node must satisfy the pod's nodeSelector/required node affinity; with nodeTaintsPolicy Honor it must carry no
 * NoSchedule/NoExecute taint the pod does not tolerate. Undefined when every node is included (the common case,
 * so callers can skip the per-node check).
 */
export function inclusionCheck(c: SpreadConstraint, pod: Pod): ((node: Node) => boolean) | undefined {
  const affinity = c.nodeAffinityPolicy === 'Honor' ? requiredNodeAffinity(pod) : null;
  const taints = c.nodeTaintsPolicy === 'Honor';
  if (!affinity && !taints) return undefined;
  return (node) => {
    if (affinity && !affinity(node)) return false;
    if (taints) {
      for (const t of node.spec?.taints ?? []) {
        if ((t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerated(pod.spec.tolerations, t))
          return false;
      }
    }
    return true;
  };
}

/**
 * How many pods matching each constraint's selector run on each node: pods in the pod's namespace that are not
 * being deleted (countPodsMatchSelector). One index query per distinct selector; O(matching pods).
 */
export function matchingPodsPerNode(
  pod: Pod,
  constraints: readonly SpreadConstraint[],
  cluster: ClusterState,
): Map<string, number>[] {
  const bySelector = new Map<Selector, Map<string, number>>();
  const ns = pod.metadata.namespace ?? '';
  return constraints.map(({ selector }) => {
    let counts = bySelector.get(selector);
    if (!counts) {
      counts = new Map();
      for (const { pod: p, nodeName } of cluster.pods.matching(ns, selector)) {
        if (!p.metadata.deletionTimestamp) counts.set(nodeName, (counts.get(nodeName) ?? 0) + 1);
      }
      bySelector.set(selector, counts);
    }
    return counts;
  });
}
