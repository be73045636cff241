// `lab up --nodes N`: observe, plan (plan-up.ts), then act in the order the pieces depend on each other:
// the LAN and node namespaces; then at once the host's images, the master and every missing dockerd; the images
// into the nodes (before the agents, so none builds its own pause image); the agents; then wait for every node to
// be Ready with a pod CIDR, route the pod CIDRs from the root namespace, and write the kubeconfig. Running it
// again only fixes what is missing; a smaller N removes the nodes above it.
import { renderKubeconfig } from '../cli/kubeconfig.js';
import { GiveUp, waitFor } from '../common/wait-for.js';
import { NODES } from '../client/api-client.js';
import type { Node } from '../api/types.js';
import {
  copyImages,
  killAndWait,
  labApi,
  logTail,
  masterCredentials,
  runAll,
  runQuietly,
  startAgent,
  startDockerd,
  startMaster,
  waitEngine,
  waitMaster,
  type Progress,
} from './actions.js';
import { routeDeleteCommand, routeReplaceCommand, utsCommand } from './commands.js';
import type { LabHost } from './host.js';
import { allPids, nodeProcesses } from './lab-processes.js';
import { removeNodeResources, stopNodeProcesses } from './lab-down.js';
import { NETNS_DIR, nodeLayout, type LabLayout, type NodeLayout } from './layout.js';
import { observeLab, type LabObservation } from './observe.js';
import {
  diffLabRoutes,
  imagesToLoad,
  planUp,
  routeConflict,
  subnetConflict,
  type NodeUpPlan,
} from './plan-up.js';
import { nodeState, writeState, type LabState, type NodeState } from './state.js';

/** Images every node gets: the sample images scripts/images.sh builds, and the pause image. */
export const LAB_IMAGES = ['skiff/busybox:1', 'skiff/hello:1', 'skiff/hello:2', 'skiff/pause:3.10'];
export const PAUSE_IMAGE = 'skiff/pause:3.10';
export const HOST_DOCKER_SOCKET = '/var/run/docker.sock';

export interface UpOptions {
  nodes: number;
  hostDockerSocket?: string;
  /** How long to wait for every node to be Ready (default 120 s). */
  readyTimeoutMs?: number;
}

function ensureNodeState(state: LabState, node: NodeLayout): NodeState {
  let rec = nodeState(state, node.index);
  if (!rec) {
    rec = { index: node.index, name: node.name, ip: node.ip, netns: node.netns };
    state.nodes.push(rec);
  }
  return rec;
}

function describePlan(plan: NodeUpPlan, node: NodeLayout): string {
  const what =
    plan.status === 'new'
      ? 'creating'
      : plan.status === 'up'
        ? 'already up'
        : plan.status === 'held'
          ? 'left as it is'
          : 'repairing';
  return `${node.name} (${node.ip}, netns ${node.netns}): ${what}${plan.fixes.length ? ` — ${plan.fixes.join(', ')}` : ''}`;
}

/** Builds the host's images (idempotent script) and the pause image. */
async function hostImages(host: LabHost, socket: string, progress: Progress): Promise<void> {
  const res = await host.shell.run(['bash', host.paths.imagesScript, '-H', `unix://${socket}`], {
    timeoutMs: 300_000,
  });
  if (res.code !== 0) throw new Error(`scripts/images.sh failed: ${(res.stderr || res.stdout).trim()}`);
  await host.docker.ensurePauseImage(socket, PAUSE_IMAGE);
  progress('host images ready');
}

async function bringUpNodeNet(
  host: LabHost,
  lab: LabLayout,
  plan: NodeUpPlan,
  state: LabState,
): Promise<void> {
  const node = nodeLayout(lab, plan.index);
  if (plan.status === 'new') {
    // Processes left in a namespace that no longer exists are cut off from everything: stop them first.
    const procs = nodeProcesses(
      node,
      nodeState(state, node.index),
      await host.procs.list(),
      [],
      host.procs.self,
    );
    await killAndWait(host, allPids(procs), 'SIGKILL', 3000);
  }
  await runAll(host, plan.net);
  await host.files.mkdirp(node.runDir);
  await host.files.mkdirp(node.dataDir);
  if (plan.uts) {
    await runQuietly(host, ['umount', node.utsFile]);
    await host.files.write(node.utsFile, '');
    await runAll(host, [utsCommand(node)]);
  }
}

