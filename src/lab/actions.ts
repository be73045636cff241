// The lab's effectful building blocks, each thin: run a list of commands, signal processes and wait for them to
// go, start a node's dockerd (stale pidfiles first, NETLAB P14) and wait for its socket, start an agent or the
// master, copy images from the host engine into nodes. `up`, `down` and the node verbs are sequences of these.
// The lab is secure like any cluster: the master serves HTTPS; the lab talks to it with the admin credential the
// master writes (admin.kubeconfig), and an agent that has not joined yet starts with a fresh join token and the CA
// hash, as `kubeadm join` would.
import { caCertHash } from '../apiserver/auth/pki.js';
import { loadKubeconfig } from '../cli/kubeconfig.js';
import { agentArgv, dockerdArgv, masterArgv, nsenterNode, type Argv } from './commands.js';
import type { LabApi, LabCredentials, LabHost } from './host.js';
import { isDockerdOf } from './lab-processes.js';
import type { LabLayout, NodeLayout } from './layout.js';
import type { LabState, ProcessRecord } from './state.js';
import { GiveUp, waitFor } from '../common/wait-for.js';

export type Progress = (line: string) => void;

/** Runs each command in order; the first failure throws with its output. */
export async function runAll(host: LabHost, commands: Argv[]): Promise<void> {
  for (const argv of commands) {
    const res = await host.shell.run(argv);
    if (res.code !== 0) {
      throw new Error(
        `\`${argv.join(' ')}\` failed (exit ${res.code}): ${(res.stderr || res.stdout).trim()}`,
      );
    }
  }
}

/** Runs a command whose failure only means "already gone" (deletes during teardown). */
export async function runQuietly(host: LabHost, argv: Argv): Promise<boolean> {
  return (await host.shell.run(argv)).code === 0;
}

/** The last lines of a daemon's log, for an error message. */
export async function logTail(host: LabHost, path: string, lines = 8): Promise<string> {
  const text = (await host.files.read(path)) ?? '';
  const tail = text.trimEnd().split('\n').slice(-lines).join('\n');
  return tail ? `\n--- last lines of ${path}:\n${tail}` : '';
}

async function gone(host: LabHost, pid: number): Promise<boolean> {
  const p = await host.procs.get(pid);
  return !p || p.state === 'Z';
}

/**
 * Sends `signal` to every PID, waits up to `timeoutMs` for all of them to exit (a zombie counts as exited: PID 1
 * may reap it late), then SIGKILLs what is left and waits for that too.
 */
