// The EndpointSlice controller's decisions (pkg/controller/endpointslice and k8s.io/endpointslice's reconciler),
// pure. A Service's pods become slices: one per address family and per set of resolved ports (pods resolving a
// named targetPort differently cannot share a slice, whose ports apply to every endpoint), each endpoint with
// ready/serving/terminating conditions. Unlike Endpoints, terminating pods stay (marked terminating), so clients
// can drain them. No splitting at 100 endpoints: one slice per family and port set is enough for skiff. A Service
// without endpoints keeps one empty placeholder slice per family, as upstream.
import { jsonEqual, podIsReady } from '../../api/object-meta.js';
import type {
  EndpointPort,
  EndpointSlice,
  EndpointSliceEndpoint,
  OwnerReference,
  Pod,
  Service,
} from '../../api/types.js';
import {
  findPort,
  isHeadless,
  podIPOfFamily,
  podTargetRef,
  serviceFamilies,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  type IPFamily,
} from '../endpoints/pod-endpoints.js';
import { HEADLESS_LABEL, LAST_CHANGE_TRIGGER_TIME } from '../endpoints/reconcile.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';

export interface DesiredSlice {
  addressType: IPFamily;
  ports: EndpointPort[];
  endpoints: EndpointSliceEndpoint[];
}

export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const portKey = (p: EndpointPort): string =>
  [p.name ?? '', String(p.port ?? '').padStart(5, '0'), p.protocol ?? 'TCP', p.appProtocol ?? ''].join(
    '\u0000',
  );

/** The ports in canonical form (name "" and protocol TCP spelled out, as the API server defaults them), sorted. */
export function normalizePorts(ports: EndpointPort[] | undefined): EndpointPort[] {
  return (ports ?? [])
    .map((p) => {
      const out: EndpointPort = { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' };
      if (p.appProtocol) out.appProtocol = p.appProtocol;
      return out;
    })
    .sort((a, b) => compare(portKey(a), portKey(b)));
}

/** Slices are matched by address type and port set. */
export const sliceKey = (addressType: string, ports: EndpointPort[] | undefined): string =>
  `${addressType}\u0002${normalizePorts(ports).map(portKey).join('\u0001')}`;

/** getEndpointPorts: the service ports this pod resolves (none for a headless service without ports). */
function podPorts(service: Service, pod: Pod): EndpointPort[] {
  const ports: EndpointPort[] = [];
  for (const servicePort of service.spec?.ports ?? []) {
    const port = findPort(pod, servicePort);
    if (port === undefined) continue;
    const p: EndpointPort = { name: servicePort.name ?? '', port, protocol: servicePort.protocol ?? 'TCP' };
    if (servicePort.appProtocol) p.appProtocol = servicePort.appProtocol;
    ports.push(p);
  }
  return normalizePorts(ports);
}

/**
 * podToEndpoint: serving = the pod is Ready; terminating = its deletion has started; ready = serving and not
 * terminating (always true with publishNotReadyAddresses, for compatibility with Endpoints).
 */
function podEndpoint(service: Service, pod: Pod, ip: string): EndpointSliceEndpoint {
  const serving = podIsReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = service.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: EndpointSliceEndpoint = {
    addresses: [ip],
    conditions: { ready, serving, terminating },
    targetRef: podTargetRef(pod),
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  if (shouldSetHostname(pod, service)) ep.hostname = pod.spec.hostname;
  return ep;
}

/** Endpoints of a slice are kept sorted by address, then pod uid. */
export const endpointOrder = (a: EndpointSliceEndpoint, b: EndpointSliceEndpoint): number =>
  compare(a.addresses[0] ?? '', b.addresses[0] ?? '') ||
  compare(a.targetRef?.uid ?? '', b.targetRef?.uid ?? '');

/** The slices a Service should have, given the pods its selector matches; deterministic for any pod order. */
export function desiredSlices(service: Service, pods: Pod[]): DesiredSlice[] {
  const out: DesiredSlice[] = [];
  for (const addressType of serviceFamilies(service)) {
    const groups = new Map<string, DesiredSlice>();
    for (const pod of pods) {
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const ip = podIPOfFamily(pod, addressType);
      if (!ip) continue;
      const ports = podPorts(service, pod);
      const key = sliceKey(addressType, ports);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { addressType, ports, endpoints: [] }));
      group.endpoints.push(podEndpoint(service, pod, ip));
    }
    if (groups.size === 0) groups.set(sliceKey(addressType, []), { addressType, ports: [], endpoints: [] });
    for (const key of [...groups.keys()].sort(compare)) {
      const group = groups.get(key)!;
      group.endpoints.sort(endpointOrder);
      out.push(group);
    }
  }
  return out;
}

