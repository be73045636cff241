// host-gw routing (flannel's host-gw backend, kubenet's routes): every node reaches the pods of every other node
// directly through that node's IP — `10.244.2.0/24 via 10.200.0.12` — so pod IPs travel unchanged, with no overlay.
// Two more routes complete the picture (DESIGN "unreachable routes", NETLAB P6):
//   unreachable <clusterCIDR>      least specific, so a pod CIDR no node owns fails at once on this node
//                                  (EHOSTUNREACH) instead of following the default route out of the host;
//   <serviceCIDR> dev <bridge>     on-link through the pod bridge, so a service VIP opened from the node itself has
//                                  a route for the OUTPUT DNAT; VIPs no rule claims are REJECTed by the proxy.
// desiredRoutes() and diffRoutes() are pure; the Routes interface is the host (adapter: ip-routes.ts, fake:
// test/fakes/fake-routes.ts).
import type { Node } from '../../src/api/types.js';
import {
  cidrContains,
  cidrsOverlap,
  ipInCidr,
  isIpv4,
  parseIpv4Cidr,
  formatCidr,
} from '../../src/controllers/nodeipam/cidr.js';

export interface Route {
  /** Destination network in normalized CIDR form. */
  dst: string;
  type: 'unicast' | 'unreachable';
  /** Next hop (`via`). */
  gateway?: string;
  /** Outgoing device; for routes via a gateway the kernel picks it (left out of the desired route). */
  dev?: string;
}

/** The routing host effect: only ever sees and touches the routes skiff made. */
export interface Routes {
  /** skiff's routes (destination inside the cluster or service CIDR). */
  list(): Promise<Route[]>;
  /** `ip route replace`: adds the route, or replaces the one with the same destination. */
  replace(route: Route): Promise<void>;
  /** `ip route del`; a route that is already gone is not an error. */
  delete(route: Route): Promise<void>;
}

export interface RouteCidrs {
  clusterCIDR: string;
  serviceCIDR: string;
  /** The pod bridge (skiffbr) the service route points at. */
  bridge: string;
}

export interface SelfNode {
  name: string;
  podCIDR?: string;
  /** This node's own address (a peer claiming it as its IP is skipped). */
  nodeIP?: string;
}

export interface SkippedPeer {
  node: string;
  reason: string;
}

/** The node's first IPv4 InternalIP. */
export function internalIPv4(node: Node): string | undefined {
  return node.status?.addresses?.find((a) => a.type === 'InternalIP' && isIpv4(a.address))?.address;
}

function podCIDRField(node: Node): string | undefined {
  return node.spec?.podCIDR || node.spec?.podCIDRs?.[0] || undefined;
}

/** Routes to the other nodes' pod CIDRs, and why some nodes got none. Peers are taken in name order. */
export function peerRoutes(
  self: SelfNode,
  nodes: readonly Node[],
  cidrs: RouteCidrs,
): { routes: Route[]; skipped: SkippedPeer[] } {
  const cluster = parseIpv4Cidr(cidrs.clusterCIDR);
  const service = parseIpv4Cidr(cidrs.serviceCIDR);
  const own = self.podCIDR ? parseIpv4Cidr(self.podCIDR) : undefined;
  const routes: Route[] = [];
  const skipped: SkippedPeer[] = [];
  const taken = new Map<string, string>();
  const sorted = [...nodes].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const node of sorted) {
    const name = node.metadata.name ?? '';
    if (name === self.name) continue;
    const skip = (reason: string) => skipped.push({ node: name, reason });
    const raw = podCIDRField(node);
    if (!raw) continue; // not assigned yet: nothing to route, nothing wrong
    const net = parseIpv4Cidr(raw);
    const ip = internalIPv4(node);
    if (!net) skip(`podCIDR ${JSON.stringify(raw)} is not an IPv4 CIDR`);
    else if (!cluster || !cidrContains(cluster, net) || net.prefix === cluster.prefix)
      skip(`podCIDR ${raw} is not inside the cluster CIDR ${cidrs.clusterCIDR}`);
    else if (service && cidrsOverlap(service, net)) skip(`podCIDR ${raw} overlaps the service CIDR`);
    else if (own && cidrsOverlap(own, net)) skip(`podCIDR ${raw} overlaps this node's ${self.podCIDR}`);
    else if (!ip) skip('no IPv4 InternalIP');
    else if (ip === self.nodeIP) skip(`InternalIP ${ip} is this node's own address`);
    else if ((cluster && ipInCidr(ip, cluster)) || (service && ipInCidr(ip, service)))
      skip(`InternalIP ${ip} lies inside the cluster or service CIDR`);
    else {
      const dst = formatCidr(net);
      const holder = taken.get(dst);
      if (holder) skip(`podCIDR ${dst} is already routed to node ${holder}`);
      else {
        taken.set(dst, name);
        routes.push({ dst, type: 'unicast', gateway: ip });
      }
    }
  }
  return { routes, skipped };
}

/** Everything this node's routing table should hold for the pod network, sorted by destination. */
export function desiredRoutes(self: SelfNode, nodes: readonly Node[], cidrs: RouteCidrs): Route[] {
  const routes = peerRoutes(self, nodes, cidrs).routes;
  const cluster = parseIpv4Cidr(cidrs.clusterCIDR);
  const service = parseIpv4Cidr(cidrs.serviceCIDR);
  if (cluster) routes.push({ dst: formatCidr(cluster), type: 'unreachable' });
  if (service) routes.push({ dst: formatCidr(service), type: 'unicast', dev: cidrs.bridge });
  return routes.sort((a, b) => compareCidr(a.dst, b.dst));
}

/** Whether the route in the table (`current`) already is the one we want (unset fields of `want` don't matter). */
export function sameRoute(current: Route, want: Route): boolean {
  return (
    current.type === want.type &&
    (current.gateway ?? '') === (want.gateway ?? '') &&
    (want.dev === undefined || current.dev === want.dev)
  );
}

/** What to replace (missing or different) and what to delete (ours, no longer wanted), by destination. */
export function diffRoutes(
  current: readonly Route[],
  desired: readonly Route[],
): { add: Route[]; del: Route[] } {
  const byDst = new Map(current.map((r) => [r.dst, r]));
  const wanted = new Set(desired.map((r) => r.dst));
  return {
    add: desired.filter((r) => !byDst.has(r.dst) || !sameRoute(byDst.get(r.dst)!, r)),
    del: current.filter((r) => !wanted.has(r.dst)),
  };
}

/** `ip route` argument form of a route (without the verb): `unreachable 10.244.0.0/16`, `10.244.2.0/24 via …`. */
export function routeArgs(route: Route): string[] {
  const args = route.type === 'unreachable' ? ['unreachable', route.dst] : [route.dst];
  if (route.gateway) args.push('via', route.gateway);
  if (route.dev) args.push('dev', route.dev);
  return args;
}

function compareCidr(a: string, b: string): number {
  const x = parseIpv4Cidr(a);
  const y = parseIpv4Cidr(b);
  if (!x || !y) return a.localeCompare(b);
  return x.base - y.base || x.prefix - y.prefix;
}
