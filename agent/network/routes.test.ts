import { describe, expect, it } from 'vitest';
import type { Node } from '../../src/api/types.js';
import { desiredRoutes, diffRoutes, peerRoutes, routeArgs, sameRoute, type Route } from './routes.js';

const cidrs = { clusterCIDR: '10.244.0.0/16', serviceCIDR: '10.96.0.0/12', bridge: 'skiffbr' };
const self = { name: 'node1', podCIDR: '10.244.1.0/24', nodeIP: '10.200.0.11' };

function node(
  name: string,
  podCIDR: string | undefined,
  ip: string | undefined,
  extra: Partial<Node> = {},
): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
    status: {
      addresses: ip
        ? [
            { type: 'InternalIP', address: ip },
            { type: 'Hostname', address: name },
          ]
        : [],
    },
    ...extra,
  };
}

const FIXED: Route[] = [
  { dst: '10.96.0.0/12', type: 'unicast', dev: 'skiffbr' },
  { dst: '10.244.0.0/16', type: 'unreachable' },
];

describe('desiredRoutes', () => {
  it('routes every other node’s pod CIDR via its InternalIP, plus the unreachable and service routes', () => {
    const nodes = [
      node('node1', '10.244.1.0/24', '10.200.0.11'),
      node('node3', '10.244.3.0/24', '10.200.0.13'),
      node('node2', '10.244.2.0/24', '10.200.0.12'),
    ];
    expect(desiredRoutes(self, nodes, cidrs)).toEqual([
      FIXED[0],
      FIXED[1],
      { dst: '10.244.2.0/24', type: 'unicast', gateway: '10.200.0.12' },
      { dst: '10.244.3.0/24', type: 'unicast', gateway: '10.200.0.13' },
    ]);
  });

  it('a single node has only the unreachable cluster route and the service route', () => {
    expect(desiredRoutes(self, [node('node1', '10.244.1.0/24', '10.200.0.11')], cidrs)).toEqual(FIXED);
  });

  it('takes podCIDRs[0] when podCIDR is unset, the first IPv4 InternalIP, and normalizes host bits', () => {
    const n = node('node2', undefined, undefined, {
      spec: { podCIDRs: ['10.244.2.9/24'] },
      status: {
        addresses: [
          { type: 'ExternalIP', address: '203.0.113.5' },
          { type: 'InternalIP', address: 'fd00::12' },
          { type: 'InternalIP', address: '10.200.0.12' },
        ],
      },
    });
    expect(peerRoutes(self, [n], cidrs).routes).toEqual([
      { dst: '10.244.2.0/24', type: 'unicast', gateway: '10.200.0.12' },
    ]);
  });

  it.each([
    { why: 'no podCIDR yet (silently)', n: node('n', undefined, '10.200.0.12'), reason: undefined },
    { why: 'no InternalIP', n: node('n', '10.244.2.0/24', undefined), reason: 'no IPv4 InternalIP' },
    { why: 'bad podCIDR', n: node('n', 'pods!', '10.200.0.12'), reason: 'not an IPv4 CIDR' },
    {
      why: 'outside the cluster',
      n: node('n', '10.9.2.0/24', '10.200.0.12'),
      reason: 'not inside the cluster',
    },
    {
      why: 'the whole cluster',
      n: node('n', '10.244.0.0/16', '10.200.0.12'),
      reason: 'not inside the cluster',
    },
    { why: 'our own pod CIDR', n: node('n', '10.244.1.0/24', '10.200.0.12'), reason: "overlaps this node's" },
    { why: 'containing ours', n: node('n', '10.244.0.0/23', '10.200.0.12'), reason: "overlaps this node's" },
    { why: 'our own IP', n: node('n', '10.244.2.0/24', '10.200.0.11'), reason: "this node's own address" },
    { why: 'IP in the pod range', n: node('n', '10.244.2.0/24', '10.244.9.9'), reason: 'inside the cluster' },
    { why: 'IP in the service range', n: node('n', '10.244.2.0/24', '10.96.0.1'), reason: 'service CIDR' },
  ])('gives no route to a node with $why', ({ n, reason }) => {
    const { routes, skipped } = peerRoutes(self, [n], cidrs);
    expect(routes).toEqual([]);
    if (reason === undefined) expect(skipped).toEqual([]);
    else expect(skipped).toEqual([{ node: 'n', reason: expect.stringContaining(reason) }]);
  });

  it('routes a pod CIDR claimed by two nodes to the first by name only', () => {
    const nodes = [
      node('zeta', '10.244.2.0/24', '10.200.0.20'),
      node('alpha', '10.244.2.0/24', '10.200.0.12'),
    ];
    const { routes, skipped } = peerRoutes(self, nodes, cidrs);
    expect(routes).toEqual([{ dst: '10.244.2.0/24', type: 'unicast', gateway: '10.200.0.12' }]);
    expect(skipped).toEqual([
      { node: 'zeta', reason: 'podCIDR 10.244.2.0/24 is already routed to node alpha' },
    ]);
  });

  it('works before this node knows its own pod CIDR or IP', () => {
    expect(desiredRoutes({ name: 'x' }, [node('node2', '10.244.2.0/24', '10.200.0.12')], cidrs)).toHaveLength(
      3,
    );
  });
});

