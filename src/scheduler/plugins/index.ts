// The default plugin set, in kube-scheduler's order (pkg/scheduler/apis/config/v1/default_plugins.go): cheap,
// unresolvable checks first; for each node the first filter that rejects it gives the reason shown in
// FailedScheduling. Score weights are upstream's defaults. Spreading replicas of one owner across nodes comes
// from PodTopologySpread's system default constraints (upstream retired the SelectorSpread plugin for them).
// Not here: NodeResourcesBalancedAllocation and ImageLocality (scores), preemption.
import type { Plugins } from '../framework.js';
import { interPodAffinity } from './inter-pod-affinity.js';
import { leastAllocated } from './least-allocated.js';
import { nodeAffinity } from './node-affinity.js';
import { nodeName } from './node-name.js';
import { nodePorts } from './node-ports.js';
import { nodeReady } from './node-ready.js';
import { nodeResourcesFit } from './node-resources-fit.js';
import { nodeUnschedulable } from './node-unschedulable.js';
import { podTopologySpread } from './pod-topology-spread.js';
import { taintToleration } from './taint-toleration.js';
import { volumeBinding } from './volume-binding.js';

export interface ScoreWeights {
  leastAllocated?: number;
  nodeAffinity?: number;
  podTopologySpread?: number;
  interPodAffinity?: number;
  taintToleration?: number;
}

export const DEFAULT_WEIGHTS: Required<ScoreWeights> = {
  leastAllocated: 1, // NodeResourcesFit with the LeastAllocated strategy
  nodeAffinity: 2,
  podTopologySpread: 2,
  interPodAffinity: 2,
  taintToleration: 3,
};

export function defaultPlugins(weights: ScoreWeights = {}): Plugins {
  const w = { ...DEFAULT_WEIGHTS, ...weights };
  return {
    filters: [
      nodeUnschedulable,
      nodeName,
      nodeReady,
      taintToleration,
      nodeAffinity,
      nodePorts,
      nodeResourcesFit,
      volumeBinding,
      podTopologySpread,
      interPodAffinity,
    ],
    scores: [
      { plugin: taintToleration, weight: w.taintToleration },
      { plugin: nodeAffinity, weight: w.nodeAffinity },
      { plugin: leastAllocated, weight: w.leastAllocated },
      { plugin: podTopologySpread, weight: w.podTopologySpread },
      { plugin: interPodAffinity, weight: w.interPodAffinity },
    ],
  };
}
