import { describe, expect, it } from 'vitest';
import type { EndpointSubset, Endpoints } from '../types.js';
import { endpointsDef, formatEndpoints } from './endpoints.js';

const NOW = Date.parse('2026-11-30T05:00:00Z');

const ep = (subsets?: unknown): Endpoints => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-11-30T04:58:00Z' },
  ...(subsets !== undefined ? { subsets: subsets as EndpointSubset[] } : {}),
});

const problems = (e: Endpoints) => endpointsDef.validate!(e).map((x) => `${x.field}: ${x.message}`);

function defaulted(e: Endpoints): Endpoints {
  endpointsDef.defaults!(e);
  return e;
}

const addrs = (...ips: string[]) => ips.map((ip) => ({ ip }));

describe('endpoints definition', () => {
  it('is core v1 endpoints, short name ep, namespaced, not in `all`', () => {
    expect(endpointsDef).toMatchObject({
      group: '',
      version: 'v1',
      resource: 'endpoints',
      kind: 'Endpoints',
      listKind: 'EndpointsList',
      singular: 'endpoints',
      shortNames: ['ep'],
      namespaced: true,
      categories: [],
    });
    expect(endpointsDef.columns.map((c) => c.name)).toEqual(['Name', 'Endpoints', 'Age']);
  });

  it('defaults every port protocol to TCP', () => {
    const e = defaulted(
      ep([{ addresses: addrs('10.0.0.1'), ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }]),
    );
    expect(e.subsets![0].ports).toEqual([
      { port: 80, protocol: 'TCP' },
      { port: 53, protocol: 'UDP' },
    ]);
  });

  it('survives malformed subsets when defaulting', () => {
    expect(() => defaulted(ep('nope'))).not.toThrow();
    expect(() => defaulted(ep([null, { ports: 'x' }, { ports: [null] }]))).not.toThrow();
  });
});

describe('endpoints validation', () => {
  it('accepts what the controller writes and what users write', () => {
    expect(problems(ep())).toEqual([]);
    expect(
      problems(
        defaulted(
          ep([
            {
              addresses: [
                {
                  ip: '10.244.1.5',
                  nodeName: 'node-1',
                  hostname: 'web-0',
                  targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'u' },
                },
              ],
              notReadyAddresses: addrs('2001:db8::5'),
              ports: [
                { name: 'http', port: 8080, appProtocol: 'kubernetes.io/h2c' },
                { name: 'metrics', port: 9100 },
              ],
            },
            { addresses: addrs('192.168.1.20') }, // headless: no ports
          ]),
        ),
      ),
    ).toEqual([]);
  });

  it.each<[string, unknown, string[]]>([
    ['subsets not a list', 'x', ['subsets: Invalid value: "x": must be a list']],
    [
      'a subset without addresses',
      [{ ports: [{ port: 80, protocol: 'TCP' }] }],
      ['subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`'],
    ],
    [
      'bad IPs',
      [{ addresses: addrs('10.0.0', '1.2.3.4.5', 'fe80::1%eth0'), notReadyAddresses: addrs('0.0.0.0') }],
      [
        'subsets[0].addresses[0].ip: Invalid value: "10.0.0": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
        'subsets[0].addresses[1].ip: Invalid value: "1.2.3.4.5": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
        'subsets[0].addresses[2].ip: Invalid value: "fe80::1%eth0": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
        'subsets[0].notReadyAddresses[0].ip: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
      ],
    ],
    [
      'special IPs',
      [
        {
          addresses: addrs('127.0.0.1', '::1', '169.254.169.254', 'fe80::1', '224.0.0.5', '::ffff:127.0.0.2'),
        },
      ],
      [
        'subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
        'subsets[0].addresses[1].ip: Invalid value: "::1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
        'subsets[0].addresses[2].ip: Invalid value: "169.254.169.254": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
        'subsets[0].addresses[3].ip: Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
        'subsets[0].addresses[4].ip: Invalid value: "224.0.0.5": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
        'subsets[0].addresses[5].ip: Invalid value: "::ffff:127.0.0.2": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      ],
    ],
    [
      'bad hostname and node name',
      [{ addresses: [{ ip: '10.0.0.1', hostname: 'Web_0', nodeName: 'Node 1' }] }],
      [
        expect.stringMatching(
          /^subsets\[0\]\.addresses\[0\]\.hostname: Invalid value: "Web_0": a lowercase RFC 1123 label/,
        ),
        expect.stringMatching(
          /^subsets\[0\]\.addresses\[0\]\.nodeName: Invalid value: "Node 1": a lowercase RFC 1123 subdomain/,
        ),
      ] as unknown as string[],
    ],
    [
      'ports: numbers, protocols, names required when several, unique',
      [
        {
          addresses: addrs('10.0.0.1'),
          ports: [
            { port: 0, protocol: 'TCP' },
            { name: 'a', port: 70000, protocol: 'ICMP' },
            { name: 'a', port: 80, protocol: 'TCP' },
            { name: 'b', port: 81 },
          ],
        },
      ],
      [
        'subsets[0].ports[0].name: Required value',
        'subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
        'subsets[0].ports[1].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
        'subsets[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
        'subsets[0].ports[2].name: Duplicate value: "a"',
        'subsets[0].ports[3].protocol: Required value',
      ],
    ],
    [
      'malformed entries',
      [null, { addresses: [null], ports: 'x' }],
      [
        'subsets[0]: Invalid value: null: must be an object',
        'subsets[1].addresses[0]: Invalid value: null: must be an object',
        'subsets[1].ports: Invalid value: "x": must be a list',
      ],
    ],
  ])('rejects %s', (_name, subsets, want) => {
    expect(problems(ep(subsets))).toEqual(want);
  });
});

describe('endpoints table', () => {
  const row = (e: Endpoints) => endpointsDef.row(e, { now: NOW });

  it('prints ip:port pairs, three at most, then how many more', () => {
    const e = ep([
      { addresses: addrs('10.244.1.5', '10.244.2.3'), ports: [{ name: 'http', port: 8080 }] },
      { addresses: addrs('10.244.3.1', '10.244.3.2'), ports: [{ name: 'http', port: 9090 }] },
    ]);
    expect(row(e)).toEqual(['web', '10.244.1.5:8080,10.244.2.3:8080,10.244.3.1:9090 + 1 more...', '2m']);
  });

  it.each<[string, EndpointSubset[] | undefined, string]>([
    ['no subsets', undefined, '<none>'],
    ['empty subsets', [], '<none>'],
    ['only not-ready addresses', [{ notReadyAddresses: addrs('10.0.0.1'), ports: [{ port: 80 }] }], ''],
    ['headless without ports', [{ addresses: addrs('10.0.0.1', '10.0.0.2') }], '10.0.0.1,10.0.0.2'],
    ['IPv6 in brackets', [{ addresses: addrs('2001:db8::1'), ports: [{ port: 80 }] }], '[2001:db8::1]:80'],
    [
      'every port of an address',
      [
        {
          addresses: addrs('10.0.0.1', '10.0.0.2'),
          ports: [
            { name: 'a', port: 80 },
            { name: 'b', port: 443 },
          ],
        },
      ],
      '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...',
    ],
  ])('%s', (_name, subsets, want) => {
    expect(formatEndpoints(subsets)).toBe(want);
  });
});
