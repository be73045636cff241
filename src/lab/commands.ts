// The exact command lines the lab runs, as pure functions of the layout (NETLAB.md §2.1, §2.2, §2.8): the LAN,
// each node's namespace and link, its hostname, its dockerd, its agent, and the master. Kept apart from the code
// that runs them so the tests read the commands as a student would type them.
import { LAB_ROUTE_PROTOCOL, type LabLayout, type NodeLayout } from './layout.js';
import { AGENT_NODE_FLAGS } from '../../agent/node-flags.js';

export type Argv = string[];

/** Every node's engine gets this docker0 address, away from the pod and LAN ranges (NETLAB P3). */
export const NODE_DOCKER_BIP = '172.17.0.1/16';

/** The LAN from nothing: its namespace, the bridge, and the root namespace's veth into it with the master IP. */
export function lanCommands(lab: LabLayout): Argv[] {
  const inLan = ['ip', '-n', lab.lanNetns];
  return [
    ['ip', 'netns', 'add', lab.lanNetns],
    [...inLan, 'link', 'set', 'lo', 'up'],
    [...inLan, 'link', 'add', lab.bridge, 'type', 'bridge'],
    [...inLan, 'link', 'set', lab.bridge, 'up'],
    ['ip', 'link', 'add', lab.hostIf, 'type', 'veth', 'peer', 'name', lab.uplink, 'netns', lab.lanNetns],
    ...lanRepairCommands(lab),
  ];
}

/** The idempotent half of the LAN set-up: ports, address, links up. */
export function lanRepairCommands(lab: LabLayout): Argv[] {
  return [
    ['ip', '-n', lab.lanNetns, 'link', 'set', lab.uplink, 'master', lab.bridge, 'up'],
    ['ip', 'addr', 'replace', `${lab.masterIP}/${lab.net.prefix}`, 'dev', lab.hostIf],
    ['ip', 'link', 'set', lab.hostIf, 'up'],
  ];
}

/** A node's namespace and its link to the LAN (the namespace has no default route: nothing leaves the host). */
export function nodeNetCommands(lab: LabLayout, node: NodeLayout): Argv[] {
  return [
    ['ip', 'netns', 'add', node.netns],
    ['ip', '-n', node.netns, 'link', 'set', 'lo', 'up'],
    ...nodeLinkCommands(lab, node),
  ];
}

/** The veth pair into an existing node namespace, then its configuration. */
export function nodeLinkCommands(lab: LabLayout, node: NodeLayout): Argv[] {
  return [
    [
      'ip',
      '-n',
      lab.lanNetns,
      'link',
      'add',
      node.lanPort,
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      node.netns,
    ],
    ...nodeRepairCommands(lab, node),
  ];
}

/** Idempotent: the port on the bridge and up, eth0's address and up, the node's sysctls. */
export function nodeRepairCommands(lab: LabLayout, node: NodeLayout): Argv[] {
  return [
    lanPortCommand(lab, node, 'up'),
    ['ip', '-n', node.netns, 'addr', 'replace', node.ipCidr, 'dev', 'eth0'],
    ['ip', '-n', node.netns, 'link', 'set', 'eth0', 'up'],
    nodeSysctlCommand(node),
  ];
}

/** The node side of the bridge up or down: a cable plugged in or pulled (NETLAB P15: never eth0 itself). */
export function lanPortCommand(lab: LabLayout, node: NodeLayout, state: 'up' | 'down'): Argv {
  return state === 'up'
    ? ['ip', '-n', lab.lanNetns, 'link', 'set', node.lanPort, 'master', lab.bridge, 'up']
    : ['ip', '-n', lab.lanNetns, 'link', 'set', node.lanPort, 'down'];
}

/** Forwarding and bridge netfilter inside the node (per-netns on this kernel; NETLAB §0, P7). */
export function nodeSysctlCommand(node: NodeLayout): Argv {
  return [
    ...nsenterNet(node),
    'sysctl',
    '-qw',
    'net.ipv4.ip_forward=1',
    'net.bridge.bridge-nf-call-iptables=1',
  ];
}

