// The Pod Security Standards' restricted level, on top of the baseline (pod-security-checks.ts runs them):
// no privilege escalation, all capabilities dropped, non-root, a seccomp profile, and only volume types that a
// PersistentVolume or the API provides.
import {
  asArray,
  asObject,
  asString,
  containerList,
  isSafeProfile,
  joinQuote,
  nameOf,
  pluralize,
  sc,
  setters,
  sorted,
  type Check,
  type Json,
} from './pod-security-view.js';

const RESTRICTED_VOLUME_SOURCES_ALLOWED = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];

/** A volume's source: the one key besides `name` (skiff's defaults make a source-less volume an emptyDir). */
function volumeSource(volume: Json): string {
  return Object.keys(volume).find((k) => k !== 'name') ?? 'emptyDir';
}

/** Upstream's restricted checks, sorted by ID; `overrides` names the baseline checks each replaces. */
export const RESTRICTED_CHECKS: Check[] = [
  {
    id: 'allowPrivilegeEscalation',
    run({ containers }) {
      const names = containers.filter((c) => sc(c).allowPrivilegeEscalation !== false).map(nameOf);
      if (names.length === 0) return undefined;
      return {
        reason: 'allowPrivilegeEscalation != false',
        detail: `${containerList(names)} must set securityContext.allowPrivilegeEscalation=false`,
      };
    },
  },
  {
    id: 'capabilities_restricted',
    overrides: ['capabilities_baseline'],
    run({ containers }) {
      const missingDropAll: string[] = [];
      const adding: string[] = [];
      const caps = new Set<string>();
      for (const c of containers) {
        const capabilities = asObject(sc(c).capabilities);
        if (!asArray(capabilities.drop).includes('ALL')) missingDropAll.push(nameOf(c));
        const bad = asArray(capabilities.add)
          .map(asString)
          .filter((a) => a !== 'NET_BIND_SERVICE');
        bad.forEach((a) => caps.add(a));
        if (bad.length > 0) adding.push(nameOf(c));
      }
      const details = [
        ...(missingDropAll.length > 0
          ? [`${containerList(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`]
          : []),
        ...(adding.length > 0
          ? [
              `${containerList(adding)} must not include ${joinQuote(sorted(caps))} in securityContext.capabilities.add`,
            ]
          : []),
      ];
      return details.length > 0
        ? { reason: 'unrestricted capabilities', detail: details.join('; ') }
        : undefined;
    },
  },
  {
    id: 'restrictedVolumes',
    overrides: ['hostPathVolumes'],
    run({ spec }) {
      const types = new Set<string>();
      const names = asArray(spec.volumes)
        .map(asObject)
        .filter((v) => {
          const source = volumeSource(v);
          if (RESTRICTED_VOLUME_SOURCES_ALLOWED.includes(source)) return false;
          types.add(source);
          return true;
        })
        .map(nameOf);
      if (names.length === 0) return undefined;
      const list = sorted(types);
      return {
        reason: 'restricted volume types',
        detail: `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)} ${pluralize('uses', 'use', names.length)} ${pluralize('restricted volume type', 'restricted volume types', list.length)} ${joinQuote(list)}`,
      };
    },
  },
  {
    id: 'runAsNonRoot',
    run({ podSc, containers }) {
      const podFalse = podSc.runAsNonRoot === false;
      const podTrue = podSc.runAsNonRoot === true;
      const explicit = containers.filter((c) => sc(c).runAsNonRoot === false).map(nameOf);
      if (podFalse || explicit.length > 0) {
        return {
          reason: 'runAsNonRoot != true',
          detail: `${setters(podFalse, explicit)} must not set securityContext.runAsNonRoot=false`,
        };
      }
      const implicit = containers
        .filter((c) => sc(c).runAsNonRoot === undefined || sc(c).runAsNonRoot === null)
        .filter(() => !podTrue)
        .map(nameOf);
      if (implicit.length === 0) return undefined;
      return {
        reason: 'runAsNonRoot != true',
        detail: `pod or ${containerList(implicit)} must set securityContext.runAsNonRoot=true`,
      };
    },
  },
  {
    id: 'runAsUser',
    run({ podSc, containers }) {
      const pod = podSc.runAsUser === 0;
      const names = containers.filter((c) => sc(c).runAsUser === 0).map(nameOf);
      if (!pod && names.length === 0) return undefined;
      return { reason: 'runAsUser=0', detail: `${setters(pod, names)} must not set runAsUser=0` };
    },
  },
  {
    id: 'seccompProfile_restricted',
    overrides: ['seccompProfile_baseline'],
    run({ podSc, containers }) {
      const values = new Set<string>();
      const typeOf = (o: Json) =>
        o.seccompProfile === undefined || o.seccompProfile === null
          ? undefined
          : asString(asObject(o.seccompProfile).type);
      const podType = typeOf(podSc);
      const podBad = podType !== undefined && !isSafeProfile(podType);
      if (podBad) values.add(podType);
      const podSet = podType !== undefined && !podBad;
      const explicit: string[] = [];
      const implicit: string[] = [];
      for (const c of containers) {
        const t = typeOf(sc(c));
        if (t === undefined) {
          if (!podSet) implicit.push(nameOf(c));
        } else if (!isSafeProfile(t)) {
          explicit.push(nameOf(c));
          values.add(t);
        }
      }
      if (podBad || explicit.length > 0) {
        return {
          reason: 'seccompProfile',
          detail: `${setters(podBad, explicit)} must not set securityContext.seccompProfile.type to ${joinQuote(sorted(values))}`,
        };
      }
      if (implicit.length === 0) return undefined;
      return {
        reason: 'seccompProfile',
        detail: `pod or ${containerList(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
      };
    },
  },
];
