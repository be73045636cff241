// From Services and Endpoints to what the rules are made of: one entry per service port, with its ready
// endpoints (kube-proxy's ServicePortName → endpoints map). Pure. Anything malformed is skipped here, so a bad
// object costs its own rules and never the whole batch (one bad line would make iptables-restore apply nothing).
import ipaddr from 'ipaddr.js';
import type { EndpointSubset, Endpoints, Service } from '../../src/api/types.js';
import { servicePortName } from './chains.js';

export const DEFAULT_AFFINITY_SECONDS = 10800;

export interface Endpoint {
  ip: string;
  port: number;
}

export interface ServicePortInfo {
  /** `ns/name:port` (kube-proxy's ServicePortName), used in hashes and comments. */
  name: string;
  /** Lower case, as iptables spells it: tcp, udp, sctp. */
  protocol: string;
  clusterIP: string;
  port: number;
  nodePort?: number;
  /** Seconds of ClientIP affinity; absent without affinity. */
  affinitySeconds?: number;
  /** Ready endpoints, deduplicated and ordered by address then port. */
  endpoints: Endpoint[];
}

// Names go into rule comments inside double quotes; the API server validates them as DNS labels and IANA port
// names, but a stray quote or newline here would break (or inject into) the batch, so check again.
const SAFE_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/i;

const isIPv4 = (ip: unknown): ip is string =>
  typeof ip === 'string' && ipaddr.IPv4.isValidFourPartDecimal(ip);
const isPort = (p: unknown): p is number =>
  Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535;
const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);

function ipKey(ip: string): number {
  const [a, b, c, d] = ip.split('.').map(Number);
  return ((a * 256 + b) * 256 + c) * 256 + d;
}

function byAddress(x: Endpoint, y: Endpoint): number {
  return ipKey(x.ip) - ipKey(y.ip) || x.port - y.port;
}

/** The ready endpoints of one service port: addresses of every subset that carries a port of that name. */
function readyEndpoints(
  subsets: EndpointSubset[] | undefined,
  portName: string,
  protocol: string,
): Endpoint[] {
  const seen = new Set<string>();
  const out: Endpoint[] = [];
  for (const subset of subsets ?? []) {
    // The endpoints controller resolves targetPort (number or container port name) into these numbers; the
    // service port and the endpoint port share the service port's name.
    const port = (subset.ports ?? []).find(
      (p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol,
    );
    if (!port || !isPort(port.port)) continue;
    for (const addr of subset.addresses ?? []) {
      if (!isIPv4(addr.ip)) continue;
      const key = `${addr.ip}:${port.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ ip: addr.ip, port: port.port });
    }
  }
  return out.sort(byAddress);
}

/** Every service port that gets rules, ordered by name then protocol (so the output is deterministic). */
export function collectServicePorts(services: Service[], endpoints: Endpoints[]): ServicePortInfo[] {
  const endpointsByKey = new Map<string, Endpoints>();
  for (const ep of endpoints) endpointsByKey.set(`${ep.metadata.namespace}/${ep.metadata.name}`, ep);

  const out: ServicePortInfo[] = [];
  const seen = new Set<string>();
  for (const svc of services) {
    const { namespace, name } = svc.metadata;
    const spec = svc.spec;
    if (!spec || !namespace || !name || !SAFE_NAME.test(namespace) || !SAFE_NAME.test(name)) continue;
    // ExternalName is DNS only; headless (clusterIP None) services are resolved by DNS to pod IPs.
    if (spec.type === 'ExternalName' || !isIPv4(spec.clusterIP)) continue;
    const withNodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
    const affinitySeconds =
      spec.sessionAffinity === 'ClientIP'
        ? (positiveInt(spec.sessionAffinityConfig?.clientIP?.timeoutSeconds) ?? DEFAULT_AFFINITY_SECONDS)
        : undefined;
    const subsets = endpointsByKey.get(`${namespace}/${name}`)?.subsets;
    for (const sp of spec.ports ?? []) {
      const protocol = sp.protocol ?? 'TCP';
      const portName = sp.name ?? '';
      if (!isPort(sp.port) || !PROTOCOLS.has(protocol) || (portName && !SAFE_NAME.test(portName))) continue;
      const spName = servicePortName(namespace, name, portName);
      // A repeated port name would repeat chain names; the API server forbids it, the first one wins here.
      if (seen.has(`${spName}/${protocol}`)) continue;
      seen.add(`${spName}/${protocol}`);
      out.push({
        name: spName,
        protocol: protocol.toLowerCase(),
        clusterIP: spec.clusterIP,
        port: sp.port,
        ...(withNodePorts && isPort(sp.nodePort) ? { nodePort: sp.nodePort } : {}),
        ...(affinitySeconds !== undefined ? { affinitySeconds } : {}),
        endpoints: readyEndpoints(subsets, portName, protocol),
      });
    }
  }
  return out.sort((a, b) => compare(a.name, b.name) || compare(a.protocol, b.protocol));
}

function positiveInt(v: unknown): number | undefined {
  return Number.isInteger(v) && (v as number) > 0 ? (v as number) : undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
