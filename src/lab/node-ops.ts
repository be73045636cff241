// The failure drills on one node (NETLAB §2.7): kill-node is a power cut (LAN cable out, then SIGKILL to the agent,
// dockerd, containerd, every shim and every container process at once), restart-node a boot (cable in, dockerd,
// agent), partition/heal pull and replug the cable at the bridge side (NETLAB P15: the node's own routes stay),
// and stop-agent/start-agent stop and start only the agent. Each records the node's condition in the state file.
import { killAndWait, runAll, startAgent, startDockerd, waitEngine, type Progress } from './actions.js';
import { lanPortCommand, utsCommand } from './commands.js';
import type { LabHost } from './host.js';
import { allPids, nodeProcesses } from './lab-processes.js';
import { nodeLayout, type LabLayout } from './layout.js';
import { isOurProcess, writeState, type LabState, type NodeState } from './state.js';

function recordOf(state: LabState, index: number, lab: LabLayout): NodeState {
  const rec = state.nodes.find((n) => n.index === index);
  if (!rec) throw new Error(`lab ${lab.name} has no node ${nodeLayout(lab, index).name}`);
  return rec;
}

async function scanNode(host: LabHost, lab: LabLayout, rec: NodeState) {
  const node = nodeLayout(lab, rec.index);
  return nodeProcesses(
    node,
    rec,
    await host.procs.list(),
    await host.procs.cgroupPids(node.cgroupParent.slice(1)),
    host.procs.self,
  );
}

export async function killNode(
  host: LabHost,
  lab: LabLayout,
  state: LabState,
  index: number,
): Promise<number[]> {
  const rec = recordOf(state, index, lab);
  const node = nodeLayout(lab, index);
  await runAll(host, [lanPortCommand(lab, node, 'down')]);
  const pids = allPids(await scanNode(host, lab, rec));
  await killAndWait(host, pids, 'SIGKILL', 5000);
  rec.down = true;
  delete rec.dockerd;
  delete rec.agent;
  await writeState(host.files, lab, state);
  return pids;
}

/** Boots a node: cable in, hostname namespace if lost, dockerd (answering), agent. Also heals a partition. */
export async function restartNode(
  host: LabHost,
  lab: LabLayout,
  state: LabState,
  index: number,
  progress: Progress,
): Promise<void> {
  const rec = recordOf(state, index, lab);
  const node = nodeLayout(lab, index);
  await runAll(host, [lanPortCommand(lab, node, 'up')]);
  rec.partitioned = false;
  if (!(await host.files.mountsUnder(node.runDir)).includes(node.utsFile)) {
    await host.files.write(node.utsFile, '');
    await runAll(host, [utsCommand(node)]);
  }
  const running = await scanNode(host, lab, rec);
  if (running.dockerd.length === 0) {
    rec.dockerd = await startDockerd(host, node);
    await writeState(host.files, lab, state);
    await waitEngine(host, node, rec.dockerd.pid);
    progress(`${node.name}: dockerd answering (pid ${rec.dockerd.pid})`);
  }
  if (running.agent.length === 0) {
    rec.agent = await startAgent(host, lab, node, state);
    progress(`${node.name}: agent started (pid ${rec.agent.pid})`);
  }
  rec.down = false;
  await writeState(host.files, lab, state);
}

export async function setPartitioned(
  host: LabHost,
  lab: LabLayout,
  state: LabState,
  index: number,
  partitioned: boolean,
): Promise<void> {
  const rec = recordOf(state, index, lab);
  await runAll(host, [lanPortCommand(lab, nodeLayout(lab, index), partitioned ? 'down' : 'up')]);
  rec.partitioned = partitioned;
  await writeState(host.files, lab, state);
}

/** SIGTERM (the agent stops its loops; pods keep running) or SIGKILL (a crash). Returns the PIDs signalled. */
export async function stopAgent(
  host: LabHost,
  lab: LabLayout,
  state: LabState,
  index: number,
  signal: 'SIGTERM' | 'SIGKILL',
): Promise<number[]> {
  const rec = recordOf(state, index, lab);
  const pids = (await scanNode(host, lab, rec)).agent;
  await killAndWait(host, pids, signal, 15_000);
  delete rec.agent;
  await writeState(host.files, lab, state);
  return pids;
}

/** Starts the node's agent unless one runs; returns its PID. */
export async function ensureAgent(
  host: LabHost,
  lab: LabLayout,
  state: LabState,
  index: number,
): Promise<number> {
  const rec = recordOf(state, index, lab);
  const running = (await scanNode(host, lab, rec)).agent;
  if (running.length > 0) {
    const info = await host.procs.get(running[0]);
    if (info && !isOurProcess(rec.agent, info)) rec.agent = { pid: info.pid, argv: info.argv };
    return running[0];
  }
  rec.agent = await startAgent(host, lab, nodeLayout(lab, index), state);
  await writeState(host.files, lab, state);
  return rec.agent.pid;
}

/** Stops the node's dockerd only: SIGTERM (it stops its containers first) or SIGKILL (shims and containers live on). */
export async function stopDockerd(
  host: LabHost,
  lab: LabLayout,
  state: LabState,
  index: number,
  signal: 'SIGTERM' | 'SIGKILL',
): Promise<number[]> {
  const rec = recordOf(state, index, lab);
  const pids = (await scanNode(host, lab, rec)).dockerd;
  // A clean stop waits out each container's stop timeout (10 s for a PID 1 that ignores SIGTERM, NETLAB §2.2).
  await killAndWait(host, pids, signal, 30_000);
  delete rec.dockerd;
  await writeState(host.files, lab, state);
  return pids;
}

/** Starts the node's dockerd unless one runs, and waits until it answers; returns its PID. */
export async function ensureDockerd(
  host: LabHost,
  lab: LabLayout,
  state: LabState,
  index: number,
): Promise<number> {
  const rec = recordOf(state, index, lab);
  const node = nodeLayout(lab, index);
  const running = (await scanNode(host, lab, rec)).dockerd;
  if (running.length > 0) return running[0];
  rec.dockerd = await startDockerd(host, node);
  await writeState(host.files, lab, state);
  await waitEngine(host, node, rec.dockerd.pid);
  return rec.dockerd.pid;
}
