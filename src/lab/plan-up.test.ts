import { describe, expect, it } from 'vitest';
import { agentArgv, dockerdArgv } from './commands.js';
import { labLayout, nodeLayout } from './layout.js';
import type { LabObservation, NodeObservation } from './observe.js';
import { diffLabRoutes, imagesToLoad, planUp, subnetConflict } from './plan-up.js';
import type { LabState } from './state.js';

const lab = labLayout({ name: 'lt', subnet: '10.210.3.0/24', port: 7443 });
const d = { node: 'node', cli: 'main.js', extra: [] };
const line = (argv: string[]) => argv.join(' ');

function healthyNode(index: number): NodeObservation {
  const n = nodeLayout(lab, index);
  return {
    index,
    netns: true,
    lanPort: { name: n.lanPort, up: true, master: lab.bridge, addresses: [] },
    eth0: { name: 'eth0', up: true, addresses: [n.ipCidr] },
    uts: true,
    dockerd: { pid: 100 + index, state: 'S', argv: dockerdArgv(n) },
    engineAnswers: true,
    agent: { pid: 200 + index, state: 'S', argv: agentArgv(lab, n, d) },
  };
}

function healthy(count: number): LabObservation {
  return {
    lan: {
      netns: true,
      bridge: { name: lab.bridge, up: true, addresses: [] },
      uplink: { name: lab.uplink, up: true, master: lab.bridge, addresses: [] },
      hostIf: { name: lab.hostIf, up: true, addresses: ['10.210.3.1/24'] },
    },
    nodes: new Map(Array.from({ length: count }, (_, i) => [i + 1, healthyNode(i + 1)])),
    master: { pid: 99, state: 'S', argv: ['node', 'main.js', 'master'] },
    routes: [],
    nodeNetns: Array.from({ length: count }, (_, i) => i + 1),
  };
}

const empty: LabObservation = { lan: { netns: false }, nodes: new Map(), routes: [], nodeNetns: [] };

function stateWith(nodes: Partial<LabState['nodes'][number]>[]): LabState {
  return {
    version: 1,
    name: 'lt',
    subnet: lab.subnet,
    port: 7443,
    cli: 'main.js',
    node: 'node',
    masterArgs: [],
    agentArgs: [],
    nodes: nodes.map((n) => ({ name: `lt-n${n.index}`, ip: '', netns: `lt-n${n.index}`, index: 0, ...n })),
    routes: [],
    images: [],
  };
}

