// The heart of the Endpoints controller (syncService in pkg/controller/endpoint/endpoints_controller.go), pure:
// a Service and the pods its selector matches → the subsets of its Endpoints object.
import { podIsReady } from '../../api/object-meta.js';
import type {
  EndpointAddress,
  EndpointPort,
  EndpointSubset,
  Pod,
  Service,
  ServicePort,
} from '../../api/types.js';
import {
  findPort,
  isHeadless,
  podIPForService,
  podTargetRef,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from './pod-endpoints.js';
import { repackSubsets } from './subsets.js';

/** The address of one pod: its IP of the service's family, its node, a reference to it, and its DNS hostname. */
export function podEndpointAddress(service: Service, pod: Pod): EndpointAddress | undefined {
  const ip = podIPForService(service, pod);
  if (!ip) return undefined;
  const address: EndpointAddress = { ip, targetRef: podTargetRef(pod) };
  if (pod.spec?.nodeName) address.nodeName = pod.spec.nodeName;
  if (shouldSetHostname(pod, service)) address.hostname = pod.spec.hostname;
  return address;
}

/** The endpoint port of a service port resolved to `port` on some pod: the service port's name and protocol. */
export function endpointPort(servicePort: ServicePort, port: number): EndpointPort {
  const out: EndpointPort = { port, protocol: servicePort.protocol ?? 'TCP' };
  if (servicePort.name) out.name = servicePort.name;
  if (servicePort.appProtocol) out.appProtocol = servicePort.appProtocol;
  return out;
}

/**
 * The subsets of a Service's Endpoints, given the pods its selector matches. Each pod with an IP that is neither
 * terminal nor terminating (terminating pods stay when publishNotReadyAddresses) is listed under `addresses` when
 * Ready (or always, with publishNotReadyAddresses) and under `notReadyAddresses` otherwise, once for every service
 * port its containers resolve; a named targetPort that a pod lacks leaves the pod out for that port only. Pods
 * resolving the ports differently end up in different subsets. A headless service without ports lists bare
 * addresses. The result is canonical: the same inputs in any order give the same subsets.
 */
export function computeEndpoints(service: Service, pods: Pod[]): EndpointSubset[] {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const servicePorts = service.spec?.ports ?? [];
  const single: EndpointSubset[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const address = podEndpointAddress(service, pod);
    if (!address) continue; // no IP of the service's family
    const where = publishNotReady || podIsReady(pod) ? 'addresses' : 'notReadyAddresses';
    if (servicePorts.length === 0) {
      if (isHeadless(service)) single.push({ [where]: [address] });
      continue;
    }
    for (const servicePort of servicePorts) {
      const port = findPort(pod, servicePort);
      if (port === undefined) continue;
      single.push({ [where]: [address], ports: [endpointPort(servicePort, port)] });
    }
  }
  return repackSubsets(single);
}
