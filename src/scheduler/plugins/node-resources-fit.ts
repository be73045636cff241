// NodeResourcesFit: the pod's requests must fit in the node's allocatable minus what its pods already request.
// Every shortfall is reported (`Insufficient cpu`, `Insufficient memory`, `Too many pods`), as Kubernetes does.
import type { Pod } from '../../api/types.js';
import { SUCCESS, unschedulable, type FilterPlugin, type NodeInfo } from '../framework.js';
import { podResources } from '../node-info.js';

export function insufficientResources(pod: Pod, nodeInfo: NodeInfo): string[] {
  const { requests } = podResources(pod);
  const { allocatable: a, requested: r } = nodeInfo;
  const reasons: string[] = [];
  if (r.pods + 1 > a.pods) reasons.push('Too many pods');
  if (requests.cpuMillis > 0 && requests.cpuMillis > a.cpuMillis - r.cpuMillis)
    reasons.push('Insufficient cpu');
  if (requests.memoryBytes > 0 && requests.memoryBytes > a.memoryBytes - r.memoryBytes) {
    reasons.push('Insufficient memory');
  }
  return reasons;
}

export const nodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter(pod, nodeInfo) {
    const reasons = insufficientResources(pod, nodeInfo);
    return reasons.length === 0 ? SUCCESS : unschedulable(...reasons);
  },
};
