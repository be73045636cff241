// `lab up` decides (purely, from the observation) what to create and what is already there: the LAN, each of the
// N nodes (namespace and link, hostname, dockerd, agent), the master, and which nodes beyond N to remove. A node
// powered off by kill-node or cut off by partition stays as it is: those are deliberate, not missing.
import { blockSize, parseIpv4Cidr } from '../controllers/nodeipam/cidr.js';
import {
  lanCommands,
  lanRepairCommands,
  nodeLinkCommands,
  nodeNetCommands,
  nodeRepairCommands,
  lanPortCommand,
  type Argv,
} from './commands.js';
import type { HostRoute } from './host.js';
import { LAB_ROUTE_PROTOCOL, nodeLayout, type LabLayout } from './layout.js';
import type { LabObservation, NodeObservation } from './observe.js';
import { nodeState, type LabState } from './state.js';

export interface NodeUpPlan {
  index: number;
  /** `up`: nothing to do; `new`: created from nothing; `repair`: some parts were missing; `held`: left off. */
  status: 'up' | 'new' | 'repair' | 'held';
  /** What is missing, in words, for the progress report (or why the node is held). */
  fixes: string[];
  net: Argv[];
  uts: boolean;
  /** `wait`: a dockerd is running but not answering yet (a second one would fight over the pidfile). */
  dockerd: 'running' | 'start' | 'wait';
  startAgent: boolean;
}

export interface UpPlan {
  lan: Argv[];
  lanFixes: string[];
  nodes: NodeUpPlan[];
  /** Node indexes above N that still exist: removed. */
  remove: number[];
  startMaster: boolean;
}

/** Why the lab cannot use its subnet on this host (a route of someone else's overlaps it), or undefined. */
export function subnetConflict(lab: LabLayout, routes: HostRoute[]): string | undefined {
  for (const r of routes) {
    if (r.dev === lab.hostIf || r.dst === 'default') continue;
    const net = parseIpv4Cidr(r.dst.includes('/') ? r.dst : `${r.dst}/32`);
    if (!net) continue;
    const overlap =
      net.base < lab.net.base + blockSize(lab.net.prefix) && lab.net.base < net.base + blockSize(net.prefix);
    if (overlap)
      return `the lab subnet ${lab.subnet} overlaps the host's route to ${r.dst}${r.dev ? ` (dev ${r.dev})` : ''}; pick another with --subnet`;
  }
  return undefined;
}

function planLan(lab: LabLayout, obs: LabObservation): { lan: Argv[]; lanFixes: string[]; rebuilt: boolean } {
  const { lan } = obs;
  if (!lan.netns || !lan.bridge || !lan.hostIf || !lan.uplink) {
    // Part of a LAN is no LAN: start it over (deleting the namespace takes its links and the host veth with it).
    const reset: Argv[] = lan.netns ? [['ip', 'netns', 'del', lab.lanNetns]] : [];
    if (!lan.netns && lan.hostIf) reset.push(['ip', 'link', 'del', lab.hostIf]);
    return {
      lan: [...reset, ...lanCommands(lab)],
      lanFixes: [lan.netns ? 'LAN incomplete: rebuilt' : 'LAN created'],
      rebuilt: true,
    };
  }
  const fixes: string[] = [];
  if (!lan.bridge.up) fixes.push('bridge down');
  if (!lan.uplink.up || lan.uplink.master !== lab.bridge) fixes.push('uplink detached');
  if (!lan.hostIf.up) fixes.push('host link down');
  if (!lan.hostIf.addresses.includes(`${lab.masterIP}/${lab.net.prefix}`))
    fixes.push('master address missing');
  if (fixes.length === 0) return { lan: [], lanFixes: [], rebuilt: false };
  return {
    lan: [['ip', '-n', lab.lanNetns, 'link', 'set', lab.bridge, 'up'], ...lanRepairCommands(lab)],
    lanFixes: fixes,
    rebuilt: false,
  };
}

/** The node's namespace and link: what to run, and what was wrong. */
function planNodeNet(
  lab: LabLayout,
  index: number,
  o: NodeObservation | undefined,
  partitioned: boolean,
  lanRebuilt: boolean,
): { net: Argv[]; fixes: string[]; fresh: boolean } {
  const node = nodeLayout(lab, index);
  if (!o?.netns) return { net: nodeNetCommands(lab, node), fixes: [], fresh: true };
  // A rebuilt LAN took every node's veth pair with it.
  if (!o.lanPort || lanRebuilt)
    return { net: nodeLinkCommands(lab, node), fixes: ['LAN link missing'], fresh: false };
  const fixes: string[] = [];
  const addressed = !!o.eth0?.up && o.eth0.addresses.includes(node.ipCidr);
  const plugged = o.lanPort.up && o.lanPort.master === lab.bridge;
  if (!plugged && !partitioned) fixes.push('LAN link down');
  if (!addressed) fixes.push('eth0 not configured');
  if (fixes.length === 0) return { net: [], fixes, fresh: false };
  // A partitioned node keeps its cable pulled: repair everything but the LAN port.
  const port = lanPortCommand(lab, node, 'up').join(' ');
  const net = nodeRepairCommands(lab, node).filter((c) => !partitioned || c.join(' ') !== port);
  return { net, fixes, fresh: false };
}

