// Where every piece of a lab lives: one pure function from (name, subnet, port) to every namespace, interface,
// path, address and cgroup the lab creates. Everything derives from the lab name, so two labs (a student's and a
// test run's) never share anything, and `down` finds all of a lab's leftovers from its name alone.
//
//   root netns                         <name>-lan netns                    <name>-nN netns (node N)
//   <name>-lan  .1/24  ── veth ──  <name>-up ─┐                          eth0 .(10+N)/24, hostname = node name
//   (master listens here)                     <name>-br bridge ── <name>-vN ── veth ── eth0
//
// The LAN bridge sits in its own namespace, so bridged frames never meet the root namespace's iptables (whose
// FORWARD policy Docker sets to DROP; NETLAB P1) and the lab never edits the host's firewall.
import { blockSize, formatCidr, parseIpv4Cidr, type Ipv4Net } from '../controllers/nodeipam/cidr.js';

export const DEFAULT_LAB_NAME = 'skiff';
export const DEFAULT_LAB_SUBNET = '10.200.0.0/24';
export const DEFAULT_LAB_PORT = 6443;
export const RUN_ROOT = '/run/skiff-lab';
export const DATA_ROOT = '/var/lib/skiff-lab';
/** Where `ip netns` keeps its namespace files (a mount point once the first one is made). */
export const NETNS_DIR = '/run/netns';
/** The rtnetlink protocol of the lab's routes in the root namespace (the agent's own routes use 145). */
export const LAB_ROUTE_PROTOCOL = 146;
/** Node N's address is the subnet's (NODE_IP_OFFSET + N)th; the master has the first. */
export const NODE_IP_OFFSET = 10;
export const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';
export const SERVICE_CIDR = '10.96.0.0/12';
/** The nodes' own docker0 (NETLAB P3). */
export const NODE_BRIDGE_CIDR = '172.17.0.0/16';
/** Ranges the lab LAN must stay clear of: the default pod and the service CIDRs and the nodes' own docker0. */
export const RESERVED_RANGES = [DEFAULT_CLUSTER_CIDR, SERVICE_CIDR, NODE_BRIDGE_CIDR];
/** Interface names are limited to 15 characters: `<name>-v` plus up to 3 digits leaves 10 for the name. */
const NAME_RE = /^[a-z][a-z0-9]{0,9}$/;

export interface LabSpec {
  name: string;
  subnet: string;
  port: number;
}

export interface LabLayout extends LabSpec {
  net: Ipv4Net;
  /** Network namespace holding the LAN bridge. */
  lanNetns: string;
  bridge: string;
  /** The LAN bridge's port towards the root namespace (inside the LAN netns). */
  uplink: string;
  /** The root namespace's interface on the LAN; it carries the master address. */
  hostIf: string;
  masterIP: string;
  masterUrl: string;
  runDir: string;
  dataDir: string;
  stateFile: string;
  kubeconfig: string;
  masterDataDir: string;
  /** What the master writes at its first start: the admin credential and the cluster CA. */
  masterAdminKubeconfig: string;
  masterCaFile: string;
  masterLog: string;
  /** Largest node index the subnet has addresses for (and interface names allow). */
  maxNodes: number;
}

export interface NodeLayout {
  index: number;
  /** The Kubernetes node name (and hostname): node1… for the default lab, <name>-n1… for any other. */
  name: string;
  netns: string;
  /** The node's port on the LAN bridge (inside the LAN netns); its peer is `eth0` in the node. */
  lanPort: string;
  ip: string;
  /** `<ip>/<prefix>` as set on eth0. */
  ipCidr: string;
  runDir: string;
  dataDir: string;
  utsFile: string;
  dockerConfig: string;
  dockerSocket: string;
  dockerHost: string;
  dataRoot: string;
  execRoot: string;
  dockerPidfile: string;
  containerdPidfile: string;
  cgroupParent: string;
  containerdNamespace: string;
  dockerdLog: string;
  agentDataDir: string;
  agentLog: string;
}

/** Why a lab name is unusable, or undefined when it is fine. */
export function labNameProblem(name: string): string | undefined {
  if (NAME_RE.test(name)) return undefined;
  return `lab name ${JSON.stringify(name)} must be 1-10 lowercase letters or digits, starting with a letter`;
}

/** Why a LAN subnet is unusable, or undefined. */
export function subnetProblem(subnet: string): string | undefined {
  const net = parseIpv4Cidr(subnet);
  if (!net) return `subnet ${JSON.stringify(subnet)} is not an IPv4 CIDR`;
  if (net.prefix < 16 || net.prefix > 27) return `subnet ${subnet} must be between a /16 and a /27`;
  for (const r of RESERVED_RANGES) {
    if (overlaps(net, parseIpv4Cidr(r)!)) return `subnet ${subnet} overlaps ${r}, which the cluster uses`;
  }
  return undefined;
}

/**
 * Why a cluster (pod) CIDR is unusable for a lab on `subnet`, or undefined. Labs side by side need different ones:
 * the root namespace routes each node's pod CIDR to that node, and a /24 can be routed to one place only.
 */
