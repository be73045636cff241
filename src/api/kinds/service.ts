// v1 Service: a stable virtual IP and DNS name in front of the pods its selector matches. Here are defaults,
// validation and the table row; ClusterIP and NodePort allocation (which needs the API server's view of every
// Service: ranges, what is taken) is src/apiserver/service-allocator.ts, run after this validation.
import ipaddr from 'ipaddr.js';
import {
  duplicate,
  type FieldError,
  forbidden,
  invalidValue,
  notSupported,
  required,
} from '../../common/errors.js';
import { fieldPath } from '../field-path.js';
import { formatLabels, translateTimestampSince } from '../format.js';
import { type ResourceDef, STANDARD_VERBS } from '../resource-def.js';
import type { Service, ServicePort, ServiceSpec } from '../types.js';
import {
  isDns1123Label,
  isDns1123Subdomain,
  isValidPortName,
  isValidPortNum,
  validateLabels,
  validateObjectMeta,
} from '../validation.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { goString, invalidGo } from './go-format.js';

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const INVALID_IP = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

/** The spec with the LoadBalancer switch the shared ServiceSpec type leaves out. */
type Spec = ServiceSpec & { allocateLoadBalancerNodePorts?: boolean };

/** Go's %#v of a []string, as Kubernetes prints an invalid clusterIPs value. */
const goStrings = (values: unknown[]): string => `[]string{${values.map(goString).join(', ')}}`;

/** A dotted-quad IPv4 (no leading zeros, no short forms) or an IPv6 address. */
const isIP = (ip: unknown): boolean =>
  typeof ip === 'string' && (ipaddr.IPv4.isValidFourPartDecimal(ip) || ipaddr.IPv6.isValid(ip));

