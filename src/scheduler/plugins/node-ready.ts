// NodeReady: pods go only to nodes whose Ready condition is True. Kubernetes does this with the not-ready and
// unreachable taints the node lifecycle controller adds; skiff checks the condition directly (so a node is
// avoided the moment it reports NotReady) and reports it with the same taint message kubectl users know.
import type { Node } from '../../api/types.js';
import { SUCCESS, unresolvable, type FilterPlugin } from '../framework.js';
import { tolerated, untoleratedTaintReason } from './taint-toleration.js';

export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';

const memo = new WeakMap<Node, string | null>();

/** The taint Kubernetes would put on this node for its Ready condition, if any (memoized per node object). */
export function readinessTaint(node: Node): string | undefined {
  let taint = memo.get(node);
  if (taint === undefined) {
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    taint =
      ready?.status === 'True' ? null : ready?.status === 'Unknown' ? UNREACHABLE_TAINT : NOT_READY_TAINT;
    memo.set(node, taint);
  }
  return taint ?? undefined;
}

export const nodeReady: FilterPlugin = {
  name: 'NodeReady',
  filter(pod, nodeInfo) {
    const key = readinessTaint(nodeInfo.node);
    if (!key || tolerated(pod.spec.tolerations, { key, effect: 'NoSchedule' })) return SUCCESS;
    return unresolvable(untoleratedTaintReason({ key }));
  },
};
