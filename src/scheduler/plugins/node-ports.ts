// NodePorts: two pods on one node cannot bind the same host port (same protocol; 0.0.0.0 clashes with every IP).
// A pod without host ports is skipped at PreFilter, as in kube-scheduler, so its filter is not run per node.
import type { Pod } from '../../api/types.js';
import { SKIP, SUCCESS, unschedulable, type FilterPlugin, type NodeInfo } from '../framework.js';
import { podHostPorts } from '../node-info.js';

export const NODE_PORTS_REASON = "node(s) didn't have free ports for the requested pod ports";
const ANY_IP = '0.0.0.0';

export function hostPortsConflict(pod: Pod, nodeInfo: NodeInfo): boolean {
  for (const hp of podHostPorts(pod)) {
    const used = nodeInfo.usedPorts.get(`${hp.protocol}/${hp.port}`);
    if (!used || used.size === 0) continue;
    if (hp.hostIP === ANY_IP || used.has(ANY_IP) || used.has(hp.hostIP)) return true;
  }
  return false;
}

export const nodePorts: FilterPlugin = {
  name: 'NodePorts',
  preFilter: (pod) => (podHostPorts(pod).length > 0 ? SUCCESS : SKIP),
  filter: (pod, nodeInfo) => (hostPortsConflict(pod, nodeInfo) ? unschedulable(NODE_PORTS_REASON) : SUCCESS),
};
