import { describe, expect, it } from 'vitest';
import type { EndpointSlice } from '../types.js';
import { endpointSliceDef, formatSliceEndpoints, formatSlicePorts } from './endpointslice.js';

const NOW = Date.parse('2026-11-30T05:00:00Z');

const slice = (over: Partial<EndpointSlice> = {}): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'web-abcde', namespace: 'default', creationTimestamp: '2026-11-30T04:00:00Z' },
  addressType: 'IPv4',
  endpoints: [],
  ...over,
});

const problems = (s: EndpointSlice, old?: EndpointSlice) =>
  endpointSliceDef.validate!(s, old).map((x) => `${x.field}: ${x.message}`);

describe('endpointslice definition', () => {
  it('is discovery.k8s.io/v1 endpointslices, namespaced, no short names', () => {
    expect(endpointSliceDef).toMatchObject({
      group: 'discovery.k8s.io',
      version: 'v1',
      resource: 'endpointslices',
      kind: 'EndpointSlice',
      listKind: 'EndpointSliceList',
      singular: 'endpointslice',
      shortNames: [],
      namespaced: true,
    });
    expect(endpointSliceDef.columns.map((c) => c.name)).toEqual([
      'Name',
      'AddressType',
      'Ports',
      'Endpoints',
      'Age',
    ]);
  });

  it('defaults port names to "" and protocols to TCP', () => {
    const s = slice({ ports: [{ port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] });
    endpointSliceDef.defaults!(s);
    expect(s.ports).toEqual([
      { name: '', port: 80, protocol: 'TCP' },
      { name: 'dns', port: 53, protocol: 'UDP' },
    ]);
  });
});

describe('endpointslice validation', () => {
  it('accepts what the controller writes', () => {
    expect(
      problems(
        slice({
          endpoints: [
            {
              addresses: ['10.244.1.5'],
              conditions: { ready: true, serving: true, terminating: false },
              nodeName: 'node-1',
              hostname: 'web-0',
              targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'u' },
            },
          ],
          ports: [
            { name: 'http', port: 8080, protocol: 'TCP' },
            { name: '', port: 9100, protocol: 'TCP' },
          ],
        }),
      ),
    ).toEqual([]);
    expect(problems(slice({ addressType: 'FQDN', endpoints: [{ addresses: ['db.example.com.'] }] }))).toEqual(
      [],
    );
    expect(problems(slice({ addressType: 'IPv6', endpoints: [{ addresses: ['2001:db8::5'] }] }))).toEqual([]);
  });

  it.each<[string, Partial<EndpointSlice>, string[]]>([
    ['no address type', { addressType: undefined as never }, ['addressType: Required value']],
    [
      'an unknown address type',
      { addressType: 'IPX' as never },
      ['addressType: Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"'],
    ],
    [
      'an endpoint without addresses',
      { endpoints: [{ addresses: [] }] },
      ['endpoints[0].addresses: Required value: must contain at least 1 address'],
    ],
    [
      'addresses of the wrong family or special',
      { endpoints: [{ addresses: ['2001:db8::1'] }, { addresses: ['127.0.0.1'] }] },
      [
        'endpoints[0].addresses[0]: Invalid value: "2001:db8::1": must be a valid IPv4 address',
        'endpoints[1].addresses[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      ],
    ],
    [
      'an FQDN of one label',
      { addressType: 'FQDN', endpoints: [{ addresses: ['db'] }] },
      [
        'endpoints[0].addresses[0]: Invalid value: "db": should be a domain with at least two segments separated by dots',
      ],
    ],
    [
      'duplicate port names and bad protocols',
      {
        ports: [
          { name: '', port: 80, protocol: 'TCP' },
          { name: '', port: 81, protocol: 'TCP' },
          { name: 'x', port: 82, protocol: 'ICMP' as never },
        ],
      },
      [
        'ports[1].name: Duplicate value: ""',
        'ports[2].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      ],
    ],
    [
      'too many endpoints',
      { endpoints: Array.from({ length: 1001 }, () => ({ addresses: ['10.0.0.1'] })) },
      ['endpoints: Invalid value: 1001: must have at most 1000 items'],
    ],
    [
      'malformed endpoints',
      { endpoints: [null as never] },
      ['endpoints[0]: Invalid value: null: must be an object'],
    ],
  ])('rejects %s', (_name, over, want) => {
    expect(problems(slice(over))).toEqual(want);
  });

  it('keeps the address type immutable', () => {
    expect(problems(slice({ addressType: 'IPv6' }), slice())).toEqual([
      'addressType: Invalid value: "IPv6": field is immutable',
    ]);
  });
});

describe('endpointslice table', () => {
  it('prints address type, ports and endpoints, three at most', () => {
    const s = slice({
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: ['10.244.1.5', '10.244.1.6', '10.244.1.7', '10.244.1.8'].map((ip) => ({ addresses: [ip] })),
    });
    expect(endpointSliceDef.row(s, { now: NOW })).toEqual([
      'web-abcde',
      'IPv4',
      '8080',
      '10.244.1.5,10.244.1.6,10.244.1.7 + 1 more...',
      '60m',
    ]);
  });

  it('prints <unset> for no ports or endpoints, `*` or the name for a port without number', () => {
    expect(formatSlicePorts(undefined)).toBe('<unset>');
    expect(formatSliceEndpoints([])).toBe('<unset>');
    expect(formatSlicePorts([{ name: 'http' } as never, {} as never, { port: 53 }, { port: 54 }])).toBe(
      'http,*,53 + 1 more...',
    );
  });
});
