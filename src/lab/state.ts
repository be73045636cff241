// The lab's record of itself, /var/lib/skiff-lab/<name>/lab.json: its subnet and port, each node's address and
// pod CIDR, the processes it started (PID and the exact command line, so a later command can tell that PID is
// still the process it started before signalling it), its routes, and the images every node gets.
import type { Files, ProcessInfo } from './host.js';
import type { LabLayout } from './layout.js';

export interface ProcessRecord {
  pid: number;
  /** /proc/<pid>/cmdline as it must read for the PID to still be ours. */
  argv: string[];
}

export interface NodeState {
  index: number;
  name: string;
  ip: string;
  netns: string;
  podCIDR?: string;
  dockerd?: ProcessRecord;
  agent?: ProcessRecord;
  /** Set by kill-node, cleared by restart-node: the node is powered off on purpose. */
  down?: boolean;
  /** Set by partition, cleared by heal: the node's LAN cable is pulled on purpose. */
  partitioned?: boolean;
}

export interface LabState {
  version: 1;
  name: string;
  subnet: string;
  port: number;
  /** The skiff CLI and node binary the daemons run, and their extra flags (restart-node reuses them). */
  cli: string;
  node: string;
  logLevel?: string;
  /** The pod range when not the default 10.244.0.0/16. */
  clusterCIDR?: string;
  masterArgs: string[];
  agentArgs: string[];
  master?: ProcessRecord;
  nodes: NodeState[];
  /** Root-namespace routes to pod CIDRs. */
  routes: { dst: string; via: string }[];
  /** Images loaded into every node (new nodes get them too). */
  images: string[];
  /**
   * The lab's first `ip netns add` made /run/netns a mount point (iproute2 does that once per boot); `down` undoes
   * it when no namespace is left.
   */
  madeNetnsMount?: boolean;
}

export async function readState(files: Files, lab: LabLayout): Promise<LabState | undefined> {
  const text = await files.read(lab.stateFile);
  if (text === undefined) return undefined;
  try {
    const s = JSON.parse(text) as LabState;
    return s.version === 1 && s.name === lab.name ? s : undefined;
  } catch {
    return undefined; // a torn write: the lab is rebuilt from what the host shows
  }
}

export async function writeState(files: Files, lab: LabLayout, state: LabState): Promise<void> {
  state.nodes.sort((a, b) => a.index - b.index);
  await files.write(lab.stateFile, JSON.stringify(state, null, 2) + '\n');
}

/** A process is the one we started when it is alive (not a zombie) and its command line is unchanged. */
export function isOurProcess(rec: ProcessRecord | undefined, info: ProcessInfo | undefined): boolean {
  if (!rec || !info || info.pid !== rec.pid || info.state === 'Z') return false;
  return info.argv.length === rec.argv.length && info.argv.every((a, i) => a === rec.argv[i]);
}

export function nodeState(state: LabState, index: number): NodeState | undefined {
  return state.nodes.find((n) => n.index === index);
}
