// TaintToleration: a node's NoSchedule and NoExecute taints keep off every pod that does not tolerate them.
import type { Taint, Toleration } from '../../api/types.js';
import { SUCCESS, unresolvable, type FilterPlugin } from '../framework.js';

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

export const taintToleration: FilterPlugin = {
  name: 'TaintToleration',
  filter(pod, nodeInfo) {
    for (const taint of nodeInfo.node.spec?.taints ?? []) {
      if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
      if (!tolerated(pod.spec.tolerations, taint)) return unresolvable(untoleratedTaintReason(taint));
    }
    return SUCCESS;
  },
};
