// Pure helpers about pods as endpoints of a Service, shared by the Endpoints and EndpointSlice controllers
// (k8s.io/endpointslice/util and pkg/api/v1/pod in Kubernetes): which services select a pod, whether a pod is
// an endpoint at all, which of its IPs a service uses, how a targetPort resolves against its containers.
import { jsonEqual, podIsReady } from '../../api/object-meta.js';
import type { ObjectReference, Pod, Service, ServicePort } from '../../api/types.js';

export type IPFamily = 'IPv4' | 'IPv6';

/**
 * The service's selector, or undefined when it has none. An empty map counts as none: Kubernetes' storage drops
 * empty maps, so `selector: {}` never reaches its controllers as "select everything".
 */
export function serviceSelector(service: Service): Record<string, string> | undefined {
  const selector = service.spec?.selector;
  if (!selector || typeof selector !== 'object' || Object.keys(selector).length === 0) return undefined;
  return selector;
}

/** Services of type ExternalName and services without a selector get no endpoints from the controllers. */
export function hasManagedEndpoints(service: Service): boolean {
  return service.spec?.type !== 'ExternalName' && serviceSelector(service) !== undefined;
}

/** True when the service's selector matches the pod (same namespace; every selector label equal). */
export function selectsPod(service: Service, pod: Pod): boolean {
  if (service.metadata.namespace !== pod.metadata.namespace) return false;
  const selector = serviceSelector(service);
  if (!selector) return false;
  const labels = pod.metadata.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** The services (with managed endpoints) that select the pod. */
export function servicesSelectingPod(services: Service[], pod: Pod): Service[] {
  return services.filter((s) => hasManagedEndpoints(s) && selectsPod(s, pod));
}

/** clusterIP None: DNS answers with the pod IPs. */
export function isHeadless(service: Service): boolean {
  return service.spec?.clusterIP === 'None';
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/**
 * ShouldPodBeInEndpoints: a pod is an endpoint once it has an IP, until it is terminal (Succeeded/Failed);
 * a terminating pod (deletionTimestamp set) only when `includeTerminating` (publishNotReadyAddresses for
 * Endpoints; always for EndpointSlices, which mark it terminating).
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isTerminal(pod)) return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs ?? []).length) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

const familyOf = (ip: string): IPFamily => (ip.includes(':') ? 'IPv6' : 'IPv4');

/** The IP families a service's endpoints carry: spec.ipFamilies, else the family of its cluster IP. */
export function serviceFamilies(service: Service): IPFamily[] {
  const families = (service.spec?.ipFamilies ?? []).filter(
    (f): f is IPFamily => f === 'IPv4' || f === 'IPv6',
  );
  if (families.length > 0) return [...new Set(families)];
  const clusterIP = service.spec?.clusterIP;
  return [clusterIP && clusterIP !== 'None' ? familyOf(clusterIP) : 'IPv4'];
}

/** The pod's IP of a family: from status.podIPs, falling back to status.podIP. */
export function podIPOfFamily(pod: Pod, family: IPFamily): string | undefined {
  const ips = (pod.status?.podIPs ?? []).map((p) => p?.ip).filter((ip): ip is string => !!ip);
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips.find((ip) => familyOf(ip) === family);
}

/**
 * The pod IP the Endpoints object lists (podToEndpointAddressForService): the one of the service's first IP
 * family; without families, the family of the cluster IP, or for a headless service the pod's primary IP.
 */
export function podIPForService(service: Service, pod: Pod): string | undefined {
  let family: IPFamily;
  const declared = service.spec?.ipFamilies?.[0];
  if (declared === 'IPv4' || declared === 'IPv6') family = declared;
  else if (service.spec?.clusterIP && service.spec.clusterIP !== 'None')
    family = familyOf(service.spec.clusterIP);
  else family = familyOf(pod.status?.podIP ?? '');
  return podIPOfFamily(pod, family);
}

/** The pod an endpoint stands for; without resourceVersion, so pod updates alone never change an endpoint. */
export function podTargetRef(pod: Pod): ObjectReference {
  const ref: ObjectReference = { kind: 'Pod' };
  if (pod.metadata.namespace) ref.namespace = pod.metadata.namespace;
  if (pod.metadata.name) ref.name = pod.metadata.name;
  if (pod.metadata.uid) ref.uid = pod.metadata.uid;
  return ref;
}

/** ShouldSetHostname: a pod whose subdomain names this service gets a DNS name `<hostname>.<service>`. */
export function shouldSetHostname(pod: Pod, service: Service): boolean {
  return (
    !!pod.spec?.hostname &&
    pod.spec.subdomain === service.metadata.name &&
    pod.metadata.namespace === service.metadata.namespace
  );
}

/**
 * FindPort: the container port a service port's targetPort means on this pod. A number is used as is (absent:
 * the service port); a name is looked up among the containers' ports of the same protocol, then among sidecar
 * (restartPolicy Always) init containers. Undefined when the pod has no such port.
 */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  const protocol = servicePort.protocol ?? 'TCP';
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const container of [...(pod.spec?.containers ?? []), ...sidecars]) {
    for (const port of container.ports ?? []) {
      if (port.name === target && (port.protocol ?? 'TCP') === protocol) return port.containerPort;
    }
  }
  return undefined;
}

/** Everything about a pod that the endpoints of any service can depend on. */
function endpointView(pod: Pod): unknown {
  return {
    labels: pod.metadata.labels ?? {},
    deleting: !!pod.metadata.deletionTimestamp,
    ready: podIsReady(pod),
    terminal: isTerminal(pod),
    podIP: pod.status?.podIP ?? '',
    podIPs: (pod.status?.podIPs ?? []).map((p) => p?.ip),
    nodeName: pod.spec?.nodeName ?? '',
    hostname: pod.spec?.hostname ?? '',
    subdomain: pod.spec?.subdomain ?? '',
    ports: [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((c) => c.ports ?? []),
  };
}

/**
 * True when a pod update can change some service's endpoints (podEndpointsChanged, a little wider: a pod turning
 * terminal counts too). Status churn that endpoints do not show (restart counts, probe times) does not.
 */
export function podEndpointsChanged(oldPod: Pod, newPod: Pod): boolean {
  return !jsonEqual(endpointView(oldPod), endpointView(newPod));
}
