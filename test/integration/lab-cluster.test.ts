// `skiff lab` for real (needs root, Docker and a built dist/): a 2-node lab with a unique name, a random LAN subnet,
// its own pod range and a free master port. Both nodes register Ready with different pod CIDRs, every node engine
// has the lab images, a pod on node1 reaches a pod on node2 by pod IP and so does the host, the failure drills do
// what they say, and `down` leaves the host as it found it: namespaces, links, routes, iptables-save, processes,
// mounts, cgroups and directories are compared before `up` and after `down`.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { randomBytes, randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Node, Pod } from '../../src/api/types.js';
import { NODES, PODS } from '../../src/client/api-client.js';
import { HttpApiClient } from '../../src/client/http-api-client.js';
import { labDown, labUp, type Lab } from '../../src/lab/lab.js';
import type { LabState } from '../../src/lab/state.js';
import { freePort, kubeconfigClient, requireBuild, waitFor } from '../e2e/harness.js';

const NAME = `lt${randomBytes(3).toString('hex')}`;
const LAN = `10.${randomInt(200, 244)}.${randomInt(0, 256)}`;
const SUBNET = `${LAN}.0/24`;
const POD_RANGE = `10.${randomInt(150, 190)}`;
const CLUSTER_CIDR = `${POD_RANGE}.0.0/16`;
const IMAGES = ['skiff/busybox:1', 'skiff/hello:1', 'skiff/hello:2', 'skiff/pause:3.10'];

const sh = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });

/** Everything on the host the lab could leave behind, one list of lines per view. */
function snapshot(): Record<string, string[]> {
  const cgroups: string[] = [];
  for (const ctl of readdirSync('/sys/fs/cgroup'))
    if (existsSync(`/sys/fs/cgroup/${ctl}`) && !ctl.includes('.'))
      for (const d of readdirSync(`/sys/fs/cgroup/${ctl}`))
        if (d.startsWith('skiff-lab-')) cgroups.push(`${ctl}/${d}`);
  const processes: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const cg = readFileSync(`/proc/${pid}/cgroup`, 'utf8').replace(/\n/g, ' ');
      // Only what could be a lab's (its paths in the command line, or its cgroups): the rest of the host churns.
      if (argv && (argv.includes('skiff-lab') || cg.includes('skiff-lab-')))
        processes.push(`${pid} ${argv} ${cg}`);
    } catch {
      // exited meanwhile
    }
  }
  return {
    netns: sh('ip', ['netns', 'list']).split('\n'),
    links: sh('ip', ['-o', 'link'])
      .split('\n')
      .map((l) => l.split(':')[1]?.trim() ?? ''),
    routes: sh('ip', ['route', 'show', 'table', 'all']).split('\n'),
    iptables: sh('iptables-save', [])
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .map((l) => l.replace(/\[\d+:\d+\]/g, '')),
    processes,
    mounts: readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4] ?? ''),
    cgroups,
    dirs: ['/run/skiff-lab', '/var/lib/skiff-lab'].flatMap((d) =>
      existsSync(d) ? readdirSync(d).map((x) => `${d}/${x}`) : [],
    ),
  };
}

/** Lines in `after` not in `before` and the reverse, per view. */
function diff(before: Record<string, string[]>, after: Record<string, string[]>): string[] {
  const out: string[] = [];
  for (const view of Object.keys(before)) {
    const a = new Set(before[view]);
    const b = new Set(after[view]);
    for (const l of b) if (!a.has(l)) out.push(`${view} + ${l}`);
    for (const l of a) if (!b.has(l)) out.push(`${view} - ${l}`);
  }
  return out;
}

/** A line that could only come from this lab: its name, its LAN, its pod range, its directories. */
const ofThisLab = (line: string) =>
  line.includes(NAME) || line.includes(`${LAN}.`) || line.includes(`${POD_RANGE}.`);

const log: string[] = [];
let lab: Lab;
let client: HttpApiClient;
let before: Record<string, string[]>;
let upSeconds = 0;

