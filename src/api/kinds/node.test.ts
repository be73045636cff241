import { describe, expect, it } from 'vitest';
import type { Node } from '../types.js';
import { nodeDef, nodeRoles, nodeStatusText } from './node.js';

const NOW = Date.parse('2026-11-30T05:00:00Z');

function node(over: Partial<Node> = {}, labels: Record<string, string> = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1', labels, creationTimestamp: '2026-11-28T05:00:00Z' },
    spec: {},
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [
        { type: 'InternalIP', address: '10.0.0.11' },
        { type: 'Hostname', address: 'node-1' },
      ],
      nodeInfo: {
        machineID: 'm',
        systemUUID: 's',
        bootID: 'b',
        kernelVersion: '6.8.0-1012-aws',
        osImage: 'Ubuntu 24.04 LTS',
        containerRuntimeVersion: 'docker://20.10.24',
        kubeletVersion: 'v1.32.0-skiff',
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
    ...over,
  };
}

describe('node status text', () => {
  it.each<[string, Node, string]>([
    ['ready', node(), 'Ready'],
    ['not ready', node({ status: { conditions: [{ type: 'Ready', status: 'False' }] } }), 'NotReady'],
    ['unknown ready', node({ status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }), 'NotReady'],
    ['no conditions', node({ status: {} }), 'Unknown'],
    ['cordoned', node({ spec: { unschedulable: true } }), 'Ready,SchedulingDisabled'],
    [
      'cordoned, no status',
      node({ spec: { unschedulable: true }, status: undefined }),
      'Unknown,SchedulingDisabled',
    ],
  ])('%s → %s', (_n, n, want) => {
    expect(nodeStatusText(n)).toBe(want);
  });
});

describe('node roles', () => {
  it.each<[Record<string, string>, string[]]>([
    [{}, []],
    [{ 'node-role.kubernetes.io/control-plane': '' }, ['control-plane']],
    [{ 'node-role.kubernetes.io/worker': 'true', 'node-role.kubernetes.io/infra': '' }, ['infra', 'worker']],
    [{ 'kubernetes.io/role': 'master' }, ['master']],
    [{ 'node-role.kubernetes.io/': '' }, []],
  ])('%j → %j', (labels, want) => {
    expect(nodeRoles(node({}, labels))).toEqual(want);
  });
});

describe('node table row', () => {
  it('prints all columns', () => {
    const row = nodeDef.row(node({}, { 'node-role.kubernetes.io/control-plane': '' }), { now: NOW });
    expect(row).toEqual([
      'node-1',
      'Ready',
      'control-plane',
      '2d',
      'v1.32.0-skiff',
      '10.0.0.11',
      '<none>',
      'Ubuntu 24.04 LTS',
      '6.8.0-1012-aws',
      'docker://20.10.24',
    ]);
    expect(row).toHaveLength(nodeDef.columns.length);
  });
  it('prints <none> roles and <unknown> node info', () => {
    expect(nodeDef.row(node({ status: {} }), { now: NOW })).toEqual([
      'node-1',
      'Unknown',
      '<none>',
      '2d',
      '',
      '<none>',
      '<none>',
      '<unknown>',
      '<unknown>',
      '<unknown>',
    ]);
  });
});

describe('node defaults, validation and fields', () => {
  it('defaults allocatable to capacity', () => {
    const n = node();
    n.status!.capacity = { cpu: '2', memory: '4Gi', pods: '110' };
    nodeDef.defaults!(n);
    expect(n.status!.allocatable).toEqual({ cpu: '2', memory: '4Gi', pods: '110' });
  });
  it('validates name, scope and taints', () => {
    expect(nodeDef.validate!(node())).toEqual([]);
    const bad = node({ spec: { taints: [{ key: 'a b', effect: 'Sometimes' as 'NoSchedule' }] } });
    bad.metadata.namespace = 'default';
    const msgs = nodeDef.validate!(bad).map((e) => `${e.field}: ${e.message}`);
    expect(msgs).toHaveLength(3);
    expect(msgs[0]).toBe('metadata.namespace: Forbidden: not allowed on this type');
    expect(msgs[1]).toMatch(/^spec.taints\[0\].key: Invalid value: "a b": name part must consist of/);
    expect(msgs[2]).toBe(
      'spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"',
    );
  });
  it('keeps podCIDR once set', () => {
    const old = node({ spec: { podCIDR: '10.244.1.0/24' } });
    expect(nodeDef.validate!(node({ spec: { podCIDR: '10.244.1.0/24', unschedulable: true } }), old)).toEqual(
      [],
    );
    expect(nodeDef.validate!(node({ spec: { podCIDR: '10.244.2.0/24' } }), old)).toHaveLength(1);
    expect(nodeDef.validate!(node({ spec: { podCIDR: '10.244.2.0/24' } }), node())).toEqual([]);
  });
  it('exposes spec.unschedulable', () => {
    expect(nodeDef.fields!(node())).toEqual({ 'spec.unschedulable': 'false' });
    expect(nodeDef.fields!(node({ spec: { unschedulable: true } }))).toEqual({
      'spec.unschedulable': 'true',
    });
  });
  it('is cluster-scoped with short name no', () => {
    expect(nodeDef).toMatchObject({
      resource: 'nodes',
      kind: 'Node',
      namespaced: false,
      shortNames: ['no'],
      categories: [],
    });
  });
});
