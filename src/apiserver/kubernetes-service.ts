// The `kubernetes` Service in `default`: how pods reach the API server (Kubernetes' controlplane
// kubernetesservice controller and endpoint reconciler). It holds the first address of the service range
// (10.96.0.1), port 443 named `https` towards the API server's port, and no selector: its Endpoints object is
// written here, pointing at the master's advertise address, and the endpoints controller leaves selector-less
// Services alone. Both are created when missing and put right at every master start. (skiff's API is plain
// HTTP on that port for now; the port name `https` is upstream's.)
import type { NetworkInterfaceInfo } from 'node:os';
import ipaddr from 'ipaddr.js';
import type { Endpoints, KubeObject, Service, ServicePort } from '../api/types.js';
import type { ResourceRef } from '../client/api-client.js';
import { isApiError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import type { ResourceService } from './resource-service.js';

export const KUBERNETES_SERVICE_NAME = 'kubernetes';
const NAMESPACE = 'default';
const SERVICES: ResourceRef = { group: '', version: 'v1', resource: 'services' };
const ENDPOINTS: ResourceRef = { group: '', version: 'v1', resource: 'endpoints' };

export interface KubernetesServiceOptions {
  /** The Service's address: the first usable one of the service range. */
  clusterIP: string;
  /** The port the API server listens on: the Service's targetPort and the Endpoints port. */
  port: number;
  /** Where pods reach the API server: the Endpoints address. */
  advertiseAddress: string;
  logger?: Logger;
}

const isIP = (text: string): boolean => ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text);

export function isUsableAdvertiseAddress(address: string): boolean {
  return isIP(address) && !['unspecified', 'loopback'].includes(ipaddr.parse(address).range());
}

/**
 * The master's advertise address: the listen host when it is a specific, non-loopback address; else the first
 * non-internal IPv4 address of the machine; else (no network at all) the listen host's loopback, or 127.0.0.1.
 */
export function pickAdvertiseAddress(
  listenHost: string,
  interfaces: Record<string, NetworkInterfaceInfo[] | undefined>,
): string {
  if (isUsableAdvertiseAddress(listenHost)) return listenHost;
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return isIP(listenHost) && ipaddr.parse(listenHost).range() === 'loopback' ? listenHost : '127.0.0.1';
}

const servicePorts = (port: number): ServicePort[] => [
  { name: 'https', port: 443, protocol: 'TCP', targetPort: port },
];

export function desiredKubernetesService(clusterIP: string, port: number): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: KUBERNETES_SERVICE_NAME,
      namespace: NAMESPACE,
      labels: { component: 'apiserver', provider: 'kubernetes' },
    },
    spec: { type: 'ClusterIP', clusterIP, sessionAffinity: 'None', ports: servicePorts(port) },
  };
}

export function desiredKubernetesEndpoints(address: string, port: number): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {
      name: KUBERNETES_SERVICE_NAME,
      namespace: NAMESPACE,
      // No skip-mirror label (upstream's API server writes the slice itself): our EndpointSlice mirroring
      // controller copies these Endpoints into a slice, which is what `kubectl describe service` reads.
    },
    subsets: [{ addresses: [{ ip: address }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  };
}

/** Whether the stored Service has the type and ports it must have (checkServiceFormat upstream). */
function serviceFormatCorrect(svc: Service, port: number): boolean {
  const want = servicePorts(port);
  const have = svc.spec?.ports ?? [];
  return (
    svc.spec?.type === 'ClusterIP' &&
    have.length === want.length &&
    want.every(
      (w, i) =>
        have[i].name === w.name &&
        have[i].port === w.port &&
        have[i].protocol === w.protocol &&
        have[i].targetPort === w.targetPort,
    )
  );
}

async function getOrUndefined(
  service: ResourceService,
  ref: ResourceRef,
  name: string,
): Promise<KubeObject | undefined> {
  try {
    return await service.get(ref, NAMESPACE, name);
  } catch (err) {
    if (isApiError(err, 'NotFound')) return undefined;
    throw err;
  }
}

async function ensureService(service: ResourceService, opts: KubernetesServiceOptions, log: Logger) {
  const current = (await getOrUndefined(service, SERVICES, KUBERNETES_SERVICE_NAME)) as Service | undefined;
  if (!current) {
    await service.create(SERVICES, NAMESPACE, desiredKubernetesService(opts.clusterIP, opts.port));
    log.info({ clusterIP: opts.clusterIP, port: opts.port }, 'created the kubernetes service');
  } else if (!serviceFormatCorrect(current, opts.port)) {
    // Only type and ports are put right; the cluster IP a Service has is its own for life.
    const fixed = structuredClone(current);
    fixed.spec = { ...fixed.spec, type: 'ClusterIP', ports: servicePorts(opts.port) };
    await service.update(SERVICES, NAMESPACE, KUBERNETES_SERVICE_NAME, fixed);
    log.info({ port: opts.port }, 'updated the kubernetes service');
  }
}

async function ensureEndpoints(service: ResourceService, opts: KubernetesServiceOptions, log: Logger) {
  if (!service.registry.get(ENDPOINTS.group, ENDPOINTS.version, ENDPOINTS.resource)) {
    log.warn('this API server serves no endpoints; the kubernetes service has no endpoints');
    return;
  }
  if (!isUsableAdvertiseAddress(opts.advertiseAddress)) {
    // Endpoints may not point at loopback: pods would reach their own node, not the master.
    log.warn(
      { address: opts.advertiseAddress },
      'no usable advertise address; the kubernetes service has no endpoints',
    );
    return;
  }
  const want = desiredKubernetesEndpoints(opts.advertiseAddress, opts.port);
  const current = (await getOrUndefined(service, ENDPOINTS, KUBERNETES_SERVICE_NAME)) as
    Endpoints | undefined;
  if (!current) {
    await service.create(ENDPOINTS, NAMESPACE, want);
  } else if (JSON.stringify(current.subsets) !== JSON.stringify(want.subsets)) {
    const fixed: Endpoints = { ...current, subsets: want.subsets };
    await service.update(ENDPOINTS, NAMESPACE, KUBERNETES_SERVICE_NAME, fixed);
  } else {
    return;
  }
  log.info({ address: opts.advertiseAddress, port: opts.port }, 'kubernetes endpoints point at this master');
}

/** Creates or corrects the `kubernetes` Service and its Endpoints. Idempotent; run at every master start. */
export async function ensureKubernetesService(
  service: ResourceService,
  opts: KubernetesServiceOptions,
): Promise<void> {
  const log = opts.logger ?? silentLogger;
  await ensureService(service, opts, log);
  await ensureEndpoints(service, opts, log);
}
