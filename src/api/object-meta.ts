// Pure helpers on object metadata and pod status that the API server, controllers and the agent share:
// keys, owner references (k8s.io/apimachinery/pkg/apis/meta/v1/controller_ref.go), pod readiness and
// conditions (k8s.io/kubernetes/pkg/api/v1/pod/util.go). None reads the clock: callers pass `now`.
import type { KubeObject, OwnerReference, Pod, PodCondition, PodStatus } from './types.js';

/** `{group, version}` of an object's apiVersion: `apps/v1` → apps, v1; `v1` → '', v1. */
export function groupVersionOf(obj: { apiVersion?: string }): { group: string; version: string } {
  const apiVersion = obj.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** `namespace/name`, or `name` for cluster-scoped objects: the key work queues and caches use. */
export function objectKey(obj: { metadata?: { name?: string; namespace?: string } }): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

/** Inverse of objectKey. */
export function splitObjectKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export function deepClone<T>(value: T): T {
  return structuredClone(value);
}

/** Deep equality of JSON values, ignoring object key order (undefined members count as absent). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!jsonEqual(ao[k], bo[k])) return false;
  return true;
}

/** The ownerReference with `controller: true`, if any. */
export function getControllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((ref) => ref.controller === true);
}

/** True when `owner` (matched by uid) is the managing controller of `obj`. */
export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = getControllerOf(obj);
  return ref !== undefined && !!owner.metadata.uid && ref.uid === owner.metadata.uid;
}

/** The reference a controller puts on what it creates (kubectl needs `controller: true`, §14). */
export function newControllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

// ---- pod conditions --------------------------------------------------------------------------------------

export function getPodCondition(status: PodStatus | undefined, type: string): PodCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** Pod condition Ready is True. */
export function podIsReady(pod: Pod): boolean {
  return getPodCondition(pod.status, 'Ready')?.status === 'True';
}

/**
 * Ready and Ready for at least `minReadySeconds` at `now` (ms), as Deployments/ReplicaSets count availability.
 */
export function podIsAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const ready = getPodCondition(pod.status, 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = Date.parse(ready.lastTransitionTime ?? '');
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= now;
}

/**
 * Set (add or update) the condition of `condition.type` in `status`, in place. `lastTransitionTime` becomes `now`
 * only when the status value changes (Kubernetes semantics); returns true when anything changed.
 */
export function setPodCondition(status: PodStatus, condition: PodCondition, now: string): boolean {
  const conditions = (status.conditions ??= []);
  const i = conditions.findIndex((c) => c.type === condition.type);
  const old = i >= 0 ? conditions[i] : undefined;
  const next: PodCondition = {
    ...condition,
    lastTransitionTime: old && old.status === condition.status ? (old.lastTransitionTime ?? now) : now,
    lastProbeTime: condition.lastProbeTime ?? old?.lastProbeTime ?? null,
  };
  const same = (a: PodCondition, b: PodCondition) =>
    (['type', 'status', 'reason', 'message', 'lastTransitionTime', 'lastProbeTime'] as const).every(
      (k) => (a[k] ?? null) === (b[k] ?? null),
    );
  if (old && same(old, next)) return false;
  if (i >= 0) conditions[i] = next;
  else conditions.push(next);
  return true;
}
