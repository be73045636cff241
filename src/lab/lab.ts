// `skiff lab`: a real N-node cluster on one Linux host (NETLAB.md). The master runs in the root namespace; each
// node is a network namespace with its own hostname, dockerd, agent and pod CIDR, all joined by a bridge in a LAN
// namespace. This is the programmatic API the CLI (src/cli/commands/lab.ts) and the multi-node tests use:
//
//   const lab = await labUp({ nodes: 3, name: 'e2e1', subnet: '10.213.7.0/24', port: 36443 });
//   await lab.killNode('e2e1-n2'); … await lab.restartNode('e2e1-n2');
//   await labDown('e2e1');
import type { Node } from '../api/types.js';
import { NODES } from '../client/api-client.js';
import { normalizeCidr } from '../controllers/nodeipam/cidr.js';
import { waitFor } from '../common/wait-for.js';
import { killAndWait, labApi, startMaster, waitMaster, type Progress } from './actions.js';
import { masterProcesses } from './lab-processes.js';
import { nsenterNode } from './commands.js';
import type { CommandResult, LabHost } from './host.js';
import { downLab } from './lab-down.js';
import { HOST_DOCKER_SOCKET, loadMissingImages, upLab } from './lab-up.js';
import {
  DEFAULT_CLUSTER_CIDR,
  DEFAULT_LAB_NAME,
  DEFAULT_LAB_PORT,
  DEFAULT_LAB_SUBNET,
  clusterCidrProblem,
  labLayout,
  nodeLayout,
  parseNodeRef,
  type LabLayout,
} from './layout.js';
import {
  ensureAgent,
  ensureDockerd,
  killNode,
  restartNode,
  setPartitioned,
  stopAgent,
  stopDockerd,
} from './node-ops.js';
import { observeLab } from './observe.js';
import { readState, writeState, type LabState } from './state.js';
import { labStatus, renderNodeTable, type LabStatus } from './status.js';
import { systemLabHost } from './system-host.js';

export interface LabUpOptions {
  nodes: number;
  /** Default `skiff`; every resource name derives from it (≤ 10 lowercase letters/digits). */
  name?: string;
  /** The LAN (default 10.200.0.0/24): master .1, node N .(10+N). Fixed once the lab exists. */
  subnet?: string;
  /** The master's port (default 6443). Fixed once the lab exists. */
  port?: number;
  /**
   * The pod range the master hands node CIDRs out of (default 10.244.0.0/16). Labs running side by side need
   * different ones. Fixed once the lab exists.
   */
  clusterCIDR?: string;
  /** --log-level for the master and agents. */
  logLevel?: string;
  /** Extra flags for `skiff master` / `skiff agent` (kept in the state file for restarts). */
  masterArgs?: string[];
  agentArgs?: string[];
  /** The engine images are copied from (default /var/run/docker.sock). */
  hostDockerSocket?: string;
  readyTimeoutMs?: number;
  progress?: Progress;
  host?: LabHost;
}

export interface LabNode {
  index: number;
  name: string;
  ip: string;
  netns: string;
  dockerSocket: string;
  /** `unix://…`, for `docker -H`. */
  dockerHost: string;
  podCIDR?: string;
}

export interface LabOpenOptions {
  host?: LabHost;
  progress?: Progress;
}

function hostFor(host: LabHost | undefined): LabHost {
  if (host) return host;
  if (process.getuid?.() !== 0) throw new Error('skiff lab needs root (network namespaces, dockerd, routes)');
  return systemLabHost();
}

/** The layout of an existing lab (subnet and port from its state file) or of a new one. */
async function resolveLab(
  host: LabHost,
  name: string,
  subnet?: string,
  port?: number,
): Promise<{ lab: LabLayout; state?: LabState }> {
  const probe = labLayout({ name, subnet: DEFAULT_LAB_SUBNET, port: DEFAULT_LAB_PORT });
  const state = await readState(host.files, probe);
  if (state) {
    if (subnet !== undefined && normalizeCidr(subnet) !== state.subnet)
      throw new Error(
        `lab ${name} exists with subnet ${state.subnet}; run \`skiff lab down --name ${name}\` first`,
      );
    if (port !== undefined && port !== state.port)
      throw new Error(
        `lab ${name} exists with port ${state.port}; run \`skiff lab down --name ${name}\` first`,
      );
    return { lab: labLayout({ name, subnet: state.subnet, port: state.port }), state };
  }
  return { lab: labLayout({ name, subnet: subnet ?? DEFAULT_LAB_SUBNET, port: port ?? DEFAULT_LAB_PORT }) };
}

