import { describe, expect, it } from 'vitest';
import {
  agentArgv,
  dockerdArgv,
  lanCommands,
  lanPortCommand,
  masterArgv,
  nodeNetCommands,
  nsenterNode,
  routeReplaceCommand,
  utsCommand,
} from './commands.js';
import { labLayout, nodeLayout } from './layout.js';

const lab = labLayout({ name: 'lt', subnet: '10.210.3.0/24', port: 7443 });
const n1 = nodeLayout(lab, 1);
const line = (argv: string[]) => argv.join(' ');

describe('lab commands', () => {
  it('builds the LAN in its own namespace with the master address on the root side', () => {
    expect(lanCommands(lab).map(line)).toEqual([
      'ip netns add lt-lan',
      'ip -n lt-lan link set lo up',
      'ip -n lt-lan link add lt-br type bridge',
      'ip -n lt-lan link set lt-br up',
      'ip link add lt-lan type veth peer name lt-up netns lt-lan',
      'ip -n lt-lan link set lt-up master lt-br up',
      'ip addr replace 10.210.3.1/24 dev lt-lan',
      'ip link set lt-lan up',
    ]);
  });

  it('creates a node namespace linked to the bridge, with no default route, forwarding on', () => {
    expect(nodeNetCommands(lab, n1).map(line)).toEqual([
      'ip netns add lt-n1',
      'ip -n lt-n1 link set lo up',
      'ip -n lt-lan link add lt-v1 type veth peer name eth0 netns lt-n1',
      'ip -n lt-lan link set lt-v1 master lt-br up',
      'ip -n lt-n1 addr replace 10.210.3.11/24 dev eth0',
      'ip -n lt-n1 link set eth0 up',
      'nsenter --net=/run/netns/lt-n1 -- sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1',
    ]);
    expect(nodeNetCommands(lab, n1).some((c) => c.includes('default'))).toBe(false);
  });

  it('partitions and heals at the bridge side, never the node’s eth0', () => {
    expect(line(lanPortCommand(lab, n1, 'down'))).toBe('ip -n lt-lan link set lt-v1 down');
    expect(line(lanPortCommand(lab, n1, 'up'))).toBe('ip -n lt-lan link set lt-v1 master lt-br up');
  });

  it('gives the node a hostname in its own UTS namespace and enters it with nsenter', () => {
    expect(line(utsCommand(n1))).toBe('unshare --uts=/run/skiff-lab/lt/n1/uts hostname lt-n1');
    expect(nsenterNode(n1)).toEqual([
      'nsenter',
      '--net=/run/netns/lt-n1',
      '--uts=/run/skiff-lab/lt/n1/uts',
      '--',
    ]);
  });

  it('starts dockerd with every path its own (NETLAB §2.2)', () => {
    expect(line(dockerdArgv(n1))).toBe(
      [
        'dockerd --config-file /run/skiff-lab/lt/n1/daemon.json',
        '--host unix:///run/skiff-lab/lt/n1/docker.sock',
        '--data-root /var/lib/skiff-lab/lt/n1/docker --exec-root /run/skiff-lab/lt/n1/docker',
        '--pidfile /run/skiff-lab/lt/n1/docker.pid --cgroup-parent /skiff-lab-lt-n1',
        '--exec-opt native.cgroupdriver=cgroupfs',
        '--containerd-namespace skiff-lab-lt-n1 --containerd-plugins-namespace skiff-lab-lt-n1-plugins',
        '--bip 172.17.0.1/16 --userland-proxy=false --iptables=true --label skiff.node=lt-n1',
      ].join(' '),
    );
  });

  it('runs the agent against the master on the LAN with the node’s name, address and engine', () => {
    const d = {
      node: '/usr/bin/node',
      cli: '/s/dist/src/cli/main.js',
      extra: ['--heartbeat', '2'],
      logLevel: 'debug',
    };
    expect(line(agentArgv(lab, n1, d))).toBe(
      '/usr/bin/node --max-semi-space-size=2 /s/dist/src/cli/main.js agent --master https://10.210.3.1:7443 --node-name lt-n1 ' +
        '--node-ip 10.210.3.11 --docker-socket /run/skiff-lab/lt/n1/docker.sock ' +
        '--data-dir /var/lib/skiff-lab/lt/n1/agent --log-level debug --heartbeat 2',
    );
    expect(agentArgv(lab, n1, d)).not.toContain('--pod-network');
    // An agent that has not joined yet gets kubeadm join's two values.
    const join = { token: 'abcdef.0123456789abcdef', caCertHash: `sha256:${'0'.repeat(64)}` };
    expect(line(agentArgv(lab, n1, { ...d, join }))).toContain(
      `--data-dir /var/lib/skiff-lab/lt/n1/agent --token abcdef.0123456789abcdef --ca-cert-hash sha256:${'0'.repeat(64)} --log-level debug`,
    );
    expect(line(masterArgv(lab, { ...d, extra: [], logLevel: undefined }))).toBe(
      '/usr/bin/node /s/dist/src/cli/main.js master --listen 10.210.3.1:7443 --data-dir /var/lib/skiff-lab/lt/master',
    );
  });

  it('tags the root namespace’s pod routes with the lab’s protocol and interface', () => {
    expect(line(routeReplaceCommand(lab, '10.244.3.0/24', '10.210.3.12'))).toBe(
      'ip route replace 10.244.3.0/24 via 10.210.3.12 dev lt-lan proto 146',
    );
  });
});
