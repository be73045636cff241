import { describe, expect, it } from 'vitest';
import {
  isLabCgroup,
  labLayout,
  labNameProblem,
  nodeIndexOfNetns,
  nodeLayout,
  parseNodeRef,
  subnetProblem,
} from './layout.js';

const lab = labLayout({ name: 'skiff', subnet: '10.200.0.0/24', port: 6443 });
const test = labLayout({ name: 'lt7', subnet: '10.213.9.0/24', port: 36443 });

describe('lab layout', () => {
  it('derives every name, address and path from the lab name, subnet and port', () => {
    expect(lab).toMatchObject({
      lanNetns: 'skiff-lan',
      bridge: 'skiff-br',
      uplink: 'skiff-up',
      hostIf: 'skiff-lan',
      masterIP: '10.200.0.1',
      masterUrl: 'https://10.200.0.1:6443',
      runDir: '/run/skiff-lab/skiff',
      dataDir: '/var/lib/skiff-lab/skiff',
      stateFile: '/var/lib/skiff-lab/skiff/lab.json',
      kubeconfig: '/var/lib/skiff-lab/skiff/kubeconfig',
      masterDataDir: '/var/lib/skiff-lab/skiff/master',
      masterAdminKubeconfig: '/var/lib/skiff-lab/skiff/master/admin.kubeconfig',
      masterCaFile: '/var/lib/skiff-lab/skiff/master/pki/ca.crt',
      maxNodes: 244,
    });
    expect(test.masterUrl).toBe('https://10.213.9.1:36443');
  });

  it('names the default lab’s nodes node1… and any other lab’s <name>-n1…', () => {
    expect(nodeLayout(lab, 1).name).toBe('node1');
    expect(nodeLayout(test, 3).name).toBe('lt7-n3');
  });

  it('gives node N the address .(10+N), its own namespace, socket, data and cgroup', () => {
    expect(nodeLayout(test, 2)).toEqual({
      index: 2,
      name: 'lt7-n2',
      netns: 'lt7-n2',
      lanPort: 'lt7-v2',
      ip: '10.213.9.12',
      ipCidr: '10.213.9.12/24',
      runDir: '/run/skiff-lab/lt7/n2',
      dataDir: '/var/lib/skiff-lab/lt7/n2',
      utsFile: '/run/skiff-lab/lt7/n2/uts',
      dockerConfig: '/run/skiff-lab/lt7/n2/daemon.json',
      dockerSocket: '/run/skiff-lab/lt7/n2/docker.sock',
      dockerHost: 'unix:///run/skiff-lab/lt7/n2/docker.sock',
      dataRoot: '/var/lib/skiff-lab/lt7/n2/docker',
      execRoot: '/run/skiff-lab/lt7/n2/docker',
      dockerPidfile: '/run/skiff-lab/lt7/n2/docker.pid',
      containerdPidfile: '/run/skiff-lab/lt7/n2/docker/containerd/containerd.pid',
      cgroupParent: '/skiff-lab-lt7-n2',
      containerdNamespace: 'skiff-lab-lt7-n2',
      dockerdLog: '/var/lib/skiff-lab/lt7/n2/dockerd.log',
      agentDataDir: '/var/lib/skiff-lab/lt7/n2/agent',
      agentLog: '/var/lib/skiff-lab/lt7/n2/agent.log',
    });
  });

  it('keeps every interface name within the kernel’s 15 characters', () => {
    const longest = labLayout({ name: 'abcdefghij', subnet: '10.200.0.0/16', port: 1 });
    const node = nodeLayout(longest, longest.maxNodes);
    for (const name of [longest.bridge, longest.uplink, longest.hostIf, node.lanPort, 'eth0'])
      expect(name.length).toBeLessThanOrEqual(15);
    expect(longest.maxNodes).toBe(999);
  });

  it('refuses names that could collide or break interface names', () => {
    expect(labNameProblem('skiff')).toBeUndefined();
    expect(labNameProblem('a1')).toBeUndefined();
    for (const bad of ['', 'Skiff', '1lab', 'my-lab', 'abcdefghijk', 'a.b'])
      expect(labNameProblem(bad)).toMatch(/lowercase/);
    expect(() => labLayout({ name: 'my-lab', subnet: '10.200.0.0/24', port: 1 })).toThrow(/lowercase/);
  });

  it('refuses subnets that overlap the cluster’s ranges or are too small or large', () => {
    expect(subnetProblem('10.200.0.0/24')).toBeUndefined();
    expect(subnetProblem('10.244.5.0/24')).toMatch(/overlaps 10.244.0.0\/16/);
    expect(subnetProblem('10.100.0.0/24')).toMatch(/overlaps 10.96.0.0\/12/);
    expect(subnetProblem('172.17.3.0/24')).toMatch(/172.17.0.0\/16/);
    expect(subnetProblem('10.0.0.0/8')).toMatch(/between/);
    expect(subnetProblem('10.200.0.0/28')).toMatch(/between/);
    expect(subnetProblem('nope')).toMatch(/not an IPv4 CIDR/);
  });

  it('normalizes the subnet and bounds node indexes by its size', () => {
    const small = labLayout({ name: 'x', subnet: '10.200.0.77/27', port: 1 });
    expect(small.subnet).toBe('10.200.0.64/27');
    expect(small.maxNodes).toBe(20);
    expect(nodeLayout(small, 20).ip).toBe('10.200.0.94');
    expect(() => nodeLayout(small, 21)).toThrow(/outside 1..20/);
    expect(() => nodeLayout(small, 0)).toThrow();
  });

  it('parses node references in the forms users type', () => {
    expect(parseNodeRef(lab, 'node2')).toBe(2);
    expect(parseNodeRef(lab, 'skiff-n2')).toBe(2);
    expect(parseNodeRef(test, 'lt7-n12')).toBe(12);
    expect(parseNodeRef(test, 'n3')).toBe(3);
    expect(parseNodeRef(test, '4')).toBe(4);
    expect(parseNodeRef(test, 'other-n1')).toBeUndefined();
    expect(parseNodeRef(test, '0')).toBeUndefined();
  });

  it('recognizes its own namespaces and cgroups, not another lab’s with a longer name', () => {
    const ab = labLayout({ name: 'ab', subnet: '10.200.0.0/24', port: 1 });
    expect(nodeIndexOfNetns(ab, 'ab-n3')).toBe(3);
    expect(nodeIndexOfNetns(ab, 'abc-n3')).toBeUndefined();
    expect(nodeIndexOfNetns(ab, 'ab-lan')).toBeUndefined();
    expect(isLabCgroup(ab, 'skiff-lab-ab-n1')).toBe(true);
    expect(isLabCgroup(ab, 'skiff-lab-abc-n1')).toBe(false);
  });
});
