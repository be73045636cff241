// Canonical Endpoints subsets (pkg/api/v1/endpoints/util.go RepackSubsets): addresses grouped by the exact set of
// ports they serve, one subset per group, everything sorted, so the same state always yields the same JSON and
// watchers (kube-proxy, DNS) see a write only when something really changed. Pure.
import { jsonEqual } from '../../api/object-meta.js';
import type { EndpointAddress, EndpointPort, EndpointSubset } from '../../api/types.js';

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** One address is one IP of one pod: the same IP of two different pods (targetRef uid) are two addresses. */
const addressKey = (a: EndpointAddress): string => `${a.ip}\u0000${a.targetRef?.uid ?? ''}`;

const portKey = (p: EndpointPort): string =>
  [p.name ?? '', String(p.port).padStart(5, '0'), p.protocol ?? 'TCP', p.appProtocol ?? ''].join('\u0000');

function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  return compare(a.ip, b.ip) || compare(a.targetRef?.uid ?? '', b.targetRef?.uid ?? '');
}

function subsetKey(s: EndpointSubset): string {
  return [
    (s.ports ?? []).map(portKey).join('\u0001'),
    (s.addresses ?? []).map(addressKey).join('\u0001'),
    (s.notReadyAddresses ?? []).map(addressKey).join('\u0001'),
  ].join('\u0002');
}

/** Builds a subset without empty lists (the API omits them). */
function subset(
  addresses: EndpointAddress[],
  notReady: EndpointAddress[],
  ports: EndpointPort[],
): EndpointSubset {
  const s: EndpointSubset = {};
  if (addresses.length > 0) s.addresses = addresses;
  if (notReady.length > 0) s.notReadyAddresses = notReady;
  if (ports.length > 0) s.ports = ports;
  return s;
}

/** Sorts addresses (by IP, then pod uid), ports (by name, number, protocol) and the subsets themselves. */
export function sortSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  return subsets
    .map((s) =>
      subset(
        [...(s.addresses ?? [])].sort(compareAddresses),
        [...(s.notReadyAddresses ?? [])].sort(compareAddresses),
        [...(s.ports ?? [])].sort((a, b) => compare(portKey(a), portKey(b))),
      ),
    )
    .sort((a, b) => compare(subsetKey(a), subsetKey(b)));
}

/**
 * RepackSubsets: regroups any list of subsets (typically one address and one port each) into the fewest subsets,
 * one per distinct set of addresses serving the same ports. An address listed both ready and not ready for a
 * port is not ready for it (not-ready wins). Port-less subsets (headless services without ports) stay port-less.
 */
export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const allAddresses = new Map<string, EndpointAddress>();
  // Per port (or the port-less sentinel ''): address key → ready.
  const byPort = new Map<string, { port?: EndpointPort; ready: Map<string, boolean> }>();
  const note = (addr: EndpointAddress, port: EndpointPort | undefined, ready: boolean) => {
    const key = addressKey(addr);
    if (!allAddresses.has(key)) allAddresses.set(key, addr);
    const pk = port ? portKey(port) : '';
    let entry = byPort.get(pk);
    if (!entry) byPort.set(pk, (entry = { port, ready: new Map() }));
    if (entry.ready.get(key) !== false) entry.ready.set(key, ready);
  };
  for (const s of subsets) {
    const ports: (EndpointPort | undefined)[] = s.ports?.length ? s.ports : [undefined];
    for (const port of ports) {
      for (const a of s.addresses ?? []) note(a, port, true);
      for (const a of s.notReadyAddresses ?? []) note(a, port, false);
    }
  }
  // Ports whose address sets (with readiness) are identical share one subset.
  const groups = new Map<string, { ready: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, ready } of byPort.values()) {
    if (ready.size === 0) continue;
    const signature = [...ready.entries()]
      .map(([k, r]) => `${k}=${r}`)
      .sort()
      .join('\u0001');
    let group = groups.get(signature);
    if (!group) groups.set(signature, (group = { ready, ports: [] }));
    if (port) group.ports.push(port);
  }
  const out: EndpointSubset[] = [];
  for (const { ready, ports } of groups.values()) {
    const addresses: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [key, isReady] of ready) (isReady ? addresses : notReady).push(allAddresses.get(key)!);
    out.push(subset(addresses, notReady, ports));
  }
  return sortSubsets(out);
}

/** An address as compared: no empty optional fields, and no targetRef.resourceVersion (pod updates change it). */
function normalizeAddress(a: EndpointAddress): EndpointAddress {
  const out: EndpointAddress = { ip: a.ip };
  if (a.hostname) out.hostname = a.hostname;
  if (a.nodeName) out.nodeName = a.nodeName;
  if (a.targetRef) {
    const { resourceVersion: _rv, ...ref } = a.targetRef;
    out.targetRef = ref;
  }
  return out;
}

function normalizePort(p: EndpointPort): EndpointPort {
  const out: EndpointPort = { port: p.port, protocol: p.protocol ?? 'TCP' };
  if (p.name) out.name = p.name;
  if (p.appProtocol) out.appProtocol = p.appProtocol;
  return out;
}

/** The canonical form two subsets lists are compared in. */
export function normalizeSubsets(subsets: EndpointSubset[] | undefined): EndpointSubset[] {
  return sortSubsets(
    (subsets ?? []).map((s) =>
      subset(
        (s.addresses ?? []).map(normalizeAddress),
        (s.notReadyAddresses ?? []).map(normalizeAddress),
        (s.ports ?? []).map(normalizePort),
      ),
    ),
  ).filter((s) => s.addresses || s.notReadyAddresses);
}

/** Deep equality after canonical sorting, ignoring pod resourceVersions (endpointSubsetsEqualIgnoreResourceVersion). */
export function subsetsEqual(a: EndpointSubset[] | undefined, b: EndpointSubset[] | undefined): boolean {
  return jsonEqual(normalizeSubsets(a), normalizeSubsets(b));
}
