// The pod network's Docker side against the real engine: PodNetworkManager.ensureNetwork through the dockerode
// adapter creates a `skiff`-style network (unique name and bridge per run, on a test subnet checked to be free)
// with masquerade off and the gateway on the first address, leaves it alone when it matches, refuses to replace it
// under an attached container, and recreates it once the container is gone. Only reads the host's addresses and
// iptables; the network and container are removed afterwards.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerodeNetworks } from '../../agent/network/dockerode-networks.js';
import { PodNetworkManager } from '../../agent/network/pod-network.js';
import { DockerContainerRuntime } from '../../agent/runtime/docker-container-runtime.js';
import { DEFAULT_PAUSE_IMAGE, ensurePauseImage } from '../../agent/runtime/pause-image.js';
import { cidrsOverlap, parseIpv4Cidr } from '../../src/controllers/nodeipam/cidr.js';
import { silentLogger } from '../../src/common/logger.js';
import { FakeFirewall } from '../fakes/fake-firewall.js';
import { FakeSysctl } from '../fakes/fake-sysctl.js';

const run = randomBytes(3).toString('hex');
const NAME = `skiff-test-${run}`;
const BRIDGE = `skt${run}br`;
const LABEL = { 'io.skiff.test': `network-${run}` };
const docker = new DockerodeNetworks();
const runtime = new DockerContainerRuntime();
let subnets: string[] = [];

/** Candidate test subnets that no Docker network and no host route overlaps. */
async function freeSubnets(): Promise<string[]> {
  const taken = JSON.parse(
    execFileSync('docker', ['network', 'inspect', ...listNetworks()], { encoding: 'utf8' }),
  )
    .flatMap((n: { IPAM?: { Config?: { Subnet?: string }[] } }) => n.IPAM?.Config ?? [])
    .map((c: { Subnet?: string }) => c.Subnet);
  const routes = JSON.parse(execFileSync('ip', ['-j', 'route', 'show'], { encoding: 'utf8' })).map(
    (r: { dst: string }) => (r.dst === 'default' ? undefined : r.dst.includes('/') ? r.dst : `${r.dst}/32`),
  );
  const used = [...taken, ...routes].map((c) => c && parseIpv4Cidr(c)).filter((c) => !!c);
  return ['10.244.251.0/24', '10.244.252.0/24', '10.244.253.0/24', '10.244.254.0/24'].filter(
    (s) => !used.some((u) => cidrsOverlap(u!, parseIpv4Cidr(s)!)),
  );
}

function listNetworks(): string[] {
  return execFileSync('docker', ['network', 'ls', '-q'], { encoding: 'utf8' }).trim().split('\n');
}

function manager(): PodNetworkManager {
  return new PodNetworkManager({
    docker,
    // ensureNetwork() touches neither: the host's iptables and sysctls stay as they are.
    firewall: new FakeFirewall(),
    sysctl: new FakeSysctl(),
    clusterCIDR: '10.244.0.0/16',
    serviceCIDR: '10.96.0.0/12',
    networkName: NAME,
    bridgeName: BRIDGE,
    logger: silentLogger,
  });
}

beforeAll(async () => {
  subnets = await freeSubnets();
  await ensurePauseImage(runtime, DEFAULT_PAUSE_IMAGE, silentLogger);
});

afterAll(async () => {
  for (const c of await runtime.listContainers(LABEL)) await runtime.removeContainer(c.id, { force: true });
  await docker.remove(NAME);
});

describe('pod network on the real Docker engine', () => {
  it('has two free test subnets to work with', () => {
    expect(subnets.length).toBeGreaterThanOrEqual(2);
  });

  it('creates the network: bridge name, gateway on the first address, masquerade off, icc on', async () => {
    const [a] = subnets;
    const spec = await manager().ensureNetwork(a);
    const gateway = a.replace(/0\/24$/, '1');
    expect(spec).toMatchObject({ name: NAME, bridge: BRIDGE, subnet: a, gateway });
    const info = await docker.inspect(NAME);
    expect(info).toMatchObject({
      name: NAME,
      driver: 'bridge',
      subnet: a,
      gateway,
      containers: 0,
      labels: { 'io.skiff.network': 'pods' },
      options: {
        'com.docker.network.bridge.name': BRIDGE,
        'com.docker.network.bridge.enable_ip_masquerade': 'false',
        'com.docker.network.bridge.enable_icc': 'true',
      },
    });
    // The bridge carries the gateway address, and Docker wrote no MASQUERADE rule for the subnet.
    const addrs = JSON.parse(execFileSync('ip', ['-j', 'addr', 'show', 'dev', BRIDGE], { encoding: 'utf8' }));
    expect(
      addrs[0].addr_info.map((x: { local: string; prefixlen: number }) => `${x.local}/${x.prefixlen}`),
    ).toContain(`${gateway}/24`);
    const nat = execFileSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' });
    expect(nat.split('\n').filter((l) => l.includes(a) && l.includes('MASQUERADE'))).toEqual([]);
  });

  it('leaves a matching network alone', async () => {
    const before = await docker.inspect(NAME);
    await manager().ensureNetwork(subnets[0]);
    expect((await docker.inspect(NAME))?.id).toBe(before?.id);
  });

  it('refuses to recreate it under an attached container, and recreates it once that is gone', async () => {
    const [a, b] = subnets;
    const id = await runtime.createSandbox({
      name: `skiff-net-test-${run}`,
      labels: LABEL,
      image: DEFAULT_PAUSE_IMAGE,
      hostname: 'nettest',
      network: NAME,
      ports: [],
      mounts: [],
    });
    await runtime.startContainer(id);
    expect((await docker.inspect(NAME))?.containers).toBe(1);
    await expect(manager().ensureNetwork(b)).rejects.toThrow(/1 container\(s\) are attached/);
    expect((await docker.inspect(NAME))?.subnet).toBe(a);

    await runtime.removeContainer(id, { force: true });
    await manager().ensureNetwork(b);
    expect(await docker.inspect(NAME)).toMatchObject({
      subnet: b,
      gateway: b.replace(/0\/24$/, '1'),
      containers: 0,
    });
  });

  it('inspect of a network that does not exist is undefined; removing it is not an error', async () => {
    expect(await docker.inspect(`${NAME}-nope`)).toBeUndefined();
    await docker.remove(`${NAME}-nope`);
  });
});
