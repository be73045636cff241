import { describe, expect, it } from 'vitest';
import type { Service, ServiceSpec } from '../types.js';
import { formatServicePorts, serviceDef, serviceExternalIP } from './service.js';

const NOW = Date.parse('2026-11-30T05:00:00Z');

function svc(spec: Partial<ServiceSpec> = {}, name = 'web'): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', creationTimestamp: '2026-11-30T04:00:00Z' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec },
  };
}

function defaulted(s: Service): Service {
  serviceDef.defaults!(s);
  return s;
}

const problems = (s: Service, old?: Service) =>
  serviceDef.validate!(s, old).map((e) => `${e.field}: ${e.message}`);

describe('service defaults', () => {
  it('fills type, affinity, protocol, targetPort and IP family fields', () => {
    const s = defaulted(svc());
    expect(s.spec).toEqual({
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
    });
    expect(s.status).toEqual({ loadBalancer: {} });
  });
  it('keeps a named targetPort, adds externalTrafficPolicy for NodePort, session timeout for ClientIP', () => {
    const s = defaulted(
      svc({ type: 'NodePort', sessionAffinity: 'ClientIP', ports: [{ port: 80, targetPort: 'http' }] }),
    );
    expect(s.spec.ports![0].targetPort).toBe('http');
    expect(s.spec.externalTrafficPolicy).toBe('Cluster');
    expect(s.spec.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
  });
  it('turns node port allocation on for LoadBalancer services unless they opt out', () => {
    const lb = (extra: object = {}) => defaulted(svc({ type: 'LoadBalancer', ...extra })).spec;
    expect(lb()).toMatchObject({ allocateLoadBalancerNodePorts: true, externalTrafficPolicy: 'Cluster' });
    expect(lb({ allocateLoadBalancerNodePorts: false })).toMatchObject({
      allocateLoadBalancerNodePorts: false,
    });
    expect(defaulted(svc({ type: 'NodePort' })).spec).not.toHaveProperty('allocateLoadBalancerNodePorts');
  });
  it('mirrors clusterIP into clusterIPs; ExternalName gets no IP families', () => {
    expect(defaulted(svc({ clusterIP: '10.96.0.10' })).spec.clusterIPs).toEqual(['10.96.0.10']);
    const ext = defaulted(svc({ type: 'ExternalName', externalName: 'example.com', ports: [] }));
    expect(ext.spec.ipFamilies).toBeUndefined();
  });
});

describe('service validation', () => {
  it('accepts a defaulted service', () => {
    expect(problems(defaulted(svc()))).toEqual([]);
  });
  it.each<[string, Partial<ServiceSpec>, string[]]>([
    [
      'port 0 (targetPort defaults to it, so it is wrong too)',
      { ports: [{ port: 0 }] },
      ['port', 'targetPort'].map(
        (f) => `spec.ports[0].${f}: Invalid value: 0: must be between 1 and 65535, inclusive`,
      ),
    ],
    [
      'several ports need names',
      { ports: [{ port: 80 }, { port: 443, name: 'https' }] },
      ['spec.ports[0].name: Required value'],
    ],
    [
      'duplicate port names',
      {
        ports: [
          { port: 80, name: 'http' },
          { port: 81, name: 'http' },
        ],
      },
      ['spec.ports[1].name: Duplicate value: "http"'],
    ],
    [
      'bad type',
      { type: 'Magic' as 'ClusterIP' },
      [
        'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      ],
    ],
    ['no ports', { ports: [] }, ['spec.ports: Required value']],
    [
      'nodePort on a ClusterIP service',
      { ports: [{ port: 80, nodePort: 30080 }] },
      ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    ],
    [
      'bad targetPort name',
      { ports: [{ port: 80, targetPort: 'HTTP' }] },
      [
        'spec.ports[0].targetPort: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'spec.ports[0].targetPort: Invalid value: "HTTP": must contain at least one letter (a-z)',
      ],
    ],
    [
      'bad clusterIP',
      { clusterIP: '10.96.0.300' },
      [
        'spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      ],
    ],
    [
      'a short-form clusterIP (kube-proxy could not use it)',
      { clusterIP: '10.96.5' },
      [
        'spec.clusterIPs[0]: Invalid value: "10.96.5": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      ],
    ],
    [
      'clusterIPs that disagree with clusterIP',
      { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.11'] },
      ['spec.clusterIPs: Invalid value: []string{"10.96.0.11"}: first value must match `clusterIP`'],
    ],
    [
      'clusterIPs without clusterIP',
      { clusterIPs: ['10.96.0.11'] },
      [
        'spec.clusterIPs: Invalid value: []string{"10.96.0.11"}: must be empty when `clusterIP` is not specified',
      ],
    ],
    [
      'a headless NodePort service',
      { type: 'NodePort', clusterIP: 'None' },
      ['spec.clusterIPs[0]: Invalid value: "None": may not be set to \'None\' for NodePort services'],
    ],
    [
      'a headless LoadBalancer service',
      { type: 'LoadBalancer', clusterIP: 'None' },
      ['spec.clusterIPs[0]: Invalid value: "None": may not be set to \'None\' for LoadBalancer services'],
    ],
    [
      'an ExternalName service with a cluster IP',
      { type: 'ExternalName', externalName: 'db.example.com', clusterIP: '10.96.0.10' },
      ['spec.clusterIPs: Forbidden: may not be set for ExternalName services'],
    ],
    [
      'two TCP ports on one node port',
      {
        type: 'NodePort',
        ports: [
          { name: 'a', port: 80, nodePort: 30080 },
          { name: 'b', port: 81, nodePort: 30080 },
        ],
      },
      ['spec.ports[1].nodePort: Duplicate value: 30080'],
    ],
    [
      'allocateLoadBalancerNodePorts on a NodePort service',
      { type: 'NodePort', allocateLoadBalancerNodePorts: false } as Partial<ServiceSpec>,
      ["spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'"],
    ],
    ['ExternalName without name', { type: 'ExternalName', ports: [] }, ['spec.externalName: Required value']],
  ])('%s', (_n, spec, want) => {
    expect(problems(defaulted(svc(spec)))).toEqual(want);
  });
  it('reports malformed ports instead of crashing', () => {
    const s = defaulted(svc({ ports: [null as unknown as { port: number }] }));
    expect(problems(s)).toEqual(['spec.ports[0]: Invalid value: null: must be an object']);
  });
  it('allows headless services without ports and NodePort services with node ports', () => {
    expect(problems(defaulted(svc({ clusterIP: 'None', ports: [] })))).toEqual([]);
    expect(problems(defaulted(svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })))).toEqual(
      [],
    );
  });
  it('requires DNS-1035 names', () => {
    expect(problems(defaulted(svc({}, '1web')))[0]).toMatch(
      /^metadata.name: Invalid value: "1web": a DNS-1035 label/,
    );
  });
  it('keeps the cluster IP once allocated', () => {
    const old = defaulted(svc({ clusterIP: '10.96.0.10' }));
    expect(problems(defaulted(svc({ clusterIP: '10.96.0.10', ports: [{ port: 8080 }] })), old)).toEqual([]);
    expect(problems(defaulted(svc({ clusterIP: '10.96.0.11' })), old)).toEqual([
      'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set',
    ]);
    expect(problems(defaulted(svc({ clusterIP: 'None' })), old)).toEqual([
      'spec.clusterIPs[0]: Invalid value: []string{"None"}: may not change once set',
    ]);
    expect(problems(defaulted(svc()), old)).toEqual([
      'spec.clusterIPs[0]: Invalid value: []string{}: primary clusterIP can not be unset',
    ]);
  });
  it('lets a headless service stay headless and a type change through ExternalName pick a new IP', () => {
    const headless = defaulted(svc({ clusterIP: 'None' }));
    expect(problems(defaulted(svc({ clusterIP: 'None', ports: [{ port: 81 }] })), headless)).toEqual([]);
    const external = defaulted(svc({ type: 'ExternalName', externalName: 'db.example.com.', ports: [] }));
    expect(problems(external)).toEqual([]);
    expect(problems(defaulted(svc({ clusterIP: '10.96.0.12' })), external)).toEqual([]);
  });
  it('lets TCP and UDP entries of one port share a node port', () => {
    const dns = svc({
      type: 'NodePort',
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', nodePort: 30053 },
      ],
    });
    expect(problems(defaulted(dns))).toEqual([]);
  });
});

describe('service table row', () => {
  it.each([
    [[{ port: 80, protocol: 'TCP' as const }], '80/TCP'],
    [[{ port: 80, protocol: 'TCP' as const, nodePort: 30080 }], '80:30080/TCP'],
    [
      [
        { port: 53, protocol: 'UDP' as const },
        { port: 53, protocol: 'TCP' as const },
      ],
      '53/UDP,53/TCP',
    ],
    [[], '<none>'],
  ])('ports %j → %s', (ports, want) => {
    expect(formatServicePorts(ports)).toBe(want);
  });
  it('prints a ClusterIP service', () => {
    const s = defaulted(svc({ clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] }));
    const row = serviceDef.row(s, { now: NOW });
    expect(row).toEqual(['web', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP', '60m', 'app=web']);
    expect(row).toHaveLength(serviceDef.columns.length);
  });
  it('prints <none> cluster IP and selector when absent', () => {
    const s = defaulted(svc({ selector: undefined }));
    expect(serviceDef.row(s, { now: NOW })).toEqual([
      'web',
      'ClusterIP',
      '<none>',
      '<none>',
      '80/TCP',
      '60m',
      '<none>',
    ]);
  });
  it.each<[Partial<ServiceSpec>, Service['status'], string]>([
    [{ type: 'NodePort', externalIPs: ['1.2.3.4'] }, undefined, '1.2.3.4'],
    [{ type: 'LoadBalancer' }, { loadBalancer: {} }, '<pending>'],
    [{ type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '5.6.7.8' }] } }, '5.6.7.8'],
    [{ type: 'ExternalName', externalName: 'db.example.com' }, undefined, 'db.example.com'],
  ])('external IP for %j', (spec, status, want) => {
    expect(serviceExternalIP({ ...svc(spec), status })).toBe(want);
  });
  it('exposes spec.clusterIP and spec.type as fields', () => {
    expect(serviceDef.fields!(defaulted(svc({ clusterIP: '10.96.0.1' })))).toEqual({
      'spec.clusterIP': '10.96.0.1',
      'spec.type': 'ClusterIP',
    });
  });
});
