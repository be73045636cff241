// The pure fix-ups a Service update gets before defaults and validation, as Kubernetes' service registry does
// them (pkg/registry/core/service/storage/storage.go patchAllocatedValues, strategy.go NormalizeClusterIPs and
// dropTypeDependentFields):
//  - a writer that leaves out the allocated clusterIP or nodePorts (`kubectl replace`, an apply whose file has
//    none) keeps the allocated ones instead of tripping "may not change once set";
//  - a type change drops the fields the new type cannot have, when the writer did not touch them
//    (NodePort → ClusterIP clears the nodePorts, ClusterIP → ExternalName clears the clusterIP).
// Everything tolerates malformed input: validation reports it afterwards.
import type { KubeObject, Service, ServicePort, ServiceSpec } from '../api/types.js';

/** ServiceSpec plus the one field skiff honours that the shared type leaves out. */
export type ServiceSpecEx = ServiceSpec & { allocateLoadBalancerNodePorts?: boolean };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The spec when it is an object (a malformed body may have none). */
export function specOf(svc: KubeObject): ServiceSpecEx | undefined {
  const spec = (svc as Service).spec;
  return isObject(spec) ? spec : undefined;
}

/** The well-formed entries of spec.ports. */
export function portsOf(spec: ServiceSpecEx | undefined): ServicePort[] {
  return Array.isArray(spec?.ports) ? spec.ports.filter(isObject) : [];
}

/** The type, with the default ClusterIP for a spec that has none yet. */
export function typeOf(spec: ServiceSpecEx | undefined): string {
  return spec?.type || 'ClusterIP';
}

/** Every type but ExternalName has a cluster IP (or is headless). */
export const needsClusterIP = (spec: ServiceSpecEx | undefined): boolean => typeOf(spec) !== 'ExternalName';

/** NodePort and LoadBalancer Services hold node ports. */
export function needsNodePorts(spec: ServiceSpecEx | undefined): boolean {
  const type = typeOf(spec);
  return type === 'NodePort' || type === 'LoadBalancer';
}

/** clusterIP: None, no virtual IP (DNS answers with the pod IPs). */
export const isHeadless = (spec: ServiceSpecEx | undefined): boolean => spec?.clusterIP === 'None';

/** The clusterIPs a Service holds from the allocator: none for ExternalName and headless Services. */
export function heldClusterIPs(spec: ServiceSpecEx | undefined): string[] {
  if (!spec || !needsClusterIP(spec) || isHeadless(spec)) return [];
  const ips = Array.isArray(spec.clusterIPs) && spec.clusterIPs.length ? spec.clusterIPs : [spec.clusterIP];
  return ips.filter((ip): ip is string => typeof ip === 'string' && ip !== '' && ip !== 'None');
}

/** The node ports a Service holds: only NodePort and LoadBalancer Services hold any. Each port once. */
export function heldNodePorts(spec: ServiceSpecEx | undefined): number[] {
  if (!needsNodePorts(spec)) return [];
  return [...new Set(portsOf(spec).map((p) => p.nodePort))].filter(
    (n): n is number => typeof n === 'number' && n !== 0,
  );
}

const sameList = (a: unknown, b: unknown): boolean =>
  JSON.stringify(Array.isArray(a) ? a : []) === JSON.stringify(Array.isArray(b) ? b : []);

const ipOf = (spec: ServiceSpecEx): string => spec.clusterIP || '';

function sameClusterIPs(a: ServiceSpecEx, b: ServiceSpecEx): boolean {
  return ipOf(a) === ipOf(b) && sameList(a.clusterIPs, b.clusterIPs);
}

/** True when `next` asks for no node port `old` does not already have (users may drop or keep them). */
function sameNodePorts(old: ServiceSpecEx, next: ServiceSpecEx): boolean {
  const held = new Set(portsOf(old).map((p) => p.nodePort || 0));
  return portsOf(next).every((p) => !p.nodePort || held.has(p.nodePort));
}

