import { describe, expect, it } from 'vitest';
import { FakeDockerNetworks } from '../../test/fakes/fake-docker-networks.js';
import { FakeFirewall } from '../../test/fakes/fake-firewall.js';
import { FakeSysctl } from '../../test/fakes/fake-sysctl.js';
import type { DockerNetworkInfo } from './docker-networks.js';
import { PodNetworkManager, planPodNetwork, podNetworkSpec } from './pod-network.js';

const OPTIONS = {
  'com.docker.network.bridge.name': 'skiffbr',
  'com.docker.network.bridge.enable_ip_masquerade': 'false',
  'com.docker.network.bridge.enable_icc': 'true',
};

function existing(extra: Partial<DockerNetworkInfo> = {}): DockerNetworkInfo {
  return {
    id: 'abc',
    name: 'skiff',
    driver: 'bridge',
    subnet: '10.244.1.0/24',
    gateway: '10.244.1.1',
    options: { ...OPTIONS },
    labels: {},
    containers: 0,
    ...extra,
  };
}

describe('podNetworkSpec', () => {
  it('puts the bridge on the pod CIDR with the first address as gateway, masquerade off', () => {
    expect(podNetworkSpec('10.244.1.0/24')).toEqual({
      name: 'skiff',
      bridge: 'skiffbr',
      subnet: '10.244.1.0/24',
      gateway: '10.244.1.1',
      options: OPTIONS,
      labels: { 'io.skiff.network': 'pods' },
    });
    expect(podNetworkSpec('10.244.0.0/24').gateway).toBe('10.244.0.1');
    expect(podNetworkSpec('10.244.7.200/25', { name: 'n', bridge: 'b' })).toMatchObject({
      name: 'n',
      bridge: 'b',
      subnet: '10.244.7.128/25',
      gateway: '10.244.7.129',
      options: { 'com.docker.network.bridge.name': 'b' },
    });
  });

  it.each(['', 'x', '10.244.1.0/31', 'fd00::/64'])('refuses pod CIDR %j', (cidr) => {
    expect(() => podNetworkSpec(cidr)).toThrow(/not a usable IPv4 CIDR/);
  });
});

describe('planPodNetwork', () => {
  const want = podNetworkSpec('10.244.1.0/24');
  it.each([
    { what: 'no network', net: undefined, plan: { action: 'create' } },
    { what: 'a matching network', net: existing(), plan: { action: 'keep', warnings: [] } },
    {
      what: 'matching, pods attached',
      net: existing({ containers: 3 }),
      plan: { action: 'keep', warnings: [] },
    },
    {
      what: 'another subnet, empty',
      net: existing({ subnet: '10.244.7.0/24', gateway: '10.244.7.1' }),
      plan: {
        action: 'recreate',
        reasons: ['subnet is 10.244.7.0/24, not 10.244.1.0/24', 'gateway is 10.244.7.1, not 10.244.1.1'],
      },
    },
    {
      what: 'another subnet, pods attached',
      net: existing({ subnet: '10.244.7.0/24', gateway: '10.244.7.1', containers: 2 }),
      plan: {
        action: 'conflict',
        reasons: ['subnet is 10.244.7.0/24, not 10.244.1.0/24', 'gateway is 10.244.7.1, not 10.244.1.1'],
      },
    },
    {
      what: 'masquerade on, empty',
      net: existing({ options: { ...OPTIONS, 'com.docker.network.bridge.enable_ip_masquerade': 'true' } }),
      plan: {
        action: 'recreate',
        reasons: ['option com.docker.network.bridge.enable_ip_masquerade is true, not false'],
      },
    },
    {
      what: 'masquerade on, pods attached',
      net: existing({
        containers: 1,
        options: { ...OPTIONS, 'com.docker.network.bridge.enable_ip_masquerade': 'true' },
      }),
      plan: {
        action: 'keep',
        warnings: ['option com.docker.network.bridge.enable_ip_masquerade is true, not false'],
      },
    },
    {
      what: 'another bridge device, pods attached',
      net: existing({ containers: 1, options: { ...OPTIONS, 'com.docker.network.bridge.name': 'br-123' } }),
      plan: { action: 'conflict', reasons: ['bridge is br-123, not skiffbr'] },
    },
    {
      what: 'a macvlan network of that name, empty',
      net: existing({ driver: 'macvlan', subnet: undefined, gateway: undefined, options: {} }),
      plan: {
        action: 'recreate',
        reasons: [
          'driver is macvlan, not bridge',
          'subnet is unset, not 10.244.1.0/24',
          'gateway is unset, not 10.244.1.1',
          'bridge is unnamed, not skiffbr',
          'option com.docker.network.bridge.enable_ip_masquerade is unset, not false',
          'option com.docker.network.bridge.enable_icc is unset, not true',
        ],
      },
    },
  ])('$what → $plan.action', ({ net, plan }) => {
    expect(planPodNetwork(net, want)).toEqual(plan);
  });
});

