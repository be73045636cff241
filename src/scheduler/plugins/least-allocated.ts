// NodeResourcesLeastAllocated: prefer nodes with more room left, Kubernetes' default scoring strategy.
// Per resource (cpu, memory; weight 1 each): (allocatable − requested) · 100 / allocatable, where requested
// includes this pod and counts containers without requests as 100m / 200Mi; integer arithmetic as in Go.
import type { Pod } from '../../api/types.js';
import { MAX_NODE_SCORE, type NodeInfo, type ScorePlugin } from '../framework.js';
import { podResources } from '../node-info.js';

export function leastRequestedScore(requested: number, allocatable: number): number {
  if (allocatable <= 0 || requested > allocatable) return 0;
  return Math.floor(((allocatable - requested) * MAX_NODE_SCORE) / allocatable);
}

export function leastAllocatedScore(pod: Pod, nodeInfo: NodeInfo): number {
  const { nonZero } = podResources(pod);
  const cpu = leastRequestedScore(
    nodeInfo.nonZeroRequested.cpuMillis + nonZero.cpuMillis,
    nodeInfo.allocatable.cpuMillis,
  );
  const mem = leastRequestedScore(
    nodeInfo.nonZeroRequested.memoryBytes + nonZero.memoryBytes,
    nodeInfo.allocatable.memoryBytes,
  );
  return Math.floor((cpu + mem) / 2);
}

export const leastAllocated: ScorePlugin = {
  name: 'NodeResourcesLeastAllocated',
  score: (pod, nodeInfo) => leastAllocatedScore(pod, nodeInfo),
};
