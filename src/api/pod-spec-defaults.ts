// Server-side defaults of a PodSpec (k8s.io/kubernetes/pkg/apis/core/v1/defaults.go). Used for Pods and for
// every pod template (Deployments, ReplicaSets, DaemonSets, ...), so `kubectl get -o yaml` and `describe` look
// like a real cluster's. Defensive: runs before validation, so it tolerates malformed input and leaves the
// reporting to validatePodSpec.
import type { Container, PodSpec, Probe, Volume } from './types.js';

const isObject = (v: unknown): v is Record<string, any> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Image tag as the container runtime sees it: absent means `latest`; a digest-only reference has none. */
export function imageTag(image: string | undefined): string {
  if (!image) return '';
  const [name, digest] = image.split('@');
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > lastSlash) return name.slice(colon + 1);
  return digest ? '' : 'latest';
}

export function defaultPodSpec(spec: PodSpec): void {
  if (!isObject(spec)) return;
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  for (const list of [spec.containers, spec.initContainers]) {
    if (Array.isArray(list)) for (const c of list) if (isObject(c)) defaultContainer(c);
  }
  if (Array.isArray(spec.volumes)) for (const v of spec.volumes) if (isObject(v)) defaultVolume(v);
}

export function defaultContainer(c: Container): void {
  c.imagePullPolicy ??= imageTag(c.image) === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  // A limit without a request means "request the limit" (this is what makes limit-only pods Guaranteed).
  const { limits, requests } = c.resources;
  if (isObject(limits)) {
    const filled = { ...limits, ...(isObject(requests) ? requests : {}) };
    if (Object.keys(filled).length > 0) c.resources.requests = filled;
  }
  if (Array.isArray(c.ports)) for (const p of c.ports) if (isObject(p)) p.protocol ??= 'TCP';
  if (Array.isArray(c.env)) {
    for (const e of c.env) {
      const ref = isObject(e) && isObject(e.valueFrom) ? e.valueFrom.fieldRef : undefined;
      if (isObject(ref)) ref.apiVersion ??= 'v1';
    }
  }
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe])
    if (isObject(probe)) defaultProbe(probe);
}

export function defaultProbe(p: Probe): void {
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (isObject(p.httpGet)) {
    p.httpGet.path ??= '/';
    p.httpGet.scheme ??= 'HTTP';
  }
}

/** Sources a volume can name; a volume that names none becomes an emptyDir, as in Kubernetes. */
export const VOLUME_SOURCES = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
] as const;

export function defaultVolume(v: Volume): void {
  const record = v as unknown as Record<string, unknown>;
  const present = VOLUME_SOURCES.filter((s) => record[s] !== undefined && record[s] !== null);
  if (present.length === 0) v.emptyDir = {};
  for (const source of ['configMap', 'secret', 'downwardAPI', 'projected'] as const) {
    const s = record[source];
    if (isObject(s)) s.defaultMode ??= 420; // 0644
  }
  if (isObject(v.hostPath)) v.hostPath.type ??= '';
}
