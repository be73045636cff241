// v1 Endpoints: the addresses (pod IP, node, pod reference) and ports behind a Service, in subsets of addresses
// that share a port set. The endpoints controller writes them for Services with a selector; users write them for
// Services without one. kube-proxy and the cluster DNS read them. Defaults, validation
// (pkg/apis/core/validation ValidateEndpoints) and the table row (printEndpoints) follow Kubernetes.
import ipaddr from 'ipaddr.js';
import { duplicate, type FieldError, invalidValue, notSupported, required } from '../../common/errors.js';
import { type FieldPath, fieldPath } from '../field-path.js';
import { translateTimestampSince } from '../format.js';
import { type ResourceDef, STANDARD_VERBS } from '../resource-def.js';
import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints } from '../types.js';
import {
  isDns1123Label,
  isDns1123Subdomain,
  isQualifiedName,
  isValidPortNum,
  validateObjectMeta,
} from '../validation.js';
import { ageColumn, column, nameColumn } from './columns.js';

export const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_SHOWN = 3;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A strictly written IPv4 (four decimal parts) or IPv6 address (no zone), as Go's net.ParseIP reads them. */
export function parseIP(value: unknown): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (typeof value !== 'string') return undefined;
  if (ipaddr.IPv4.isValidFourPartDecimal(value)) return ipaddr.IPv4.parse(value);
  if (!value.includes('%') && ipaddr.IPv6.isValid(value)) return ipaddr.IPv6.parse(value);
  return undefined;
}

/**
 * ValidateNonSpecialIP: endpoint addresses must be real, routable pod or host addresses — not unspecified,
 * loopback or link-local (those would point kube-proxy at the node itself or its metadata service).
 */