/** setEndpointSliceLabels: the service's labels (minus reserved keys) plus service name, manager, headless. */
export function sliceLabels(service: Service): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.metadata.labels ?? {})) {
    if (k !== SERVICE_NAME_LABEL && k !== MANAGED_BY_LABEL && k !== HEADLESS_LABEL) labels[k] = v;
  }
  if (isHeadless(service)) labels[HEADLESS_LABEL] = '';
  labels[SERVICE_NAME_LABEL] = service.metadata.name ?? '';
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  return labels;
}

function serviceRef(service: Service): OwnerReference {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    name: service.metadata.name ?? '',
    uid: service.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

const ownedBy = (slice: EndpointSlice, service: Service): boolean =>
  (slice.metadata.ownerReferences ?? []).some((r) => r.controller === true && r.uid === service.metadata.uid);

/** A slice's annotations: the copied ones (if any) and the trigger time; undefined when there are none. */
function sliceAnnotations(
  copied: Record<string, string> | undefined,
  triggerTime: string | undefined,
): Record<string, string> | undefined {
  const next = { ...(copied ?? {}) };
  if (triggerTime !== undefined) next[LAST_CHANGE_TRIGGER_TIME] = triggerTime;
  return Object.keys(next).length > 0 ? next : undefined;
}

/** The slice as compared: canonical ports and endpoints (no pod resourceVersions), labels, copied annotations. */
function sameContent(
  slice: EndpointSlice,
  want: DesiredSlice,
  labels: Record<string, string>,
  annotations: Record<string, string> | undefined,
): boolean {
  const endpoints = [...(slice.endpoints ?? [])].sort(endpointOrder).map((ep) => {
    const { resourceVersion: _rv, ...ref } = ep.targetRef ?? {};
    return { ...ep, ...(ep.targetRef ? { targetRef: ref } : {}) };
  });
  const { [LAST_CHANGE_TRIGGER_TIME]: _time, ...copied } = slice.metadata.annotations ?? {};
  return (
    jsonEqual(normalizePorts(slice.ports), want.ports) &&
    jsonEqual(endpoints, want.endpoints) &&
    jsonEqual(slice.metadata.labels ?? {}, labels) &&
    (annotations === undefined || jsonEqual(copied, annotations))
  );
}

/**
 * Matches the existing managed slices of a Service (label kubernetes.io/service-name) to the desired ones by
 * address type and port set: a match is kept (updated if its endpoints, ports or labels differ), a missing one
 * created, everything else deleted — duplicates, slices of another family or port set, slices of an earlier
 * Service of the same name (other uid). No creates while the Service is being deleted (the garbage collector is
 * removing its slices). `triggerTime` (RFC 3339) is stamped on what is written.
 */
export function reconcileSlices(args: {
  service: Service;
  desired: DesiredSlice[];
  existing: EndpointSlice[];
  /** The labels of every slice; default sliceLabels(service). */
  labels?: Record<string, string>;
  /** Annotations every slice carries (the mirroring controller copies the Endpoints'); compared like labels. */
  annotations?: Record<string, string>;
  triggerTime?: string;
}): SlicePlan {
  const { service } = args;
  const labels = args.labels ?? sliceLabels(service);
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const available = new Map<string, EndpointSlice[]>();
  const sorted = [...args.existing].sort((a, b) => compare(a.metadata.name ?? '', b.metadata.name ?? ''));
  for (const slice of sorted) {
    if (!ownedBy(slice, service)) {
      plan.delete.push(slice);
      continue;
    }
    const key = sliceKey(slice.addressType, slice.ports);
    available.set(key, [...(available.get(key) ?? []), slice]);
  }
  for (const want of args.desired) {
    const key = sliceKey(want.addressType, want.ports);
    const [match, ...duplicates] = available.get(key) ?? [];
    available.delete(key);
    plan.delete.push(...duplicates);
    if (match) {
      if (sameContent(match, want, labels, args.annotations)) continue;
      const next = structuredClone(match);
      next.metadata.labels = labels;
      const { [LAST_CHANGE_TRIGGER_TIME]: _time, ...kept } = next.metadata.annotations ?? {};
      const annotations = sliceAnnotations(args.annotations ?? kept, args.triggerTime);
      if (annotations) next.metadata.annotations = annotations;
      else delete next.metadata.annotations;
      next.ports = want.ports;
      next.endpoints = want.endpoints;
      plan.update.push(next);
    } else if (!service.metadata.deletionTimestamp) {
      const annotations = sliceAnnotations(args.annotations, args.triggerTime);
      plan.create.push({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          generateName: `${service.metadata.name}-`,
          namespace: service.metadata.namespace,
          labels,
          ...(annotations ? { annotations } : {}),
          ownerReferences: [serviceRef(service)],
        },
        addressType: want.addressType,
        endpoints: want.endpoints,
        ports: want.ports,
      });
    }
  }
  for (const rest of available.values()) plan.delete.push(...rest);
  return plan;
}
