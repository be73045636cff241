// What the host shows of a lab right now, gathered through the LabHost interfaces into plain data for the pure
// planners: the LAN, each node's namespace, link, hostname, engine and agent, the master, and the routes.
import type { HostRoute, LabHost, LinkInfo, ProcessInfo } from './host.js';
import { isAgentOf, isDockerdOf, isMasterOf } from './lab-processes.js';
import { nodeIndexOfNetns, nodeLayout, type LabLayout } from './layout.js';
import { isOurProcess, nodeState, type LabState, type ProcessRecord } from './state.js';

export interface LanObservation {
  netns: boolean;
  bridge?: LinkInfo;
  uplink?: LinkInfo;
  hostIf?: LinkInfo;
}

export interface NodeObservation {
  index: number;
  netns: boolean;
  lanPort?: LinkInfo;
  eth0?: LinkInfo;
  /** The hostname's UTS namespace is bind-mounted on its file. */
  uts: boolean;
  /** The dockerd we started (or one with this node's paths) is alive. */
  dockerd?: ProcessInfo;
  /** …and answers on its socket. */
  engineAnswers: boolean;
  agent?: ProcessInfo;
}

export interface LabObservation {
  lan: LanObservation;
  nodes: Map<number, NodeObservation>;
  master?: ProcessInfo;
  routes: HostRoute[];
  /** Node namespaces of this lab that exist. */
  nodeNetns: number[];
}

/** A live process that is the recorded one, or else one whose command line matches (an unrecorded start). */
function findDaemon(
  rec: ProcessRecord | undefined,
  procs: ProcessInfo[],
  matches: (argv: string[]) => boolean,
): ProcessInfo | undefined {
  const byRecord = rec && procs.find((p) => p.pid === rec.pid);
  if (rec && isOurProcess(rec, byRecord)) return byRecord;
  return procs.find((p) => p.state !== 'Z' && matches(p.argv));
}

/** Observes the LAN and the nodes `indexes` (plus every node namespace of the lab that exists). */
export async function observeLab(
  host: LabHost,
  lab: LabLayout,
  state: LabState | undefined,
  indexes: number[],
): Promise<LabObservation> {
  const [netnsList, rootLinks, procs, routes, lanLinks, mounts] = await Promise.all([
    host.net.netnsList(),
    host.net.links(),
    host.procs.list(),
    host.net.routes(),
    host.net.links(lab.lanNetns),
    host.files.mountsUnder(lab.runDir),
  ]);
  const netns = new Set(netnsList);
  const lan: LanObservation = {
    netns: netns.has(lab.lanNetns),
    bridge: lanLinks.find((l) => l.name === lab.bridge),
    uplink: lanLinks.find((l) => l.name === lab.uplink),
    hostIf: rootLinks.find((l) => l.name === lab.hostIf),
  };
  const nodeNetns = netnsList
    .map((n) => nodeIndexOfNetns(lab, n))
    .filter((i): i is number => i !== undefined && i <= lab.maxNodes)
    .sort((a, b) => a - b);
  const all = [...new Set([...indexes, ...nodeNetns, ...(state?.nodes.map((n) => n.index) ?? [])])];
  const nodes = new Map<number, NodeObservation>();
  await Promise.all(
    all.map(async (index) => {
      const node = nodeLayout(lab, index);
      const rec = state && nodeState(state, index);
      const inNode = netns.has(node.netns) ? await host.net.links(node.netns) : [];
      const dockerd = findDaemon(rec?.dockerd, procs, (a) => isDockerdOf(node, a));
      nodes.set(index, {
        index,
        netns: netns.has(node.netns),
        lanPort: lanLinks.find((l) => l.name === node.lanPort),
        eth0: inNode.find((l) => l.name === 'eth0'),
        uts: mounts.includes(node.utsFile),
        dockerd,
        engineAnswers: dockerd ? await host.docker.ping(node.dockerSocket) : false,
        agent: findDaemon(rec?.agent, procs, (a) => isAgentOf(node, a)),
      });
    }),
  );
  return {
    lan,
    nodes,
    master: findDaemon(state?.master, procs, (a) => isMasterOf(lab, a)),
    routes,
    nodeNetns,
  };
}
