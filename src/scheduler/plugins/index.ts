// The default plugin set, in kube-scheduler's filter order (cheap, unresolvable checks first; for each node the
// first filter that rejects it gives the reason shown in FailedScheduling).
import type { Plugins } from '../framework.js';
import { leastAllocated } from './least-allocated.js';
import { nodeName } from './node-name.js';
import { nodePorts } from './node-ports.js';
import { nodeReady } from './node-ready.js';
import { nodeResourcesFit } from './node-resources-fit.js';
import { nodeSelector } from './node-selector.js';
import { nodeUnschedulable } from './node-unschedulable.js';
import { selectorSpread } from './selector-spread.js';
import { taintToleration } from './taint-toleration.js';
import { volumeBinding } from './volume-binding.js';

export function defaultPlugins(weights: { leastAllocated?: number; selectorSpread?: number } = {}): Plugins {
  return {
    filters: [
      nodeUnschedulable,
      nodeName,
      nodeReady,
      taintToleration,
      nodeSelector,
      nodePorts,
      nodeResourcesFit,
      volumeBinding,
    ],
    scores: [
      { plugin: leastAllocated, weight: weights.leastAllocated ?? 1 },
      { plugin: selectorSpread, weight: weights.selectorSpread ?? 1 },
    ],
  };
}
