// A lab for end-to-end tests: `skiff lab` with a unique name, LAN subnet, master port and pod range per run, so it
// never collides with a user's lab or another test's, plus stock kubectl pointed at it (isolated cache dir).
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes, randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpApiClient } from '../../src/client/http-api-client.js';
import { labDown, labUp, type Lab } from '../../src/lab/lab.js';
import { KUBECTL, freePort, kubeconfigClient, requireBuild, run, type RunResult } from './harness.js';

export interface TestLab {
  lab: Lab;
  client: HttpApiClient;
  name: string;
  podRange: string;
  kubectl(args: string[], input?: string): Promise<RunResult>;
  /** Grows (or shrinks) the lab to `nodes` nodes, like `skiff lab up --nodes N` on a running lab. */
  resize(nodes: number): Promise<Lab>;
  /** Runs a command inside a node's network namespace (e.g. iptables-save). */
  nodeExec(node: string, argv: string[]): Promise<{ stdout: string; stderr: string; code: number }>;
  down(): Promise<void>;
}

export async function startTestLab(nodes: number, opts: { masterArgs?: string[] } = {}): Promise<TestLab> {
  requireBuild();
  if (process.getuid?.() !== 0) throw new Error('lab tests need root');
  const name = `e${randomBytes(3).toString('hex')}`;
  const subnet = `10.${randomInt(200, 244)}.${randomInt(0, 256)}.0/24`;
  const podRange = `10.${randomInt(150, 190)}`;
  const cache = mkdtempSync(join(tmpdir(), `skiff-${name}-kube-`));
  const progress: string[] = [];
  const port = await freePort();
  const up = (n: number) =>
    labUp({
      nodes: n,
      name,
      subnet,
      port,
      clusterCIDR: `${podRange}.0.0/16`,
      masterArgs: opts.masterArgs,
      progress: (l) => progress.push(l),
    });
  let lab: Lab;
  try {
    lab = await up(nodes);
  } catch (err) {
    await labDown(name).catch(() => undefined);
    throw new Error(`lab up failed: ${String(err)}\n${progress.join('\n')}`);
  }
  const client = kubeconfigClient(lab.kubeconfig);
  return {
    get lab() {
      return lab;
    },
    client,
    name,
    podRange,
    kubectl: (args, input) =>
      run(KUBECTL, ['--cache-dir', cache, ...args], { env: { KUBECONFIG: lab.kubeconfig }, input }),
    resize: async (n) => {
      lab = await up(n);
      return lab;
    },
    nodeExec: async (node, argv) => {
      const r = await lab.exec(node, argv);
      return { stdout: r.stdout, stderr: r.stderr, code: r.code ?? 0 };
    },
    down: async () => {
      client.close();
      await labDown(name);
      rmSync(cache, { recursive: true, force: true });
    },
  };
}
