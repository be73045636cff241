import { describe, expect, it } from 'vitest';
import type { Service } from '../api/types.js';
import {
  dropTypeDependentFields,
  heldClusterIPs,
  heldNodePorts,
  normalizeClusterIPs,
  patchAllocatedValues,
  prepareServiceUpdate,
  type ServiceSpecEx,
} from './service-update.js';

function svc(spec: ServiceSpecEx, status?: Service['status']): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec,
    ...(status ? { status } : {}),
  };
}

const nodePortSpec = (): ServiceSpecEx => ({
  type: 'NodePort',
  clusterIP: '10.96.5.5',
  clusterIPs: ['10.96.5.5'],
  externalTrafficPolicy: 'Cluster',
  ports: [
    { name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 },
    { name: 'https', port: 443, protocol: 'TCP', nodePort: 30443 },
  ],
});

describe('what a Service holds', () => {
  it('clusterIPs for IP-holding types only', () => {
    expect(heldClusterIPs({ clusterIP: '10.96.0.9', clusterIPs: ['10.96.0.9'] })).toEqual(['10.96.0.9']);
    expect(heldClusterIPs({ clusterIP: '10.96.0.9' })).toEqual(['10.96.0.9']);
    expect(heldClusterIPs({ clusterIP: 'None', clusterIPs: ['None'] })).toEqual([]);
    expect(heldClusterIPs({ type: 'ExternalName', clusterIP: '10.96.0.9' })).toEqual([]);
    expect(heldClusterIPs(undefined)).toEqual([]);
  });
  it('node ports of NodePort and LoadBalancer services, each number once', () => {
    const dns: ServiceSpecEx = {
      type: 'LoadBalancer',
      ports: [
        { name: 'a', port: 53, protocol: 'UDP', nodePort: 30053 },
        { name: 'b', port: 53, protocol: 'TCP', nodePort: 30053 },
        { name: 'c', port: 54, protocol: 'TCP' },
        null as never,
      ],
    };
    expect(heldNodePorts(dns)).toEqual([30053]);
    expect(heldNodePorts({ ...dns, type: 'ClusterIP' })).toEqual([]);
  });
});

describe('patchAllocatedValues', () => {
  it('keeps the clusterIP and the nodePorts a replacement leaves out (matched by port name)', () => {
    const next: ServiceSpecEx = {
      type: 'NodePort',
      ports: [
        { name: 'https', port: 8443, protocol: 'TCP' },
        { name: 'http', port: 80, protocol: 'TCP' },
      ],
    };
    patchAllocatedValues(next, nodePortSpec());
    expect(next.clusterIP).toBe('10.96.5.5');
    expect(next.clusterIPs).toEqual(['10.96.5.5']);
    expect(next.ports!.map((p) => p.nodePort)).toEqual([30443, 30080]);
  });
  it('does not hand a kept node port to a second port that already uses it elsewhere', () => {
    const next: ServiceSpecEx = {
      type: 'NodePort',
      ports: [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: 'https', port: 443, protocol: 'TCP', nodePort: 30080 },
      ],
    };
    patchAllocatedValues(next, nodePortSpec());
    expect(next.ports!.map((p) => p.nodePort)).toEqual([undefined, 30080]);
  });
  it('leaves values the writer set, and types that hold nothing, alone', () => {
    const next: ServiceSpecEx = {
      type: 'NodePort',
      clusterIP: '10.96.7.7',
      ports: [{ name: 'http', port: 80 }],
    };
    patchAllocatedValues(next, nodePortSpec());
    expect(next.clusterIP).toBe('10.96.7.7');
    const toExternal: ServiceSpecEx = { type: 'ExternalName', externalName: 'x.example.com' };
    patchAllocatedValues(toExternal, nodePortSpec());
    expect(toExternal.clusterIP).toBeUndefined();
    const toClusterIP: ServiceSpecEx = { type: 'ClusterIP', ports: [{ name: 'http', port: 80 }] };
    patchAllocatedValues(toClusterIP, nodePortSpec());
    expect(toClusterIP.ports![0].nodePort).toBeUndefined();
    expect(toClusterIP.clusterIP).toBe('10.96.5.5');
  });
});