export async function killAndWait(
  host: LabHost,
  pids: number[],
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<void> {
  const targets = pids.filter((p) => p !== host.procs.self);
  if (targets.length === 0) return;
  for (const pid of targets) host.procs.kill(pid, signal);
  const allGone = async () => (await Promise.all(targets.map((p) => gone(host, p)))).every(Boolean);
  try {
    await waitFor(host.clock, 'processes to exit', allGone, timeoutMs, 50);
    return;
  } catch {
    // still there: fall through to SIGKILL
  }
  for (const pid of targets) host.procs.kill(pid, 'SIGKILL');
  await waitFor(host.clock, `processes ${targets.join(', ')} to exit after SIGKILL`, allGone, 5000, 50);
}

/** The PID recorded in a pidfile, if that process still runs and is not a zombie. */
async function livePidfile(host: LabHost, path: string): Promise<number | undefined> {
  const text = await host.files.read(path);
  const pid = text ? Number.parseInt(text.trim(), 10) : NaN;
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return (await gone(host, pid)) ? undefined : pid;
}

export async function startDockerd(host: LabHost, node: NodeLayout): Promise<ProcessRecord> {
  await host.files.mkdirp(node.runDir);
  await host.files.mkdirp(node.dataDir);
  if (!(await host.files.exists(node.dockerConfig))) await host.files.write(node.dockerConfig, '{}\n');
  // P14: dockerd and containerd refuse to start over a pidfile whose PID still exists, and a SIGKILLed daemon
  // can linger as a zombie until PID 1 reaps it. A live containerd without its dockerd is killed first.
  const dockerdPid = await livePidfile(host, node.dockerPidfile);
  if (dockerdPid !== undefined) {
    const info = await host.procs.get(dockerdPid);
    if (info && isDockerdOf(node, info.argv))
      throw new Error(`${node.name}: dockerd already runs (pid ${dockerdPid})`);
  }
  await host.files.remove(node.dockerPidfile);
  const containerdPid = await livePidfile(host, node.containerdPidfile);
  const containerd = containerdPid !== undefined ? await host.procs.get(containerdPid) : undefined;
  if (containerd?.argv.includes(`${node.execRoot}/containerd/containerd.toml`))
    await killAndWait(host, [containerd.pid], 'SIGKILL', 3000);
  await host.files.remove(node.containerdPidfile);
  const argv = dockerdArgv(node);
  const pid = await host.shell.spawnDaemon([...nsenterNode(node), ...argv], node.dockerdLog);
  return { pid, argv };
}

/** Waits until the node's engine answers; fails early if its dockerd exits. */
export async function waitEngine(
  host: LabHost,
  node: NodeLayout,
  pid: number,
  timeoutMs = 60_000,
): Promise<void> {
  await waitFor(
    host.clock,
    `${node.name}'s dockerd on ${node.dockerSocket} (log: ${node.dockerdLog})`,
    async () => {
      if (await host.docker.ping(node.dockerSocket)) return true;
      if (await gone(host, pid))
        throw new GiveUp(`${node.name}'s dockerd exited${await logTail(host, node.dockerdLog)}`);
      return false;
    },
    timeoutMs,
    50,
  );
}

/** The admin token and CA from the master's admin.kubeconfig (empty until the master has written it). */
export async function masterCredentials(host: LabHost, lab: LabLayout): Promise<LabCredentials> {
  const text = await host.files.read(lab.masterAdminKubeconfig);
  if (text === undefined) return {};
  const config = loadKubeconfig([{ path: lab.masterAdminKubeconfig, text }], () => undefined);
  return { token: config.token, caPem: config.caPem };
}

/** A client for the lab's master as admin. */
export async function labApi(host: LabHost, lab: LabLayout): Promise<LabApi> {
  return host.api(lab.masterUrl, await masterCredentials(host, lab));
}

/** How long a join token the lab makes for an agent lives: enough to start, useless afterwards. */
const JOIN_TOKEN_TTL_SECONDS = 600;
/** The file an agent writes once it has joined (agent/join.ts). */
const AGENT_NODE_TOKEN = 'node-token';

/** `--token` and `--ca-cert-hash` for an agent that has not joined yet; nothing for one that has. */
async function joinArgs(
  host: LabHost,
  lab: LabLayout,
  node: NodeLayout,
): Promise<{ token: string; caCertHash: string } | undefined> {
  if (await host.files.exists(`${node.agentDataDir}/${AGENT_NODE_TOKEN}`)) return undefined;
  const ca = await host.files.read(lab.masterCaFile);
  if (ca === undefined) throw new Error(`the master has no CA yet (${lab.masterCaFile})`);
  const client = await labApi(host, lab);
  try {
    return { token: await client.createJoinToken(JOIN_TOKEN_TTL_SECONDS), caCertHash: caCertHash(ca) };
  } finally {
    client.close?.();
  }
}

export async function startAgent(
  host: LabHost,
  lab: LabLayout,
  node: NodeLayout,
  state: LabState,
): Promise<ProcessRecord> {
  await host.files.mkdirp(node.agentDataDir);
  const argv = agentArgv(lab, node, {
    node: state.node,
    cli: state.cli,
    logLevel: state.logLevel,
    clusterCIDR: state.clusterCIDR,
    extra: state.agentArgs,
    join: await joinArgs(host, lab, node),
  });
  // nsenter execs the agent: the PID is node's own (NETLAB P17).
  const pid = await host.shell.spawnDaemon([...nsenterNode(node), ...argv], node.agentLog);
  return { pid, argv };
}

export async function startMaster(host: LabHost, lab: LabLayout, state: LabState): Promise<ProcessRecord> {
  await host.files.mkdirp(lab.masterDataDir);
  const argv = masterArgv(lab, {
    node: state.node,
    cli: state.cli,
    logLevel: state.logLevel,
    clusterCIDR: state.clusterCIDR,
    extra: state.masterArgs,
  });
  const pid = await host.shell.spawnDaemon(argv, lab.masterLog);
  return { pid, argv };
}

/** Waits until the master answers API calls; fails early if it exits. */
export async function waitMaster(
  host: LabHost,
  lab: LabLayout,
  pid: number,
  timeoutMs = 60_000,
): Promise<void> {
  await waitFor(
    host.clock,
    `the master at ${lab.masterUrl} (log: ${lab.masterLog})`,
    async () => {
      if (await gone(host, pid)) throw new GiveUp(`the master exited${await logTail(host, lab.masterLog)}`);
      // The credential appears once the API server is up (its first start writes admin.kubeconfig).
      const client = await labApi(host, lab);
      try {
        await client.list({ group: '', version: 'v1', resource: 'nodes' }, undefined);
      } finally {
        client.close?.();
      }
      return true;
    },
    timeoutMs,
  );
}

/**
 * Copies images from the host engine into the given nodes' engines: one `docker save` into a tar under the lab's
 * data dir, then a load into every node at once (what `kind load docker-image` does).
 */
export async function copyImages(
  host: LabHost,
  lab: LabLayout,
  hostSocket: string,
  targets: Map<NodeLayout, string[]>,
): Promise<void> {
  const refs = [...new Set([...targets.values()].flat())].sort();
  if (refs.length === 0) return;
  const tar = `${lab.dataDir}/images-${host.procs.self}-${host.clock.now()}.tar`;
  await host.files.mkdirp(lab.dataDir);
  try {
    await host.docker.saveImages(hostSocket, refs, tar);
    await Promise.all([...targets.keys()].map((node) => host.docker.loadImages(node.dockerSocket, tar)));
  } finally {
    await host.files.remove(tar);
  }
}