/** `80/TCP`, `80:30080/TCP`, comma-separated; `<none>` without ports. */
export function formatServicePorts(ports: ServicePort[] | undefined): string {
  const text = (ports ?? [])
    .map((p) =>
      p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`,
    )
    .join(',');
  return text || '<none>';
}

/** The External-IP cell (getServiceExternalIP in Kubernetes' printers). */
export function serviceExternalIP(svc: Service): string {
  const external = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = [...new Set((svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || ''))]
        .filter(Boolean)
        .sort();
      const all = [...lb, ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

function validatePorts(svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  const ports = svc.spec.ports ?? [];
  const path = fieldPath('spec', 'ports');
  const names = new Set<string>();
  const keys = new Set<string>();
  const nodePorts = new Set<string>();
  if (!Array.isArray(ports)) return [invalidValue(String(path), ports, 'must be a list')];
  if (ports.length === 0 && svc.spec.type !== 'ExternalName' && svc.spec.clusterIP !== 'None') {
    errs.push(required(String(path)));
  }
  ports.forEach((port, i) => {
    const p = path.index(i);
    if (typeof port !== 'object' || port === null)
      return void errs.push(invalidValue(String(p), port, 'must be an object'));
    if (ports.length > 1 && !port.name) errs.push(required(String(p.child('name'))));
    if (port.name) {
      for (const msg of isDns1123Label(port.name))
        errs.push(invalidValue(String(p.child('name')), port.name, msg));
      if (names.has(port.name)) errs.push(duplicate(String(p.child('name')), port.name));
      names.add(port.name);
    }
    for (const msg of isValidPortNum(port.port))
      errs.push(invalidValue(String(p.child('port')), port.port, msg));
    if (!PROTOCOLS.includes(port.protocol ?? ''))
      errs.push(notSupported(String(p.child('protocol')), port.protocol, PROTOCOLS));
    const target = port.targetPort;
    if (target !== undefined) {
      const msgs = typeof target === 'number' ? isValidPortNum(target) : isValidPortName(String(target));
      for (const msg of msgs) errs.push(invalidValue(String(p.child('targetPort')), target, msg));
    }
    if (port.nodePort) {
      if (svc.spec.type === 'ClusterIP') {
        errs.push(forbidden(String(p.child('nodePort')), "may not be used when `type` is 'ClusterIP'"));
      } else {
        for (const msg of isValidPortNum(port.nodePort))
          errs.push(invalidValue(String(p.child('nodePort')), port.nodePort, msg));
      }
      // One node port per protocol: TCP and UDP may share a number, two TCP ports may not.
      const nodeKey = `${port.nodePort}/${port.protocol}`;
      if (nodePorts.has(nodeKey)) errs.push(duplicate(String(p.child('nodePort')), port.nodePort));
      nodePorts.add(nodeKey);
    }
    const key = `${port.port}/${port.protocol}`;
    if (keys.has(key)) errs.push(duplicate(String(p), { port: port.port, protocol: port.protocol }));
    keys.add(key);
  });
  return errs;
}

/** clusterIP, clusterIPs and the IP family fields (ValidateServiceClusterIPsRelatedFields and the type rules). */
function validateClusterIPs(spec: Spec): FieldError[] {
  const ips: unknown[] = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [];
  if (spec.type === 'ExternalName') {
    const errs: FieldError[] = [];
    if (spec.clusterIP || ips.length)
      errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (Array.isArray(spec.ipFamilies) && spec.ipFamilies.length) {
      errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    }
    if (spec.ipFamilyPolicy !== undefined) {
      errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    }
    return errs;
  }
  const errs: FieldError[] = [];
  if (spec.clusterIP) {
    if (!ips.length) errs.push(required('spec.clusterIPs'));
    else if (ips[0] !== spec.clusterIP) {
      errs.push(invalidGo('spec.clusterIPs', goStrings(ips), 'first value must match `clusterIP`'));
    }
  } else if (ips.length) {
    errs.push(
      invalidGo('spec.clusterIPs', goStrings(ips), 'must be empty when `clusterIP` is not specified'),
    );
  }
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1)
        errs.push(invalidGo('spec.clusterIPs', goStrings(ips), "'None' must be the first and only value"));
    } else if (!isIP(ip)) {
      errs.push(invalidValue(`spec.clusterIPs[${i}]`, ip, INVALID_IP));
    }
  });
  if (ips.length > 2) errs.push(invalidGo('spec.clusterIPs', goStrings(ips), 'may only hold up to 2 values'));
  (Array.isArray(spec.ipFamilies) ? spec.ipFamilies : []).forEach((family, i) => {
    if (!IP_FAMILIES.includes(family)) errs.push(notSupported(`spec.ipFamilies[${i}]`, family, IP_FAMILIES));
  });
  if (spec.ipFamilyPolicy !== undefined && !IP_FAMILY_POLICIES.includes(spec.ipFamilyPolicy)) {
    errs.push(notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  }
  if (spec.clusterIP === 'None' && (spec.type === 'NodePort' || spec.type === 'LoadBalancer')) {
    errs.push(
      invalidValue('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${spec.type} services`),
    );
  }
  return errs;
}

/**
 * A Service keeps its cluster IP for life (validateUpgradeDowngradeClusterIPs, single-stack part): it may not
 * change, be unset, or turn headless or back, except by going through ExternalName.
 */
function validateClusterIPUpdate(spec: Spec, old: Spec): FieldError[] {
  if (spec.type === 'ExternalName' || old.type === 'ExternalName') return [];
  const ips = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [];
  const oldIPs = Array.isArray(old.clusterIPs) ? old.clusterIPs : [];
  if (ips[0] === 'None' && oldIPs[0] === 'None') return [];
  if (oldIPs.length > 0 && ips.length === 0) {
    return [invalidGo('spec.clusterIPs[0]', goStrings(ips), 'primary clusterIP can not be unset')];
  }
  const errs: FieldError[] = [];
  oldIPs.forEach((ip, i) => {
    if (i < ips.length && ips[i] !== ip) {
      errs.push(invalidGo(`spec.clusterIPs[${i}]`, goStrings(ips), 'may not change once set'));
    }
  });
  return errs;
}