export class Lab {
  private constructor(
    readonly host: LabHost,
    readonly layout: LabLayout,
    private state: LabState,
    private readonly progress: Progress,
  ) {}

  /** Attaches to an existing lab; throws when there is none of that name. */
  static async open(name = DEFAULT_LAB_NAME, opts: LabOpenOptions = {}): Promise<Lab> {
    const host = hostFor(opts.host);
    const { lab, state } = await resolveLab(host, name);
    if (!state)
      throw new Error(`there is no lab ${name} (start one with \`skiff lab up --nodes N --name ${name}\`)`);
    return new Lab(host, lab, state, opts.progress ?? (() => {}));
  }

  /** @internal used by labUp */
  static attach(host: LabHost, lab: LabLayout, state: LabState, progress: Progress): Lab {
    return new Lab(host, lab, state, progress);
  }

  get name(): string {
    return this.layout.name;
  }
  get subnet(): string {
    return this.layout.subnet;
  }
  get masterUrl(): string {
    return this.layout.masterUrl;
  }
  get kubeconfig(): string {
    return this.layout.kubeconfig;
  }
  get stateFile(): string {
    return this.layout.stateFile;
  }
  get masterPid(): number | undefined {
    return this.state.master?.pid;
  }

  get nodes(): LabNode[] {
    return this.state.nodes.map((n) => this.toNode(n.index));
  }

  /** A node by name (`node2`, `<name>-n2`), short form (`n2`) or index (`2`). */
  node(ref: string | number): LabNode {
    return this.toNode(this.indexOf(ref));
  }

  /** Re-reads the state file (another process may have changed the lab). */
  async refresh(): Promise<this> {
    const s = await readState(this.host.files, this.layout);
    if (!s) throw new Error(`lab ${this.name} is gone (no ${this.layout.stateFile})`);
    this.state = s;
    return this;
  }

  /** Power cut: LAN cable out, agent, dockerd, containerd, shims and containers SIGKILLed. Returns the PIDs. */
  async killNode(ref: string | number): Promise<number[]> {
    await this.refresh();
    return killNode(this.host, this.layout, this.state, this.indexOf(ref));
  }

  /** Boot: cable in, dockerd, agent (also heals a partition). With `waitReady`, until the node is Ready again. */
  async restartNode(
    ref: string | number,
    opts: { waitReady?: boolean; timeoutMs?: number } = {},
  ): Promise<void> {
    await this.refresh();
    const index = this.indexOf(ref);
    const since = this.host.clock.now();
    await restartNode(this.host, this.layout, this.state, index, this.progress);
    if (opts.waitReady) await this.waitNodeReady(index, { timeoutMs: opts.timeoutMs, since });
  }

  async partition(ref: string | number): Promise<void> {
    await this.refresh();
    await setPartitioned(this.host, this.layout, this.state, this.indexOf(ref), true);
  }

  async heal(ref: string | number): Promise<void> {
    await this.refresh();
    await setPartitioned(this.host, this.layout, this.state, this.indexOf(ref), false);
  }

  /** Stops the node's agent: SIGTERM by default (clean stop), SIGKILL for a crash. Pods keep running. */
  async stopAgent(ref: string | number, opts: { signal?: 'SIGTERM' | 'SIGKILL' } = {}): Promise<number[]> {
    await this.refresh();
    return stopAgent(this.host, this.layout, this.state, this.indexOf(ref), opts.signal ?? 'SIGTERM');
  }

  /** Starts the node's agent unless it runs; returns its PID. */
  async startAgent(ref: string | number): Promise<number> {
    await this.refresh();
    return ensureAgent(this.host, this.layout, this.state, this.indexOf(ref));
  }

  /** PID of the node's agent as recorded (undefined when stopped). */
  agentPid(ref: string | number): number | undefined {
    const i = this.indexOf(ref);
    return this.state.nodes.find((n) => n.index === i)?.agent?.pid;
  }