async function bringUpDockerd(
  host: LabHost,
  lab: LabLayout,
  plan: NodeUpPlan,
  state: LabState,
): Promise<void> {
  const node = nodeLayout(lab, plan.index);
  const rec = ensureNodeState(state, node);
  if (plan.dockerd === 'start') rec.dockerd = await startDockerd(host, node);
  if (plan.dockerd !== 'running') await waitEngine(host, node, rec.dockerd?.pid ?? -1);
}

/** Loads every image the nodes lack (by ID) from the host engine. */
export async function loadMissingImages(
  host: LabHost,
  lab: LabLayout,
  socket: string,
  images: string[],
  indexes: number[],
  progress: Progress,
  optional: string[] = [],
): Promise<void> {
  const hostIds = await host.docker.imageIds(socket, images);
  const absent = images.filter((r) => hostIds.get(r) === undefined);
  const required = absent.filter((r) => !optional.includes(r));
  if (required.length) throw new Error(`the host engine has no image ${required.join(', ')}`);
  // An image loaded earlier with load-image may since have left the host: the nodes keep their copy.
  if (absent.length) progress(`not on the host engine any more, not loaded: ${absent.join(', ')}`);
  const nodeIds = new Map<number, Map<string, string | undefined>>();
  await Promise.all(
    indexes.map(async (i) =>
      nodeIds.set(i, await host.docker.imageIds(nodeLayout(lab, i).dockerSocket, images)),
    ),
  );
  const missing = imagesToLoad(hostIds, nodeIds);
  if (missing.size === 0) return;
  const targets = new Map([...missing].map(([i, refs]) => [nodeLayout(lab, i), refs] as const));
  await copyImages(host, lab, socket, targets);
  for (const [node, refs] of targets) progress(`${node.name}: loaded ${refs.join(', ')}`);
}

/** Nodes Ready with a pod CIDR, as the master sees them (waits for every one of `nodes`; fails if an agent exits). */
async function waitNodesReady(
  host: LabHost,
  lab: LabLayout,
  state: LabState,
  nodes: NodeLayout[],
  timeoutMs: number,
): Promise<Node[]> {
  const client = await labApi(host, lab);
  const names = nodes.map((n) => n.name);
  try {
    return await waitFor(
      host.clock,
      `node(s) ${names.join(', ')} to be Ready with a pod CIDR (agent logs: ${lab.dataDir}/n*/agent.log)`,
      async () => {
        for (const node of nodes) {
          const pid = nodeState(state, node.index)?.agent?.pid;
          const info = pid === undefined ? undefined : await host.procs.get(pid);
          if (!info || info.state === 'Z')
            throw new GiveUp(`${node.name}'s agent exited${await logTail(host, node.agentLog)}`);
        }
        const list = await client.list<Node>(NODES, undefined);
        const ready = (n: Node) =>
          !!n.spec?.podCIDR && !!n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        const byName = new Map(list.items.map((n) => [n.metadata.name!, n]));
        return names.every((name) => byName.has(name) && ready(byName.get(name)!)) ? list.items : undefined;
      },
      timeoutMs,
      250,
    );
  } finally {
    client.close?.();
  }
}

/** Routes each node's pod CIDR via its LAN address in the root namespace, so the host reaches pods. */
export async function syncRoutes(
  host: LabHost,
  lab: LabLayout,
  state: LabState,
  nodes: Node[],
): Promise<void> {
  const want: { dst: string; via: string }[] = [];
  for (const rec of state.nodes) {
    const n = nodes.find((x) => x.metadata.name === rec.name);
    const cidr = n?.spec?.podCIDR ?? rec.podCIDR;
    if (n?.spec?.podCIDR) rec.podCIDR = n.spec.podCIDR;
    if (cidr) want.push({ dst: cidr, via: rec.ip });
  }
  const current = await host.net.routes();
  const conflict = routeConflict(lab, current, want);
  if (conflict) throw new Error(conflict);
  const { replace, remove } = diffLabRoutes(lab, current, want);
  for (const dst of remove) await runQuietly(host, routeDeleteCommand(lab, dst));
  await runAll(
    host,
    replace.map((r) => routeReplaceCommand(lab, r.dst, r.via)),
  );
  state.routes = want;
}