describe('normalizeClusterIPs', () => {
  const old = (): ServiceSpecEx => ({ clusterIP: '10.96.5.5', clusterIPs: ['10.96.5.5'] });
  it.each<[string, ServiceSpecEx, Pick<ServiceSpecEx, 'clusterIP' | 'clusterIPs'>]>([
    [
      'an old client sends only clusterIP',
      { clusterIP: '10.96.5.5' },
      { clusterIP: '10.96.5.5', clusterIPs: ['10.96.5.5'] },
    ],
    [
      'the singular changed: the plural follows (and validation refuses it)',
      { clusterIP: '10.96.6.6', clusterIPs: ['10.96.5.5'] },
      { clusterIP: '10.96.6.6', clusterIPs: ['10.96.6.6'] },
    ],
    ['both cleared', { clusterIP: '', clusterIPs: ['10.96.5.5'] }, { clusterIP: '', clusterIPs: undefined }],
    [
      'both changed: left for validation',
      { clusterIP: '10.96.6.6', clusterIPs: ['10.96.7.7'] },
      { clusterIP: '10.96.6.6', clusterIPs: ['10.96.7.7'] },
    ],
  ])('%s', (_name, next, want) => {
    normalizeClusterIPs(next, old());
    expect({ clusterIP: next.clusterIP, clusterIPs: next.clusterIPs }).toEqual(want);
  });
});

describe('dropTypeDependentFields', () => {
  it('NodePort → ClusterIP drops untouched node ports and the external traffic policy', () => {
    const next = { ...nodePortSpec(), type: 'ClusterIP' as const };
    const obj = svc(next, { loadBalancer: {} });
    dropTypeDependentFields(next, nodePortSpec(), obj);
    expect(next.ports!.map((p) => p.nodePort)).toEqual([undefined, undefined]);
    expect(next.externalTrafficPolicy).toBeUndefined();
    expect(next.clusterIP).toBe('10.96.5.5');
  });
  it('keeps node ports the writer changed along with the type (validation refuses them)', () => {
    const next = { ...nodePortSpec(), type: 'ClusterIP' as const };
    next.ports = [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 31111 }];
    dropTypeDependentFields(next, nodePortSpec(), svc(next));
    expect(next.ports[0].nodePort).toBe(31111);
  });
  it('→ ExternalName drops the cluster IP and the IP family fields', () => {
    const old: ServiceSpecEx = {
      ...nodePortSpec(),
      type: 'ClusterIP',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
    };
    const next: ServiceSpecEx = {
      ...structuredClone(old),
      type: 'ExternalName',
      externalName: 'db.example.com',
    };
    dropTypeDependentFields(next, old, svc(next));
    expect(next).not.toHaveProperty('clusterIP');
    expect(next).not.toHaveProperty('clusterIPs');
    expect(next).not.toHaveProperty('ipFamilies');
    expect(next).not.toHaveProperty('ipFamilyPolicy');
    expect(next).not.toHaveProperty('internalTrafficPolicy');
  });
  it('LoadBalancer → NodePort drops the load-balancer switch and status, keeps the node ports', () => {
    const old: ServiceSpecEx = {
      ...nodePortSpec(),
      type: 'LoadBalancer',
      allocateLoadBalancerNodePorts: true,
    };
    const next: ServiceSpecEx = { ...structuredClone(old), type: 'NodePort' };
    const oldStatus = { loadBalancer: { ingress: [{ ip: '5.6.7.8' }] } };
    const obj = svc(next, oldStatus);
    dropTypeDependentFields(next, old, obj);
    expect(next).not.toHaveProperty('allocateLoadBalancerNodePorts');
    expect(next.ports!.map((p) => p.nodePort)).toEqual([30080, 30443]);
    expect(obj.status).toEqual({ loadBalancer: {} });
    expect(oldStatus.loadBalancer.ingress).toHaveLength(1); // the stored object's status is not touched
  });
});

describe('prepareServiceUpdate', () => {
  it('runs the fix-ups in order and ignores malformed bodies', () => {
    const old = svc(nodePortSpec());
    const next = svc({ type: 'NodePort', ports: [{ name: 'http', port: 80 }] });
    prepareServiceUpdate(next, old);
    expect(next.spec).toMatchObject({ clusterIP: '10.96.5.5', clusterIPs: ['10.96.5.5'] });
    expect(next.spec.ports![0].nodePort).toBe(30080);
    const broken = { ...svc({}), spec: 'nope' } as unknown as Service;
    expect(() => prepareServiceUpdate(broken, old)).not.toThrow();
    expect(() => prepareServiceUpdate(svc({ ports: 'x' as never }), old)).not.toThrow();
  });
});