  /** Stops the node's dockerd only: SIGTERM (default; it stops the containers) or SIGKILL (containers live on). */
  async stopDockerd(ref: string | number, opts: { signal?: 'SIGTERM' | 'SIGKILL' } = {}): Promise<number[]> {
    await this.refresh();
    return stopDockerd(this.host, this.layout, this.state, this.indexOf(ref), opts.signal ?? 'SIGTERM');
  }

  /** Starts the node's dockerd unless it runs (stale pidfiles first) and waits until it answers; returns its PID. */
  async startDockerd(ref: string | number): Promise<number> {
    await this.refresh();
    return ensureDockerd(this.host, this.layout, this.state, this.indexOf(ref));
  }

  /** Stops the master: SIGTERM (clean stop) by default, SIGKILL for a crash. Agents and pods keep running. */
  async stopMaster(opts: { signal?: 'SIGTERM' | 'SIGKILL' } = {}): Promise<number[]> {
    await this.refresh();
    const pids = masterProcesses(this.layout, this.state, await this.host.procs.list());
    await killAndWait(this.host, pids, opts.signal ?? 'SIGTERM', 15_000);
    delete this.state.master;
    await writeState(this.host.files, this.layout, this.state);
    return pids;
  }

  /** Starts the master unless it runs, and waits until it answers; returns its PID. */
  async startMaster(): Promise<number> {
    await this.refresh();
    const running = masterProcesses(this.layout, this.state, await this.host.procs.list());
    if (running.length > 0) return running[0];
    this.state.master = await startMaster(this.host, this.layout, this.state);
    await writeState(this.host.files, this.layout, this.state);
    await waitMaster(this.host, this.layout, this.state.master.pid);
    return this.state.master.pid;
  }

  /** Runs a command inside the node's network and UTS namespaces (e.g. `wget -qO- http://10.244.1.2/`). */
  async exec(
    ref: string | number,
    argv: string[],
    opts: { timeoutMs?: number } = {},
  ): Promise<CommandResult> {
    const node = nodeLayout(this.layout, this.indexOf(ref));
    return this.host.shell.run([...nsenterNode(node), ...argv], { timeoutMs: opts.timeoutMs ?? 30_000 });
  }

  /** Copies images from the host engine into every running node; new nodes get them too. */
  async loadImages(images: string[], opts: { hostDockerSocket?: string } = {}): Promise<void> {
    await this.refresh();
    const running = this.state.nodes.filter((n) => !n.down).map((n) => n.index);
    const socket = opts.hostDockerSocket ?? HOST_DOCKER_SOCKET;
    await loadMissingImages(this.host, this.layout, socket, images, running, this.progress);
    this.state.images = [...new Set([...this.state.images, ...images])];
    await writeState(this.host.files, this.layout, this.state);
  }

  /** Nodes as the master sees them. */
  async apiNodes(): Promise<Node[]> {
    const client = await labApi(this.host, this.layout);
    try {
      return (await client.list<Node>(NODES, undefined)).items;
    } finally {
      client.close?.();
    }
  }

  /**
   * Waits until the node is Ready. With `since` (ms since the epoch), its Ready condition must also carry a
   * heartbeat from then on: a restarted node counts only once its new agent has reported.
   */
  async waitNodeReady(
    ref: string | number,
    opts: { timeoutMs?: number; since?: number } = {},
  ): Promise<void> {
    const name = this.node(ref).name;
    const since = opts.since === undefined ? 0 : Math.floor(opts.since / 1000) * 1000;
    await waitFor(
      this.host.clock,
      `node ${name} to be Ready`,
      async () =>
        (await this.apiNodes()).some((n) => {
          const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
          const beat = Date.parse(ready?.lastHeartbeatTime ?? '') || 0;
          return n.metadata.name === name && ready?.status === 'True' && beat >= since;
        }),
      opts.timeoutMs ?? 60_000,
      250,
    );
  }

  async status(): Promise<LabStatus> {
    await this.refresh();
    const obs = await observeLab(this.host, this.layout, this.state, []);
    let nodes: Node[] | undefined;
    let apiError: string | undefined;
    try {
      nodes = obs.master ? await this.apiNodes() : undefined;
    } catch (err) {
      apiError = (err as Error).message;
    }
    return labStatus(this.layout, this.state, obs, nodes, apiError);
  }

  async down(): Promise<void> {
    await labDown(this.name, { host: this.host, progress: this.progress });
  }