describe('planUp', () => {
  it('creates everything on a clean host', () => {
    const plan = planUp(lab, 2, undefined, empty);
    expect(plan.lan.map(line)[0]).toBe('ip netns add lt-lan');
    expect(plan.lanFixes).toEqual(['LAN created']);
    expect(plan.startMaster).toBe(true);
    expect(plan.remove).toEqual([]);
    expect(plan.nodes.map((n) => [n.index, n.status, n.uts, n.dockerd, n.startAgent])).toEqual([
      [1, 'new', true, 'start', true],
      [2, 'new', true, 'start', true],
    ]);
    expect(plan.nodes[1].net.map(line)[0]).toBe('ip netns add lt-n2');
  });

  it('does nothing when everything is up (idempotent)', () => {
    const plan = planUp(lab, 3, stateWith([{ index: 1 }, { index: 2 }, { index: 3 }]), healthy(3));
    expect(plan.lan).toEqual([]);
    expect(plan.startMaster).toBe(false);
    expect(plan.nodes.every((n) => n.status === 'up' && n.net.length === 0 && !n.uts)).toBe(true);
    expect(plan.nodes.every((n) => n.dockerd === 'running' && !n.startAgent)).toBe(true);
  });

  it('adds only the new node when N grows, and removes the ones above N when it shrinks', () => {
    const grow = planUp(lab, 3, stateWith([{ index: 1 }, { index: 2 }]), healthy(2));
    expect(grow.nodes.map((n) => n.status)).toEqual(['up', 'up', 'new']);
    const shrink = planUp(lab, 1, stateWith([{ index: 1 }, { index: 2 }, { index: 3 }]), healthy(3));
    expect(shrink.nodes.map((n) => n.index)).toEqual([1]);
    expect(shrink.remove).toEqual([2, 3]);
  });

  it('restarts a dead dockerd or agent, and waits for a dockerd that runs but does not answer yet', () => {
    const obs = healthy(3);
    obs.nodes.set(1, { ...healthyNode(1), dockerd: undefined, engineAnswers: false });
    obs.nodes.set(2, { ...healthyNode(2), engineAnswers: false, agent: undefined });
    const plan = planUp(lab, 3, undefined, obs);
    expect(plan.nodes[0]).toMatchObject({ status: 'repair', dockerd: 'start', startAgent: false });
    expect(plan.nodes[0].fixes).toEqual(['dockerd not running']);
    expect(plan.nodes[1]).toMatchObject({ status: 'repair', dockerd: 'wait', startAgent: true });
    expect(plan.nodes[2].status).toBe('up');
  });

  it('repairs a node’s link and address without recreating its namespace', () => {
    const obs = healthy(1);
    const n = healthyNode(1);
    obs.nodes.set(1, {
      ...n,
      lanPort: { ...n.lanPort!, up: false },
      eth0: { name: 'eth0', up: false, addresses: [] },
    });
    const plan = planUp(lab, 1, undefined, obs);
    expect(plan.nodes[0].fixes).toEqual(['LAN link down', 'eth0 not configured']);
    expect(plan.nodes[0].net.map(line)).toContain('ip -n lt-lan link set lt-v1 master lt-br up');
    expect(plan.nodes[0].net.map(line)).not.toContain('ip netns add lt-n1');
  });

  it('leaves a partitioned node’s cable out and a killed node off', () => {
    const obs = healthy(2);
    const n1 = healthyNode(1);
    obs.nodes.set(1, { ...n1, lanPort: { ...n1.lanPort!, up: false } });
    obs.nodes.set(2, { ...healthyNode(2), dockerd: undefined, agent: undefined, engineAnswers: false });
    const state = stateWith([
      { index: 1, partitioned: true },
      { index: 2, down: true },
    ]);
    const plan = planUp(lab, 2, state, obs);
    expect(plan.nodes[0]).toMatchObject({ status: 'up', net: [] });
    expect(plan.nodes[0].fixes).toEqual(['partitioned (heal reconnects it)']);
    expect(plan.nodes[1]).toMatchObject({ status: 'held', dockerd: 'running', startAgent: false });
  });

  it('rebuilds a half-made LAN and relinks the nodes that survived it', () => {
    const obs = healthy(2);
    obs.lan.bridge = undefined;
    const plan = planUp(lab, 2, undefined, obs);
    expect(plan.lan.map(line).slice(0, 2)).toEqual(['ip netns del lt-lan', 'ip netns add lt-lan']);
    expect(plan.nodes[0].net.map(line)[0]).toBe(
      'ip -n lt-lan link add lt-v1 type veth peer name eth0 netns lt-n1',
    );
    expect(plan.nodes[0].fixes).toContain('LAN link missing');
  });

  it('repairs the LAN’s address without rebuilding it', () => {
    const obs = healthy(1);
    obs.lan.hostIf = { name: lab.hostIf, up: true, addresses: [] };
    const plan = planUp(lab, 1, undefined, obs);
    expect(plan.lanFixes).toEqual(['master address missing']);
    expect(plan.lan.map(line)).toContain('ip addr replace 10.210.3.1/24 dev lt-lan');
    expect(plan.lan.map(line)).not.toContain('ip netns add lt-lan');
  });

  it('refuses a subnet some other route of the host already covers', () => {
    expect(subnetConflict(lab, [{ dst: '10.210.0.0/16', dev: 'eth1' }])).toMatch(
      /overlaps the host's route to 10.210.0.0\/16/,
    );
    expect(
      subnetConflict(lab, [
        { dst: 'default', dev: 'eth0' },
        { dst: '10.210.3.0/24', dev: 'lt-lan' },
      ]),
    ).toBeUndefined();
  });
});

describe('images and routes', () => {
  it('loads what a node lacks or has under another ID', () => {
    const host = new Map([
      ['a:1', 'sha256:a'],
      ['b:1', 'sha256:b'],
    ]);
    const nodes = new Map([
      [
        1,
        new Map<string, string | undefined>([
          ['a:1', 'sha256:a'],
          ['b:1', 'sha256:b'],
        ]),
      ],
      [
        2,
        new Map<string, string | undefined>([
          ['a:1', 'sha256:OLD'],
          ['b:1', undefined],
        ]),
      ],
    ]);
    expect(imagesToLoad(host, nodes)).toEqual(new Map([[2, ['a:1', 'b:1']]]));
  });

  it('replaces missing or changed routes of the lab and removes stale ones, leaving others alone', () => {
    const current = [
      { dst: '10.244.0.0/24', gateway: '10.210.3.11', dev: 'lt-lan', protocol: '146' },
      { dst: '10.244.1.0/24', gateway: '10.210.3.99', dev: 'lt-lan', protocol: '146' },
      { dst: '10.244.9.0/24', gateway: '10.210.3.19', dev: 'lt-lan', protocol: '146' },
      { dst: '10.244.7.0/24', gateway: '10.9.0.1', dev: 'eth0', protocol: '146' },
    ];
    const want = [
      { dst: '10.244.0.0/24', via: '10.210.3.11' },
      { dst: '10.244.1.0/24', via: '10.210.3.12' },
      { dst: '10.244.2.0/24', via: '10.210.3.13' },
    ];
    expect(diffLabRoutes(lab, current, want)).toEqual({
      replace: [want[1], want[2]],
      remove: ['10.244.9.0/24'],
    });
  });
});
