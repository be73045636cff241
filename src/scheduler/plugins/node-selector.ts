// The NodeAffinity plugin lives in node-affinity.ts; this module keeps the names the DaemonSet controller imports.
export {
  matchesNodeSelector,
  NODE_SELECTOR_REASON,
  nodeAffinity as nodeSelector,
  termMatches,
  type NodeSelectorRequirement,
  type NodeSelectorTerm,
} from './node-affinity.js';