  private indexOf(ref: string | number): number {
    const index = typeof ref === 'number' ? ref : parseNodeRef(this.layout, ref);
    const rec = index !== undefined ? this.state.nodes.find((n) => n.index === index) : undefined;
    if (!rec) {
      const names = this.state.nodes.map((n) => n.name).join(', ') || 'none';
      throw new Error(`lab ${this.name} has no node ${JSON.stringify(String(ref))} (nodes: ${names})`);
    }
    return rec.index;
  }

  private toNode(index: number): LabNode {
    const rec = this.state.nodes.find((n) => n.index === index)!;
    const layout = nodeLayout(this.layout, index);
    const node: LabNode = {
      index,
      name: rec.name,
      ip: rec.ip,
      netns: rec.netns,
      dockerSocket: layout.dockerSocket,
      dockerHost: layout.dockerHost,
    };
    if (rec.podCIDR) node.podCIDR = rec.podCIDR;
    return node;
  }
}

/** Brings a lab up (or repairs it, or changes its node count) and returns it once every node is Ready. */
export async function labUp(opts: LabUpOptions): Promise<Lab> {
  const host = hostFor(opts.host);
  const progress = opts.progress ?? (() => {});
  const name = opts.name ?? DEFAULT_LAB_NAME;
  if (!Number.isInteger(opts.nodes) || opts.nodes < 1) throw new Error(`--nodes must be a positive number`);
  const { lab, state: existing } = await resolveLab(host, name, opts.subnet, opts.port);
  if (opts.nodes > lab.maxNodes) throw new Error(`subnet ${lab.subnet} has room for ${lab.maxNodes} nodes`);
  const clusterCIDR = opts.clusterCIDR && normalizeCidr(opts.clusterCIDR);
  if (opts.clusterCIDR !== undefined) {
    const problem = clusterCidrProblem(opts.clusterCIDR, lab.subnet);
    if (problem) throw new Error(problem);
    if (existing && (existing.clusterCIDR ?? DEFAULT_CLUSTER_CIDR) !== clusterCIDR)
      throw new Error(
        `lab ${name} exists with cluster CIDR ${existing.clusterCIDR ?? DEFAULT_CLUSTER_CIDR}; run \`skiff lab down --name ${name}\` first`,
      );
  }
  const state: LabState = existing ?? {
    version: 1,
    name,
    subnet: lab.subnet,
    port: lab.port,
    cli: host.paths.cli,
    node: host.paths.node,
    masterArgs: [],
    agentArgs: [],
    nodes: [],
    routes: [],
    images: [],
    ...(clusterCIDR && clusterCIDR !== DEFAULT_CLUSTER_CIDR ? { clusterCIDR } : {}),
  };
  if (opts.logLevel !== undefined) state.logLevel = opts.logLevel;
  if (opts.masterArgs) state.masterArgs = opts.masterArgs;
  if (opts.agentArgs) state.agentArgs = opts.agentArgs;
  if (!(await host.files.exists(state.cli)))
    throw new Error(`${state.cli} is missing: build skiff first (npm run build)`);
  const started = host.clock.now();
  const nodes = await upLab(
    host,
    lab,
    state,
    { nodes: opts.nodes, hostDockerSocket: opts.hostDockerSocket, readyTimeoutMs: opts.readyTimeoutMs },
    progress,
  );
  progress(`lab ${name} up in ${((host.clock.now() - started) / 1000).toFixed(1)} s`);
  progress(renderNodeTable(state, lab, nodes).trimEnd());
  progress(`kubeconfig: ${lab.kubeconfig}   (export KUBECONFIG=${lab.kubeconfig})`);
  return Lab.attach(host, lab, state, progress);
}

/** Removes everything of the lab from the host; a lab that is not there is fine. */
export async function labDown(name = DEFAULT_LAB_NAME, opts: LabOpenOptions = {}): Promise<void> {
  const host = hostFor(opts.host);
  const progress = opts.progress ?? (() => {});
  const { lab, state } = await resolveLab(host, name);
  const started = host.clock.now();
  await downLab(host, lab, state, progress);
  progress(`lab ${name} down in ${((host.clock.now() - started) / 1000).toFixed(1)} s`);
}

/** Attaches to an existing lab. */
export function openLab(name = DEFAULT_LAB_NAME, opts: LabOpenOptions = {}): Promise<Lab> {
  return Lab.open(name, opts);
}
