// EndpointSlice mirroring (pkg/controller/endpointslicemirroring), pure: the Endpoints that users write for
// Services without a selector are mirrored into EndpointSlices, so clients that read slices only (kubectl 1.32's
// `describe service`, for one) see them too. One slice per address family and port set; ready addresses become
// ready endpoints, not-ready ones not ready. Endpoints labelled endpointslice.kubernetes.io/skip-mirror=true are
// not mirrored (the API server's own `kubernetes` Endpoints upstream).
import { parseIP } from '../../api/kinds/endpoints.js';
import type { EndpointAddress, EndpointSliceEndpoint, Endpoints, Service } from '../../api/types.js';
import { serviceSelector } from '../endpoints/pod-endpoints.js';
import { LAST_CHANGE_TRIGGER_TIME } from '../endpoints/reconcile.js';
import {
  endpointOrder,
  MANAGED_BY_LABEL,
  normalizePorts,
  SERVICE_NAME_LABEL,
  sliceKey,
  type DesiredSlice,
} from './reconcile.js';

export const MIRRORING_CONTROLLER_NAME = 'endpointslicemirroring-controller.k8s.io';
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** A slice holds at most this many endpoints (validation's limit); upstream mirrors at most 1000 per subset. */
export const MAX_MIRRORED_ENDPOINTS = 1000;

/** Mirror when the Service exists without a selector and its Endpoints do not opt out. */
export function shouldMirror(service: Service | undefined, endpoints: Endpoints | undefined): boolean {
  return (
    !!service &&
    !!endpoints &&
    serviceSelector(service) === undefined &&
    endpoints.metadata.labels?.[SKIP_MIRROR_LABEL] !== 'true'
  );
}

/** The Endpoints' labels, plus the service name and this controller as manager. */
export function mirroredLabels(endpoints: Endpoints): Record<string, string> {
  return {
    ...(endpoints.metadata.labels ?? {}),
    [SERVICE_NAME_LABEL]: endpoints.metadata.name ?? '',
    [MANAGED_BY_LABEL]: MIRRORING_CONTROLLER_NAME,
  };
}

/** The Endpoints' annotations but the trigger time and kubectl's last-applied configuration. */
export function mirroredAnnotations(endpoints: Endpoints): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(endpoints.metadata.annotations ?? {})) {
    if (k !== LAST_CHANGE_TRIGGER_TIME && k !== LAST_APPLIED) out[k] = v;
  }
  return out;
}

function addressEndpoint(address: EndpointAddress, ready: boolean): EndpointSliceEndpoint {
  const ep: EndpointSliceEndpoint = { addresses: [address.ip], conditions: { ready } };
  if (address.nodeName) ep.nodeName = address.nodeName;
  if (address.hostname) ep.hostname = address.hostname;
  if (address.targetRef) ep.targetRef = address.targetRef;
  return ep;
}

/** The slices mirroring an Endpoints object: subsets with the same family and ports merge; bad IPs are skipped. */
export function mirroredSlices(endpoints: Endpoints): DesiredSlice[] {
  const groups = new Map<string, DesiredSlice & { seen: Set<string> }>();
  for (const subset of endpoints.subsets ?? []) {
    const ports = normalizePorts(subset.ports);
    const listed: [EndpointAddress, boolean][] = [
      ...(subset.addresses ?? []).map((a): [EndpointAddress, boolean] => [a, true]),
      ...(subset.notReadyAddresses ?? []).map((a): [EndpointAddress, boolean] => [a, false]),
    ];
    for (const [address, ready] of listed) {
      const ip = parseIP(address?.ip);
      if (!ip) continue;
      const addressType = ip.kind() === 'ipv6' ? 'IPv6' : 'IPv4';
      const key = sliceKey(addressType, ports);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { addressType, ports, endpoints: [], seen: new Set() }));
      const id = `${address.ip}\u0000${address.targetRef?.uid ?? ''}`;
      if (group.seen.has(id) || group.endpoints.length >= MAX_MIRRORED_ENDPOINTS) continue;
      group.seen.add(id);
      group.endpoints.push(addressEndpoint(address, ready));
    }
  }
  return [...groups.keys()].sort().map((key) => {
    const { addressType, ports, endpoints: eps } = groups.get(key)!;
    return { addressType, ports, endpoints: eps.sort(endpointOrder) };
  });
}
