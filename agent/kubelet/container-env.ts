// A container's environment, as the kubelet builds it (kubelet_pods.go makeEnvironmentVariables): envFrom first,
// then env in order, each value expanding $(VAR) references to variables defined before it; fieldRef reads the
// pod (the downward API); configMapKeyRef/secretKeyRef read objects the caller fetched beforehand. Errors name
// objects and keys, never values (they become events and the pod's waiting message).
import type { Secret } from '../../src/api/kinds/secret.js';
import type { ConfigMap, Container, EnvVar, Pod } from '../../src/api/types.js';

/** A failure the kubelet reports as CreateContainerConfigError. */
export class ContainerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

export type { Secret };

export interface EnvSources {
  podIP?: string;
  hostIP: string;
  /** ConfigMaps and Secrets by name (null: looked up and not found). Absent names were never looked up. */
  configMaps: ReadonlyMap<string, ConfigMap | null>;
  secrets: ReadonlyMap<string, Secret | null>;
}

/** The ConfigMap and Secret names a container's env and envFrom refer to. */
export function referencedObjects(c: Container): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const e of c.env ?? []) {
    if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
    if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
  }
  for (const from of (c.envFrom ?? []) as EnvFromSource[]) {
    if (from.configMapRef?.name) configMaps.add(from.configMapRef.name);
    if (from.secretRef?.name) secrets.add(from.secretRef.name);
  }
  return { configMaps, secrets };
}

interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}

/** Kubernetes' $(VAR) expansion (third_party/forked/golang/expansion): $$ escapes, unknown names stay as written. */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const value = lookup(name);
      out += value ?? `$(${name})`;
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

const LABEL_PATH = /^metadata\.(labels|annotations)\['(.+)'\]$/;

export function fieldRefValue(pod: Pod, path: string, src: EnvSources): string {
  const m = LABEL_PATH.exec(path);
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]] ?? '';
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? 'default';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return src.podIP ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return src.hostIP;
    default:
      throw new ContainerConfigError(`unsupported fieldRef fieldPath: ${path}`);
  }
}

function keyFrom(
  kind: 'ConfigMap' | 'Secret',
  ns: string,
  ref: { name: string; key: string; optional?: boolean },
  src: EnvSources,
): string | undefined {
  const obj = kind === 'ConfigMap' ? src.configMaps.get(ref.name) : src.secrets.get(ref.name);
  if (!obj) {
    if (ref.optional) return undefined;
    throw new ContainerConfigError(`${kind.toLowerCase()} "${ref.name}" not found`);
  }
  const value = dataOf(kind, obj).get(ref.key);
  if (value === undefined && !ref.optional) {
    throw new ContainerConfigError(`couldn't find key ${ref.key} in ${kind} ${ns}/${ref.name}`);
  }
  return value;
}

/**
 * The values env can read: a ConfigMap's `data` (not binaryData, as in Kubernetes), a Secret's `data` decoded from
 * base64. A Map, so a key named __proto__ is just a key.
 */
function dataOf(kind: 'ConfigMap' | 'Secret', obj: ConfigMap | Secret): Map<string, string> {
  const out = new Map<string, string>();
  const data = obj.data;
  if (typeof data !== 'object' || data === null) return out;
  for (const [k, v] of Object.entries(data)) {
    out.set(k, kind === 'ConfigMap' ? String(v) : Buffer.from(String(v), 'base64').toString('utf8'));
  }
  return out;
}

function envValue(pod: Pod, e: EnvVar, src: EnvSources): string | undefined {
  const from = e.valueFrom;
  if (!from) return undefined;
  const ns = pod.metadata.namespace ?? 'default';
  if (from.fieldRef) return fieldRefValue(pod, from.fieldRef.fieldPath, src);
  if (from.configMapKeyRef) return keyFrom('ConfigMap', ns, from.configMapKeyRef, src);
  if (from.secretKeyRef) return keyFrom('Secret', ns, from.secretKeyRef, src);
  if (from.resourceFieldRef)
    throw new ContainerConfigError('env resourceFieldRef is not supported by skiff yet');
  return undefined;
}

/** The container's environment as ordered name → value pairs. Throws ContainerConfigError. */
export function containerEnv(pod: Pod, c: Container, src: EnvSources): Map<string, string> {
  const env = new Map<string, string>();
  for (const from of (c.envFrom ?? []) as EnvFromSource[]) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
    const obj = kind === 'ConfigMap' ? src.configMaps.get(ref.name) : src.secrets.get(ref.name);
    if (!obj) {
      if (ref.optional) continue;
      throw new ContainerConfigError(`${kind.toLowerCase()} "${ref.name}" not found`);
    }
    // Keys are ConfigMap keys ([-._a-zA-Z0-9]+) and the prefix is validated, so every name is a valid (relaxed)
    // environment variable name; Kubernetes would skip invalid ones with an InvalidEnvironmentVariableNames event.
    for (const [k, v] of dataOf(kind, obj)) env.set(`${from.prefix ?? ''}${k}`, v);
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined || !e.valueFrom) {
      env.set(
        e.name,
        expand(e.value ?? '', (n) => env.get(n)),
      );
      continue;
    }
    const v = envValue(pod, e, src);
    if (v !== undefined) env.set(e.name, v);
  }
  return env;
}
