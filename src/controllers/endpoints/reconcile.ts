// What the Endpoints controller writes (the second half of syncService), pure: given a Service, its computed
// subsets and the Endpoints object in the cache, create it, update it, or leave it alone. Equal subsets (after
// canonical sorting, ignoring pod resourceVersions), labels and capacity annotation mean no write at all, so
// kube-proxy and DNS never see churn. Upstream Endpoints carry no ownerReference: the controller deletes them.
import { jsonEqual } from '../../api/object-meta.js';
import type { EndpointSubset, Endpoints, Service } from '../../api/types.js';
import { isHeadless } from './pod-endpoints.js';
import { subsetsEqual } from './subsets.js';

export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
export const OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';
/** Endpoints objects created by leader election (no Service) carry this; the leftover check skips them. */
export const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';
/** At most this many addresses go into one Endpoints object (EndpointSlices have no such limit). */
export const MAX_CAPACITY = 1000;

export type EndpointsAction =
  { type: 'none' } | { type: 'create'; endpoints: Endpoints } | { type: 'update'; endpoints: Endpoints };

/** The Endpoints' labels: the service's own, plus service.kubernetes.io/headless on headless services. */
export function endpointsLabels(service: Service): Record<string, string> {
  const labels = { ...(service.metadata.labels ?? {}) };
  if (isHeadless(service)) labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return labels;
}

const countAddresses = (subsets: EndpointSubset[]): { ready: number; notReady: number } =>
  subsets.reduce(
    (n, s) => ({
      ready: n.ready + (s.addresses?.length ?? 0),
      notReady: n.notReady + (s.notReadyAddresses?.length ?? 0),
    }),
    { ready: 0, notReady: 0 },
  );

/**
 * truncateEndpoints: above MAX_CAPACITY addresses, keep ready addresses first and share the room among the
 * subsets in proportion to their size (rounded up, the last subsets getting what is left).
 */
export function truncateSubsets(subsets: EndpointSubset[]): {
  subsets: EndpointSubset[];
  truncated: boolean;
} {
  const { ready, notReady } = countAddresses(subsets);
  if (ready + notReady <= MAX_CAPACITY) return { subsets, truncated: false };
  const truncateReady = ready > MAX_CAPACITY;
  const max = truncateReady ? MAX_CAPACITY : MAX_CAPACITY - ready;
  const total = truncateReady ? ready : notReady;
  let room = max;
  const out = subsets.map((s) => {
    const list = (truncateReady ? s.addresses : s.notReadyAddresses) ?? [];
    const share = Math.min(Math.ceil((list.length / total) * max), room);
    const kept = list.slice(0, share);
    room -= kept.length;
    const next: EndpointSubset = { ...s };
    if (truncateReady) {
      delete next.notReadyAddresses;
      if (kept.length > 0) next.addresses = kept;
      else delete next.addresses;
    } else if (kept.length > 0) next.notReadyAddresses = kept;
    else delete next.notReadyAddresses;
    return next;
  });
  return { subsets: out.filter((s) => s.addresses || s.notReadyAddresses), truncated: true };
}

function withAnnotation(annotations: Record<string, string>, key: string, value: string | undefined): void {
  if (value === undefined) delete annotations[key];
  else annotations[key] = value;
}

/**
 * Decides the write for one Service. `triggerTime` (RFC 3339) goes into the last-change-trigger-time annotation
 * of whatever is written; it never causes a write by itself.
 */
export function reconcileEndpoints(args: {
  service: Service;
  subsets: EndpointSubset[];
  current: Endpoints | undefined;
  triggerTime?: string;
}): EndpointsAction {
  const { service, current } = args;
  const { subsets, truncated } = truncateSubsets(args.subsets);
  const labels = endpointsLabels(service);
  const annotations = current?.metadata.annotations ?? {};
  if (
    current &&
    subsetsEqual(current.subsets, subsets) &&
    jsonEqual(current.metadata.labels ?? {}, labels) &&
    OVER_CAPACITY in annotations === truncated
  ) {
    return { type: 'none' };
  }
  const nextAnnotations = { ...annotations };
  withAnnotation(nextAnnotations, LAST_CHANGE_TRIGGER_TIME, args.triggerTime);
  withAnnotation(nextAnnotations, OVER_CAPACITY, truncated ? 'truncated' : undefined);
  const endpoints: Endpoints = current
    ? structuredClone(current)
    : {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: service.metadata.name, namespace: service.metadata.namespace },
      };
  if (Object.keys(labels).length > 0) endpoints.metadata.labels = labels;
  else delete endpoints.metadata.labels;
  if (Object.keys(nextAnnotations).length > 0) endpoints.metadata.annotations = nextAnnotations;
  else delete endpoints.metadata.annotations;
  if (subsets.length > 0) endpoints.subsets = subsets;
  else delete endpoints.subsets;
  return current ? { type: 'update', endpoints } : { type: 'create', endpoints };
}
