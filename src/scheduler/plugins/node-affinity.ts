// NodeAffinity (kube-scheduler's nodeaffinity plugin and k8s.io/component-helpers nodeaffinity):
//   Filter   the pod's nodeSelector labels must all be on the node, and when it has requiredDuringScheduling…
//            node affinity, one of its terms must match (DaemonSet pods pin themselves with a matchFields term
//            on metadata.name). Reason: node(s) didn't match Pod's node affinity/selector
//   Score    the sum of the weights of the preferredDuringScheduling… terms the node matches, scaled so the best
//            node gets 100.
// A term ANDs its requirements; a term with none matches nothing, as does a malformed one (bad operator, wrong
// number of values, a non-integer for Gt/Lt, a field other than metadata.name).
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod } from '../../api/types.js';
import {
  defaultNormalizeScore,
  SKIP,
  SUCCESS,
  unresolvable,
  type FilterPlugin,
  type ScorePlugin,
} from '../framework.js';
import { hasLabel } from '../label-selector.js';

export type { NodeSelectorRequirement, NodeSelectorTerm } from '../../api/types.js';

export const NODE_SELECTOR_REASON = "node(s) didn't match Pod's node affinity/selector";

type NodeMatcher = (node: Node) => boolean;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64). */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

/** One requirement as a predicate on a value (undefined = absent), or undefined when it is malformed. */
function compileRequirement(
  r: NodeSelectorRequirement,
  field: boolean,
): ((v?: string) => boolean) | undefined {
  const values = r.values ?? [];
  if (field) {
    // Fields support only metadata.name with In/NotIn and exactly one value (fields.OneTermEqualSelector).
    if (r.key !== 'metadata.name' || values.length !== 1) return undefined;
    if (r.operator === 'In') return (v) => v === values[0];
    if (r.operator === 'NotIn') return (v) => v !== values[0];
    return undefined;
  }
  switch (r.operator) {
    case 'In':
      return values.length === 0 ? undefined : (v) => v !== undefined && values.includes(v);
    case 'NotIn':
      return values.length === 0 ? undefined : (v) => v === undefined || !values.includes(v);
    case 'Exists':
      return values.length > 0 ? undefined : (v) => v !== undefined;
    case 'DoesNotExist':
      return values.length > 0 ? undefined : (v) => v === undefined;
    case 'Gt':
    case 'Lt': {
      const want = values.length === 1 ? parseInt64(values[0]) : undefined;
      if (want === undefined) return undefined;
      const gt = r.operator === 'Gt';
      return (v) => {
        const have = v === undefined ? undefined : parseInt64(v);
        return have !== undefined && (gt ? have > want : have < want);
      };
    }
    default:
      return undefined;
  }
}

const labelOf = (node: Node, key: string): string | undefined =>
  hasLabel(node.metadata.labels, key) ? node.metadata.labels![key] : undefined;

/** A term as a node predicate; undefined when it matches no node (empty or malformed). */
function compileTerm(term: NodeSelectorTerm | undefined): NodeMatcher | undefined {
  const exprs = term?.matchExpressions ?? [];
  const fields = term?.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return undefined;
  const checks: NodeMatcher[] = [];
  for (const r of exprs) {
    const ok = compileRequirement(r, false);
    if (!ok) return undefined;
    checks.push((node) => ok(labelOf(node, r.key)));
  }
  for (const r of fields) {
    const ok = compileRequirement(r, true);
    if (!ok) return undefined;
    checks.push((node) => ok(node.metadata.name));
  }
  return (node) => checks.every((c) => c(node));
}

/** A term matches when all its requirements do; a term with no requirements matches nothing. */
export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  return compileTerm(term)?.(node) ?? false;
}

const requiredMemo = new WeakMap<Pod, NodeMatcher | null>();

/**
 * nodeaffinity.GetRequiredNodeAffinity: nodeSelector AND (when present) one of the required terms.
 * Null when the pod constrains nothing. Memoized per pod object.
 */
export function requiredNodeAffinity(pod: Pod): NodeMatcher | null {
  let m = requiredMemo.get(pod);
  if (m !== undefined) return m;
  const selector = Object.entries(pod.spec?.nodeSelector ?? {});
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms = required
    ? (required.nodeSelectorTerms ?? []).flatMap((t) => compileTerm(t) ?? [])
    : undefined;
  m =
    selector.length === 0 && !terms
      ? null
      : (node) => {
          for (const [k, v] of selector) if (labelOf(node, k) !== v) return false;
          return !terms || terms.some((t) => t(node));
        };
  requiredMemo.set(pod, m);
  return m;
}

export function matchesNodeSelector(pod: Pod, node: Node): boolean {
  return requiredNodeAffinity(pod)?.(node) ?? true;
}

interface WeightedMatcher {
  weight: number;
  matches: NodeMatcher;
}

const preferredMemo = new WeakMap<Pod, WeightedMatcher[]>();

/** The preferred terms that can score: weight ≠ 0, non-empty, well-formed. Memoized per pod object. */
export function preferredTerms(pod: Pod): WeightedMatcher[] {
  let terms = preferredMemo.get(pod);
  if (!terms) {
    terms = [];
    for (const t of pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
      const matches = t.weight ? compileTerm(t.preference) : undefined;
      if (matches) terms.push({ weight: t.weight, matches });
    }
    preferredMemo.set(pod, terms);
  }
  return terms;
}

export const nodeAffinity: FilterPlugin & ScorePlugin = {
  name: 'NodeAffinity',
  preFilter: (pod) => (requiredNodeAffinity(pod) ? SUCCESS : SKIP),
  filter: (pod, nodeInfo) =>
    matchesNodeSelector(pod, nodeInfo.node) ? SUCCESS : unresolvable(NODE_SELECTOR_REASON),
  preScore: (pod) => (preferredTerms(pod).length > 0 ? SUCCESS : SKIP),
  score(pod, nodeInfo) {
    let sum = 0;
    for (const t of preferredTerms(pod)) if (t.matches(nodeInfo.node)) sum += t.weight;
    return sum;
  },
  normalize: (scores) => defaultNormalizeScore(scores),
};
