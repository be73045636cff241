// v1 Service: a stable virtual IP and DNS name in front of the pods its selector matches. ClusterIP and
// NodePort allocation are the networking part's job; here are defaults, validation and the table row.
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
import type { Service, ServicePort } from '../types.js';
import {
  isDns1123Label,
  isDns1123Subdomain,
  isValidPortName,
  isValidPortNum,
  validateLabels,
  validateObjectMeta,
} from '../validation.js';
import { ageColumn, column, nameColumn } from './columns.js';

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

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
    }
    const key = `${port.port}/${port.protocol}`;
    if (keys.has(key)) errs.push(duplicate(String(p), { port: port.port, protocol: port.protocol }));
    keys.add(key);
  });
  return errs;
}

function validateService(svc: Service, old?: Service): FieldError[] {
  const errs = validateObjectMeta(svc.metadata, { namespaced: true, nameRule: 'dns1035-label' });
  if (typeof svc.spec !== 'object' || svc.spec === null) return [...errs, required('spec')];
  const spec = svc.spec;
  if (!TYPES.includes(spec.type ?? '')) errs.push(notSupported('spec.type', spec.type, TYPES));
  if (spec.type === 'ExternalName') {
    if (!spec.externalName) errs.push(required('spec.externalName'));
    else
      for (const msg of isDns1123Subdomain(spec.externalName))
        errs.push(invalidValue('spec.externalName', spec.externalName, msg));
  }
  errs.push(...validatePorts(svc));
  errs.push(...validateLabels(spec.selector, fieldPath('spec', 'selector')));
  if (!['ClientIP', 'None'].includes(spec.sessionAffinity ?? '')) {
    errs.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
  }
  if (spec.clusterIP && spec.clusterIP !== 'None' && !ipaddr.isValid(spec.clusterIP)) {
    errs.push(
      invalidValue(
        'spec.clusterIP',
        spec.clusterIP,
        'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      ),
    );
  }
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
  const oldIP = old?.spec?.clusterIP;
  if (oldIP && spec.clusterIP && spec.clusterIP !== oldIP) {
    errs.push(invalidValue('spec.clusterIPs[0]', spec.clusterIP, 'may not change once set'));
  }
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
