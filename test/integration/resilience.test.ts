// Resilience drills on a real 2-node lab (needs root, Docker and a built dist/): a node's dockerd restarted under
// its agent, an agent killed with SIGKILL, the master stopped for a minute, and the master killed with SIGKILL in
// the middle of 500 creates. Each drill measures and prints its timings. One lab (unique name, LAN, pod range and
// master port) serves the whole file and is always taken down.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigMap, Endpoints, Node, Pod, Service } from '../../src/api/types.js';
import { CONFIGMAPS, ENDPOINTS, NODES, PODS, SERVICES, resourcePath } from '../../src/client/api-client.js';
import { HttpApiClient } from '../../src/client/http-api-client.js';
import { labDown, labUp, type Lab, type LabNode } from '../../src/lab/lab.js';
import { nodeLayout } from '../../src/lab/layout.js';
import { freePort, kubeconfigClient, requireBuild, waitFor } from '../e2e/harness.js';

const NAME = `rs${randomBytes(3).toString('hex')}`;
const SUBNET = `10.${randomInt(200, 244)}.${randomInt(0, 256)}.0/24`;
const CLUSTER_CIDR = `10.${randomInt(150, 190)}.0.0/16`;

const sh = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

let lab: Lab;
let client: HttpApiClient;
let n1: LabNode;
let n2: LabNode;
let serviceIP = '';
const timings: string[] = [];

function note(line: string): void {
  timings.push(line);
  console.log(`[resilience] ${line}`);
}

beforeAll(async () => {
  requireBuild();
  if (process.getuid?.() !== 0) throw new Error('the resilience test needs root');
  lab = await labUp({
    nodes: 2,
    name: NAME,
    subnet: SUBNET,
    port: await freePort(),
    clusterCIDR: CLUSTER_CIDR,
  });
  client = kubeconfigClient(lab.layout.kubeconfig, { requestTimeoutMs: 5000 });
  [n1, n2] = lab.nodes;
  await client.create<Pod>(PODS, 'default', webPod('web', n1.name));
  await client.create<Service>(SERVICES, 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80 }] },
  });
  await podReady('web');
  serviceIP = (await client.get<Service>(SERVICES, 'default', 'web')).spec!.clusterIP!;
  await serviceAnswersFrom(n2, 'web on');
}, 120_000);

afterAll(async () => {
  client?.close();
  // SKIFF_RESILIENCE_LOGS=<dir> keeps the master's, agents' and dockerds' logs (the lab's own go with it).
  const keep = process.env.SKIFF_RESILIENCE_LOGS;
  if (keep && lab) {
    mkdirSync(keep, { recursive: true });
    copyFileSync(lab.layout.masterLog, join(keep, 'master.log'));
    for (const n of lab.nodes) {
      const layout = nodeLayout(lab.layout, n.index);
      copyFileSync(layout.agentLog, join(keep, `${n.name}-agent.log`));
      copyFileSync(layout.dockerdLog, join(keep, `${n.name}-dockerd.log`));
    }
  }
  await labDown(NAME).catch((err) => console.error(`lab down failed: ${err}`));
  if (timings.length) console.log(`[resilience] summary:\n  ${timings.join('\n  ')}`);
}, 60_000);

function webPod(name: string, node: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: {
      nodeName: node,
      terminationGracePeriodSeconds: 2,
      containers: [
        {
          name: 'web',
          image: 'skiff/busybox:1',
          command: ['sh', '-c', `echo ${name} on ${node} > /tmp/index.html && exec httpd -f -p 80 -h /tmp`],
        },
      ],
    },
  };
}

const isReady = (p: Pod) =>
  p.status?.phase === 'Running' &&
  p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

async function podReady(
  name: string,
  timeoutMs = 60_000,
  also: (p: Pod) => boolean = () => true,
): Promise<Pod> {
  return waitFor(
    `pod ${name} Running and Ready`,
    async () => {
      const p = await client.get<Pod>(PODS, 'default', name);
      return isReady(p) && also(p) ? p : undefined;
    },
    timeoutMs,
    200,
  );
}

/** The Service's ClusterIP, fetched from inside another node's namespace (kube-proxy rules on that node). */
async function serviceAnswersFrom(node: LabNode, expected: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    `service web to answer on ${node.name}`,
    async () => {
      const r = await lab.exec(node.name, [
        'busybox',
        'timeout',
        '3',
        'busybox',
        'wget',
        '-qO-',
        `http://${serviceIP}/`,
      ]);
      return r.code === 0 && r.stdout.includes(expected);
    },
    timeoutMs,
    250,
  );
}

/** Running containers of the lab's pods on a node's own engine, as `id name` lines (full IDs). */
function containersOn(node: LabNode): string[] {
  return sh('docker', [
    '-H',
    node.dockerHost,
    'ps',
    '--no-trunc',
    '--filter',
    'label=io.skiff.pod.uid',
    '--format',
    '{{.ID}} {{.Names}}',
  ])
    .split('\n')
    .filter(Boolean)
    .sort();
}

