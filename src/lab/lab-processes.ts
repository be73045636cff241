// Which processes on the host belong to a lab, decided from the process table alone (pure). A process is the lab's
// when its PID is recorded in the state file and its command line is unchanged, or when its command line names
// this lab's own directories or containerd namespace (what an `up` that crashed before recording it left behind):
// those paths exist for no one else, so nothing outside the lab is ever signalled. Container processes are found
// by the node's cgroup.
import type { ProcessInfo } from './host.js';
import type { LabLayout, NodeLayout } from './layout.js';
import { isOurProcess, type LabState, type NodeState } from './state.js';

export interface NodeProcesses {
  agent: number[];
  dockerd: number[];
  containerd: number[];
  shims: number[];
  /** Processes in the node's cgroups (containers' PID 1 and children). */
  containers: number[];
}

const live = (p: ProcessInfo) => p.state !== 'Z';

function hasPair(argv: string[], flag: string, value: string): boolean {
  for (let i = 0; i + 1 < argv.length; i++) if (argv[i] === flag && argv[i + 1] === value) return true;
  return false;
}

function recorded(rec: NodeState['agent'], procs: ProcessInfo[]): number[] {
  if (!rec) return [];
  const info = procs.find((p) => p.pid === rec.pid);
  return isOurProcess(rec, info) ? [rec.pid] : [];
}

/** `node [node flags] <cli> agent|master …`: the daemon's command comes within the first four words. */
export function isSkiffDaemon(argv: string[], command: 'agent' | 'master'): boolean {
  return argv.slice(0, 4).includes(command);
}

export function isAgentOf(node: NodeLayout, argv: string[]): boolean {
  return isSkiffDaemon(argv, 'agent') && hasPair(argv, '--data-dir', node.agentDataDir);
}

export function isMasterOf(lab: LabLayout, argv: string[]): boolean {
  return isSkiffDaemon(argv, 'master') && hasPair(argv, '--data-dir', lab.masterDataDir);
}

export function isDockerdOf(node: NodeLayout, argv: string[]): boolean {
  return /(^|\/)dockerd$/.test(argv[0] ?? '') && hasPair(argv, '--exec-root', node.execRoot);
}

/** Every process of one node, by role (a PID appears once, under its first role). */
export function nodeProcesses(
  node: NodeLayout,
  rec: NodeState | undefined,
  procs: ProcessInfo[],
  cgroupPids: number[],
  self: number,
): NodeProcesses {
  const alive = procs.filter(live);
  const containerdConfig = `${node.execRoot}/containerd/containerd.toml`;
  const seen = new Set<number>([self]);
  const take = (pids: number[]) => {
    const out: number[] = [];
    for (const pid of pids) {
      if (seen.has(pid)) continue;
      seen.add(pid);
      out.push(pid);
    }
    return out.sort((a, b) => a - b);
  };
  const pidsOf = (pred: (argv: string[]) => boolean) => alive.filter((p) => pred(p.argv)).map((p) => p.pid);
  const aliveSet = new Set(alive.map((p) => p.pid));
  return {
    agent: take([...recorded(rec?.agent, procs), ...pidsOf((a) => isAgentOf(node, a))]),
    dockerd: take([...recorded(rec?.dockerd, procs), ...pidsOf((a) => isDockerdOf(node, a))]),
    containerd: take(pidsOf((a) => a.includes(containerdConfig))),
    shims: take(pidsOf((a) => hasPair(a, '-namespace', node.containerdNamespace))),
    containers: take(cgroupPids.filter((pid) => aliveSet.has(pid))),
  };
}

export function allPids(p: NodeProcesses): number[] {
  return [...p.agent, ...p.dockerd, ...p.containerd, ...p.shims, ...p.containers];
}

/** The lab's master process(es). */
export function masterProcesses(lab: LabLayout, state: LabState | undefined, procs: ProcessInfo[]): number[] {
  const pids = new Set([
    ...recorded(state?.master, procs),
    ...procs.filter((p) => live(p) && isMasterOf(lab, p.argv)).map((p) => p.pid),
  ]);
  return [...pids].sort((a, b) => a - b);
}

/** Node indexes that have any process on the host (for a `down` without a state file). */
export function nodeIndexesWithProcesses(lab: LabLayout, procs: ProcessInfo[]): number[] {
  const re = new RegExp(`^(?:${lab.runDir}|${lab.dataDir})/n(\\d+)/`);
  const found = new Set<number>();
  for (const p of procs) {
    if (!live(p)) continue;
    for (const a of p.argv) {
      const m = re.exec(a);
      if (m) found.add(Number(m[1]));
    }
  }
  return [...found].sort((a, b) => a - b);
}