function planNode(
  lab: LabLayout,
  index: number,
  o: NodeObservation | undefined,
  state: LabState | undefined,
  lanRebuilt: boolean,
): NodeUpPlan {
  const rec = state && nodeState(state, index);
  if (rec?.down) {
    return {
      index,
      status: 'held',
      fixes: ['powered off by kill-node (restart-node brings it back)'],
      net: [],
      uts: false,
      dockerd: 'running',
      startAgent: false,
    };
  }
  const partitioned = !!rec?.partitioned;
  const { net, fixes, fresh } = planNodeNet(lab, index, o, partitioned, lanRebuilt);
  const uts = fresh || !o?.uts;
  if (!fresh && uts) fixes.push('hostname namespace missing');
  // A new namespace means any process still in the old one is cut off: the executor kills it before starting.
  let dockerd: NodeUpPlan['dockerd'] = 'running';
  if (fresh || !o?.dockerd) dockerd = 'start';
  else if (!o.engineAnswers) dockerd = 'wait';
  if (!fresh && dockerd === 'start') fixes.push('dockerd not running');
  if (dockerd === 'wait') fixes.push('dockerd not answering yet');
  const startAgent = fresh || !o?.agent;
  if (!fresh && startAgent) fixes.push('agent not running');
  const status = fresh ? 'new' : fixes.length > 0 ? 'repair' : 'up';
  if (partitioned) fixes.push('partitioned (heal reconnects it)');
  return { index, status, fixes, net, uts, dockerd, startAgent };
}

export function planUp(
  lab: LabLayout,
  count: number,
  state: LabState | undefined,
  obs: LabObservation,
): UpPlan {
  const { lan, lanFixes, rebuilt } = planLan(lab, obs);
  const nodes: NodeUpPlan[] = [];
  for (let i = 1; i <= count; i++) nodes.push(planNode(lab, i, obs.nodes.get(i), state, rebuilt));
  const existing = new Set([...obs.nodeNetns, ...(state?.nodes.map((n) => n.index) ?? [])]);
  for (const [i, o] of obs.nodes) if (o.dockerd || o.agent) existing.add(i);
  const remove = [...existing].filter((i) => i > count).sort((a, b) => a - b);
  return { lan, lanFixes, nodes, remove, startMaster: !obs.master };
}

/** Which of `images` each node lacks (by image ID: a different ID under the same tag is replaced). */
export function imagesToLoad(
  host: Map<string, string | undefined>,
  nodes: Map<number, Map<string, string | undefined>>,
): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const [index, have] of nodes) {
    const missing = [...host]
      .filter(([ref, id]) => id !== undefined && have.get(ref) !== id)
      .map(([ref]) => ref);
    if (missing.length) out.set(index, missing);
  }
  return out;
}

/**
 * A pod CIDR the root namespace already routes somewhere else (another lab or cluster on this host, say) is not
 * taken over: both would break. Returns why, or undefined.
 */
export function routeConflict(
  lab: LabLayout,
  current: HostRoute[],
  want: { dst: string; via: string }[],
): string | undefined {
  for (const w of want) {
    const other = current.find((r) => r.dst === w.dst && r.dev !== lab.hostIf);
    if (other)
      return (
        `the host already routes ${w.dst}${other.dev ? ` to ${other.dev}` : ''} (another cluster on this host?); ` +
        `give this lab its own pod range with --cluster-cidr`
      );
  }
  return undefined;
}

/** The routes the root namespace needs (each node's pod CIDR via its LAN address) against those it has. */
export function diffLabRoutes(
  lab: LabLayout,
  current: HostRoute[],
  want: { dst: string; via: string }[],
): { replace: { dst: string; via: string }[]; remove: string[] } {
  const ours = current.filter((r) => r.dev === lab.hostIf && r.protocol === String(LAB_ROUTE_PROTOCOL));
  const replace = want.filter((w) => !ours.some((r) => r.dst === w.dst && r.gateway === w.via));
  const remove = ours.filter((r) => !want.some((w) => w.dst === r.dst)).map((r) => r.dst);
  return { replace, remove };
}
