import { describe, expect, it } from 'vitest';
import type { EndpointAddress, EndpointSubset, Pod, Service } from '../../api/types.js';
import { computeEndpoints } from './compute-endpoints.js';
import { pod, service } from './test-fixtures.js';

/** The address computeEndpoints writes for a fixture pod. */
function addr(name: string, ip: string, extra: Partial<EndpointAddress> = {}): EndpointAddress {
  return {
    ip,
    nodeName: 'node-1',
    targetRef: { kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` },
    ...extra,
  };
}

const http = (port = 8080) => ({ name: 'http', port, protocol: 'TCP' as const });
const namedHttp = [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' as const }];

interface Case {
  name: string;
  svc: Service;
  pods: Pod[];
  want: EndpointSubset[];
}

const cases: Case[] = [
  {
    name: 'no pods: no subsets',
    svc: service('web'),
    pods: [],
    want: [],
  },
  {
    name: 'ready pods in addresses, sorted by IP, one subset for the shared port',
    svc: service('web'),
    pods: [pod('b', { ip: '10.244.2.3' }), pod('a', { ip: '10.244.1.5' })],
    want: [{ addresses: [addr('a', '10.244.1.5'), addr('b', '10.244.2.3')], ports: [http()] }],
  },
  {
    name: 'not-ready pods apart, in the same subset',
    svc: service('web'),
    pods: [pod('a', { ip: '10.244.1.5' }), pod('b', { ip: '10.244.2.3', ready: false })],
    want: [
      {
        addresses: [addr('a', '10.244.1.5')],
        notReadyAddresses: [addr('b', '10.244.2.3')],
        ports: [http()],
      },
    ],
  },
  {
    name: 'publishNotReadyAddresses: every pod ready, terminating ones too',
    svc: service('web', { publishNotReadyAddresses: true }),
    pods: [pod('a', { ip: '10.244.1.5', ready: false }), pod('b', { ip: '10.244.2.3', deleting: true })],
    want: [{ addresses: [addr('a', '10.244.1.5'), addr('b', '10.244.2.3')], ports: [http()] }],
  },
  {
    name: 'pods without an IP, terminating or terminal are left out',
    svc: service('web'),
    pods: [
      pod('pending', { ip: null, ready: false }),
      pod('leaving', { ip: '10.244.1.6', deleting: true }),
      pod('done', { ip: '10.244.1.7', phase: 'Succeeded', ready: false }),
      pod('failed', { ip: '10.244.1.8', phase: 'Failed', ready: false }),
      pod('ok', { ip: '10.244.1.9' }),
    ],
    want: [{ addresses: [addr('ok', '10.244.1.9')], ports: [http()] }],
  },
  {
    name: 'named targetPort resolved per pod: two resolutions make two subsets',
    svc: service('web', { ports: namedHttp }),
    pods: [
      pod('old', { ip: '10.244.1.5', ports: [{ name: 'http', containerPort: 8080 }] }),
      pod('new', { ip: '10.244.1.6', ports: [{ name: 'http', containerPort: 9090, protocol: 'TCP' }] }),
      pod('new-2', { ip: '10.244.1.7', ports: [{ name: 'http', containerPort: 9090 }] }),
    ],
    want: [
      { addresses: [addr('old', '10.244.1.5')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
      {
        addresses: [addr('new', '10.244.1.6'), addr('new-2', '10.244.1.7')],
        ports: [{ name: 'http', port: 9090, protocol: 'TCP' }],
      },
    ],
  },
  {
    name: 'a pod lacking the named port (or with it on another protocol) is skipped for that port',
    svc: service('web', { ports: namedHttp }),
    pods: [
      pod('has', { ip: '10.244.1.5', ports: [{ name: 'http', containerPort: 8080 }] }),
      pod('lacks', { ip: '10.244.1.6', ports: [{ name: 'metrics', containerPort: 9100 }] }),
      pod('udp', { ip: '10.244.1.7', ports: [{ name: 'http', containerPort: 8080, protocol: 'UDP' }] }),
    ],
    want: [
      { addresses: [addr('has', '10.244.1.5')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
    ],
  },
  {
    name: 'several ports: one subset when every pod serves all of them, ports sorted by name',
    svc: service('web', {
      ports: [
        { name: 'metrics', port: 9100, targetPort: 'metrics', protocol: 'TCP' },
        { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
        { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
      ],
    }),
    pods: [
      pod('a', { ip: '10.244.1.5', ports: [{ name: 'metrics', containerPort: 9100 }] }),
      pod('b', { ip: '10.244.1.6', ports: [{ name: 'metrics', containerPort: 9100 }] }),
    ],
    want: [
      {
        addresses: [addr('a', '10.244.1.5'), addr('b', '10.244.1.6')],
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'http', port: 8080, protocol: 'TCP' },
          { name: 'metrics', port: 9100, protocol: 'TCP' },
        ],
      },
    ],
  },
  {
    name: 'several ports, one of them named and missing on a pod: that pod gets its own subset',
    svc: service('web', {
      ports: [
        { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
        { name: 'metrics', port: 9100, targetPort: 'metrics', protocol: 'TCP' },
      ],
    }),
    pods: [
      pod('full', { ip: '10.244.1.5', ports: [{ name: 'metrics', containerPort: 9100 }] }),
      pod('bare', { ip: '10.244.1.6' }),
    ],
    want: [
      {
        addresses: [addr('full', '10.244.1.5'), addr('bare', '10.244.1.6')],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
      { addresses: [addr('full', '10.244.1.5')], ports: [{ name: 'metrics', port: 9100, protocol: 'TCP' }] },
    ],
  },
  {
    name: 'hostname only for pods whose subdomain is this service (StatefulSet per-pod DNS)',
    svc: service('db', { clusterIP: 'None' }),
    pods: [
      pod('db-0', { ip: '10.244.1.5', hostname: 'db-0', subdomain: 'db' }),
      pod('other-0', { ip: '10.244.1.6', hostname: 'other-0', subdomain: 'other' }),
    ],
    want: [
      {
        addresses: [addr('db-0', '10.244.1.5', { hostname: 'db-0' }), addr('other-0', '10.244.1.6')],
        ports: [http()],
      },
    ],
  },
  {
    name: 'headless service without ports: bare addresses',
    svc: service('db', { clusterIP: 'None', ports: [] }),
    pods: [pod('a', { ip: '10.244.1.5' }), pod('b', { ip: '10.244.1.6', ready: false })],
    want: [{ addresses: [addr('a', '10.244.1.5')], notReadyAddresses: [addr('b', '10.244.1.6')] }],
  },
  {
    name: 'a service port without targetPort uses the port itself; appProtocol is carried',
    svc: service('web', { ports: [{ name: 'web', port: 80, protocol: 'TCP', appProtocol: 'http' }] }),
    pods: [pod('a', { ip: '10.244.1.5' })],
    want: [
      {
        addresses: [addr('a', '10.244.1.5')],
        ports: [{ name: 'web', port: 80, protocol: 'TCP', appProtocol: 'http' }],
      },
    ],
  },
  {
    name: 'the IP of the service family is used (dual-stack pod, IPv6 service)',
    svc: service('web', { ipFamilies: ['IPv6'], clusterIP: 'fd00::10' }),
    pods: [
      pod('a', { ip: '10.244.1.5', ips: ['10.244.1.5', 'fd00:244::5'] }),
      pod('v4-only', { ip: '10.244.1.6' }),
    ],
    want: [{ addresses: [addr('a', 'fd00:244::5')], ports: [http()] }],
  },
];

describe('computeEndpoints', () => {
  it.each(cases)('$name', ({ svc, pods, want }) => {
    expect(computeEndpoints(svc, pods)).toEqual(want);
  });

  it('is deterministic: any pod order gives the same subsets', () => {
    const svc = service('web', { ports: namedHttp });
    const pods = [
      pod('a', { ip: '10.244.1.5', ports: [{ name: 'http', containerPort: 8080 }] }),
      pod('b', { ip: '10.244.2.3', ports: [{ name: 'http', containerPort: 9090 }], ready: false }),
      pod('c', { ip: '10.244.1.10', ports: [{ name: 'http', containerPort: 8080 }] }),
      pod('d', { ip: '10.244.3.1', ports: [{ name: 'http', containerPort: 9090 }] }),
    ];
    const expected = computeEndpoints(svc, pods);
    for (const order of [
      [3, 2, 1, 0],
      [1, 3, 0, 2],
      [2, 0, 3, 1],
    ]) {
      expect(
        JSON.stringify(
          computeEndpoints(
            svc,
            order.map((i) => pods[i]),
          ),
        ),
      ).toBe(JSON.stringify(expected));
    }
  });

  it('omits the node name of an unscheduled pod and never writes a resourceVersion', () => {
    const p = pod('a', { ip: '10.244.1.5' });
    delete p.spec.nodeName;
    const [subset] = computeEndpoints(service('web'), [p]);
    expect(subset.addresses).toEqual([
      { ip: '10.244.1.5', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } },
    ]);
  });
});
