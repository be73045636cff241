// NodeAffinity (selector part): the pod's nodeSelector labels must all be on the node, and when it has
// requiredDuringSchedulingIgnoredDuringExecution node affinity, at least one of its terms must match
// (DaemonSet pods use a matchFields term on metadata.name to pin themselves to one node).
import type { Node, Pod } from '../../api/types.js';
import { SUCCESS, unresolvable, type FilterPlugin } from '../framework.js';

export const NODE_SELECTOR_REASON = "node(s) didn't match Pod's node affinity/selector";

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

function requirementMatches(req: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const [have, want] = [Number.parseInt(value, 10), Number.parseInt(values[0], 10)];
      if (Number.isNaN(have) || Number.isNaN(want)) return false;
      return req.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** A term matches when all its requirements do; a term with no requirements matches nothing. */
export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  return (
    exprs.every((r) => requirementMatches(r, labels[r.key])) &&
    fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata.name))
  );
}

function requiredTerms(pod: Pod): NodeSelectorTerm[] | undefined {
  const affinity = pod.spec.affinity as
    | {
        nodeAffinity?: {
          requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
        };
      }
    | undefined;
  return affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
}

export function matchesNodeSelector(pod: Pod, node: Node): boolean {
  const selector = pod.spec.nodeSelector;
  if (selector) {
    const labels = node.metadata.labels ?? {};
    for (const k in selector) if (labels[k] !== selector[k]) return false;
  }
  if (!pod.spec.affinity) return true;
  const terms = requiredTerms(pod);
  return terms === undefined || terms.some((t) => termMatches(t, node));
}

export const nodeSelector: FilterPlugin = {
  name: 'NodeAffinity',
  filter: (pod, nodeInfo) =>
    matchesNodeSelector(pod, nodeInfo.node) ? SUCCESS : unresolvable(NODE_SELECTOR_REASON),
};
