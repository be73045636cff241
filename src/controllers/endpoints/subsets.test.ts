import { describe, expect, it } from 'vitest';
import type { EndpointAddress, EndpointPort, EndpointSubset } from '../../api/types.js';
import { normalizeSubsets, repackSubsets, subsetsEqual } from './subsets.js';

const a = (ip: string, uid = `uid-${ip}`): EndpointAddress => ({ ip, targetRef: { kind: 'Pod', uid } });
const p = (port: number, name = 'http', protocol: EndpointPort['protocol'] = 'TCP'): EndpointPort => ({
  name,
  port,
  protocol,
});

describe('repackSubsets', () => {
  it.each<[string, EndpointSubset[], EndpointSubset[]]>([
    ['nothing', [], []],
    [
      'one address per subset, same port: merged',
      [
        { addresses: [a('10.0.0.2')], ports: [p(80)] },
        { addresses: [a('10.0.0.1')], ports: [p(80)] },
      ],
      [{ addresses: [a('10.0.0.1'), a('10.0.0.2')], ports: [p(80)] }],
    ],
    [
      'addresses serving the same set of ports share a subset, others get their own',
      [
        { addresses: [a('10.0.0.1')], ports: [p(80)] },
        { addresses: [a('10.0.0.1')], ports: [p(9100, 'metrics')] },
        { addresses: [a('10.0.0.2')], ports: [p(80)] },
      ],
      [
        { addresses: [a('10.0.0.1'), a('10.0.0.2')], ports: [p(80)] },
        { addresses: [a('10.0.0.1')], ports: [p(9100, 'metrics')] },
      ],
    ],
    [
      'not ready wins over ready for the same address and port',
      [
        { addresses: [a('10.0.0.1')], ports: [p(80)] },
        { notReadyAddresses: [a('10.0.0.1')], ports: [p(80)] },
        { addresses: [a('10.0.0.1')], ports: [p(80)] },
      ],
      [{ notReadyAddresses: [a('10.0.0.1')], ports: [p(80)] }],
    ],
    [
      'the same IP of two pods (uids) is two addresses',
      [
        { addresses: [a('10.0.0.1', 'old')], ports: [p(80)] },
        { addresses: [a('10.0.0.1', 'new')], ports: [p(80)] },
      ],
      [{ addresses: [a('10.0.0.1', 'new'), a('10.0.0.1', 'old')], ports: [p(80)] }],
    ],
    [
      'port-less subsets stay port-less',
      [{ addresses: [a('10.0.0.2')] }, { notReadyAddresses: [a('10.0.0.1')] }],
      [{ addresses: [a('10.0.0.2')], notReadyAddresses: [a('10.0.0.1')] }],
    ],
    ['subsets without addresses disappear', [{ ports: [p(80)] }, { addresses: [], ports: [p(81, 'b')] }], []],
  ])('%s', (_name, input, want) => {
    expect(repackSubsets(input)).toEqual(want);
  });

  it('keeps the first full address (hostname, node) seen for an address key', () => {
    const full: EndpointAddress = { ...a('10.0.0.1'), hostname: 'web-0', nodeName: 'n1' };
    expect(repackSubsets([{ addresses: [full], ports: [p(80)] }])[0].addresses).toEqual([full]);
  });
});

describe('subsetsEqual', () => {
  const base: EndpointSubset[] = [
    { addresses: [a('10.0.0.1'), a('10.0.0.2')], ports: [p(80), p(9100, 'metrics')] },
  ];

  it('ignores order, empty lists, default protocol and pod resourceVersions', () => {
    const other: EndpointSubset[] = [
      {
        addresses: [
          { ip: '10.0.0.2', targetRef: { kind: 'Pod', uid: 'uid-10.0.0.2', resourceVersion: '42' } },
          a('10.0.0.1'),
        ],
        notReadyAddresses: [],
        ports: [{ name: 'metrics', port: 9100 }, p(80)],
      },
    ];
    expect(subsetsEqual(base, other)).toBe(true);
    expect(subsetsEqual(undefined, [])).toBe(true);
  });

  it.each<[string, EndpointSubset[]]>([
    [
      'an address moved to notReady',
      [{ addresses: [a('10.0.0.1')], notReadyAddresses: [a('10.0.0.2')], ports: base[0].ports }],
    ],
    ['another port number', [{ addresses: base[0].addresses, ports: [p(81), p(9100, 'metrics')] }]],
    [
      'a hostname',
      [{ addresses: [{ ...a('10.0.0.1'), hostname: 'x' }, a('10.0.0.2')], ports: base[0].ports }],
    ],
    ['no subsets', []],
  ])('sees %s', (_name, other) => {
    expect(subsetsEqual(base, other)).toBe(false);
  });

  it('normalizes into sorted subsets without empty fields', () => {
    expect(
      normalizeSubsets([
        { addresses: [{ ip: '10.0.0.9', nodeName: '', hostname: '' }], ports: [{ name: '', port: 80 }] },
      ]),
    ).toEqual([{ addresses: [{ ip: '10.0.0.9' }], ports: [{ port: 80, protocol: 'TCP' }] }]);
  });
});
