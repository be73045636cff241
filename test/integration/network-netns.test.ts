// The pod network's host adapters for real, inside a network namespace this test creates (never the host's own
// routes or iptables): the NetworkAgent with the real `ip route` and iptables adapters and sysctls, driven by
// Node objects in a FakeApiClient; Docker is the fake here (network-docker.test.ts covers the engine).
// Namespace: `lo`, an `eth0` veth (192.0.2.11/24, its peer in the same namespace so the link has carrier) as the
// node's LAN, and a `skiffbr` bridge with 10.244.1.1/24 standing in for the Docker network's bridge.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IpRoutes } from '../../agent/network/ip-routes.js';
import { NetworkAgent } from '../../agent/network/network-agent.js';
import { NetworkRules, networkChainRules } from '../../agent/network/network-rules.js';
import { ProcSysctl } from '../../agent/network/sysctl.js';
import { IptablesFirewall } from '../../agent/proxy/iptables-firewall.js';
import type { Node } from '../../src/api/types.js';
import { NODES } from '../../src/client/api-client.js';
import { systemClock } from '../../src/common/clock.js';
import { FakeApiClient } from '../fakes/fake-api-client.js';
import { FakeDockerNetworks } from '../fakes/fake-docker-networks.js';

const NS = `skt-${randomBytes(4).toString('hex')}`;
const CLUSTER = '10.244.0.0/16';
const SERVICES = '10.96.0.0/12';

function ns(cmd: string, ...args: string[]): string {
  return execFileSync('nsenter', [`--net=/run/netns/${NS}`, '--', cmd, ...args], { encoding: 'utf8' });
}

function ip(...args: string[]): string {
  return execFileSync('ip', ['-n', NS, ...args], { encoding: 'utf8' });
}

/** iptables-save without its timestamped comment lines. */
function save(): string {
  return ns('iptables-save')
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
}

