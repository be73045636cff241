// The lab's executors (up, down, the node verbs) against the in-memory host: which commands run in which order,
// which processes start and get signalled, what the state file records, and that `down` leaves the fake host as
// it found it.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Node } from '../api/types.js';
import { NODES } from '../client/api-client.js';
import { FAKE_ADMIN_TOKEN, FAKE_LAB_CA, FakeLabHost } from '../../test/fakes/fake-lab-host.js';
import { caCertHash } from '../apiserver/auth/pki.js';
import { loadKubeconfig } from '../cli/kubeconfig.js';
import { dockerdArgv } from './commands.js';
import { labDown, labUp, openLab } from './lab.js';
import { isSkiffDaemon } from './lab-processes.js';
import { labLayout, nodeLayout } from './layout.js';
import type { LabState } from './state.js';

const NAME = 'lt';
const SUBNET = '10.210.3.0/24';
const layout = labLayout({ name: NAME, subnet: SUBNET, port: 7443 });
const n1 = nodeLayout(layout, 1);
const n2 = nodeLayout(layout, 2);

let host: FakeLabHost;
let lines: string[];
const up = (nodes: number, extra: Record<string, unknown> = {}) =>
  labUp({ nodes, name: NAME, subnet: SUBNET, port: 7443, host, progress: (l) => lines.push(l), ...extra });
const state = (): LabState => JSON.parse(host.fileMap.get(layout.stateFile)!);
const spawns = (from = 0) => host.since(from).filter((c) => c.startsWith('spawn '));
const isAgent = (a: string[]) => isSkiffDaemon(a, 'agent');

/** What `down` must leave: the host as the fake starts. */
function snapshot(h: FakeLabHost) {
  return {
    namespaces: [...h.namespaces.keys()].sort(),
    rootLinks: [...h.namespaces.get('')!.keys()].sort(),
    routes: JSON.stringify(h.routes),
    processes: h.livePids(),
    files: [...h.fileMap.keys()].sort(),
    dirs: [...h.dirs].sort(),
    mounts: [...h.mounts].sort(),
  };
}

beforeEach(() => {
  host = new FakeLabHost();
  lines = [];
});

