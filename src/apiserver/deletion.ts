// What a DELETE does to an object, decided purely (Kubernetes' graceful deletion and finalizers):
// - a Pod bound to a node and still running is only marked (deletionTimestamp = now + grace); its agent stops the
//   containers and then deletes it for real with gracePeriodSeconds=0;
// - an object with finalizers is only marked until its finalizers are gone;
// - Foreground/Orphan propagation adds the finalizer the garbage collector acts on;
// - a Namespace turns Terminating; the namespace controller empties it and then finalizes it.
import type { ResourceDef } from '../api/resource-def.js';
import type { DeleteOptions, KubeObject } from '../api/types.js';
import { rfc3339 } from '../common/clock.js';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';
export const DEFAULT_POD_GRACE_SECONDS = 30;
/** Namespaces Kubernetes refuses to delete. */
export const UNDELETABLE_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export type DeletionPlan =
  /** Remove it from the store now. */
  | { action: 'remove' }
  /** Store this marked version (deletionTimestamp, finalizers, Terminating). */
  | { action: 'mark'; object: KubeObject }
  /** Already being deleted, nothing new to record. */
  | { action: 'keep' };

export function isNamespaceDef(def: ResourceDef): boolean {
  return def.group === '' && def.resource === 'namespaces';
}

function isPodDef(def: ResourceDef): boolean {
  return def.group === '' && def.resource === 'pods';
}

/** Only a Pod that a node may still be running needs time to stop. */
function needsGracefulStop(def: ResourceDef, obj: KubeObject): boolean {
  if (!isPodDef(def)) return false;
  const phase = obj.status?.phase;
  return Boolean(obj.spec?.nodeName) && phase !== 'Succeeded' && phase !== 'Failed';
}

function requestedGrace(obj: KubeObject, options: DeleteOptions): number {
  const asked = options.gracePeriodSeconds;
  if (asked !== undefined && asked >= 0) return asked;
  const fromSpec = obj.spec?.terminationGracePeriodSeconds;
  return typeof fromSpec === 'number' && fromSpec >= 0 ? fromSpec : DEFAULT_POD_GRACE_SECONDS;
}

function policyFinalizer(options: DeleteOptions): string | undefined {
  if (options.propagationPolicy === 'Foreground') return FOREGROUND_FINALIZER;
  if (options.propagationPolicy === 'Orphan') return ORPHAN_FINALIZER;
  return undefined;
}

function withFinalizer(finalizers: string[], extra: string | undefined): string[] {
  return extra && !finalizers.includes(extra) ? [...finalizers, extra] : finalizers;
}

export function planDeletion(
  def: ResourceDef,
  obj: KubeObject,
  options: DeleteOptions,
  now: number,
): DeletionPlan {
  const meta = obj.metadata;
  const oldFinalizers = meta.finalizers ?? [];
  const finalizers = withFinalizer(oldFinalizers, policyFinalizer(options));

  if (isNamespaceDef(def)) {
    if (meta.deletionTimestamp) {
      const specFinalizers: string[] = obj.spec?.finalizers ?? [];
      if (specFinalizers.length === 0 && finalizers.length === 0) return { action: 'remove' };
      if (finalizers.length === oldFinalizers.length) return { action: 'keep' };
      return { action: 'mark', object: { ...obj, metadata: { ...meta, finalizers } } };
    }
    const marked = structuredClone(obj);
    marked.metadata.deletionTimestamp = rfc3339(now);
    marked.metadata.deletionGracePeriodSeconds = 0;
    if (finalizers.length > 0) marked.metadata.finalizers = finalizers;
    marked.status = { ...(marked.status ?? {}), phase: 'Terminating' };
    return { action: 'mark', object: marked };
  }

  const grace = needsGracefulStop(def, obj) ? requestedGrace(obj, options) : 0;
  const oldGrace = meta.deletionGracePeriodSeconds ?? 0;
  // A second delete may shorten the grace period, never lengthen it.
  const effectiveGrace = meta.deletionTimestamp ? Math.min(oldGrace, grace) : grace;
  if (finalizers.length === 0 && effectiveGrace === 0) return { action: 'remove' };

  const restamp = !meta.deletionTimestamp || effectiveGrace < oldGrace;
  if (!restamp && finalizers.length === oldFinalizers.length) return { action: 'keep' };
  const marked = structuredClone(obj);
  if (restamp) {
    marked.metadata.deletionTimestamp = rfc3339(now + effectiveGrace * 1000);
    marked.metadata.deletionGracePeriodSeconds = effectiveGrace;
  }
  if (!meta.deletionTimestamp) marked.metadata.generation = (meta.generation ?? 1) + 1;
  if (finalizers.length > 0) marked.metadata.finalizers = finalizers;
  return { action: 'mark', object: marked };
}

/**
 * After an update of an object being deleted: true when the update removed the last thing holding it (its last
 * finalizer, or for a Namespace its last spec.finalizer) and no grace period is pending, so it goes now.
 */
export function deletionCompleted(def: ResourceDef, next: KubeObject, old: KubeObject): boolean {
  if (!next.metadata.deletionTimestamp) return false;
  if ((next.metadata.finalizers ?? []).length > 0) return false;
  if (isNamespaceDef(def)) {
    const nextSpec: string[] = next.spec?.finalizers ?? [];
    const oldSpec: string[] = old.spec?.finalizers ?? [];
    const oldMeta = old.metadata.finalizers ?? [];
    return nextSpec.length === 0 && (oldSpec.length > 0 || oldMeta.length > 0);
  }
  if ((old.metadata.finalizers ?? []).length === 0) return false;
  return (next.metadata.deletionGracePeriodSeconds ?? 0) === 0;
}
