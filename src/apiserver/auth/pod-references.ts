// The Secrets, ConfigMaps and PersistentVolumeClaims a pod uses — the edges of the Kubernetes Node authorizer's
// graph: a node may read exactly these for the pods bound to it. Volumes (secret, configMap, projected sources,
// persistentVolumeClaim), env valueFrom and envFrom of every container (init and ephemeral too), imagePullSecrets.
// Pure, and reads the pod loosely so a field it does not know cannot make it throw.
import type { KubeObject } from '../../api/types.js';

export interface PodReferences {
  secrets: Set<string>;
  configMaps: Set<string>;
  persistentVolumeClaims: Set<string>;
}

type Loose = Record<string, unknown>;

function obj(v: unknown): Loose | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : undefined;
}

function arr(v: unknown): Loose[] {
  return Array.isArray(v) ? v.map(obj).filter((x): x is Loose => x !== undefined) : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function podReferences(pod: KubeObject): PodReferences {
  const refs: PodReferences = {
    secrets: new Set(),
    configMaps: new Set(),
    persistentVolumeClaims: new Set(),
  };
  const add = (set: Set<string>, name: unknown) => {
    const n = str(name);
    if (n) set.add(n);
  };
  const spec = obj(pod.spec) ?? {};
  for (const v of arr(spec.volumes)) {
    add(refs.secrets, obj(v.secret)?.secretName);
    add(refs.configMaps, obj(v.configMap)?.name);
    add(refs.persistentVolumeClaims, obj(v.persistentVolumeClaim)?.claimName);
    for (const source of arr(obj(v.projected)?.sources)) {
      add(refs.secrets, obj(source.secret)?.name);
      add(refs.configMaps, obj(source.configMap)?.name);
    }
  }
  const containers = [...arr(spec.containers), ...arr(spec.initContainers), ...arr(spec.ephemeralContainers)];
  for (const c of containers) {
    for (const e of arr(c.env)) {
      const from = obj(e.valueFrom);
      add(refs.secrets, obj(from?.secretKeyRef)?.name);
      add(refs.configMaps, obj(from?.configMapKeyRef)?.name);
    }
    for (const e of arr(c.envFrom)) {
      add(refs.secrets, obj(e.secretRef)?.name);
      add(refs.configMaps, obj(e.configMapRef)?.name);
    }
  }
  for (const s of arr(spec.imagePullSecrets)) add(refs.secrets, s.name);
  return refs;
}
