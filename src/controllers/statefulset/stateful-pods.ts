// A StatefulSet pod's identity (Kubernetes pkg/controller/statefulset/stateful_set_utils.go): the name
// `<set>-<ordinal>`, the labels statefulset.kubernetes.io/pod-name and apps.kubernetes.io/pod-index, the revision
// label, hostname/subdomain for per-pod DNS through the headless service, and one PVC per volumeClaimTemplate named
// `<template>-<set>-<ordinal>`, mounted through a persistentVolumeClaim volume of the template's name.
import { podIsAvailable, podIsReady } from '../../api/object-meta.js';
import type {
  OwnerReference,
  PersistentVolumeClaim,
  Pod,
  PodTemplateSpec,
  StatefulSet,
  Volume,
} from '../../api/types.js';
import { CONTROLLER_REVISION_HASH_LABEL } from '../common/controller-revision.js';
import { podFromTemplate } from '../common/pod-control.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** The StatefulSet revision a pod was created from (apps.StatefulSetRevisionLabel): the revision's name. */
export const REVISION_LABEL = CONTROLLER_REVISION_HASH_LABEL;

const STATEFUL_POD_NAME = /^(.*)-([0-9]+)$/;

/** getParentNameAndOrdinal: `web-2` → {parent: 'web', ordinal: 2}; ordinal -1 when the name has none. */
export function parentAndOrdinal(name: string): { parent: string; ordinal: number } {
  const m = STATEFUL_POD_NAME.exec(name);
  if (!m) return { parent: '', ordinal: -1 };
  const ordinal = Number(m[2]);
  return { parent: m[1], ordinal: Number.isSafeInteger(ordinal) && ordinal <= 2 ** 31 - 1 ? ordinal : -1 };
}

export function ordinalOf(pod: Pod): number {
  return parentAndOrdinal(pod.metadata.name ?? '').ordinal;
}

export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

export function claimName(set: StatefulSet, template: PersistentVolumeClaim, ordinal: number): string {
  return `${template.metadata.name}-${set.metadata.name}-${ordinal}`;
}

export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return parentAndOrdinal(pod.metadata.name ?? '').parent === set.metadata.name;
}

export function replicasOf(set: StatefulSet): number {
  return set.spec.replicas ?? 1;
}

export function startOrdinal(set: StatefulSet): number {
  return set.spec.ordinals?.start ?? 0;
}

/** getEndOrdinal: the highest ordinal in range (start − 1 when replicas is 0). */
export function endOrdinal(set: StatefulSet): number {
  return startOrdinal(set) + replicasOf(set) - 1;
}

export function inOrdinalRange(set: StatefulSet, ordinal: number): boolean {
  return ordinal >= startOrdinal(set) && ordinal <= endOrdinal(set);
}

export function podRevision(pod: Pod): string {
  return pod.metadata.labels?.[REVISION_LABEL] ?? '';
}

// ---- pod health (Running and Ready / Available) ----------------------------------------------------------

export const isTerminating = (pod: Pod) => !!pod.metadata.deletionTimestamp;
export const isFailed = (pod: Pod) => pod.status?.phase === 'Failed';
export const isSucceeded = (pod: Pod) => pod.status?.phase === 'Succeeded';
export const isPending = (pod: Pod) => pod.status?.phase === 'Pending';

export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && podIsReady(pod);
}

export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return pod.status?.phase === 'Running' && podIsAvailable(pod, minReadySeconds, now);
}

/** isUnavailable: not running and available, or on its way out. */
export function isUnavailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return !isRunningAndAvailable(pod, minReadySeconds, now) || isTerminating(pod);
}

// ---- claims and volumes ----------------------------------------------------------------------------------

/**
 * getPersistentVolumeClaims: the claims of the pod with `ordinal`, keyed by template name. Labels are the template's
 * plus the set's selector matchLabels; `ownerReferences` is what the retention policy asks for at creation.
 */
export function claimsFor(
  set: StatefulSet,
  ordinal: number,
  ownerReferences: OwnerReference[] = [],
): Map<string, PersistentVolumeClaim> {
  const claims = new Map<string, PersistentVolumeClaim>();
  for (const t of set.spec.volumeClaimTemplates ?? []) {
    const { name, labels, annotations } = t.metadata;
    claims.set(name ?? '', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: claimName(set, t, ordinal),
        namespace: set.metadata.namespace,
        labels: { ...(labels ?? {}), ...(set.spec.selector.matchLabels ?? {}) },
        ...(annotations ? { annotations: { ...annotations } } : {}),
        ...(ownerReferences.length ? { ownerReferences } : {}),
      },
      spec: structuredClone(t.spec ?? {}),
    });
  }
  return claims;
}

/** updateStorage: a persistentVolumeClaim volume per claim template, replacing template volumes of that name. */
export function podVolumes(set: StatefulSet, ordinal: number, templateVolumes: Volume[] = []): Volume[] {
  const claims = claimsFor(set, ordinal);
  const out: Volume[] = [...claims].map(([name, claim]) => ({
    name,
    persistentVolumeClaim: { claimName: claim.metadata.name ?? '' },
  }));
  for (const v of templateVolumes) if (!claims.has(v.name)) out.push(v);
  return out;
}

/** storageMatches: the pod mounts every claim of its ordinal under the template's name. */
export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec.volumes ?? []).map((v) => [v.name, v]));
  return (set.spec.volumeClaimTemplates ?? []).every(
    (t) =>
      volumes.get(t.metadata.name ?? '')?.persistentVolumeClaim?.claimName === claimName(set, t, ordinal),
  );
}

/** identityMatches: right name, namespace and pod-name label. */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod.metadata.name ?? '');
  return (
    ordinal >= 0 &&
    parent === set.metadata.name &&
    pod.metadata.namespace === set.metadata.namespace &&
    pod.metadata.labels?.[POD_NAME_LABEL] === pod.metadata.name
  );
}

/** The identity labels of the pod with `ordinal` (updateIdentity). */
export function identityLabels(set: StatefulSet, ordinal: number): Record<string, string> {
  return { [POD_NAME_LABEL]: podName(set, ordinal), [POD_INDEX_LABEL]: String(ordinal) };
}

/**
 * newStatefulSetPod + setPodRevision: the pod for `ordinal` from `template` (the current or the update revision's),
 * with its identity, hostname = pod name, subdomain = serviceName, and claim volumes.
 */
export function newStatefulSetPod(
  set: StatefulSet,
  template: PodTemplateSpec,
  revision: string,
  ordinal: number,
): Pod {
  const name = podName(set, ordinal);
  const pod = podFromTemplate(template, set, {
    name,
    labels: { ...identityLabels(set, ordinal), [REVISION_LABEL]: revision },
    mutateSpec: (spec) => {
      spec.hostname = name;
      if (set.spec.serviceName) spec.subdomain = set.spec.serviceName;
      const volumes = podVolumes(set, ordinal, spec.volumes);
      if (volumes.length) spec.volumes = volumes;
    },
  });
  return pod;
}
