// discovery.k8s.io/v1 EndpointSlice: a slice of a Service's endpoints, one address family and one port set per
// slice, each endpoint with its ready/serving/terminating conditions. The endpointslice controller writes them
// (labelled kubernetes.io/service-name). Defaults, validation (pkg/apis/discovery/validation) and the table row
// (printEndpointSlice) follow Kubernetes.
import { duplicate, type FieldError, invalidValue, notSupported, required } from '../../common/errors.js';
import { type FieldPath, fieldPath } from '../field-path.js';
import { translateTimestampSince } from '../format.js';
import { type ResourceDef, STANDARD_VERBS } from '../resource-def.js';
import type { EndpointPort, EndpointSlice, EndpointSliceEndpoint } from '../types.js';
import { isDns1123Label, isDns1123Subdomain, validateObjectMeta } from '../validation.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { parseIP, validateEndpointPort, validateNonSpecialIP } from './endpoints.js';

export const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;
const MAX_SHOWN = 3;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

// Kubernetes reports these as FieldValueTooMany (`Too many: N: must have at most M items`); errors.ts has no such
// type, so the count is reported as an invalid value with the same limit.
const tooMany = (path: FieldPath, actual: number, max: number): FieldError =>
  invalidValue(String(path), actual, `must have at most ${max} items`);

/** IsFullyQualifiedDomainName: a DNS subdomain of at least two labels (a trailing dot is allowed). */
function fqdnErrors(value: string, path: FieldPath): FieldError[] {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (!name) return [required(String(path))];
  const msgs = isDns1123Subdomain(name);
  if (msgs.length > 0) return msgs.map((m) => invalidValue(String(path), value, m));
  if (name.split('.').length < 2) {
    return [
      invalidValue(String(path), value, 'should be a domain with at least two segments separated by dots'),
    ];
  }
  return [];
}

function validateAddress(address: unknown, addressType: string, path: FieldPath): FieldError[] {
  if (typeof address !== 'string') return [invalidValue(String(path), address, 'must be a string')];
  switch (addressType) {
    case 'IPv4':
    case 'IPv6': {
      const ip = parseIP(address);
      if (!ip || ip.kind() !== addressType.toLowerCase()) {
        return [invalidValue(String(path), address, `must be a valid ${addressType} address`)];
      }
      return validateNonSpecialIP(address, path);
    }
    case 'FQDN':
      return fqdnErrors(address, path);
    default:
      return []; // unknown address types are reported once, on addressType
  }
}

function validateEndpoint(endpoint: unknown, addressType: string, path: FieldPath): FieldError[] {
  if (!isObject(endpoint)) return [invalidValue(String(path), endpoint, 'must be an object')];
  const ep = endpoint as unknown as EndpointSliceEndpoint;
  const errs: FieldError[] = [];
  const addressesPath = path.child('addresses');
  if (!Array.isArray(ep.addresses) || ep.addresses.length === 0) {
    errs.push(required(String(addressesPath), 'Required value: must contain at least 1 address'));
  } else if (ep.addresses.length > MAX_ADDRESSES) {
    errs.push(tooMany(addressesPath, ep.addresses.length, MAX_ADDRESSES));
  } else {
    ep.addresses.forEach((a, i) => errs.push(...validateAddress(a, addressType, addressesPath.index(i))));
  }
  if (ep.nodeName !== undefined) {
    const msgs = typeof ep.nodeName === 'string' ? isDns1123Subdomain(ep.nodeName) : ['must be a string'];
    for (const msg of msgs) errs.push(invalidValue(String(path.child('nodeName')), ep.nodeName, msg));
  }
  if (ep.hostname !== undefined) {
    const msgs = typeof ep.hostname === 'string' ? isDns1123Label(ep.hostname) : ['must be a string'];
    for (const msg of msgs) errs.push(invalidValue(String(path.child('hostname')), ep.hostname, msg));
  }
  if (ep.conditions !== undefined && !isObject(ep.conditions)) {
    errs.push(invalidValue(String(path.child('conditions')), ep.conditions, 'must be an object'));
  }
  return errs;
}