describe('lab up', () => {
  it('builds the LAN, the nodes, the master and the agents, in dependency order', async () => {
    const lab = await up(2);
    expect(lab.nodes).toEqual([
      {
        index: 1,
        name: 'lt-n1',
        ip: '10.210.3.11',
        netns: 'lt-n1',
        dockerSocket: n1.dockerSocket,
        dockerHost: n1.dockerHost,
        podCIDR: '10.244.0.0/24',
      },
      expect.objectContaining({ name: 'lt-n2', ip: '10.210.3.12', podCIDR: '10.244.1.0/24' }),
    ]);
    expect(lab.masterUrl).toBe('https://10.210.3.1:7443');
    const c = host.commands;
    const at = (s: string) => c.findIndex((x) => x.startsWith(s));
    expect(c[0]).toBe('ip netns add lt-lan');
    expect(at('ip netns add lt-n1')).toBeGreaterThan(at('ip link add lt-lan type veth'));
    expect(at('unshare --uts=/run/skiff-lab/lt/n1/uts hostname lt-n1')).toBeGreaterThan(
      at('ip netns add lt-n1'),
    );
    // dockerd and the agent run inside the node's namespaces; the master in the root namespace
    const dockerd = spawns().find((s) => s.includes(' dockerd '))!;
    expect(dockerd).toMatch(
      /^spawn nsenter --net=\/run\/netns\/lt-n\d --uts=\/run\/skiff-lab\/lt\/n\d\/uts -- dockerd /,
    );
    expect(spawns().find((s) => s.includes(' master '))).toBe(
      'spawn /usr/bin/node /opt/skiff/dist/src/cli/main.js master --listen 10.210.3.1:7443 --data-dir /var/lib/skiff-lab/lt/master',
    );
    // images are saved once and loaded into every node before any agent starts
    expect(c.filter((x) => x.startsWith('docker save'))).toEqual([
      'docker save skiff/busybox:1 skiff/hello:1 skiff/hello:2 skiff/pause:3.10',
    ]);
    const firstAgent = c.findIndex((x) => x.startsWith('spawn') && x.includes(' agent '));
    expect(at(`docker -H ${n1.dockerHost} load`)).toBeLessThan(firstAgent);
    expect(at(`docker -H ${n2.dockerHost} load`)).toBeLessThan(firstAgent);
    expect(host.engines.get(n2.dockerSocket)!.get('skiff/pause:3.10')).toBe('sha256:pa');
    // pods are reachable from the host: each pod CIDR routed via its node
    expect(host.routes.filter((r) => r.protocol === '146')).toEqual([
      { dst: '10.244.0.0/24', gateway: '10.210.3.11', dev: 'lt-lan', protocol: '146' },
      { dst: '10.244.1.0/24', gateway: '10.210.3.12', dev: 'lt-lan', protocol: '146' },
    ]);
    // kubectl gets the master's CA and admin token; the lab talks to the master with the same credential
    const kubeconfig = loadKubeconfig(
      [{ path: layout.kubeconfig, text: host.fileMap.get(layout.kubeconfig)! }],
      () => undefined,
    );
    expect(kubeconfig).toEqual({
      server: 'https://10.210.3.1:7443',
      caPem: FAKE_LAB_CA,
      token: FAKE_ADMIN_TOKEN,
      namespace: 'default',
    });
    expect(host.secretFiles.get(layout.kubeconfig)).toEqual({ uid: 1000, gid: 1000 });
    expect(host.apiCredentials.at(-1)).toEqual({ token: FAKE_ADMIN_TOKEN, caPem: FAKE_LAB_CA });
    // each new agent joins with a join token of its own and the CA pinned by its hash
    const agents = spawns().filter((x) => x.includes(' agent '));
    expect(host.joinTokens).toHaveLength(2);
    agents.forEach((a, i) =>
      expect(a).toContain(`--token ${host.joinTokens[i]} --ca-cert-hash ${caCertHash(FAKE_LAB_CA)}`),
    );
    expect(lines.at(-1)).toBe(`kubeconfig: ${layout.kubeconfig}   (export KUBECONFIG=${layout.kubeconfig})`);
    expect(lines.join('\n')).toMatch(/lt-n2 +Ready +10\.210\.3\.12 +10\.244\.1\.0\/24/);
  });

  it('records every process it started with its exact command line', async () => {
    await up(1);
    const s = state();
    expect(s.master!.argv.slice(2, 5)).toEqual(['master', '--listen', '10.210.3.1:7443']);
    expect(host.processes.get(s.master!.pid)!.argv).toEqual(s.master!.argv);
    expect(s.nodes[0].dockerd!.argv).toEqual(dockerdArgv(n1));
    expect(host.processes.get(s.nodes[0].agent!.pid)!.argv).toEqual(s.nodes[0].agent!.argv);
    expect(s).toMatchObject({
      subnet: SUBNET,
      port: 7443,
      routes: [{ dst: '10.244.0.0/24', via: '10.210.3.11' }],
    });
  });

  it('starts an agent that has joined before without a join token', async () => {
    const lab = await up(1);
    await lab.stopAgent('lt-n1');
    await lab.startAgent('lt-n1');
    const agents = spawns().filter((x) => x.includes(' agent '));
    expect(agents).toHaveLength(2);
    expect(agents[1]).not.toContain('--token');
    expect(host.joinTokens).toHaveLength(1);
  });

  it('changes nothing when run again', async () => {
    await up(2);
    const from = host.commands.length;
    const signals = host.signals.length;
    await up(2);
    expect(host.since(from)).toEqual([`bash ${host.paths.imagesScript} -H unix:///var/run/docker.sock`]);
    expect(host.signals.length).toBe(signals);
    expect(lines.filter((l) => l.includes('already up'))).toHaveLength(2);
  });

  it('adds only the new node when N grows, and the new node gets images loaded with load-image too', async () => {
    const lab = await up(2);
    host.engines.get('/var/run/docker.sock')!.set('app:1', 'sha256:app');
    await lab.loadImages(['app:1']);
    const from = host.commands.length;
    await up(3);
    const cmds = host.since(from);
    expect(cmds.some((c) => c.includes('lt-n1') || c.includes('lt-n2'))).toBe(false);
    expect(cmds).toContain('ip netns add lt-n3');
    expect(spawns(from)).toHaveLength(2);
    expect(host.engines.get(nodeLayout(layout, 3).dockerSocket)!.get('app:1')).toBe('sha256:app');
    expect(state().nodes.map((n) => n.name)).toEqual(['lt-n1', 'lt-n2', 'lt-n3']);
  });

  it('removes the nodes above N when N shrinks: processes, namespace, route and Node object', async () => {
    await up(2);
    const n2Pids = [state().nodes[1].agent!.pid, state().nodes[1].dockerd!.pid];
    await up(1);
    for (const pid of n2Pids) expect(host.processes.has(pid)).toBe(false);
    expect(host.namespaces.has('lt-n2')).toBe(false);
    expect(host.routes.map((r) => r.dst)).not.toContain('10.244.1.0/24');
    expect(host.apiClient.objectsOf<Node>(NODES).map((n) => n.metadata.name)).toEqual(['lt-n1']);
    expect(state().nodes.map((n) => n.index)).toEqual([1]);
  });

  it('repairs what is missing: a dead agent, a dockerd, a LAN address', async () => {
    await up(2);
    const s = state();
    host.procs.kill(s.nodes[0].agent!.pid, 'SIGKILL');
    host.procs.kill(s.nodes[1].dockerd!.pid, 'SIGKILL');
    host.link('', 'lt-lan')!.addresses = [];
    const from = host.commands.length;
    await up(2);
    expect(lines).toContain('lt-n1 (10.210.3.11, netns lt-n1): repairing — agent not running');
    expect(lines).toContain('lt-n2 (10.210.3.12, netns lt-n2): repairing — dockerd not running');
    expect(host.since(from)).toContain('ip addr replace 10.210.3.1/24 dev lt-lan');
    expect(spawns(from).map((c) => (c.includes(' agent ') ? 'agent' : 'dockerd'))).toEqual([
      'dockerd',
      'agent',
    ]);
  });

  it('refuses a subnet the host already routes elsewhere, before changing anything', async () => {
    host.routes.push({ dst: '10.210.0.0/16', dev: 'eth1' });
    await expect(up(1)).rejects.toThrow(/overlaps the host's route to 10.210.0.0\/16/);
    expect(host.commands).toEqual([]);
  });

  it('does not take over a pod CIDR route another cluster on the host owns', async () => {
    host.routes.push({ dst: '10.244.0.0/24', dev: 'skiffbr', protocol: 'kernel' });
    await expect(up(1)).rejects.toThrow(/already routes 10.244.0.0\/24 to skiffbr.*--cluster-cidr/);
    expect(host.routes).toContainEqual({ dst: '10.244.0.0/24', dev: 'skiffbr', protocol: 'kernel' });
  });

  it('gives the master and the agents a cluster CIDR of the lab’s own, and keeps it', async () => {
    await up(1, { clusterCIDR: '10.150.0.0/16' });
    for (const s of spawns().filter((x) => x.includes('main.js')))
      expect(s).toContain('--cluster-cidr 10.150.0.0/16');
    await expect(up(1, { clusterCIDR: '10.151.0.0/16' })).rejects.toThrow(
      /exists with cluster CIDR 10.150.0.0\/16/,
    );
    await expect(up(1, { subnet: '10.210.4.0/24' })).rejects.toThrow(/exists with subnet 10.210.3.0\/24/);
    await expect(labUp({ nodes: 1, name: 'x', host, clusterCIDR: '10.96.0.0/16' })).rejects.toThrow(
      /overlaps/,
    );
  });

  it('stops waiting as soon as the master or an agent exits, and shows the end of its log', async () => {
    host.crashOnStart = (argv) =>
      isSkiffDaemon(argv, 'master') ? "error: unknown option '--bogus'" : undefined;
    await expect(up(1, { masterArgs: ['--bogus'] })).rejects.toThrow(
      /the master exited\n--- last lines of \/var\/lib\/skiff-lab\/lt\/master.log:\nerror: unknown option '--bogus'/,
    );
    host.crashOnStart = (argv) => (isSkiffDaemon(argv, 'agent') ? 'cannot reach the master' : undefined);
    await expect(up(1)).rejects.toThrow(/lt-n1's agent exited\n.*\ncannot reach the master/);
    expect(host.clock.now() - Date.parse('2026-01-01T00:00:00Z')).toBeLessThan(5000);
  });

  it('fails with the agents’ logs named when the nodes never become Ready', async () => {
    host.agentsRegister = false;
    await expect(up(1, { readyTimeoutMs: 2000 })).rejects.toThrow(/lt-n1 to be Ready.*agent logs/);
  });
});

describe('node verbs', () => {
  it('kill-node pulls the cable and SIGKILLs every process of that node, and only that node', async () => {
    const lab = await up(2);
    const shim = host.addProcess(['containerd-shim-runc-v2', '-namespace', 'skiff-lab-lt-n2', '-id', 'c']);
    const pod = host.addProcess(['httpd', '-f'], { cgroup: 'skiff-lab-lt-n2' });
    const otherLab = host.addProcess(['containerd-shim-runc-v2', '-namespace', 'skiff-lab-ltx-n2']);
    const before = state().nodes[1];
    const killed = await lab.killNode('lt-n2');
    expect(killed).toEqual(expect.arrayContaining([before.agent!.pid, before.dockerd!.pid, shim, pod]));
    expect(host.signals.every((s) => s.startsWith('SIGKILL'))).toBe(true);
    expect(host.processes.has(otherLab)).toBe(true);
    expect(host.processes.has(state().nodes[0].agent!.pid)).toBe(true);
    expect(host.link('lt-lan', 'lt-v2')!.up).toBe(false);
    expect(state().nodes[1]).toMatchObject({ down: true });
    expect(state().nodes[1].agent).toBeUndefined();
    const status = await lab.status();
    expect(status.nodes[1]).toMatchObject({
      link: 'down',
      dockerd: 'stopped',
      agent: 'stopped',
      condition: 'powered off',
    });
    // `up` leaves a powered-off node off
    const from = host.commands.length;
    await up(2);
    expect(spawns(from)).toEqual([]);
  });

  it('restart-node boots it again over the stale pidfiles a late-reaped dockerd leaves', async () => {
    const lab = await up(2);
    host.zombies = true;
    await lab.killNode(2);
    const stale = host.fileMap.get(n2.dockerPidfile)!;
    expect(host.processes.get(Number(stale))!.state).toBe('Z');
    const from = host.commands.length;
    await lab.restartNode('n2');
    expect(host.link('lt-lan', 'lt-v2')!.up).toBe(true);
    expect(spawns(from).map((s) => (s.includes(' agent ') ? 'agent' : 'dockerd'))).toEqual([
      'dockerd',
      'agent',
    ]);
    expect(host.fileMap.get(n2.dockerPidfile)).not.toBe(stale);
    expect(state().nodes[1]).toMatchObject({ down: false, partitioned: false });
    expect(state().nodes[1].agent!.pid).toBe(host.pidOf((a) => isAgent(a) && a.includes('lt-n2')));
  });

  it('partition and heal toggle the bridge-side port and record it', async () => {
    const lab = await up(2);
    await lab.partition('lt-n1');
    expect(host.commands.at(-1)).toBe('ip -n lt-lan link set lt-v1 down');
    expect(state().nodes[0].partitioned).toBe(true);
    // up keeps the partition
    await up(2);
    expect(host.link('lt-lan', 'lt-v1')!.up).toBe(false);
    await lab.heal(1);
    expect(host.link('lt-lan', 'lt-v1')!.up).toBe(true);
    expect(state().nodes[0].partitioned).toBe(false);
  });

  it('stop-agent signals only the agent; start-agent starts one unless it runs', async () => {
    const lab = await up(1);
    const agent = state().nodes[0].agent!.pid;
    expect(await lab.stopAgent('lt-n1')).toEqual([agent]);
    expect(host.signals).toEqual([`SIGTERM ${agent}`]);
    expect(await lab.stopAgent('lt-n1', { signal: 'SIGKILL' })).toEqual([]);
    const from = host.commands.length;
    const pid = await lab.startAgent(1);
    expect(await lab.startAgent(1)).toBe(pid);
    expect(spawns(from)).toHaveLength(1);
    expect(lab.agentPid(1)).toBe(pid);
  });

  it('stops and starts a node’s dockerd alone, and the master', async () => {
    const lab = await up(1);
    const dockerd = state().nodes[0].dockerd!.pid;
    expect(await lab.stopDockerd('lt-n1', { signal: 'SIGKILL' })).toEqual([dockerd]);
    expect(await host.docker.ping(n1.dockerSocket)).toBe(false);
    expect(host.processes.has(state().nodes[0].agent!.pid)).toBe(true);
    const again = await lab.startDockerd(1);
    expect(again).not.toBe(dockerd);
    expect(await lab.startDockerd(1)).toBe(again);
    expect(await host.docker.ping(n1.dockerSocket)).toBe(true);

    const master = state().master!.pid;
    expect(await lab.stopMaster({ signal: 'SIGKILL' })).toEqual([master]);
    expect(host.signals.at(-1)).toBe(`SIGKILL ${master}`);
    expect(await lab.stopMaster()).toEqual([]);
    const restarted = await lab.startMaster();
    expect(await lab.startMaster()).toBe(restarted);
    expect(state().master!.pid).toBe(restarted);
  });

  it('runs commands inside a node’s network and UTS namespaces', async () => {
    const lab = await up(1);
    host.execResults.set('wget', { code: 0, stdout: 'hello', stderr: '' });
    expect((await lab.exec('lt-n1', ['wget', '-qO-', 'http://10.244.0.2/'])).stdout).toBe('hello');
    expect(host.commands.at(-1)).toBe(
      'nsenter --net=/run/netns/lt-n1 --uts=/run/skiff-lab/lt/n1/uts -- wget -qO- http://10.244.0.2/',
    );
  });

  it('loads images into every node and says which image the host lacks', async () => {
    const lab = await up(2);
    await expect(lab.loadImages(['nope:1'])).rejects.toThrow(/the host engine has no image nope:1/);
  });

  it('rejects unknown nodes with the names it has', async () => {
    const lab = await up(2);
    await expect(lab.killNode('node7')).rejects.toThrow(/has no node "node7" \(nodes: lt-n1, lt-n2\)/);
    await expect(openLab('other', { host })).rejects.toThrow(/there is no lab other/);
  });
});

describe('lab down', () => {
  it('leaves the host exactly as it found it, and leaves others’ processes alone', async () => {
    const foreign = host.addProcess(['dockerd', '--exec-root', '/run/skiff-lab/ltx/n1/docker']);
    const before = snapshot(host);
    const lab = await up(2);
    host.addProcess(['httpd'], { cgroup: 'skiff-lab-lt-n1' });
    host.containers.set(n1.dockerSocket, 3);
    await lab.partition(2);
    await labDown(NAME, { host, progress: (l) => lines.push(l) });
    expect(snapshot(host)).toEqual(before);
    expect(host.commands).toContain('umount /run/netns');
    expect(host.processes.has(foreign)).toBe(true);
    // containers are removed before dockerd gets its SIGTERM (NETLAB P16)
    const rm = host.commands.indexOf(`docker -H ${n1.dockerHost} rm -f`);
    expect(rm).toBeGreaterThan(-1);
    expect(lines.at(-1)).toMatch(/^lab lt down in /);
  });

  it('cleans up after a crash that lost the state file', async () => {
    const before = snapshot(host);
    await up(2);
    host.fileMap.delete(layout.stateFile);
    await labDown(NAME, { host });
    // Without the record the lab cannot know it made /run/netns a mount point, so that one stays.
    expect(snapshot(host)).toEqual({ ...before, mounts: ['/run/netns'] });
  });

  it('leaves /run/netns mounted when it was before, or when other namespaces remain', async () => {
    host.mounts.add('/run/netns');
    await up(1);
    await labDown(NAME, { host });
    expect(host.mounts.has('/run/netns')).toBe(true);
    host.mounts.clear();
    await up(1);
    host.namespaces.set('someone-else', new Map());
    await labDown(NAME, { host });
    expect(host.commands).not.toContain('umount /run/netns');
  });

  it('is harmless when run twice or with nothing there', async () => {
    const before = snapshot(host);
    await labDown(NAME, { host });
    await up(1);
    await labDown(NAME, { host });
    await labDown(NAME, { host });
    expect(snapshot(host)).toEqual(before);
  });
});
