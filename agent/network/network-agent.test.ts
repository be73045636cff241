import { describe, expect, it } from 'vitest';
import type { Node } from '../../src/api/types.js';
import { NODES } from '../../src/client/api-client.js';
import { FakeApiClient } from '../../test/fakes/fake-api-client.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { FakeDockerNetworks } from '../../test/fakes/fake-docker-networks.js';
import { FakeFirewall } from '../../test/fakes/fake-firewall.js';
import { FakeRoutes } from '../../test/fakes/fake-routes.js';
import { FakeSysctl } from '../../test/fakes/fake-sysctl.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { NetworkAgent, type NetworkInfo } from './network-agent.js';

function node(name: string, ip: string, podCIDR?: string): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
    status: { addresses: [{ type: 'InternalIP', address: ip }] },
  };
}

const UNREACHABLE = { dst: '10.244.0.0/16', type: 'unreachable' };
const SERVICE = { dst: '10.96.0.0/12', type: 'unicast', dev: 'skiffbr' };
const via = (dst: string, gateway: string) => ({ dst, type: 'unicast', gateway });

function setup() {
  const clock = new FakeClock();
  const api = new FakeApiClient({ clock });
  const docker = new FakeDockerNetworks();
  const firewall = new FakeFirewall();
  const routes = new FakeRoutes();
  const sysctl = new FakeSysctl({ 'net.ipv4.ip_forward': '1', 'net.bridge.bridge-nf-call-iptables': '1' });
  const logger = new RecordingLogger();
  const agent = new NetworkAgent({
    client: api,
    nodeName: 'node1',
    docker,
    firewall,
    routes,
    sysctl,
    clusterCIDR: '10.244.0.0/16',
    serviceCIDR: '10.96.0.0/12',
    clock,
    logger,
  });
  const settle = (ms = 0) => clock.advance(ms);
  const setPodCIDR = (name: string, cidr: string) =>
    api.patch(NODES, undefined, name, 'merge', { spec: { podCIDR: cidr, podCIDRs: [cidr] } });
  const setIP = (name: string, ip: string) =>
    api.patch(
      NODES,
      undefined,
      name,
      'merge',
      { status: { addresses: [{ type: 'InternalIP', address: ip }] } },
      {
        subresource: 'status',
      },
    );
  return { clock, api, docker, firewall, routes, sysctl, logger, agent, settle, setPodCIDR, setIP };
}

/** Starts the agent with node1 (10.244.1.0/24) registered. */
async function started() {
  const t = setup();
  t.api.seed(NODES, node('node1', '10.200.0.11', '10.244.1.0/24'));
  const info = await t.agent.start();
  return { ...t, info };
}