function validatePorts(ports: unknown): FieldError[] {
  const path = fieldPath('ports');
  if (ports === undefined || ports === null) return [];
  if (!Array.isArray(ports)) return [invalidValue(String(path), ports, 'must be a list')];
  if (ports.length > MAX_PORTS) return [tooMany(path, ports.length, MAX_PORTS)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = path.index(i);
    // A slice port may omit its number ("all ports"), and its name may be empty even when there are several.
    errs.push(...validateEndpointPort(port, p, { requireName: false, requirePort: false }));
    const name = isObject(port) && typeof port.name === 'string' ? port.name : '';
    if (names.has(name)) errs.push(duplicate(String(p.child('name')), name));
    names.add(name);
  });
  return errs;
}

function validateEndpointSlice(slice: EndpointSlice, old?: EndpointSlice): FieldError[] {
  const errs = validateObjectMeta(slice.metadata, { namespaced: true });
  const addressType = slice.addressType as unknown;
  if (!addressType) errs.push(required('addressType'));
  else if (typeof addressType !== 'string' || !ADDRESS_TYPES.includes(addressType)) {
    errs.push(notSupported('addressType', addressType, ADDRESS_TYPES));
  }
  const endpoints = slice.endpoints as unknown;
  if (endpoints !== undefined && endpoints !== null) {
    if (!Array.isArray(endpoints)) errs.push(invalidValue('endpoints', endpoints, 'must be a list'));
    else if (endpoints.length > MAX_ENDPOINTS)
      errs.push(tooMany(fieldPath('endpoints'), endpoints.length, MAX_ENDPOINTS));
    else {
      endpoints.forEach((ep, i) =>
        errs.push(...validateEndpoint(ep, String(addressType), fieldPath('endpoints').index(i))),
      );
    }
  }
  errs.push(...validatePorts(slice.ports));
  if (old && old.addressType !== slice.addressType) {
    errs.push(invalidValue('addressType', slice.addressType, 'field is immutable'));
  }
  return errs;
}

/** SetDefaults_EndpointPort: a port's name defaults to "" and its protocol to TCP. */
function defaultEndpointSlice(slice: EndpointSlice): void {
  if (!Array.isArray(slice.ports)) return;
  for (const port of slice.ports as unknown[]) {
    if (!isObject(port)) continue;
    port.name ??= '';
    if (port.protocol === undefined || port.protocol === '') port.protocol = 'TCP';
  }
}

/** `listWithMoreString`: up to three items, then ` + N more...`; `<unset>` when there are none. */
function listWithMore(items: string[]): string {
  const shown = items.slice(0, MAX_SHOWN).join(',');
  if (items.length > MAX_SHOWN) return `${shown} + ${items.length - MAX_SHOWN} more...`;
  return shown || '<unset>';
}

/** The Ports cell: port numbers (or the name, or `*` for "all ports"). */
export function formatSlicePorts(ports: EndpointPort[] | undefined): string {
  return listWithMore(
    (Array.isArray(ports) ? ports : []).map((p) =>
      p?.port !== undefined && p.port !== null ? String(p.port) : p?.name ? p.name : '*',
    ),
  );
}

/** The Endpoints cell: every endpoint's addresses, whatever their conditions. */
export function formatSliceEndpoints(endpoints: EndpointSliceEndpoint[] | undefined): string {
  const addresses: string[] = [];
  for (const ep of Array.isArray(endpoints) ? endpoints : []) {
    if (Array.isArray(ep?.addresses)) addresses.push(...ep.addresses);
  }
  return listWithMore(addresses);
}

export const endpointSliceDef: ResourceDef<EndpointSlice> = {
  group: 'discovery.k8s.io',
  version: 'v1',
  resource: 'endpointslices',
  kind: 'EndpointSlice',
  listKind: 'EndpointSliceList',
  singular: 'endpointslice',
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: STANDARD_VERBS,
  subresources: [],
  statusSubresource: false,
  defaults: defaultEndpointSlice,
  validate: validateEndpointSlice,
  columns: [
    nameColumn(),
    column(
      'AddressType',
      'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.',
    ),
    column(
      'Ports',
      'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.',
    ),
    column(
      'Endpoints',
      'endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.',
    ),
    ageColumn(),
  ],
  row: (slice, ctx) => [
    slice.metadata.name ?? '',
    String(slice.addressType ?? ''),
    formatSlicePorts(slice.ports),
    formatSliceEndpoints(slice.endpoints),
    translateTimestampSince(slice.metadata.creationTimestamp, ctx.now),
  ],
};
