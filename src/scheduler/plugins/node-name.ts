// NodeName: a pod that names its node (spec.nodeName) fits only that node; one that names none skips the filter.
import type { Pod } from '../../api/types.js';
import { SKIP, SUCCESS, unresolvable, type FilterPlugin, type NodeInfo } from '../framework.js';

export const NODE_NAME_REASON = "node(s) didn't match the requested node name";

export function fitsNodeName(pod: Pod, nodeInfo: NodeInfo): boolean {
  return !pod.spec.nodeName || pod.spec.nodeName === nodeInfo.name;
}

export const nodeName: FilterPlugin = {
  name: 'NodeName',
  preFilter: (pod) => (pod.spec.nodeName ? SUCCESS : SKIP),
  filter: (pod, nodeInfo) => (fitsNodeName(pod, nodeInfo) ? SUCCESS : unresolvable(NODE_NAME_REASON)),
};
