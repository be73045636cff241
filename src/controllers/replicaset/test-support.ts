// Builders for the ReplicaSet and Deployment controller tests (not used by the controllers): objects as the API
// server stores them, with defaults filled in, and pods in the states the ranking and status code distinguish.
import { newControllerRef } from '../../api/object-meta.js';
import type { KubeObject, Pod, PodPhase, PodTemplateSpec, ReplicaSet } from '../../api/types.js';

export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString().replace('.000Z', 'Z');

export function podTemplate(labels: Record<string, string>, image = 'nginx:1.27'): PodTemplateSpec {
  return {
    metadata: { labels: { ...labels } },
    spec: {
      containers: [{ name: 'app', image, imagePullPolicy: 'IfNotPresent' }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
    },
  } as PodTemplateSpec;
}

export function replicaSet(
  name: string,
  opts: {
    replicas?: number;
    labels?: Record<string, string>;
    uid?: string;
    owner?: KubeObject;
    minReadySeconds?: number;
    created?: number;
    generation?: number;
  } = {},
): ReplicaSet {
  const labels = opts.labels ?? { app: 'web' };
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'default',
      uid: opts.uid ?? `uid-${name}`,
      labels: { ...labels },
      generation: opts.generation ?? 1,
      resourceVersion: '1',
      creationTimestamp: at(opts.created ?? 0),
    },
    spec: {
      replicas: opts.replicas ?? 1,
      minReadySeconds: opts.minReadySeconds ?? 0,
      selector: { matchLabels: { ...labels } },
      template: podTemplate(labels),
    },
    status: { replicas: 0 },
  };
  if (opts.owner) rs.metadata.ownerReferences = [newControllerRef(opts.owner)];
  return rs;
}

export interface PodOptions {
  labels?: Record<string, string>;
  owner?: KubeObject;
  node?: string;
  phase?: PodPhase;
  /** Seconds after T0 when the pod became Ready; undefined = not ready. */
  readyAt?: number;
  created?: number;
  restarts?: number;
  deleting?: boolean;
  annotations?: Record<string, string>;
}

export function pod(name: string, opts: PodOptions = {}): Pod {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: '1',
      labels: { ...(opts.labels ?? { app: 'web' }) },
      creationTimestamp: at(opts.created ?? 0),
    },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
    status: {
      phase: opts.phase ?? (opts.readyAt !== undefined ? 'Running' : 'Pending'),
      conditions: [],
      containerStatuses: [
        {
          name: 'app',
          image: 'nginx:1.27',
          imageID: '',
          ready: opts.readyAt !== undefined,
          restartCount: opts.restarts ?? 0,
          state: {},
          lastState: {},
        },
      ],
    },
  };
  if (opts.node) p.spec.nodeName = opts.node;
  if (opts.owner) p.metadata.ownerReferences = [newControllerRef(opts.owner)];
  if (opts.annotations) p.metadata.annotations = { ...opts.annotations };
  if (opts.deleting) p.metadata.deletionTimestamp = at(1000);
  if (opts.readyAt !== undefined) {
    p.status!.conditions!.push({ type: 'Ready', status: 'True', lastTransitionTime: at(opts.readyAt) });
  }
  return p;
}
