// Builders for the Endpoints and EndpointSlice controller tests (not used by the controllers): Services and pods
// as the API server stores them, in the states the controllers distinguish (IP or not, ready or not, terminating,
// terminal, named container ports, hostname/subdomain).
import type { ContainerPort, Pod, PodPhase, Service, ServicePort } from '../../api/types.js';

export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString().replace('.000Z', 'Z');

export interface ServiceOptions {
  selector?: Record<string, string> | null;
  ports?: ServicePort[];
  clusterIP?: string;
  publishNotReadyAddresses?: boolean;
  labels?: Record<string, string>;
  type?: Service['spec']['type'];
  ipFamilies?: string[];
  uid?: string;
  namespace?: string;
}

export function service(name: string, opts: ServiceOptions = {}): Service {
  const svc: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: opts.namespace ?? 'default',
      uid: opts.uid ?? `uid-svc-${name}`,
      resourceVersion: '1',
      creationTimestamp: at(0),
    },
    spec: {
      type: opts.type ?? 'ClusterIP',
      ports: opts.ports ?? [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      clusterIP: opts.clusterIP ?? '10.96.0.10',
      ipFamilies: opts.ipFamilies ?? ['IPv4'],
    },
  };
  if (opts.selector !== null) svc.spec.selector = opts.selector ?? { app: 'web' };
  if (opts.labels) svc.metadata.labels = opts.labels;
  if (opts.publishNotReadyAddresses) svc.spec.publishNotReadyAddresses = true;
  return svc;
}

export interface PodOptions {
  /** Default 10.244.1.10; null: no IP yet. */
  ip?: string | null;
  ips?: string[];
  ready?: boolean;
  /** Seconds after T0 of the Ready condition's last transition. */
  readySince?: number;
  labels?: Record<string, string>;
  node?: string;
  deleting?: boolean;
  phase?: PodPhase;
  ports?: ContainerPort[];
  hostname?: string;
  subdomain?: string;
  namespace?: string;
}

export function pod(name: string, opts: PodOptions = {}): Pod {
  const ip = opts.ip === undefined ? '10.244.1.10' : opts.ip;
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: opts.namespace ?? 'default',
      uid: `uid-${name}`,
      resourceVersion: '1',
      labels: { ...(opts.labels ?? { app: 'web' }) },
      creationTimestamp: at(0),
    },
    spec: {
      nodeName: opts.node ?? 'node-1',
      containers: [{ name: 'app', image: 'nginx', ports: opts.ports ?? [] }],
    },
    status: {
      phase: opts.phase ?? 'Running',
      conditions: [
        {
          type: 'Ready',
          status: opts.ready === false ? 'False' : 'True',
          lastTransitionTime: at(opts.readySince ?? 0),
        },
      ],
    },
  };
  if (ip !== null) {
    p.status!.podIP = ip;
    p.status!.podIPs = (opts.ips ?? [ip]).map((i) => ({ ip: i }));
  }
  if (opts.deleting) p.metadata.deletionTimestamp = at(60);
  if (opts.hostname) p.spec.hostname = opts.hostname;
  if (opts.subdomain) p.spec.subdomain = opts.subdomain;
  return p;
}
