// When a pod must leave a node because of the node's NoExecute taints, decided purely (Kubernetes' taint manager,
// pkg/controller/tainteviction: GetMatchingTolerations + getMinTolerationTime):
// - a NoExecute taint the pod does not tolerate: delete it now;
// - every taint tolerated, some toleration with tolerationSeconds: delete it that many seconds after the pod and
//   the taint met (the taint's timeAdded, or the pod's binding if it came later); the earliest such time wins;
// - every taint tolerated forever (no tolerationSeconds): never.
// Kubernetes counts from when its taint manager first noticed; counting from timeAdded gives the same answer and
// survives a restart of the master.
import type { Pod, Taint } from '../../api/types.js';
import { tolerates } from '../../scheduler/plugins/taint-toleration.js';

export type EvictionDecision =
  { kind: 'never' } | { kind: 'now'; reason: 'untolerated' | 'expired' } | { kind: 'at'; atMs: number };

function parseMs(ts: string | null | undefined): number | undefined {
  if (!ts) return undefined;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? undefined : ms;
}

/** When the pod landed on its node: its PodScheduled transition, else its creation (a pod created bound). */
export function boundAtMs(pod: Pod): number | undefined {
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'True');
  return parseMs(scheduled?.lastTransitionTime) ?? parseMs(pod.metadata.creationTimestamp);
}

export function noExecuteTaints(taints: Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.effect === 'NoExecute');
}

/**
 * `taints` are the node's taints (only NoExecute ones count). A taint without a readable timeAdded counts as added
 * at `nowMs`, so callers should fill it in with when they first saw the taint.
 */
export function evictionDecision(pod: Pod, taints: Taint[], nowMs: number): EvictionDecision {
  const tolerations = Array.isArray(pod.spec?.tolerations) ? pod.spec.tolerations : [];
  const bound = boundAtMs(pod);
  let earliest: number | undefined;
  for (const taint of noExecuteTaints(taints)) {
    // Like GetMatchingTolerations, the first toleration that matches is the one that counts.
    const toleration = tolerations.find((t) => tolerates(t, taint));
    if (!toleration) return { kind: 'now', reason: 'untolerated' };
    const seconds = toleration.tolerationSeconds;
    if (typeof seconds !== 'number') continue; // tolerated forever
    const since = Math.max(parseMs(taint.timeAdded) ?? nowMs, bound ?? -Infinity);
    const at = since + Math.max(0, seconds) * 1000;
    if (earliest === undefined || at < earliest) earliest = at;
  }
  if (earliest === undefined) return { kind: 'never' };
  return earliest <= nowMs ? { kind: 'now', reason: 'expired' } : { kind: 'at', atMs: earliest };
}