function manager(opts: { sysctl?: FakeSysctl } = {}) {
  const docker = new FakeDockerNetworks();
  const firewall = new FakeFirewall();
  const sysctl =
    opts.sysctl ?? new FakeSysctl({ 'net.ipv4.ip_forward': '0', 'net.bridge.bridge-nf-call-iptables': '0' });
  const pod = new PodNetworkManager({
    docker,
    firewall,
    sysctl,
    clusterCIDR: '10.244.0.0/16',
    serviceCIDR: '10.96.0.0/12',
  });
  return { docker, firewall, sysctl, pod };
}

describe('PodNetworkManager', () => {
  it('creates the network, sets the sysctls and installs the rules', async () => {
    const { docker, firewall, sysctl, pod } = manager();
    expect(await pod.ensure('10.244.3.0/24')).toEqual({
      podCIDR: '10.244.3.0/24',
      gateway: '10.244.3.1',
      bridge: 'skiffbr',
      problems: [],
    });
    expect(docker.network('skiff')).toMatchObject({
      subnet: '10.244.3.0/24',
      gateway: '10.244.3.1',
      options: OPTIONS,
    });
    expect(sysctl.writes).toEqual(['net.ipv4.ip_forward=1', 'net.bridge.bridge-nf-call-iptables=1']);
    expect(firewall.chains('filter')).toContain('SKIFF-FORWARD');
    expect(firewall.chains('nat')).toContain('SKIFF-POD-MASQ');
  });

  it('is idempotent: a second ensure changes nothing', async () => {
    const { docker, firewall, sysctl, pod } = manager();
    await pod.ensure('10.244.3.0/24');
    const restores = firewall.restoreCount();
    await pod.ensure('10.244.3.0/24');
    expect(docker.calls.filter((c) => !c.startsWith('inspect'))).toEqual(['create skiff 10.244.3.0/24']);
    expect(sysctl.writes).toHaveLength(2);
    expect(firewall.restoreCount()).toBe(restores);
  });

  it('recreates a network on another subnet when no pod is attached', async () => {
    const { docker, pod } = manager();
    docker.seed({ name: 'skiff', subnet: '10.244.9.0/24', gateway: '10.244.9.1', options: { ...OPTIONS } });
    await pod.ensure('10.244.3.0/24');
    expect(docker.calls).toEqual(['inspect skiff', 'remove skiff', 'create skiff 10.244.3.0/24']);
    expect(docker.network('skiff')?.subnet).toBe('10.244.3.0/24');
  });

  it('refuses to pull the network from under attached pods, and says what to do', async () => {
    const { docker, pod } = manager();
    docker.seed({
      name: 'skiff',
      subnet: '10.244.9.0/24',
      gateway: '10.244.9.1',
      options: { ...OPTIONS },
      containers: 2,
    });
    await expect(pod.ensure('10.244.3.0/24')).rejects.toThrow(
      'Docker network skiff does not match pod CIDR 10.244.3.0/24 (subnet is 10.244.9.0/24, not 10.244.3.0/24; ' +
        'gateway is 10.244.9.1, not 10.244.3.1) and 2 container(s) are attached; remove them (or the network) ' +
        'to let the agent recreate it',
    );
    expect(docker.calls).toEqual(['inspect skiff']);
  });

  it('reports a subnet Docker refuses (overlap with another network)', async () => {
    const { docker, pod } = manager();
    docker.seed({ name: 'other', subnet: '10.244.0.0/16' });
    await expect(pod.ensure('10.244.3.0/24')).rejects.toThrow(/Pool overlaps/);
  });

  it('keeps going when sysctls or iptables fail, and reports them as problems', async () => {
    const sysctl = new FakeSysctl({ 'net.ipv4.ip_forward': '0' }); // no br_netfilter
    sysctl.failSets('EROFS: read-only file system');
    const { docker, firewall, pod } = manager({ sysctl });
    firewall.failNextRestore(new Error('iptables-restore: permission denied'));
    const status = await pod.ensure('10.244.3.0/24');
    expect(status.gateway).toBe('10.244.3.1');
    expect(status.problems).toEqual([
      'sysctl: EROFS: read-only file system',
      'iptables: iptables-restore: permission denied',
      'sysctl net.bridge.bridge-nf-call-iptables does not exist (is br_netfilter loaded?)',
    ]);
    expect(docker.network('skiff')).toBeDefined();
  });

  it('cleanup removes the rules and leaves the Docker network', async () => {
    const { docker, firewall, pod } = manager();
    await pod.ensure('10.244.3.0/24');
    await pod.cleanup();
    expect(firewall.chains('filter')).not.toContain('SKIFF-FORWARD');
    expect(firewall.chains('nat')).not.toContain('SKIFF-POD-MASQ');
    expect(docker.network('skiff')).toBeDefined();
  });
});