describe('NetworkAgent', () => {
  it('waits for the master to assign the pod CIDR, then brings the pod network up', async () => {
    const { api, agent, docker, firewall, routes, settle, setPodCIDR, logger } = setup();
    api.seed(NODES, node('node1', '10.200.0.11'));
    let info: NetworkInfo | undefined;
    const starting = agent.start().then((i) => (info = i));
    await settle(65_000);
    expect(info).toBeUndefined();
    expect(docker.calls).toEqual([]);
    expect(logger.records.some((r) => r.msg === 'waiting for the master to assign a pod CIDR')).toBe(true);

    await setPodCIDR('node1', '10.244.1.0/24');
    await settle();
    await starting;
    expect(info).toEqual({ podCIDR: '10.244.1.0/24', gateway: '10.244.1.1' });
    expect(docker.network('skiff')).toMatchObject({ subnet: '10.244.1.0/24', gateway: '10.244.1.1' });
    expect(firewall.chains('filter')).toEqual(expect.arrayContaining(['SKIFF-FORWARD', 'DOCKER-USER']));
    expect(routes.routes()).toEqual([SERVICE, UNREACHABLE]);
    await agent.stop();
  });

  it('routes follow nodes joining, changing IP, and leaving', async () => {
    const { api, agent, routes, settle, setPodCIDR, setIP } = await started();
    await api.create(NODES, undefined, node('node2', '10.200.0.12', '10.244.2.0/24'));
    await api.create(NODES, undefined, node('node3', '10.200.0.13'));
    await settle();
    expect(routes.routes()).toEqual([SERVICE, UNREACHABLE, via('10.244.2.0/24', '10.200.0.12')]);

    await setPodCIDR('node3', '10.244.3.0/24'); // the master got to node3
    await settle();
    expect(routes.get('10.244.3.0/24')).toEqual(via('10.244.3.0/24', '10.200.0.13'));

    await setIP('node2', '10.200.0.22');
    await settle();
    expect(routes.get('10.244.2.0/24')).toEqual(via('10.244.2.0/24', '10.200.0.22'));

    await api.delete(NODES, undefined, 'node2');
    await settle();
    expect(routes.routes()).toEqual([SERVICE, UNREACHABLE, via('10.244.3.0/24', '10.200.0.13')]);
    await agent.stop();
  });

  it('heartbeats (status updates that change no address) do not trigger route syncs', async () => {
    const { api, agent, routes, settle } = await started();
    await api.create(NODES, undefined, node('node2', '10.200.0.12', '10.244.2.0/24'));
    await settle();
    routes.clearCalls();
    for (let i = 0; i < 3; i++) {
      await api.patch(
        NODES,
        undefined,
        'node2',
        'merge',
        { status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: `t${i}` }] } },
        { subresource: 'status' },
      );
    }
    await settle(1000);
    expect(routes.calls).toEqual([]);
    await agent.stop();
  });

  it('removes routes an earlier agent left for nodes that are gone', async () => {
    const t = setup();
    t.api.seed(NODES, node('node1', '10.200.0.11', '10.244.1.0/24'));
    t.routes.seed(via('10.244.7.0/24', '10.200.0.17') as any);
    await t.agent.start();
    expect(t.routes.get('10.244.7.0/24')).toBeUndefined();
    await t.agent.stop();
  });

  it('a route that cannot be set does not hold back the others, and is retried by the re-check', async () => {
    const t = setup();
    t.api.seed(
      NODES,
      node('node1', '10.200.0.11', '10.244.1.0/24'),
      node('node2', '10.200.0.12', '10.244.2.0/24'),
      node('node3', '10.200.0.13', '10.244.3.0/24'),
    );
    t.routes.failFor('10.244.2.0/24', 'Error: Nexthop has invalid gateway.');
    await t.agent.start();
    expect(t.routes.get('10.244.3.0/24')).toBeDefined();
    expect(t.routes.get('10.244.2.0/24')).toBeUndefined();
    expect(t.logger.records.find((r) => r.msg === 'could not set route')?.fields).toMatchObject({
      route: { dst: '10.244.2.0/24' },
    });
    t.routes.failFor('10.244.2.0/24', undefined);
    await t.settle(30_000);
    expect(t.routes.get('10.244.2.0/24')).toEqual(via('10.244.2.0/24', '10.200.0.12'));
    await t.agent.stop();
  });

  it('the 30 s re-check repairs drift: a lost route, a flushed chain, a removed network', async () => {
    const { agent, docker, firewall, routes, settle } = await started();
    routes.drop('10.244.0.0/16');
    await firewall.restore('*filter\n-F SKIFF-FORWARD\nCOMMIT\n');
    await docker.remove('skiff');
    await settle(29_000);
    expect(routes.get('10.244.0.0/16')).toBeUndefined();
    await settle(1_000);
    expect(routes.get('10.244.0.0/16')).toEqual(UNREACHABLE);
    expect(firewall.rules('filter', 'SKIFF-FORWARD')).toHaveLength(3);
    expect(docker.network('skiff')?.subnet).toBe('10.244.1.0/24');
    routes.drop('10.96.0.0/12');
    await settle(30_000);
    expect(routes.get('10.96.0.0/12')).toEqual(SERVICE);
    await agent.stop();
  });

  it('recheck() repairs at once (dockerd restarted): the hooks it pushed down, a lost network', async () => {
    const { agent, docker, firewall, settle } = await started();
    // dockerd's restart puts its own FORWARD rules above ours and (here) lost the network
    firewall.seedChain('filter', 'DOCKER-ISOLATION-STAGE-1');
    await firewall.restore('*filter\n-I FORWARD -j DOCKER-ISOLATION-STAGE-1\nCOMMIT\n');
    await docker.remove('skiff');
    await agent.recheck();
    expect(docker.network('skiff')?.subnet).toBe('10.244.1.0/24');
    expect(firewall.rules('filter', 'FORWARD')[0]).toEqual([
      ...['-m', 'comment', '--comment', 'skiff'],
      ...['-j', 'SKIFF-FORWARD'],
    ]);
    // the periodic check starts its 30 s over from the recheck
    const calls = docker.calls.length;
    await settle(29_000);
    expect(docker.calls.length).toBe(calls);
    await settle(1_000);
    expect(docker.calls.length).toBeGreaterThan(calls);
    await agent.stop();
  });

  it('keeps retrying while Docker is down, and starts once it is up', async () => {
    const t = setup();
    t.api.seed(NODES, node('node1', '10.200.0.11', '10.244.1.0/24'));
    t.docker.setUnavailable('connect ENOENT /var/run/docker.sock');
    let info: NetworkInfo | undefined;
    const starting = t.agent.start().then((i) => (info = i));
    await t.settle(10_000);
    expect(info).toBeUndefined();
    expect(t.logger.records.filter((r) => r.msg === 'pod network not ready').length).toBeGreaterThanOrEqual(
      3,
    );
    t.docker.setUnavailable(undefined);
    await t.settle(20_000);
    await starting;
    expect(info?.gateway).toBe('10.244.1.1');
    await t.agent.stop();
  });

  it('stop() while waiting for the pod CIDR makes start() fail instead of hanging', async () => {
    const t = setup();
    t.api.seed(NODES, node('node1', '10.200.0.11'));
    const starting = t.agent.start();
    await t.settle();
    await t.agent.stop();
    await expect(starting).rejects.toThrow(/stopped before the node got a pod CIDR/);
  });

  it('stop({ cleanup }) removes our chains, hooks and routes, and leaves the Docker network', async () => {
    const t = await started();
    await t.api.create(NODES, undefined, node('node2', '10.200.0.12', '10.244.2.0/24'));
    await t.settle();
    expect(t.routes.routes()).toHaveLength(3);
    await t.agent.stop({ cleanup: true });
    expect(t.routes.routes()).toEqual([]);
    expect(t.firewall.chains('filter')).not.toContain('SKIFF-FORWARD');
    expect(t.firewall.chains('filter')).not.toContain('DOCKER-USER');
    expect(t.firewall.chains('nat')).not.toContain('SKIFF-POD-MASQ');
    expect(t.firewall.rules('filter', 'FORWARD')).toEqual([]);
    expect(t.docker.network('skiff')).toBeDefined();
    // Stopped means stopped: nothing happens on later node changes or timers.
    t.routes.clearCalls();
    await t.api.create(NODES, undefined, node('node3', '10.200.0.13', '10.244.3.0/24'));
    await t.settle(60_000);
    expect(t.routes.calls).toEqual([]);
  });

  it('`skiff agent --cleanup`: a fresh agent that never started removes what an earlier one left', async () => {
    const t = await started();
    await t.agent.stop();
    const fresh = new NetworkAgent({
      client: t.api,
      nodeName: 'node1',
      docker: t.docker,
      firewall: t.firewall,
      routes: t.routes,
      sysctl: t.sysctl,
      clusterCIDR: '10.244.0.0/16',
      serviceCIDR: '10.96.0.0/12',
      clock: t.clock,
    });
    await fresh.stop({ cleanup: true });
    expect(t.routes.routes()).toEqual([]);
    expect(t.firewall.chains('filter')).not.toContain('SKIFF-FORWARD');
    expect(t.firewall.chains('nat')).not.toContain('SKIFF-POD-MASQ');
  });

  it('cleanup that fails part-way still does the rest, then reports what failed', async () => {
    const t = await started();
    t.firewall.failNextRestore(new Error('iptables-restore: resource busy'));
    await expect(t.agent.stop({ cleanup: true })).rejects.toThrow(
      'pod network cleanup incomplete: iptables: iptables-restore: resource busy',
    );
    expect(t.routes.routes()).toEqual([]);
  });

  it('a plain stop() leaves everything in place for the next agent', async () => {
    const t = await started();
    await t.agent.stop();
    expect(t.routes.routes()).toEqual([SERVICE, UNREACHABLE]);
    expect(t.firewall.chains('filter')).toContain('SKIFF-FORWARD');
  });

  it('says once, loudly, when its node is given another pod CIDR, and keeps the one it runs on', async () => {
    const t = await started();
    await t.api.delete(NODES, undefined, 'node1');
    await t.api.create(NODES, undefined, node('node1', '10.200.0.11', '10.244.5.0/24'));
    await t.settle();
    await t.api.patch(NODES, undefined, 'node1', 'merge', { metadata: { labels: { a: 'b' } } });
    await t.settle(30_000);
    const errors = t.logger.records.filter((r) => r.level === 'error' && r.msg.includes('another pod CIDR'));
    expect(errors).toHaveLength(1);
    expect(t.docker.network('skiff')?.subnet).toBe('10.244.1.0/24');
    await t.agent.stop();
  });

  it('rejects bad CIDR settings at construction', () => {
    const base = setup();
    const deps = { ...base, client: base.api, nodeName: 'n', serviceCIDR: '10.96.0.0/12' };
    expect(() => new NetworkAgent({ ...deps, clusterCIDR: '10.244.0.0' })).toThrow(/cluster CIDR/);
    expect(() => new NetworkAgent({ ...deps, clusterCIDR: '10.244.0.0/16', serviceCIDR: 'x' })).toThrow(
      /service CIDR/,
    );
  });
});
