// NodeUnschedulable: a cordoned node (spec.unschedulable, `kubectl cordon`) takes no new pods unless they
// tolerate the node.kubernetes.io/unschedulable:NoSchedule taint (DaemonSet pods do).
import { SUCCESS, unresolvable, type FilterPlugin } from '../framework.js';
import { tolerated } from './taint-toleration.js';

export const UNSCHEDULABLE_TAINT = 'node.kubernetes.io/unschedulable';
export const NODE_UNSCHEDULABLE_REASON = 'node(s) were unschedulable';

export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  filter(pod, nodeInfo) {
    if (!nodeInfo.node.spec?.unschedulable) return SUCCESS;
    if (tolerated(pod.spec.tolerations, { key: UNSCHEDULABLE_TAINT, effect: 'NoSchedule' })) return SUCCESS;
    return unresolvable(NODE_UNSCHEDULABLE_REASON);
  },
};