export function clusterCidrProblem(cidr: string, subnet: string): string | undefined {
  const net = parseIpv4Cidr(cidr);
  if (!net) return `cluster CIDR ${JSON.stringify(cidr)} is not an IPv4 CIDR`;
  if (net.prefix < 8 || net.prefix > 22)
    return `cluster CIDR ${cidr} must be between a /8 and a /22 (nodes get /24s)`;
  for (const r of [subnet, SERVICE_CIDR, NODE_BRIDGE_CIDR]) {
    const other = parseIpv4Cidr(r);
    if (other && overlaps(net, other)) return `cluster CIDR ${cidr} overlaps ${r}`;
  }
  return undefined;
}

function overlaps(a: Ipv4Net, b: Ipv4Net): boolean {
  return a.base < b.base + blockSize(b.prefix) && b.base < a.base + blockSize(a.prefix);
}

export function labLayout(spec: LabSpec): LabLayout {
  const nameProblem = labNameProblem(spec.name);
  if (nameProblem) throw new Error(nameProblem);
  const problem = subnetProblem(spec.subnet);
  if (problem) throw new Error(problem);
  if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535)
    throw new Error(`port ${spec.port} is not a TCP port`);
  const net = parseIpv4Cidr(spec.subnet)!;
  const name = spec.name;
  const runDir = `${RUN_ROOT}/${name}`;
  const dataDir = `${DATA_ROOT}/${name}`;
  const masterIP = addressAt(net, 1);
  return {
    name,
    subnet: formatCidr(net),
    port: spec.port,
    net,
    lanNetns: `${name}-lan`,
    bridge: `${name}-br`,
    uplink: `${name}-up`,
    hostIf: `${name}-lan`,
    masterIP,
    masterUrl: `https://${masterIP}:${spec.port}`,
    runDir,
    dataDir,
    stateFile: `${dataDir}/lab.json`,
    kubeconfig: `${dataDir}/kubeconfig`,
    masterDataDir: `${dataDir}/master`,
    masterAdminKubeconfig: `${dataDir}/master/admin.kubeconfig`,
    masterCaFile: `${dataDir}/master/pki/ca.crt`,
    masterLog: `${dataDir}/master.log`,
    // The broadcast address is the last; interface names allow three digits.
    maxNodes: Math.min(blockSize(net.prefix) - NODE_IP_OFFSET - 2, 999),
  };
}

export function nodeLayout(lab: LabLayout, index: number): NodeLayout {
  if (!Number.isInteger(index) || index < 1 || index > lab.maxNodes)
    throw new Error(`node index ${index} is outside 1..${lab.maxNodes} (subnet ${lab.subnet})`);
  const id = `n${index}`;
  const runDir = `${lab.runDir}/${id}`;
  const dataDir = `${lab.dataDir}/${id}`;
  const ip = addressAt(lab.net, NODE_IP_OFFSET + index);
  const scoped = `skiff-lab-${lab.name}-${id}`;
  return {
    index,
    name: lab.name === DEFAULT_LAB_NAME ? `node${index}` : `${lab.name}-${id}`,
    netns: `${lab.name}-${id}`,
    lanPort: `${lab.name}-v${index}`,
    ip,
    ipCidr: `${ip}/${lab.net.prefix}`,
    runDir,
    dataDir,
    utsFile: `${runDir}/uts`,
    dockerConfig: `${runDir}/daemon.json`,
    dockerSocket: `${runDir}/docker.sock`,
    dockerHost: `unix://${runDir}/docker.sock`,
    dataRoot: `${dataDir}/docker`,
    execRoot: `${runDir}/docker`,
    dockerPidfile: `${runDir}/docker.pid`,
    containerdPidfile: `${runDir}/docker/containerd/containerd.pid`,
    cgroupParent: `/${scoped}`,
    containerdNamespace: scoped,
    dockerdLog: `${dataDir}/dockerd.log`,
    agentDataDir: `${dataDir}/agent`,
    agentLog: `${dataDir}/agent.log`,
  };
}

/** Node index from the forms users type: `node2`, `<name>-n2`, `n2` or `2`. */
export function parseNodeRef(lab: LabLayout, ref: string): number | undefined {
  const forms = [/^(\d+)$/, /^n(\d+)$/, /^node(\d+)$/, new RegExp(`^${lab.name}-n(\\d+)$`)];
  for (const re of forms) {
    const m = re.exec(ref);
    if (m) {
      const i = Number(m[1]);
      return i >= 1 && i <= lab.maxNodes ? i : undefined;
    }
  }
  return undefined;
}

/** Node netns names of this lab (`<name>-n<digits>`), to find leftovers without a state file. */
export function nodeIndexOfNetns(lab: LabLayout, netns: string): number | undefined {
  const m = new RegExp(`^${lab.name}-n(\\d+)$`).exec(netns);
  return m ? Number(m[1]) : undefined;
}

/** Cgroup directory names (under each hierarchy's root) that belong to this lab's nodes. */
export function isLabCgroup(lab: LabLayout, dirName: string): boolean {
  return new RegExp(`^skiff-lab-${lab.name}-n\\d+$`).test(dirName);
}

function addressAt(net: Ipv4Net, offset: number): string {
  return formatCidr({ base: net.base + offset, prefix: 32 }).replace(/\/32$/, '');
}