export async function upLab(
  host: LabHost,
  lab: LabLayout,
  state: LabState,
  opts: UpOptions,
  progress: Progress,
): Promise<Node[]> {
  const socket = opts.hostDockerSocket ?? HOST_DOCKER_SOCKET;
  const indexes = Array.from({ length: opts.nodes }, (_, i) => i + 1);
  const obs = await observeLab(host, lab, state, indexes);
  const conflict = subnetConflict(lab, obs.routes);
  if (conflict) throw new Error(conflict);
  const plan = planUp(lab, opts.nodes, state, obs);
  adoptObserved(state, lab, obs);
  progress(
    `lab ${lab.name}: LAN ${lab.subnet}, master ${lab.masterUrl}${plan.lanFixes.length ? ` (${plan.lanFixes.join(', ')})` : ''}`,
  );
  for (const p of plan.nodes) progress(describePlan(p, nodeLayout(lab, p.index)));

  if (plan.remove.length) await removeNodes(host, lab, state, plan.remove, progress);
  if (!(await host.files.mountsUnder(NETNS_DIR)).includes(NETNS_DIR)) state.madeNetnsMount = true;
  await writeState(host.files, lab, state);
  await runAll(host, plan.lan);
  const active = plan.nodes.filter((p) => p.status !== 'held');
  for (const p of active) ensureNodeState(state, nodeLayout(lab, p.index));
  await Promise.all(active.map((p) => bringUpNodeNet(host, lab, p, state)));
  await writeState(host.files, lab, state);

  const master = async () => {
    if (plan.startMaster) {
      state.master = await startMaster(host, lab, state);
      await writeState(host.files, lab, state);
      progress(`master started (pid ${state.master.pid}, log ${lab.masterLog})`);
    }
    await waitMaster(host, lab, state.master?.pid ?? -1);
  };
  await Promise.all([
    hostImages(host, socket, progress),
    master(),
    ...active.map((p) => bringUpDockerd(host, lab, p, state)),
  ]);
  await writeState(host.files, lab, state);
  progress('node engines answering');

  state.images = [...new Set([...LAB_IMAGES, ...state.images])];
  const extra = state.images.filter((r) => !LAB_IMAGES.includes(r));
  const running = active.map((p) => p.index);
  await loadMissingImages(host, lab, socket, state.images, running, progress, extra);

  for (const p of active.filter((x) => x.startAgent)) {
    const node = nodeLayout(lab, p.index);
    ensureNodeState(state, node).agent = await startAgent(host, lab, node, state);
    progress(`${node.name}: agent started (log ${node.agentLog})`);
  }
  await writeState(host.files, lab, state);

  const expect = active
    .filter((p) => !nodeState(state, p.index)?.partitioned)
    .map((p) => nodeLayout(lab, p.index));
  const nodes = await waitNodesReady(host, lab, state, expect, opts.readyTimeoutMs ?? 120_000);
  await syncRoutes(host, lab, state, nodes);
  // The kubeconfig carries the admin token: 0600, and the sudo user's so their kubectl reads it.
  const admin = await masterCredentials(host, lab);
  await host.files.write(
    lab.kubeconfig,
    renderKubeconfig({
      server: lab.masterUrl,
      name: `skiff-lab-${lab.name}`,
      token: admin.token,
      caPem: admin.caPem,
    }),
    { owner: host.invokingUser },
  );
  await writeState(host.files, lab, state);
  return nodes;
}

/** Daemons found running but not (or no longer) recorded — say, after a torn state write — are recorded now. */
function adoptObserved(state: LabState, lab: LabLayout, obs: LabObservation): void {
  const record = (p: { pid: number; argv: string[] }) => ({ pid: p.pid, argv: p.argv });
  if (obs.master) state.master = record(obs.master);
  for (const [index, o] of obs.nodes) {
    if (!o.dockerd && !o.agent) continue;
    const rec = ensureNodeState(state, nodeLayout(lab, index));
    if (o.dockerd) rec.dockerd = record(o.dockerd);
    if (o.agent) rec.agent = record(o.agent);
  }
}

/** Takes nodes above N out of the lab: processes, resources, their Node objects, and their records. */
async function removeNodes(
  host: LabHost,
  lab: LabLayout,
  state: LabState,
  indexes: number[],
  progress: Progress,
): Promise<void> {
  const client = await labApi(host, lab);
  try {
    for (const i of indexes) {
      const node = nodeLayout(lab, i);
      progress(`${node.name}: removing (above --nodes)`);
      await stopNodeProcesses(host, lab, i, state);
      await removeNodeResources(host, lab, i);
      await client.delete(NODES, undefined, node.name).catch(() => undefined);
      state.nodes = state.nodes.filter((n) => n.index !== i);
    }
  } finally {
    client.close?.();
  }
  await writeState(host.files, lab, state);
}
