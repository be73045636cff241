// A one-node `skiff lab` for the benchmarks that need real pods: its own name, LAN subnet, master port and pod
// range (picked clear of every address and route on the host, so it never meets a user's lab or a test's), the
// real master in the root namespace and the real agent in the node's namespace with its own dockerd. Removal is
// registered with the run's Cleanup as soon as labUp starts. With a profile directory, master and agent run under
// `node --cpu-prof` (through a wrapper that stands in for the node binary) and are stopped with SIGTERM first so
// their profiles get written.
import { randomBytes, randomInt } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HttpApiClient } from '../../src/client/http-api-client.js';
import { labDown, labUp, type Lab, type LabNode } from '../../src/lab/lab.js';
import { labLayout, nodeLayout } from '../../src/lab/layout.js';
import { systemLabHost } from '../../src/lab/system-host.js';
import { accessFrom, clientFor, type ApiAccess } from './api-access.js';
import type { Cleanup, Log } from './cleanup.js';
import { freePort, run } from './proc.js';

export interface BenchLab {
  lab: Lab;
  name: string;
  node: LabNode;
  client: HttpApiClient;
  access: ApiAccess;
  /** The node's pod bridge gateway (cluster DNS address), e.g. 10.171.1.1. */
  gateway: string;
  masterPid(): number | undefined;
  agentPid(): number | undefined;
  /** Runs a command in the node's network namespace. */
  nodeExec(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Stops master and agent cleanly (profiles written), then removes the lab; the Cleanup step does the same. */
  down(): Promise<void>;
}

/** `10.A.B.` prefixes in use on the host (addresses and routes), so a new lab's ranges can avoid them. */
async function usedPrefixes(): Promise<Set<string>> {
  const text =
    (await run(['ip', '-4', 'route', 'show', 'table', 'all'])).stdout +
    (await run(['ip', '-4', '-o', 'addr'])).stdout;
  const used = new Set<string>();
  for (const m of text.matchAll(/\b10\.(\d+)\.(\d+)\.\d+/g)) used.add(`10.${m[1]}.${m[2]}`);
  for (const m of text.matchAll(/\b10\.(\d+)\.0\.0\/(\d+)/g)) used.add(`10.${m[1]}.*`);
  return used;
}

async function pickRanges(): Promise<{ subnet: string; podRange: string }> {
  const used = await usedPrefixes();
  const takenA = new Set([...used].map((p) => p.split('.')[1]));
  for (let i = 0; i < 200; i++) {
    const lanA = randomInt(200, 244);
    const lanB = randomInt(0, 256);
    const podA = randomInt(150, 190);
    if (used.has(`10.${lanA}.${lanB}`) || used.has(`10.${lanA}.*`) || takenA.has(String(podA))) continue;
    return { subnet: `10.${lanA}.${lanB}.0/24`, podRange: `10.${podA}.0.0/16` };
  }
  throw new Error('could not find free address ranges for a benchmark lab');
}

/** A stand-in for the node binary that runs node under --cpu-prof with its profile in `dir`. */
function profilingNode(dir: string): string {
  const wrapper = join(dir, 'node-cpu-prof.sh');
  writeFileSync(wrapper, `#!/bin/sh\ncd '${dir}' || exit 1\nexec '${process.execPath}' --cpu-prof "$@"\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}

export interface BenchLabOptions {
  cleanup: Cleanup;
  log: Log;
  /** Where master and agent write CPU profiles; no profiling when absent. */
  profileDir?: string;
  agentArgs?: string[];
  /** Called with the node's engine socket before the lab starts; returns extra agent flags. */
  beforeUp?: (node: { name: string; dockerSocket: string }) => Promise<string[]>;
}

export async function startBenchLab(opts: BenchLabOptions): Promise<BenchLab> {
  if (process.getuid?.() !== 0) throw new Error('the lab benchmarks need root');
  const name = `b${randomBytes(3).toString('hex')}`;
  const { subnet, podRange } = await pickRanges();
  const port = await freePort();
  const base = systemLabHost();
  const host = opts.profileDir
    ? { ...base, paths: { ...base.paths, node: profilingNode(opts.profileDir) } }
    : base;
  // Filled in as they come up; the removal registered below must work at any point.
  const made: { lab?: Lab; client?: HttpApiClient } = {};
  const down = async () => {
    made.client?.close();
    if (made.lab && opts.profileDir) {
      // A clean stop lets `--cpu-prof` write the profiles (lab down SIGKILLs agents).
      await made.lab.stopAgent(1).catch((err) => opts.log(`stopping the agent: ${(err as Error).message}`));
      await made.lab.stopMaster().catch((err) => opts.log(`stopping the master: ${(err as Error).message}`));
    }
    await labDown(name, { host });
  };
  const remove = opts.cleanup.add(`lab ${name}`, down);
  const extraAgentArgs = opts.beforeUp
    ? await opts.beforeUp({
        name,
        dockerSocket: nodeLayout(labLayout({ name, subnet, port }), 1).dockerSocket,
      })
    : [];
  const started = performance.now();
  const lab = await labUp({
    nodes: 1,
    name,
    subnet,
    port,
    clusterCIDR: podRange,
    host,
    agentArgs: [...(opts.agentArgs ?? []), ...extraAgentArgs],
    progress: () => undefined,
  });
  opts.log(
    `lab ${name} up in ${((performance.now() - started) / 1000).toFixed(1)} s (LAN ${subnet}, pods ${podRange})`,
  );
  made.lab = lab;
  const access = accessFrom(lab.masterUrl, lab.kubeconfig);
  const client = clientFor(access);
  made.client = client;
  await lab.refresh();
  const node = lab.node(1);
  const apiNode = (await lab.apiNodes()).find((n) => n.metadata.name === node.name);
  const podCIDR = apiNode?.spec?.podCIDR ?? node.podCIDR;
  if (!podCIDR) throw new Error(`lab node ${node.name} has no podCIDR`);
  const gateway = podCIDR.replace(/\.0\/\d+$/, '.1');
  return {
    lab,
    access,
    name,
    node,
    client,
    gateway,
    masterPid: () => lab.masterPid,
    agentPid: () => lab.agentPid(1),
    nodeExec: async (argv) => {
      const r = await lab.exec(1, argv);
      return { code: r.code ?? 0, stdout: r.stdout, stderr: r.stderr };
    },
    down: remove,
  };
}

/** The CPU profiles a directory holds (newest last). */
export function profilesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()
    .map((f) => join(dir, f));
}

/** The profile a process wrote (`CPU.<date>.<pid>.<tid>.<n>.cpuprofile`). */
export function profileOfPid(dir: string, pid: number | undefined): string | undefined {
  if (pid === undefined) return undefined;
  return profilesIn(dir).find((f) => new RegExp(`^CPU\\.\\d+\\.\\d+\\.${pid}\\.`).test(f.split('/').pop()!));
}
