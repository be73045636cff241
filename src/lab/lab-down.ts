// `lab down`: leaves the host as it was before `up`. Every process of the lab is stopped (agents at once so none
// recreates a container; containers removed with `rm -f` before dockerd gets SIGTERM, NETLAB P16; whatever is
// left — containerd, shims, container processes — SIGKILLed), then dockerd's leftover mounts are unmounted, the
// namespaces deleted (which takes the veths, the bridge and the host's LAN interface with its routes), the cgroup
// directories and the lab's directories removed. Works from the state file, from what the host shows, or both,
// so it also cleans up after a crashed or half-finished `up`, and running it twice is harmless.
import { killAndWait, runQuietly, type Progress } from './actions.js';
import { routeDeleteCommand } from './commands.js';
import type { LabHost } from './host.js';
import { allPids, masterProcesses, nodeIndexesWithProcesses, nodeProcesses } from './lab-processes.js';
import {
  DATA_ROOT,
  LAB_ROUTE_PROTOCOL,
  NETNS_DIR,
  RUN_ROOT,
  isLabCgroup,
  nodeIndexOfNetns,
  nodeLayout,
  type LabLayout,
} from './layout.js';
import { nodeState, type LabState } from './state.js';

/** How long dockerd gets for a clean stop once its containers are gone (normally ~1 s). */
const DOCKERD_STOP_MS = 8000;
const MASTER_STOP_MS = 5000;

/** Stops every process of one node: agent (SIGKILL), containers (rm -f), dockerd (SIGTERM), then the rest. */
export async function stopNodeProcesses(
  host: LabHost,
  lab: LabLayout,
  index: number,
  state?: LabState,
): Promise<void> {
  const node = nodeLayout(lab, index);
  const rec = state && nodeState(state, index);
  const scan = async () =>
    nodeProcesses(
      node,
      rec,
      await host.procs.list(),
      await host.procs.cgroupPids(node.cgroupParent.slice(1)),
      host.procs.self,
    );
  const first = await scan();
  await killAndWait(host, first.agent, 'SIGKILL', 3000);
  if (first.dockerd.length > 0 && (await host.docker.ping(node.dockerSocket))) {
    await host.docker.removeAllContainers(node.dockerSocket).catch(() => 0);
  }
  await killAndWait(host, first.dockerd, 'SIGTERM', DOCKERD_STOP_MS);
  await killAndWait(host, allPids(await scan()), 'SIGKILL', 3000);
}

/** Unmounts what dockerd (and the hostname namespace) left under the node's directories, then deletes the rest. */
export async function removeNodeResources(host: LabHost, lab: LabLayout, index: number): Promise<void> {
  const node = nodeLayout(lab, index);
  await unmountUnder(host, [node.runDir, node.dataDir]);
  await runQuietly(host, ['ip', 'netns', 'del', node.netns]);
  await runQuietly(host, ['ip', '-n', lab.lanNetns, 'link', 'del', node.lanPort]);
  await removeCgroups(host, (name) => name === node.cgroupParent.slice(1));
  await host.files.remove(node.runDir);
  await host.files.remove(node.dataDir);
}

async function unmountUnder(host: LabHost, dirs: string[]): Promise<void> {
  const mounts = (await Promise.all(dirs.map((d) => host.files.mountsUnder(d)))).flat();
  // Deepest first; a busy mount is detached lazily (it goes once its last user does).
  for (const m of [...new Set(mounts)].sort((a, b) => b.length - a.length)) {
    if (!(await runQuietly(host, ['umount', m]))) await runQuietly(host, ['umount', '-l', m]);
  }
}

async function removeCgroups(host: LabHost, match: (name: string) => boolean): Promise<void> {
  const dirs = await host.files.cgroupDirs(match);
  for (const d of dirs.sort((a, b) => b.length - a.length)) await host.files.rmdirIfEmpty(d);
}

/** Every node index the lab may have left something of: recorded, a namespace, processes, directories. */
async function knownNodes(host: LabHost, lab: LabLayout, state: LabState | undefined): Promise<number[]> {
  const fromNetns = (await host.net.netnsList()).map((n) => nodeIndexOfNetns(lab, n));
  const fromProcs = nodeIndexesWithProcesses(lab, await host.procs.list());
  const all = [...(state?.nodes.map((n) => n.index) ?? []), ...fromNetns, ...fromProcs];
  return [...new Set(all.filter((i): i is number => i !== undefined && i >= 1 && i <= lab.maxNodes))].sort(
    (a, b) => a - b,
  );
}

export async function downLab(
  host: LabHost,
  lab: LabLayout,
  state: LabState | undefined,
  progress: Progress,
): Promise<void> {
  const nodes = await knownNodes(host, lab, state);
  const master = masterProcesses(lab, state, await host.procs.list());
  progress(`stopping ${nodes.length} node(s)${master.length ? ' and the master' : ''}`);
  await Promise.all([
    killAndWait(host, master, 'SIGTERM', MASTER_STOP_MS),
    ...nodes.map((i) => stopNodeProcesses(host, lab, i, state)),
  ]);
  progress('removing namespaces, links, routes, mounts, cgroups and directories');
  for (const r of await host.net.routes()) {
    if (r.dev === lab.hostIf && r.protocol === String(LAB_ROUTE_PROTOCOL))
      await runQuietly(host, routeDeleteCommand(lab, r.dst));
  }
  await Promise.all(nodes.map((i) => removeNodeResources(host, lab, i)));
  // Leftovers no node index names (say, a node dir whose index the netns list no longer shows).
  await unmountUnder(host, [lab.runDir, lab.dataDir]);
  await removeCgroups(host, (name) => isLabCgroup(lab, name));
  await runQuietly(host, ['ip', 'netns', 'del', lab.lanNetns]);
  if ((await host.net.links()).some((l) => l.name === lab.hostIf))
    await runQuietly(host, ['ip', 'link', 'del', lab.hostIf]);
  await host.files.remove(lab.runDir);
  await host.files.remove(lab.dataDir);
  await host.files.rmdirIfEmpty(RUN_ROOT);
  await host.files.rmdirIfEmpty(DATA_ROOT);
  // Undo iproute2's one-time self-mount of /run/netns if this lab caused it and no namespace is left (a busy
  // mount would refuse anyway).
  if (state?.madeNetnsMount && (await host.net.netnsList()).length === 0)
    await runQuietly(host, ['umount', NETNS_DIR]);
}
