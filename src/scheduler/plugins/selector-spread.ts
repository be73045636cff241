// SelectorSpread: spread the pods of one controller (ReplicaSet, StatefulSet, …) across nodes. The raw score is
// how many of the pod's siblings (same controller uid) a node already runs; normalize() turns it around so the
// node with the fewest siblings scores 100: 100 · (max − count) / max.
import { controllerUid } from '../node-info.js';
import { MAX_NODE_SCORE, type ScorePlugin } from '../framework.js';

export const selectorSpread: ScorePlugin = {
  name: 'SelectorSpread',
  score(pod, nodeInfo) {
    const owner = controllerUid(pod);
    return owner ? (nodeInfo.podsByController.get(owner) ?? 0) : 0;
  },
  normalize(scores) {
    let max = 0;
    for (const s of scores) max = Math.max(max, s);
    for (let i = 0; i < scores.length; i++) {
      scores[i] = max === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max - scores[i])) / max);
    }
  },
};
