// TaintToleration: a node's NoSchedule and NoExecute taints keep off every pod that does not tolerate them
// (Filter); PreferNoSchedule taints the pod does not tolerate count against the node (Score: the node with the
// most such taints scores 0, a node with none 100).
import type { Taint, Toleration } from '../../api/types.js';
import {
  defaultNormalizeScore,
  SUCCESS,
  unresolvable,
  type FilterPlugin,
  type ScorePlugin,
} from '../framework.js';

/** Kubernetes' Toleration.ToleratesTaint: empty effect/key match all; Exists ignores the value. */
export function tolerates(t: Toleration, taint: Pick<Taint, 'key' | 'value' | 'effect'>): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator ?? 'Equal';
  if (op === 'Exists') return true;
  // Equal with an empty key would match every key, which the API forbids; treat it as no match.
  return !!t.key && (t.value ?? '') === (taint.value ?? '');
}

export function tolerated(
  tolerations: Toleration[] | undefined,
  taint: Pick<Taint, 'key' | 'value' | 'effect'>,
) {
  return (tolerations ?? []).some((t) => tolerates(t, taint));
}

export function untoleratedTaintReason(taint: Pick<Taint, 'key' | 'value'>): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
}

/** The pod's tolerations that can tolerate a PreferNoSchedule taint (effect empty or PreferNoSchedule). */
function preferNoScheduleTolerations(tolerations: Toleration[] | undefined): Toleration[] {
  return (tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
}

export function countIntolerablePreferNoSchedule(
  taints: Taint[] | undefined,
  tolerations: Toleration[],
): number {
  let n = 0;
  for (const taint of taints ?? []) {
    if (taint.effect === 'PreferNoSchedule' && !tolerated(tolerations, taint)) n++;
  }
  return n;
}

export const taintToleration: FilterPlugin & ScorePlugin = {
  name: 'TaintToleration',
  filter(pod, nodeInfo) {
    for (const taint of nodeInfo.node.spec?.taints ?? []) {
      if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
      if (!tolerated(pod.spec.tolerations, taint)) return unresolvable(untoleratedTaintReason(taint));
    }
    return SUCCESS;
  },
  score(pod, nodeInfo) {
    const taints = nodeInfo.node.spec?.taints;
    if (!taints || taints.length === 0) return 0; // most nodes: nothing to count
    return countIntolerablePreferNoSchedule(taints, preferNoScheduleTolerations(pod.spec.tolerations));
  },
  normalize: (scores) => defaultNormalizeScore(scores, true),
};