/** A persistent UTS namespace for the node whose hostname is the node name (bind-mounted on utsFile). */
export function utsCommand(node: NodeLayout): Argv {
  return ['unshare', `--uts=${node.utsFile}`, 'hostname', node.name];
}

/** `nsenter` into the node's network and UTS namespaces; not `ip netns exec`, which remounts /sys (NETLAB P2). */
export function nsenterNode(node: NodeLayout): Argv {
  return ['nsenter', `--net=/run/netns/${node.netns}`, `--uts=${node.utsFile}`, '--'];
}

function nsenterNet(node: NodeLayout): Argv {
  return ['nsenter', `--net=/run/netns/${node.netns}`, '--'];
}

/** The node's own dockerd, every path its own (NETLAB §2.2). This is what /proc/<pid>/cmdline shows. */
export function dockerdArgv(node: NodeLayout): Argv {
  return [
    'dockerd',
    '--config-file',
    node.dockerConfig,
    '--host',
    node.dockerHost,
    '--data-root',
    node.dataRoot,
    '--exec-root',
    node.execRoot,
    '--pidfile',
    node.dockerPidfile,
    '--cgroup-parent',
    node.cgroupParent,
    // cgroupfs, so the cgroup parent is a plain path even where the host's engine uses systemd.
    '--exec-opt',
    'native.cgroupdriver=cgroupfs',
    '--containerd-namespace',
    node.containerdNamespace,
    '--containerd-plugins-namespace',
    `${node.containerdNamespace}-plugins`,
    '--bip',
    NODE_DOCKER_BIP,
    '--userland-proxy=false',
    '--iptables=true',
    '--label',
    `skiff.node=${node.name}`,
  ];
}

export interface DaemonArgs {
  node: string;
  cli: string;
  logLevel?: string;
  /** The pod range, when not the default (both the master's node IPAM and the agents must know it). */
  clusterCIDR?: string;
  extra: string[];
  /** An agent that has not joined yet: its join token and the CA hash to pin (kubeadm join's two values). */
  join?: { token: string; caCertHash: string };
}

function common(d: DaemonArgs): Argv {
  return [
    ...(d.clusterCIDR ? ['--cluster-cidr', d.clusterCIDR] : []),
    ...(d.logLevel ? ['--log-level', d.logLevel] : []),
    ...d.extra,
  ];
}

/** `skiff agent` for a node (it manages the pod network, proxy and DNS inside its namespace). */
export function agentArgv(lab: LabLayout, node: NodeLayout, d: DaemonArgs): Argv {
  return [
    d.node,
    ...AGENT_NODE_FLAGS,
    d.cli,
    'agent',
    '--master',
    lab.masterUrl,
    '--node-name',
    node.name,
    '--node-ip',
    node.ip,
    '--docker-socket',
    node.dockerSocket,
    '--data-dir',
    node.agentDataDir,
    ...(d.join ? ['--token', d.join.token, '--ca-cert-hash', d.join.caCertHash] : []),
    ...common(d),
  ];
}

/** `skiff master` in the root namespace, listening on the LAN's first address. */
export function masterArgv(lab: LabLayout, d: DaemonArgs): Argv {
  return [
    d.node,
    d.cli,
    'master',
    '--listen',
    `${lab.masterIP}:${lab.port}`,
    '--data-dir',
    lab.masterDataDir,
    ...common(d),
  ];
}

/** The root namespace's route to a node's pods, tagged as the lab's. */
export function routeReplaceCommand(lab: LabLayout, dst: string, via: string): Argv {
  return ['ip', 'route', 'replace', dst, 'via', via, 'dev', lab.hostIf, 'proto', String(LAB_ROUTE_PROTOCOL)];
}

export function routeDeleteCommand(lab: LabLayout, dst: string): Argv {
  return ['ip', 'route', 'del', dst, 'dev', lab.hostIf, 'proto', String(LAB_ROUTE_PROTOCOL)];
}