/** Copies the allocated clusterIP and nodePorts a writer left out back into `next` (patchAllocatedValues). */
export function patchAllocatedValues(next: ServiceSpecEx, old: ServiceSpecEx): void {
  if (needsClusterIP(old) && needsClusterIP(next)) {
    if (!next.clusterIP && old.clusterIP) next.clusterIP = old.clusterIP;
    if (!(Array.isArray(next.clusterIPs) && next.clusterIPs.length) && Array.isArray(old.clusterIPs)) {
      if (old.clusterIPs.length) next.clusterIPs = [...old.clusterIPs];
    }
  }
  if (needsNodePorts(old) && needsNodePorts(next)) {
    const nextPorts = portsOf(next);
    const stillUsed = new Set(nextPorts.map((p) => p.nodePort).filter(Boolean));
    // Kubernetes matches by port name: the writer may have changed anything else about the port.
    const byName = new Map(portsOf(old).map((p) => [p.name ?? '', p.nodePort]));
    for (const port of nextPorts) {
      if (port.nodePort) continue;
      const previous = byName.get(port.name ?? '');
      if (previous && !stillUsed.has(previous)) port.nodePort = previous;
    }
  }
}

/** Keeps clusterIP and clusterIPs in step on update, guessing what the writer meant (NormalizeClusterIPs). */
export function normalizeClusterIPs(next: ServiceSpecEx, old: ServiceSpecEx): void {
  const oldIPs = Array.isArray(old.clusterIPs) ? old.clusterIPs : [];
  const nextHasIPs = Array.isArray(next.clusterIPs) && next.clusterIPs.length > 0;
  // An old client that knows only clusterIP sent it unchanged and no clusterIPs.
  if (oldIPs.length && !nextHasIPs && ipOf(old) === ipOf(next)) next.clusterIPs = [...oldIPs];
  if (ipOf(old) === ipOf(next)) return;
  if (ipOf(old) && !ipOf(next)) {
    if (sameList(old.clusterIPs, next.clusterIPs)) delete next.clusterIPs; // clearing it, on their behalf
  } else if (sameList(old.clusterIPs, next.clusterIPs)) {
    next.clusterIPs = [ipOf(next)]; // changed the singular only; validation judges the change
  }
}

/** Drops what a type change leaves meaningless, unless the writer changed it too (dropTypeDependentFields). */
export function dropTypeDependentFields(next: ServiceSpecEx, old: ServiceSpecEx, svc: KubeObject): void {
  if (needsClusterIP(old) && !needsClusterIP(next)) {
    if (sameClusterIPs(old, next)) {
      delete next.clusterIP;
      delete next.clusterIPs;
    }
    if (sameList(old.ipFamilies, next.ipFamilies)) delete next.ipFamilies;
    if (old.ipFamilyPolicy === next.ipFamilyPolicy) delete next.ipFamilyPolicy;
    if (old.internalTrafficPolicy === next.internalTrafficPolicy) delete next.internalTrafficPolicy;
  }
  if (needsNodePorts(old) && !needsNodePorts(next) && sameNodePorts(old, next)) {
    for (const port of portsOf(next)) delete port.nodePort;
  }
  if (typeOf(old) === 'LoadBalancer' && typeOf(next) !== 'LoadBalancer') {
    if (old.allocateLoadBalancerNodePorts === next.allocateLoadBalancerNodePorts) {
      delete next.allocateLoadBalancerNodePorts;
    }
  }
  if (
    needsNodePorts(old) &&
    !needsNodePorts(next) &&
    old.externalTrafficPolicy === next.externalTrafficPolicy
  ) {
    delete next.externalTrafficPolicy;
  }
  // Only a LoadBalancer has a load-balancer status; the rest show none at once.
  // (A fresh status object: the old one may be shared with the stored object.)
  const status = (svc as Service).status;
  if (typeOf(next) !== 'LoadBalancer' && isObject(status))
    (svc as Service).status = { ...status, loadBalancer: {} };
}

/** All update fix-ups in Kubernetes' order; a no-op when either object has no spec object. */
export function prepareServiceUpdate(next: KubeObject, old: KubeObject): void {
  const nextSpec = specOf(next);
  const oldSpec = specOf(old);
  if (!nextSpec || !oldSpec) return;
  patchAllocatedValues(nextSpec, oldSpec);
  normalizeClusterIPs(nextSpec, oldSpec);
  dropTypeDependentFields(nextSpec, oldSpec, next);
}
