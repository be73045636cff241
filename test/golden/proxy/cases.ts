// Inputs of the proxy's golden files (<case>.rules beside this file): Services and Endpoints built the way the
// API server and the endpoints controller store them.
import type { EndpointSubset, Endpoints, Service, ServicePort, ServiceSpec } from '../../../src/api/types.js';
import type { ProxyState } from '../../../agent/proxy/render-rules.js';
import { endpointChainName, serviceChainName } from '../../../agent/proxy/chains.js';

export const CLUSTER_CIDR = '10.244.0.0/16';
export const SERVICE_CIDR = '10.96.0.0/12';

export function service(
  name: string,
  clusterIP: string,
  ports: ServicePort[],
  spec: Partial<ServiceSpec> = {},
  namespace = 'default',
): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, uid: `uid-${namespace}-${name}`, resourceVersion: '1' },
    spec: { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], ports, sessionAffinity: 'None', ...spec },
  };
}

export function endpoints(name: string, subsets: EndpointSubset[], namespace = 'default'): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace, resourceVersion: '1' },
    subsets,
  };
}

/** `count` ready pod addresses 10.244.<node>.<first…>. */
export function addresses(count: number, first = 5, node = 1): { ip: string; nodeName: string }[] {
  return Array.from({ length: count }, (_, i) => ({ ip: `10.244.${node}.${first + i}`, nodeName: `node${node}` }));
}

export function state(services: Service[], eps: Endpoints[], extra: Partial<ProxyState> = {}): ProxyState {
  return { services, endpoints: eps, nodeIPs: [], clusterCIDR: CLUSTER_CIDR, serviceCIDR: SERVICE_CIDR, ...extra };
}

const http = (port = 80, name?: string): ServicePort => ({
  ...(name ? { name } : {}),
  protocol: 'TCP',
  port,
  targetPort: 8080,
});

/** The golden cases: name → state. */
export const GOLDEN_CASES: Record<string, ProxyState> = {
  'cluster-ip-one-endpoint': state(
    [service('web', '10.96.0.10', [http()])],
    [endpoints('web', [{ addresses: addresses(1), ports: [{ port: 8080, protocol: 'TCP' }] }])],
  ),
  'cluster-ip-three-endpoints': state(
    [service('web', '10.96.0.10', [http()])],
    [endpoints('web', [{ addresses: addresses(3), ports: [{ port: 8080, protocol: 'TCP' }] }])],
  ),
  // targetPort by name: the endpoints controller resolved "http" to 8080 and "metrics" to 9090 per pod.
  'named-ports': state(
    [
      service('api', '10.96.0.20', [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' },
        { name: 'metrics', protocol: 'TCP', port: 9000, targetPort: 'metrics' },
      ]),
    ],
    [
      endpoints('api', [
        {
          addresses: addresses(2),
          ports: [
            { name: 'metrics', port: 9090, protocol: 'TCP' },
            { name: 'http', port: 8080, protocol: 'TCP' },
          ],
        },
      ]),
    ],
  ),
  'node-port': state(
    [service('web', '10.96.0.10', [{ ...http(80, 'http'), nodePort: 30080 }], { type: 'NodePort' })],
    [endpoints('web', [{ addresses: addresses(2), ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }])],
  ),
  'node-port-node-ips': state(
    [service('web', '10.96.0.10', [{ ...http(80, 'http'), nodePort: 30080 }], { type: 'NodePort' })],
    [endpoints('web', [{ addresses: addresses(1), ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }])],
    { nodeIPs: ['10.200.0.12', '10.200.0.11'] },
  ),
  headless: state(
    [
      service('db', 'None', [http(5432)], { clusterIPs: ['None'] }),
      service('ext', '', [], { type: 'ExternalName', externalName: 'example.org', clusterIP: undefined }),
    ],
    [endpoints('db', [{ addresses: addresses(2), ports: [{ port: 5432, protocol: 'TCP' }] }])],
  ),
  'session-affinity': state(
    [
      service('sticky', '10.96.0.30', [http()], {
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
      }),
      service('sticky-default', '10.96.0.31', [http()], { sessionAffinity: 'ClientIP' }),
    ],
    [
      endpoints('sticky', [{ addresses: addresses(2), ports: [{ port: 8080, protocol: 'TCP' }] }]),
      endpoints('sticky-default', [{ addresses: addresses(1, 9), ports: [{ port: 8080, protocol: 'TCP' }] }]),
    ],
  ),
  'no-endpoints': state(
    [
      service('empty', '10.96.0.40', [http()]),
      service('empty-np', '10.96.0.41', [{ ...http(80, 'http'), nodePort: 30041 }], { type: 'NodePort' }),
    ],
    [endpoints('empty', [])],
  ),
  'not-ready-excluded': state(
    [service('web', '10.96.0.10', [http()]), service('warming', '10.96.0.11', [http()])],
    [
      endpoints('web', [
        {
          addresses: addresses(1, 5),
          notReadyAddresses: addresses(2, 6),
          ports: [{ port: 8080, protocol: 'TCP' }],
        },
      ]),
      endpoints('warming', [{ notReadyAddresses: addresses(2, 20), ports: [{ port: 8080, protocol: 'TCP' }] }]),
    ],
  ),
  'many-endpoints': state(
    [service('web', '10.96.0.10', [http()])],
    [
      endpoints('web', [
        { addresses: [...addresses(5, 2, 1), ...addresses(5, 2, 2)], ports: [{ port: 8080, protocol: 'TCP' }] },
      ]),
    ],
  ),
  'stale-chains': state(
    [service('web', '10.96.0.10', [http()])],
    [endpoints('web', [{ addresses: addresses(1), ports: [{ port: 8080, protocol: 'TCP' }] }])],
    {
      // From the previous sync: a removed service "old" (its SVC and SEP chains), web's former second endpoint,
      // and chains of other owners that must be left alone.
      existingChains: [
        'PREROUTING',
        'OUTPUT',
        'DOCKER',
        'SKIFF-POD-MASQ',
        'SKIFF-SERVICES',
        'SKIFF-NODEPORTS',
        'SKIFF-POSTROUTING',
        'SKIFF-MARK-MASQ',
        serviceChainName('default/web', 'tcp'),
        endpointChainName('default/web', 'tcp', '10.244.1.5:8080'),
        endpointChainName('default/web', 'tcp', '10.244.1.6:8080'),
        serviceChainName('default/old', 'tcp'),
        endpointChainName('default/old', 'tcp', '10.244.1.9:80'),
      ],
    },
  ),
  // The last service is gone: every per-service chain and the mark chain go, the fixed chains stay.
  'no-services-left': state([], [], {
    existingChains: [
      'SKIFF-SERVICES',
      'SKIFF-NODEPORTS',
      'SKIFF-POSTROUTING',
      'SKIFF-MARK-MASQ',
      serviceChainName('default/web', 'tcp'),
      endpointChainName('default/web', 'tcp', '10.244.1.5:8080'),
    ],
  }),
  udp: state(
    [
      service('dns', '10.96.0.53', [
        { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 },
        { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: 53 },
      ]),
    ],
    [
      endpoints('dns', [
        {
          addresses: addresses(2, 50),
          ports: [
            { name: 'dns', port: 53, protocol: 'UDP' },
            { name: 'dns-tcp', port: 53, protocol: 'TCP' },
          ],
        },
      ]),
    ],
  ),
};
