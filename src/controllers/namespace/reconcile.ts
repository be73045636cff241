// The namespace deleter's decisions, pure (pkg/controller/namespace/deletion/namespaced_resources_deleter.go):
// which kinds to empty, how long what is left may still take, and the spec.finalizers that finalize a namespace.
import type { Registry } from '../../api/registry.js';
import type { ResourceDef } from '../../api/resource-def.js';
import type { KubeObject, Pod } from '../../api/types.js';
import type { ResourceRef } from '../../client/api-client.js';
import type { ContentTotals } from './status.js';

/** The token in spec.finalizers this controller owns: it goes when the namespace is empty. */
export const KUBERNETES_FINALIZER = 'kubernetes';
/** How long to allow an item held by a finalizer (e.g. a Foreground deletion) before looking again. */
export const FINALIZER_ESTIMATE_SECONDS = 15;

/** Every namespaced kind that can be listed and deleted: what a namespace holds. */
export function deletableNamespacedResources(registry: Registry): ResourceDef[] {
  return registry.all().filter((d) => d.namespaced && d.verbs.includes('list') && d.verbs.includes('delete'));
}

/** Kubernetes writes a GroupVersionResource as `group/version, Resource=resource` (`/v1, Resource=pods`). */
export function gvrString(ref: ResourceRef): string {
  return `${ref.group}/${ref.version}, Resource=${ref.resource}`;
}

/** `resource.group`, as the NamespaceContentRemaining message names kinds (`pods.` for core). */
export function resourceLabel(ref: ResourceRef): string {
  return `${ref.resource}.${ref.group}`;
}

/**
 * Seconds the namespace's pods may still need to stop: the longest terminationGracePeriodSeconds among the
 * non-terminal pods, or 0 once that much time has passed since the namespace was deleted.
 */
export function podsGraceEstimate(pods: Pod[], namespaceDeletedAt: number, now: number): number {
  let estimate = 0;
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    const grace = pod.spec?.terminationGracePeriodSeconds;
    if (typeof grace === 'number' && grace > estimate) estimate = grace;
  }
  return now - namespaceDeletedAt >= estimate * 1000 ? 0 : estimate;
}

/** What is left of one kind after a deletion pass. */
export interface ResourceOutcome {
  ref: ResourceRef;
  numRemaining: number;
  remainingByFinalizer: Record<string, number>;
  /** Seconds to wait before looking again (0: nothing to wait for). */
  estimateSeconds: number;
  /** Set when something is left that nothing explains, or the pass failed. */
  error?: string;
}

/** deleteAllContentForGroupVersionResource's verdict on the items still listed after the deletes. */
export function resourceOutcome(
  ref: ResourceRef,
  namespace: string,
  remaining: KubeObject[],
  graceEstimateSeconds: number,
): ResourceOutcome {
  if (remaining.length === 0) return { ref, numRemaining: 0, remainingByFinalizer: {}, estimateSeconds: 0 };
  const remainingByFinalizer: Record<string, number> = {};
  for (const item of remaining) {
    for (const f of item.metadata.finalizers ?? [])
      remainingByFinalizer[f] = (remainingByFinalizer[f] ?? 0) + 1;
  }
  const base = { ref, numRemaining: remaining.length, remainingByFinalizer };
  if (graceEstimateSeconds > 0) return { ...base, estimateSeconds: graceEstimateSeconds };
  if (Object.keys(remainingByFinalizer).length > 0) {
    return { ...base, estimateSeconds: FINALIZER_ESTIMATE_SECONDS };
  }
  return {
    ...base,
    estimateSeconds: 0,
    error: `unexpected items still remain in namespace: ${namespace} for gvr: ${gvrString(ref)}`,
  };
}

/** The totals the NamespaceContentRemaining / NamespaceFinalizersRemaining conditions report. */
export function contentTotals(outcomes: ResourceOutcome[]): ContentTotals {
  const totals: ContentTotals = { remainingByResource: {}, remainingByFinalizer: {} };
  for (const o of outcomes) {
    if (o.numRemaining === 0) continue;
    totals.remainingByResource[resourceLabel(o.ref)] = o.numRemaining;
    for (const [f, n] of Object.entries(o.remainingByFinalizer)) {
      totals.remainingByFinalizer[f] = (totals.remainingByFinalizer[f] ?? 0) + n;
    }
  }
  return totals;
}

/** The longest wait of a pass. */
export function overallEstimate(outcomes: ResourceOutcome[]): number {
  return outcomes.reduce((max, o) => Math.max(max, o.estimateSeconds), 0);
}

/** Kubernetes looks again after half the estimate, plus one second. */
export function requeueDelayMs(estimateSeconds: number): number {
  return (Math.floor(estimateSeconds / 2) + 1) * 1000;
}

/** spec.finalizers without ours, as a sorted set (finalizeNamespace). */
export function finalizedSpecFinalizers(finalizers: string[] | undefined): string[] {
  return [...new Set((finalizers ?? []).filter((f) => f !== KUBERNETES_FINALIZER))].sort();
}