describe('diffRoutes', () => {
  const via = (dst: string, gateway: string, dev?: string): Route => ({ dst, type: 'unicast', gateway, dev });

  it('adds what is missing, replaces what differs, deletes what is no longer wanted, keeps the rest', () => {
    const current: Route[] = [
      { dst: '10.96.0.0/12', type: 'unicast', dev: 'skiffbr' },
      { dst: '10.244.0.0/16', type: 'unreachable' },
      via('10.244.2.0/24', '10.200.0.12', 'eth0'), // kernel filled the device: still the same route
      via('10.244.3.0/24', '10.200.0.13', 'eth0'), // node3 changed its IP
      via('10.244.4.0/24', '10.200.0.14', 'eth0'), // node4 left
    ];
    const desired: Route[] = [
      ...FIXED,
      via('10.244.2.0/24', '10.200.0.12'),
      via('10.244.3.0/24', '10.200.0.33'),
      via('10.244.5.0/24', '10.200.0.15'), // node5 joined
    ];
    expect(diffRoutes(current, desired)).toEqual({
      add: [via('10.244.3.0/24', '10.200.0.33'), via('10.244.5.0/24', '10.200.0.15')],
      del: [via('10.244.4.0/24', '10.200.0.14', 'eth0')],
    });
  });

  it('is empty when the table already matches, and re-adds everything into an empty table', () => {
    expect(diffRoutes(FIXED, FIXED)).toEqual({ add: [], del: [] });
    expect(diffRoutes([], FIXED)).toEqual({ add: FIXED, del: [] });
    expect(diffRoutes(FIXED, [])).toEqual({ add: [], del: FIXED });
  });

  it('a change of type or device at the same destination is a replace', () => {
    expect(sameRoute({ dst: 'd', type: 'unicast', gateway: 'g' }, { dst: 'd', type: 'unreachable' })).toBe(
      false,
    );
    expect(
      sameRoute({ dst: 'd', type: 'unicast', dev: 'eth0' }, { dst: 'd', type: 'unicast', dev: 'skiffbr' }),
    ).toBe(false);
    expect(
      sameRoute({ dst: 'd', type: 'unicast', gateway: 'g', dev: 'eth0' }, { dst: 'd', type: 'unicast' }),
    ).toBe(false);
  });
});

describe('routeArgs', () => {
  it('writes ip route arguments', () => {
    expect(routeArgs({ dst: '10.244.2.0/24', type: 'unicast', gateway: '10.200.0.12' })).toEqual([
      '10.244.2.0/24',
      'via',
      '10.200.0.12',
    ]);
    expect(routeArgs({ dst: '10.244.0.0/16', type: 'unreachable' })).toEqual([
      'unreachable',
      '10.244.0.0/16',
    ]);
    expect(routeArgs({ dst: '10.96.0.0/12', type: 'unicast', dev: 'skiffbr' })).toEqual([
      '10.96.0.0/12',
      'dev',
      'skiffbr',
    ]);
  });
});