const restartCounts = async () =>
  Object.fromEntries(
    (await client.list<Pod>(PODS, 'default')).items.map((p) => [
      p.metadata.name,
      p.status?.containerStatuses?.map((c) => c.restartCount),
    ]),
  );

/** Agent log lines (parsed) of a node written since `sinceMs`. */
function agentLog(node: LabNode, sinceMs: number): { level: number; time: string; msg: string }[] {
  const path = nodeLayout(lab.layout, node.index).agentLog;
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .filter((e) => Date.parse(e.time) >= sinceMs);
}

async function firstRulesOf(node: LabNode, chain: string, n: number): Promise<string[]> {
  const r = await lab.exec(node.name, ['iptables', '-w', '5', '-S', chain]);
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('-A'))
    .slice(0, n);
}

describe('resilience on a 2-node lab', () => {
  it('dockerd restarted on a node: the pod comes back (new sandbox, restart count up) and its Service answers', async () => {
    const before = await client.get<Pod>(PODS, 'default', 'web');
    const network = () =>
      sh('docker', ['-H', n1.dockerHost, 'network', 'inspect', '-f', '{{.Id}}', 'skiff']).trim();
    const networkId = network();
    // Watch the node's Ready condition the whole time: a restart this short must not make it NotReady.
    const readiness = new Set<string>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const n = await client.get<Node>(NODES, undefined, n1.name).catch(() => undefined);
        const ready = n?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
        if (ready) readiness.add(ready);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();

    const t0 = Date.now();
    await lab.stopDockerd(n1.name); // graceful: dockerd stops the pod's containers (NETLAB §2.7)
    const stopped = Date.now();
    await lab.startDockerd(n1.name);
    const back = Date.now();
    const after = await podReady(
      'web',
      30_000,
      (p) => (p.status?.containerStatuses?.[0].restartCount ?? 0) >= 1,
    );
    const running = Date.now();
    await serviceAnswersFrom(n2, 'web on', 20_000);
    const answering = Date.now();
    watching = false;
    await watcher;

    note(
      `dockerd restart: stop ${seconds(stopped - t0)}, start ${seconds(back - stopped)}; pod Ready again ` +
        `${seconds(running - back)} after dockerd was back (${seconds(running - t0)} in all); Service answering ` +
        `from ${n2.name} ${seconds(answering - back)} after`,
    );
    expect(running - back).toBeLessThan(20_000);
    expect(after.metadata.uid).toBe(before.metadata.uid); // the same pod: nothing was deleted from the API
    expect(after.status!.containerStatuses![0].restartCount).toBe(1);
    expect(network()).toBe(networkId); // the pod network survived in dockerd's data dir
    // dockerd put its own FORWARD rules on top when it started; the agent moved our hooks back above them
    const forward = await firstRulesOf(n1, 'FORWARD', 2);
    expect(
      forward.every((r) => r.includes('--comment skiff')),
      forward.join('\n'),
    ).toBe(true);
    expect([...readiness]).toEqual(['True']);
    const log = agentLog(n1, t0).map((e) => e.msg);
    expect(log).toContain('container runtime is back; resyncing every pod');
  });

  it('agent killed with SIGKILL and restarted: containers keep running and are re-adopted, nothing restarts', async () => {
    const ids = containersOn(n1);
    const counts = await restartCounts();
    const [killed] = await lab.stopAgent(n1.name, { signal: 'SIGKILL' });
    expect(containersOn(n1)).toEqual(ids); // the pods did not notice
    const t0 = Date.now();
    const pid = await lab.startAgent(n1.name);
    expect(pid).not.toBe(killed);
    const started = await waitFor(
      'the new kubelet to start',
      async () => agentLog(n1, t0).find((e) => e.msg === 'kubelet started'),
      30_000,
      100,
    );
    const adoptedMs = Date.parse(started.time) - t0;
    await lab.waitNodeReady(n1.name, { since: t0, timeoutMs: 30_000 });
    // Long enough for every pod to have been synced (a sync follows the start at once; a resync every 10 s).
    await new Promise((r) => setTimeout(r, 3000));
    note(
      `agent SIGKILL: new agent adopted its pods ${seconds(adoptedMs)} after it was started (same container IDs)`,
    );
    expect(containersOn(n1)).toEqual(ids);
    expect(await restartCounts()).toEqual(counts);
    expect(agentLog(n1, t0).map((e) => e.msg)).not.toContain('pod sandbox started');
  });

  it('master stopped for 60 s: pods and Services keep working, and afterwards nothing has restarted', async () => {
    await client.create<Pod>(PODS, 'default', webPod('web2', n2.name));
    await podReady('web2');
    const ids = { n1: containersOn(n1), n2: containersOn(n2) };
    const counts = await restartCounts();
    const uids = (await client.list<Pod>(PODS, 'default')).items.map((p) => p.metadata.uid).sort();

    const t0 = Date.now();
    await lab.stopMaster();
    // Kube-proxy keeps serving from its cache: the Service answers from the other node all along.
    while (Date.now() - t0 < 60_000) {
      await serviceAnswersFrom(n2, 'web on', 10_000);
      expect(containersOn(n1)).toEqual(ids.n1);
      expect(containersOn(n2)).toEqual(ids.n2);
      await new Promise((r) => setTimeout(r, 5000));
    }
    const restartAt = Date.now();
    await lab.startMaster();
    const up = Date.now();

    // What the nodes look like while the agents reconnect (the node lifecycle controller may judge them stale).
    const seen = new Map<string, Set<string>>();
    const readyAgain = Promise.all(
      [n1, n2].map((n) =>
        lab.waitNodeReady(n.name, { since: up, timeoutMs: 30_000 }).then(() => Date.now() - up),
      ),
    );
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const n of await client
          .list<Node>(NODES, undefined)
          .then((l) => l.items)
          .catch(() => [])) {
          const s = n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'none';
          seen.set(n.metadata.name!, (seen.get(n.metadata.name!) ?? new Set()).add(s));
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const readyMs = await readyAgain;
    // The kubelets follow their pods again: a new pod bound to node1 starts.
    await client.create<Pod>(PODS, 'default', webPod('late', n1.name));
    await podReady('late', 30_000);
    const lateMs = Date.now() - up;
    sampling = false;
    await sampler;

    note(
      `master down ${seconds(restartAt - t0)} (restart took ${seconds(up - restartAt)}): nodes Ready again ` +
        `${readyMs.map(seconds).join(' / ')} after the master was up; a new pod ran ${seconds(lateMs)} after; ` +
        `Ready states seen meanwhile: ${[...seen].map(([n, s]) => `${n}=${[...s].join('→')}`).join(', ')}`,
    );
    const warnings = agentLog(n1, t0).filter((e) => e.level >= 40 && Date.parse(e.time) < up);
    const byMsg = new Map<string, number>();
    for (const w of warnings) byMsg.set(w.msg, (byMsg.get(w.msg) ?? 0) + 1);
    note(`agent ${n1.name} warnings while the master was down: ${JSON.stringify(Object.fromEntries(byMsg))}`);

    expect(containersOn(n1).filter((l) => !l.includes('_late_'))).toEqual(ids.n1);
    expect(containersOn(n2)).toEqual(ids.n2);
    const after = await restartCounts();
    delete after.late;
    expect(after).toEqual(counts);
    const uidsAfter = (await client.list<Pod>(PODS, 'default')).items
      .filter((p) => p.metadata.name !== 'late')
      .map((p) => p.metadata.uid)
      .sort();
    expect(uidsAfter).toEqual(uids);
    await serviceAnswersFrom(n2, 'web on', 10_000);
  }, 150_000);

  it('master killed with SIGKILL during 500 creates: every acknowledged (201) object is there after the restart', async () => {
    const acked: string[] = [];
    const failed: string[] = [];
    let restarted: Promise<number> | undefined;
    const t0 = Date.now();
    for (let i = 0; i < 500; i++) {
      const name = `drill-${i}`;
      if (i === 200) {
        // Kill it while this create is on the wire, and bring it back meanwhile.
        restarted = new Promise((r) => setTimeout(r, 5))
          .then(() => lab.stopMaster({ signal: 'SIGKILL' }))
          .then(() => lab.startMaster());
      }
      const cm: ConfigMap = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name },
        data: { i: String(i) },
      };
      const res = await client
        .rawRequest('POST', resourcePath(CONFIGMAPS, 'default'), { body: cm })
        .catch(() => undefined);
      if (res?.status === 201) acked.push(name);
      else {
        failed.push(name);
        await new Promise((r) => setTimeout(r, 50)); // the master is away: don't spin through the rest at once
      }
    }
    await restarted;
    const elapsed = Date.now() - t0;
    const present = new Set(
      (await client.list<ConfigMap>(CONFIGMAPS, 'default')).items
        .map((c) => c.metadata.name!)
        .filter((n) => n.startsWith('drill-')),
    );
    const lost = acked.filter((n) => !present.has(n));
    note(
      `master SIGKILL during 500 creates: ${acked.length} acknowledged, ${failed.length} failed while it was ` +
        `down, ${present.size} present after the restart, ${lost.length} acknowledged ones lost (${seconds(elapsed)})`,
    );
    expect(failed.length).toBeGreaterThan(0); // the kill did land in the middle
    expect(acked.length).toBeGreaterThan(200);
    expect(lost).toEqual([]);
    // The cluster still works: the Service on node1 answers through the restarted master's endpoints.
    const ep = await client.get<Endpoints>(ENDPOINTS, 'default', 'web');
    expect(ep.subsets?.[0]?.addresses?.length).toBe(1);
  });
});