function validateService(svc: Service, old?: Service): FieldError[] {
  const errs = validateObjectMeta(svc.metadata, { namespaced: true, nameRule: 'dns1035-label' });
  if (typeof svc.spec !== 'object' || svc.spec === null) return [...errs, required('spec')];
  const spec: Spec = svc.spec;
  if (!TYPES.includes(spec.type ?? '')) errs.push(notSupported('spec.type', spec.type, TYPES));
  if (spec.type === 'ExternalName') {
    // A trailing dot marks the name fully qualified.
    const cname = String(spec.externalName ?? '').replace(/\.$/, '');
    if (!cname) errs.push(required('spec.externalName'));
    for (const msg of cname ? isDns1123Subdomain(cname) : []) {
      errs.push(invalidValue('spec.externalName', spec.externalName, msg));
    }
  }
  errs.push(...validatePorts(svc));
  errs.push(...validateLabels(spec.selector, fieldPath('spec', 'selector')));
  if (!['ClientIP', 'None'].includes(spec.sessionAffinity ?? '')) {
    errs.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
  }
  errs.push(...validateClusterIPs(spec));
  if (
    spec.internalTrafficPolicy !== undefined &&
    !['Cluster', 'Local'].includes(spec.internalTrafficPolicy)
  ) {
    errs.push(notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (spec.externalTrafficPolicy !== undefined) {
    if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') {
      errs.push(
        invalidValue(
          'spec.externalTrafficPolicy',
          spec.externalTrafficPolicy,
          "may only be set when `type` is 'NodePort' or 'LoadBalancer'",
        ),
      );
    } else if (!['Cluster', 'Local'].includes(spec.externalTrafficPolicy)) {
      errs.push(notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, ['Cluster', 'Local']));
    }
  }
  if (spec.type !== 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== undefined) {
    errs.push(
      forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"),
    );
  }
  if (old && typeof old.spec === 'object' && old.spec !== null)
    errs.push(...validateClusterIPUpdate(spec, old.spec));
  return errs;
}

export const serviceDef: ResourceDef<Service> = {
  group: '',
  version: 'v1',
  resource: 'services',
  kind: 'Service',
  listKind: 'ServiceList',
  singular: 'service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  verbs: STANDARD_VERBS,
  subresources: [
    { name: 'status', group: '', version: 'v1', kind: 'Service', verbs: ['get', 'patch', 'update'] },
  ],
  statusSubresource: true,
  nameRule: 'dns1035-label',

  defaults(svc) {
    if (typeof svc.spec !== 'object' || svc.spec === null) svc.spec = {};
    const spec = svc.spec;
    spec.type ??= 'ClusterIP';
    spec.sessionAffinity ??= 'None';
    if (spec.sessionAffinity === 'ClientIP') {
      spec.sessionAffinityConfig ??= {};
      spec.sessionAffinityConfig.clientIP ??= {};
      spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= 10800;
    }
    if (Array.isArray(spec.ports)) {
      for (const p of spec.ports) {
        if (typeof p !== 'object' || p === null) continue;
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
      }
    }
    if (spec.type !== 'ExternalName') {
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
      spec.internalTrafficPolicy ??= 'Cluster';
      if (spec.clusterIP && !spec.clusterIPs) spec.clusterIPs = [spec.clusterIP];
    }
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
    if (spec.type === 'LoadBalancer') (spec as Spec).allocateLoadBalancerNodePorts ??= true;
    if (typeof svc.status !== 'object' || svc.status === null) svc.status = {};
    svc.status.loadBalancer ??= {};
  },
  validate: validateService,

  columns: [
    nameColumn(),
    column('Type', 'type determines how the Service is exposed.'),
    column('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    column(
      'External-IP',
      'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
    ),
    column('Port(s)', 'The list of ports that are exposed by this service.'),
    ageColumn(),
    column('Selector', 'Route service traffic to pods with label keys and values matching this selector.', 1),
  ],
  row: (svc, ctx) => [
    svc.metadata.name ?? '',
    svc.spec?.type ?? '',
    svc.spec?.clusterIPs?.[0] || svc.spec?.clusterIP || '<none>',
    serviceExternalIP(svc),
    formatServicePorts(svc.spec?.ports),
    translateTimestampSince(svc.metadata.creationTimestamp, ctx.now),
    formatLabels(svc.spec?.selector),
  ],
  fields: (svc) => ({ 'spec.clusterIP': svc.spec?.clusterIP ?? '', 'spec.type': svc.spec?.type ?? '' }),
};