function routeLines(): string[] {
  return ip('route', 'show')
    .trim()
    .split('\n')
    .map((l) => l.trim().replace(/ linkdown$/, ''));
}

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out; routes now:\n${routeLines().join('\n')}`);
    await systemClock.sleep(50);
  }
}

function node(name: string, ipAddr: string, podCIDR?: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
    status: { addresses: [{ type: 'InternalIP', address: ipAddr }] },
  };
}

/** Connects from inside the namespace; returns the error code and how long it took. */
function connectFromNamespace(host: string, port: number): { code: string; ms: number } {
  const script = `
    const net = require('node:net'); const t = Date.now();
    const s = net.connect({ host: '${host}', port: ${port} });
    s.setTimeout(5000, () => { console.log(JSON.stringify({ code: 'TIMEOUT', ms: Date.now() - t })); process.exit(0); });
    s.on('connect', () => { console.log(JSON.stringify({ code: 'CONNECTED', ms: Date.now() - t })); process.exit(0); });
    s.on('error', (e) => { console.log(JSON.stringify({ code: e.code, ms: Date.now() - t })); process.exit(0); });`;
  const res = spawnSync('nsenter', [`--net=/run/netns/${NS}`, '--', process.execPath, '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return JSON.parse(res.stdout.trim());
}

let baseline = '';

beforeAll(() => {
  execFileSync('ip', ['netns', 'add', NS]);
  ip('link', 'set', 'lo', 'up');
  ip('link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'lan0');
  ip('addr', 'add', '192.0.2.11/24', 'dev', 'eth0');
  ip('link', 'set', 'eth0', 'up');
  ip('link', 'set', 'lan0', 'up');
  ip('link', 'add', 'skiffbr', 'type', 'bridge');
  ip('addr', 'add', '10.244.1.1/24', 'dev', 'skiffbr');
  ip('link', 'set', 'skiffbr', 'up');
  // Routes that are not ours, inside and outside the cluster CIDR: they must survive everything below.
  ip('route', 'add', '10.244.50.0/24', 'via', '192.0.2.50', 'proto', 'static');
  ip('route', 'add', '198.51.100.0/24', 'via', '192.0.2.1', 'proto', '145');
  ns('sysctl', '-qw', 'net.ipv4.ip_forward=0', 'net.bridge.bridge-nf-call-iptables=0');
  // Rules that are not ours (they also make both tables exist, so the before/after comparison is meaningful).
  ns('iptables', '-A', 'FORWARD', '-s', '192.0.2.99/32', '-j', 'DROP');
  ns('iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', '192.0.2.99/32', '-j', 'RETURN');
  baseline = save();
});

afterAll(() => {
  spawnSync('ip', ['netns', 'del', NS]);
});

describe('pod network in a network namespace (real ip route, iptables, sysctls)', () => {
  const api = new FakeApiClient({ clock: systemClock });
  const docker = new FakeDockerNetworks();
  const firewall = new IptablesFirewall({ netns: NS });
  const routes = new IpRoutes({ managed: [CLUSTER, SERVICES], netns: NS });
  const agent = new NetworkAgent({
    client: api,
    nodeName: 'node1',
    docker,
    firewall,
    routes,
    sysctl: new ProcSysctl({ netns: NS }),
    clusterCIDR: CLUSTER,
    serviceCIDR: SERVICES,
    resyncPeriodMs: 300,
  });

  it('brings the network up: sysctls, chains and hooks, the unreachable and service routes, peer routes', async () => {
    api.seed(
      NODES,
      node('node1', '192.0.2.11', '10.244.1.0/24'),
      node('node2', '192.0.2.12', '10.244.2.0/24'),
    );
    expect(await agent.start()).toEqual({ podCIDR: '10.244.1.0/24', gateway: '10.244.1.1' });

    expect(ns('cat', '/proc/sys/net/ipv4/ip_forward').trim()).toBe('1');
    expect(ns('cat', '/proc/sys/net/bridge/bridge-nf-call-iptables').trim()).toBe('1');

    const lines = routeLines();
    expect(lines).toEqual(
      expect.arrayContaining([
        '10.96.0.0/12 dev skiffbr proto 145 scope link',
        'unreachable 10.244.0.0/16 proto 145',
        '10.244.1.0/24 dev skiffbr proto kernel scope link src 10.244.1.1',
        '10.244.2.0/24 via 192.0.2.12 dev eth0 proto 145',
        '10.244.50.0/24 via 192.0.2.50 dev eth0 proto static',
        '198.51.100.0/24 via 192.0.2.1 dev eth0 proto 145',
      ]),
    );

    const rules = save();
    // Our FORWARD hook goes first, ahead of what was there.
    expect(rules).toContain(
      '-A FORWARD -m comment --comment skiff -j SKIFF-FORWARD\n-A FORWARD -s 192.0.2.99/32 -j DROP',
    );
    for (const line of [
      ':SKIFF-FORWARD - [0:0]',
      ':SKIFF-POD-MASQ - [0:0]',
      '-A FORWARD -m comment --comment skiff -j SKIFF-FORWARD',
      '-A DOCKER-USER -m comment --comment skiff -j SKIFF-FORWARD',
      '-A POSTROUTING -m comment --comment skiff -j SKIFF-POD-MASQ',
      ...networkChainRules({ clusterCIDR: CLUSTER, serviceCIDR: SERVICES }).filter,
      ...networkChainRules({ clusterCIDR: CLUSTER, serviceCIDR: SERVICES }).nat,
    ]) {
      expect(rules.split('\n')).toContain(line);
    }
  });

  it('reads its rules back exactly as it renders them: a second ensure changes nothing', async () => {
    const rules = new NetworkRules({ firewall, config: { clusterCIDR: CLUSTER, serviceCIDR: SERVICES } });
    expect(await rules.ensure()).toEqual([]);
  });

  it('a connection to a pod IP no node owns fails at once (unreachable route), not into a default route', () => {
    const res = connectFromNamespace('10.244.99.5', 80);
    expect(['EHOSTUNREACH', 'ENETUNREACH']).toContain(res.code);
    expect(res.ms).toBeLessThan(1000);
  });

  it('routes follow nodes joining, changing IP and leaving', async () => {
    await api.create(NODES, undefined, node('node3', '192.0.2.13', '10.244.3.0/24'));
    await waitFor(() => routeLines().includes('10.244.3.0/24 via 192.0.2.13 dev eth0 proto 145'));

    await api.patch(
      NODES,
      undefined,
      'node2',
      'merge',
      {
        status: { addresses: [{ type: 'InternalIP', address: '192.0.2.22' }] },
      },
      { subresource: 'status' },
    );
    await waitFor(() => routeLines().includes('10.244.2.0/24 via 192.0.2.22 dev eth0 proto 145'));

    await api.delete(NODES, undefined, 'node2');
    await waitFor(() => !routeLines().some((l) => l.startsWith('10.244.2.0/24')));
    expect(routeLines()).toContain('10.244.3.0/24 via 192.0.2.13 dev eth0 proto 145');
  });

  it('the periodic re-check repairs a deleted route, a flushed chain and a removed hook', async () => {
    ip('route', 'del', '10.244.0.0/16');
    ns('iptables', '-F', 'SKIFF-FORWARD');
    ns(
      'iptables',
      '-t',
      'nat',
      '-D',
      'POSTROUTING',
      '-m',
      'comment',
      '--comment',
      'skiff',
      '-j',
      'SKIFF-POD-MASQ',
    );
    await waitFor(() => {
      const rules = save();
      return (
        routeLines().includes('unreachable 10.244.0.0/16 proto 145') &&
        rules.includes('-A SKIFF-FORWARD -s 10.244.0.0/16') &&
        rules.includes('-A POSTROUTING -m comment --comment skiff -j SKIFF-POD-MASQ')
      );
    });
  });

  it('cleanup leaves iptables as it found them, removes only our routes, keeps the rest', async () => {
    await agent.stop({ cleanup: true });
    expect(save()).toBe(baseline);
    const lines = routeLines();
    expect(lines.filter((l) => l.includes('proto 145'))).toEqual([
      '198.51.100.0/24 via 192.0.2.1 dev eth0 proto 145',
    ]);
    expect(lines).toEqual(
      expect.arrayContaining([
        '10.244.1.0/24 dev skiffbr proto kernel scope link src 10.244.1.1',
        '10.244.50.0/24 via 192.0.2.50 dev eth0 proto static',
      ]),
    );
    expect(connectFromNamespace('10.244.99.5', 80).code).toBe('ENETUNREACH');
  });
});