beforeAll(async () => {
  requireBuild();
  if (process.getuid?.() !== 0) throw new Error('the lab test needs root');
  before = snapshot();
  const started = Date.now();
  lab = await labUp({
    nodes: 2,
    name: NAME,
    subnet: SUBNET,
    port: await freePort(),
    clusterCIDR: CLUSTER_CIDR,
    progress: (l) => log.push(l),
  });
  upSeconds = (Date.now() - started) / 1000;
  client = kubeconfigClient(lab.kubeconfig);
}, 120_000);

afterAll(async () => {
  client?.close();
  // A safety net: the last test takes the lab down and checks the host; this runs even if something failed.
  await labDown(NAME).catch((err) => console.error(`lab down failed: ${err}`));
  if (process.env.SKIFF_LAB_TEST_LOG) console.log(log.join('\n'));
}, 60_000);

async function podRunning(name: string): Promise<Pod> {
  return waitFor(
    `pod ${name} Running with an IP`,
    async () => {
      const p = await client.get<Pod>(PODS, 'default', name);
      return p.status?.phase === 'Running' && p.status.podIP ? p : undefined;
    },
    60_000,
    250,
  );
}

function webPod(name: string, node: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      nodeName: node,
      terminationGracePeriodSeconds: 0,
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

describe('skiff lab (2 nodes, real namespaces and dockerds)', () => {
  it('brings up two Ready nodes with different pod CIDRs from the lab’s range, each with its own hostname', async () => {
    console.log(`lab ${NAME} (${SUBNET}, pods ${CLUSTER_CIDR}) up in ${upSeconds.toFixed(1)} s`);
    const nodes = (await client.list<Node>(NODES, undefined)).items;
    const names = lab.nodes.map((n) => n.name);
    expect(names).toEqual([`${NAME}-n1`, `${NAME}-n2`]);
    for (const name of names) {
      const n = nodes.find((x) => x.metadata.name === name)!;
      expect(n.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(n.spec?.podCIDR).toMatch(new RegExp(`^${POD_RANGE.replace('.', '\\.')}\\.\\d+\\.0/24$`));
    }
    expect(lab.nodes[0].podCIDR).not.toBe(lab.nodes[1].podCIDR);
    expect(lab.nodes.map((n) => n.ip)).toEqual([`${LAN}.11`, `${LAN}.12`]);
    for (const n of lab.nodes) expect((await lab.exec(n.name, ['hostname'])).stdout.trim()).toBe(n.name);
    // no default route in a node: nothing leaves the host
    expect((await lab.exec(lab.nodes[0].name, ['ip', 'route'])).stdout).not.toMatch(/^default/m);
  });

  it('has the lab images in every node’s engine', () => {
    for (const n of lab.nodes) {
      const tags = sh('docker', ['-H', n.dockerHost, 'images', '--format', '{{.Repository}}:{{.Tag}}']).split(
        '\n',
      );
      for (const image of IMAGES) expect(tags).toContain(image);
    }
  });

  it('connects pods across nodes, and the host and the nodes to pods, by pod IP', async () => {
    const [n1, n2] = lab.nodes;
    await client.create(PODS, 'default', webPod('web1', n1.name));
    await client.create(PODS, 'default', webPod('web2', n2.name));
    const [p1, p2] = await Promise.all([podRunning('web1'), podRunning('web2')]);
    expect(p1.status!.podIP).not.toBe(p2.status!.podIP);
    const id = sh('docker', [
      '-H',
      n1.dockerHost,
      'ps',
      '-q',
      '--filter',
      'label=io.skiff.pod.name=web1',
      '--filter',
      'label=io.skiff.container.name=web',
    ]).trim();
    // busybox wget segfaults with -T (NETLAB P9): `timeout` bounds it instead
    const fromPod = sh('docker', [
      '-H',
      n1.dockerHost,
      'exec',
      id,
      'timeout',
      '5',
      'wget',
      '-qO-',
      `http://${p2.status!.podIP}/`,
    ]);
    expect(fromPod.trim()).toBe(`web2 on ${n2.name}`);
    const fromHost = await (await fetch(`http://${p2.status!.podIP}/`)).text();
    expect(fromHost.trim()).toBe(`web2 on ${n2.name}`);
    const fromNode = await lab.exec(n2.name, [
      'busybox',
      'timeout',
      '5',
      'busybox',
      'wget',
      '-qO-',
      `http://${p1.status!.podIP}/`,
    ]);
    expect(fromNode.stdout.trim()).toBe(`web1 on ${n1.name}`);
  });

  it('partitions and heals a node at its bridge port', async () => {
    const n2 = lab.nodes[1];
    const ping = () => lab.exec(lab.nodes[0].name, ['busybox', 'ping', '-c1', '-W1', n2.ip]);
    await lab.partition(n2.name);
    expect((await ping()).code).not.toBe(0);
    await lab.heal(n2.name);
    await waitFor('node2 reachable again', async () => (await ping()).code === 0, 10_000);
  });

  it('kill-node cuts the power of one node; restart-node boots it Ready again', async () => {
    const n2 = lab.nodes[1];
    const killed = await lab.killNode(n2.name);
    expect(killed.length).toBeGreaterThanOrEqual(4); // agent, dockerd, containerd, shims and pod processes
    const alive = (pid: number) =>
      existsSync(`/proc/${pid}`) && !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
    for (const pid of killed) expect(alive(pid)).toBe(false);
    expect(() => sh('docker', ['-H', n2.dockerHost, 'version'])).toThrow();
    expect((await lab.status()).nodes[1]).toMatchObject({
      link: 'down',
      dockerd: 'stopped',
      agent: 'stopped',
    });
    await lab.restartNode(n2.name, { waitReady: true, timeoutMs: 60_000 });
    expect((await lab.status()).nodes[1]).toMatchObject({ link: 'up', dockerd: 'running', agent: 'running' });
  });

  it('stops and starts an agent and the master alone; pods keep running meanwhile', async () => {
    const n1 = lab.nodes[0];
    const web1 = () =>
      sh('docker', ['-H', n1.dockerHost, 'ps', '-q', '--filter', 'label=io.skiff.pod.name=web1']).trim();
    const containers = web1();
    const [agent] = await lab.stopAgent(n1.name, { signal: 'SIGKILL' });
    expect(
      existsSync(`/proc/${agent}/cmdline`) && readFileSync(`/proc/${agent}/cmdline`, 'utf8') !== '',
    ).toBe(false);
    expect(web1()).toBe(containers);
    expect(await lab.startAgent(n1.name)).not.toBe(agent);
    const [master] = await lab.stopMaster({ signal: 'SIGKILL' });
    await expect(client.rawRequest('GET', '/readyz')).rejects.toThrow(/Unable to connect/);
    expect(web1()).toBe(containers);
    expect(await lab.startMaster()).not.toBe(master);
    expect((await client.rawRequest('GET', '/readyz')).status).toBe(200);
  });

  it('down leaves the host as it found it', async () => {
    const state = JSON.parse(readFileSync(lab.stateFile, 'utf8')) as LabState;
    const started = Date.now();
    await labDown(NAME);
    console.log(`lab ${NAME} down in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const changes = diff(before, snapshot());
    const ours = changes.filter(ofThisLab);
    const others = changes.filter((l) => !ofThisLab(l));
    if (others.length)
      console.log(`changes on the host by others meanwhile (not the lab's):\n${others.join('\n')}`);
    expect(ours).toEqual([]);
    // iproute2 made /run/netns a mount point for the lab's namespaces; down undoes that unless others use it now.
    if (!before.mounts.includes('/run/netns') && sh('ip', ['netns', 'list']).trim() === '')
      expect(snapshot().mounts).not.toContain('/run/netns');
    const pids = [state.master?.pid, ...state.nodes.flatMap((n) => [n.agent?.pid, n.dockerd?.pid])];
    for (const pid of pids.filter((p): p is number => p !== undefined)) {
      const gone =
        !existsSync(`/proc/${pid}`) || /State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
      expect(gone, `pid ${pid}`).toBe(true);
    }
  });
});