export function validateNonSpecialIP(value: unknown, path: FieldPath): FieldError[] {
  const field = String(path);
  const parsed = parseIP(value);
  if (!parsed)
    return [invalidValue(field, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
  const ip =
    parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
      ? (parsed as ipaddr.IPv6).toIPv4Address()
      : parsed;
  const range = ip.range();
  const errs: FieldError[] = [];
  if (range === 'unspecified') errs.push(invalidValue(field, value, `may not be unspecified (${value})`));
  if (range === 'loopback') {
    errs.push(invalidValue(field, value, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  }
  if (range === 'linkLocal') {
    errs.push(invalidValue(field, value, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  }
  const bytes = ip.toByteArray();
  const linkLocalMulticast =
    ip.kind() === 'ipv4'
      ? bytes[0] === 224 && bytes[1] === 0 && bytes[2] === 0
      : bytes[0] === 0xff && (bytes[1] & 0x0f) === 0x02;
  if (linkLocalMulticast) {
    errs.push(
      invalidValue(field, value, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'),
    );
  }
  return errs;
}

function validateAddress(addr: unknown, path: FieldPath): FieldError[] {
  if (!isObject(addr)) return [invalidValue(String(path), addr, 'must be an object')];
  const a = addr as unknown as EndpointAddress;
  const errs = validateNonSpecialIP(a.ip, path.child('ip'));
  if (a.hostname !== undefined && a.hostname !== '') {
    const msgs = typeof a.hostname === 'string' ? isDns1123Label(a.hostname) : ['must be a string'];
    for (const msg of msgs) errs.push(invalidValue(String(path.child('hostname')), a.hostname, msg));
  }
  if (a.nodeName !== undefined && a.nodeName !== '') {
    const msgs = typeof a.nodeName === 'string' ? isDns1123Subdomain(a.nodeName) : ['must be a string'];
    for (const msg of msgs) errs.push(invalidValue(String(path.child('nodeName')), a.nodeName, msg));
  }
  return errs;
}

/** One port of an Endpoints subset or an EndpointSlice: name (a DNS label), number, protocol, appProtocol. */
export function validateEndpointPort(
  port: unknown,
  path: FieldPath,
  opts: { requireName: boolean; requirePort: boolean },
): FieldError[] {
  if (!isObject(port)) return [invalidValue(String(path), port, 'must be an object')];
  const p = port as unknown as EndpointPort;
  const errs: FieldError[] = [];
  if (opts.requireName && !p.name) errs.push(required(String(path.child('name'))));
  else if (p.name) {
    const msgs = typeof p.name === 'string' ? isDns1123Label(p.name) : ['must be a string'];
    for (const msg of msgs) errs.push(invalidValue(String(path.child('name')), p.name, msg));
  }
  if (opts.requirePort || p.port !== undefined) {
    for (const msg of isValidPortNum(p.port))
      errs.push(invalidValue(String(path.child('port')), p.port, msg));
  }
  if (!p.protocol) errs.push(required(String(path.child('protocol'))));
  else if (!PORT_PROTOCOLS.includes(p.protocol)) {
    errs.push(notSupported(String(path.child('protocol')), p.protocol, PORT_PROTOCOLS));
  }
  if (p.appProtocol !== undefined) {
    const msgs = typeof p.appProtocol === 'string' ? isQualifiedName(p.appProtocol) : ['must be a string'];
    for (const msg of msgs) errs.push(invalidValue(String(path.child('appProtocol')), p.appProtocol, msg));
  }
  return errs;
}

function validateSubset(subset: unknown, path: FieldPath): FieldError[] {
  if (!isObject(subset)) return [invalidValue(String(path), subset, 'must be an object')];
  const errs: FieldError[] = [];
  let addressCount = 0;
  for (const field of ['addresses', 'notReadyAddresses'] as const) {
    const list = subset[field];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      errs.push(invalidValue(String(path.child(field)), list, 'must be a list'));
      continue;
    }
    addressCount += list.length;
    list.forEach((a, i) => errs.push(...validateAddress(a, path.child(field).index(i))));
  }
  // Headless services may have endpoints without ports, but never a subset without addresses.
  if (addressCount === 0)
    errs.push(required(String(path), 'Required value: must specify `addresses` or `notReadyAddresses`'));
  const ports = subset.ports;
  if (ports !== undefined && ports !== null) {
    if (!Array.isArray(ports))
      return [...errs, invalidValue(String(path.child('ports')), ports, 'must be a list')];
    const names = new Set<string>();
    ports.forEach((port, i) => {
      const p = path.child('ports').index(i);
      errs.push(...validateEndpointPort(port, p, { requireName: ports.length > 1, requirePort: true }));
      const name = isObject(port) ? port.name : undefined;
      if (typeof name === 'string' && name) {
        if (names.has(name)) errs.push(duplicate(String(p.child('name')), name));
        names.add(name);
      }
    });
  }
  return errs;
}

function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, { namespaced: true });
  const subsets = ep.subsets as unknown;
  if (subsets === undefined || subsets === null) return errs;
  if (!Array.isArray(subsets)) return [...errs, invalidValue('subsets', subsets, 'must be a list')];
  subsets.forEach((s, i) => errs.push(...validateSubset(s, fieldPath('subsets').index(i))));
  return errs;
}

/** SetDefaults_Endpoints: every port's protocol defaults to TCP. */
function defaultEndpoints(ep: Endpoints): void {
  if (!Array.isArray(ep.subsets)) return;
  for (const subset of ep.subsets as unknown[]) {
    if (!isObject(subset) || !Array.isArray(subset.ports)) continue;
    for (const port of subset.ports as unknown[]) {
      if (isObject(port) && (port.protocol === undefined || port.protocol === '')) port.protocol = 'TCP';
    }
  }
}

function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/**
 * The Endpoints cell (formatEndpoints in Kubernetes' printers): the ready `ip:port` pairs, three at most, then
 * `+ N more...`; bare IPs for port-less (headless) subsets; `<none>` without subsets. Not-ready addresses are not
 * shown, so a Service whose pods are all unready prints an empty cell, as kubectl does.
 */
export function formatEndpoints(subsets: EndpointSubset[] | undefined): string {
  if (!subsets || subsets.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  let more = false;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    const perPort: (number | undefined)[] = ports.length === 0 ? [undefined] : ports.map((p) => p.port);
    for (const port of perPort) {
      count += addresses.length;
      for (const addr of addresses) {
        if (list.length === MAX_SHOWN) {
          more = true;
          break;
        }
        list.push(port === undefined ? addr.ip : joinHostPort(addr.ip, port));
      }
    }
  }
  const text = list.join(',');
  return more ? `${text} + ${count - MAX_SHOWN} more...` : text;
}

const SUBSETS_DOC =
  'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.';

export const endpointsDef: ResourceDef<Endpoints> = {
  group: '',
  version: 'v1',
  resource: 'endpoints',
  kind: 'Endpoints',
  listKind: 'EndpointsList',
  singular: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  categories: [],
  verbs: STANDARD_VERBS,
  subresources: [],
  statusSubresource: false,
  defaults: defaultEndpoints,
  validate: validateEndpoints,
  columns: [nameColumn(), column('Endpoints', SUBSETS_DOC), ageColumn()],
  row: (ep, ctx) => [
    ep.metadata.name ?? '',
    formatEndpoints(Array.isArray(ep.subsets) ? ep.subsets : undefined),
    translateTimestampSince(ep.metadata.creationTimestamp, ctx.now),
  ],
};
