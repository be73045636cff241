// An in-memory host behind the lab's interfaces (src/lab/host.ts), for the lab's unit tests. It keeps namespaces
// with their links, the root routes, processes, files, mounts, cgroups and engines, and interprets the handful of
// `ip`, `unshare` and `umount` command lines the lab runs so that what the lab observes next follows from what it
// did. Daemons come alive when spawned: a dockerd makes its socket answer (and mounts its data-root, as the real
// one does), an agent registers its Node Ready with a pod CIDR in a FakeApiClient, a master makes the API answer.
// The clock moves forward by itself on every sleep, so a timeout ends a test quickly instead of hanging it.
import type { Node } from '../../src/api/types.js';
import { NODES } from '../../src/client/api-client.js';
import type { Clock, TimerHandle } from '../../src/common/clock.js';
import type {
  CommandResult,
  DockerEngines,
  Files,
  HostRoute,
  LabHost,
  LinkInfo,
  NetQuery,
  ProcessInfo,
  Processes,
  Shell,
} from '../../src/lab/host.js';
import { isUnder } from '../../src/lab/host-parse.js';
import { isSkiffDaemon } from '../../src/lab/lab-processes.js';
import { FakeApiClient } from './fake-api-client.js';
import { renderKubeconfig } from '../../src/cli/kubeconfig.js';
import type { FileOwner, LabApi, LabCredentials } from '../../src/lab/host.js';

/** The CA a fake master "creates" (a real certificate, so its hash can be computed). */
export const FAKE_LAB_CA = `-----BEGIN CERTIFICATE-----
MIIBgzCCASmgAwIBAgIUKxS1ua87SYk6wGxO1WcD5a5XwxgwCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLZmFrZS1sYWItY2EwIBcNMjYxMTMwMDgwMTM5WhgPMjEyNjEx
MDYwODAxMzlaMBYxFDASBgNVBAMMC2Zha2UtbGFiLWNhMFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAEcRZeGV7E5BykxuiHENYA+E+8dW//DmlzjSRE9b2h5TH4wPpm
Wja/ew/2N/Ha6Huzwjft/FPE1tNFx5qYNzZwfaNTMFEwHQYDVR0OBBYEFDb9+GiH
RUCp3BDA7sIXQaKn/QODMB8GA1UdIwQYMBaAFDb9+GiHRUCp3BDA7sIXQaKn/QOD
MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgBcf5xSGb2K69NHsH
YqX4k6fOJ8CPry05OG6AjWs4QlgCIQDoSex4cPWon7OQicRrrOSvXAupaFlICXX3
3jyLg6zkUA==
-----END CERTIFICATE-----
`;
export const FAKE_ADMIN_TOKEN = 'admin0.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

/** Sleeping advances time at once. */
export class SteppingClock implements Clock {
  constructor(private current = Date.parse('2026-01-01T00:00:00Z')) {}
  now(): number {
    return this.current;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.current += ms;
    queueMicrotask(fn);
    return { id: 0 };
  }
  clearTimeout(): void {}
  async sleep(ms: number): Promise<void> {
    this.current += ms;
    await Promise.resolve();
  }
}

interface FakeLink extends LinkInfo {
  peer?: { ns: string; name: string };
}

const ROOT = '';
const ok: CommandResult = { code: 0, stdout: '', stderr: '' };
const fail = (stderr: string, code = 1): CommandResult => ({ code, stdout: '', stderr });

function flagValue(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

export class FakeLabHost implements LabHost {
  readonly clock = new SteppingClock();
  /** Every command run, joined with spaces (spawned daemons appear as `spawn <argv>`). */
  readonly commands: string[] = [];
  /** Signals sent: `<signal> <pid>`. */
  readonly signals: string[] = [];
  readonly namespaces = new Map<string, Map<string, FakeLink>>([[ROOT, new Map()]]);
  routes: HostRoute[] = [{ dst: '192.0.2.0/24', dev: 'eth0', protocol: 'kernel' }];
  readonly processes = new Map<number, ProcessInfo>();
  readonly fileMap = new Map<string, string>();
  readonly dirs = new Set<string>();
  readonly mounts = new Set<string>();
  readonly cgroups = new Map<string, number[]>();
  /** Images on each engine (socket → ref → id). The host engine starts with the lab's images. */
  readonly engines = new Map<string, Map<string, string>>();
  readonly containers = new Map<string, number>();
  readonly apiClient = new FakeApiClient();
  /** Results for commands run inside nodes (`lab.exec`), by the command's first word. */
  readonly execResults = new Map<string, CommandResult>();
  /** When set, killed processes stay as zombies (as when PID 1 reaps late). */
  zombies = false;
  /** A daemon for which this returns a message exits as soon as it starts, leaving the message in its log. */
  crashOnStart: (argv: string[]) => string | undefined = () => undefined;
  /** When false, spawned agents never make their node Ready. */
  agentsRegister = true;
  /** Join tokens handed out through api().createJoinToken, and the credentials each api() call was given. */
  readonly joinTokens: string[] = [];
  readonly apiCredentials: LabCredentials[] = [];
  /** Files written 0600, with the owner they were given. */
  readonly secretFiles = new Map<string, FileOwner | undefined>();
  invokingUser: FileOwner | undefined = { uid: 1000, gid: 1000 };
  private nextPid = 1000;
  private podCidrs = 0;
  readonly paths = {
    node: '/usr/bin/node',
    cli: '/opt/skiff/dist/src/cli/main.js',
    imagesScript: '/opt/skiff/scripts/images.sh',
  };

  constructor() {
    this.fileMap.set(this.paths.cli, '');
    this.engines.set(
      '/var/run/docker.sock',
      new Map([
        ['skiff/busybox:1', 'sha256:bb'],
        ['skiff/hello:1', 'sha256:h1'],
        ['skiff/hello:2', 'sha256:h2'],
        ['skiff/pause:3.10', 'sha256:pa'],
      ]),
    );
    this.processes.set(1, { pid: 1, state: 'S', argv: ['/sbin/init'] });
  }

  // ---- inspection helpers for tests -----------------------------------------------------------------

  /** Commands after the first `from` (to look at what one call did). */
  since(from: number): string[] {
    return this.commands.slice(from);
  }

  livePids(): number[] {
    return [...this.processes.values()].filter((p) => p.state !== 'Z' && p.pid !== 1).map((p) => p.pid);
  }

  pidOf(pred: (argv: string[]) => boolean): number | undefined {
    return [...this.processes.values()].find((p) => p.state !== 'Z' && pred(p.argv))?.pid;
  }

  link(ns: string, name: string): FakeLink | undefined {
    return this.namespaces.get(ns)?.get(name);
  }

  /** Starts a process as if someone else had (another lab, a user's program). */
  addProcess(argv: string[], opts: { cgroup?: string } = {}): number {
    const pid = this.nextPid++;
    this.processes.set(pid, { pid, state: 'S', argv });
    if (opts.cgroup) this.cgroups.set(opts.cgroup, [...(this.cgroups.get(opts.cgroup) ?? []), pid]);
    return pid;
  }

  // ---- Shell ----------------------------------------------------------------------------------------

  readonly shell: Shell = {
    run: async (argv) => {
      this.commands.push(argv.join(' '));
      return this.interpret(argv);
    },
    spawnDaemon: async (argv, logFile) => {
      this.commands.push(`spawn ${argv.join(' ')}`);
      this.fileMap.set(logFile, '');
      const sep = argv.indexOf('--');
      const execd = argv[0] === 'nsenter' && sep >= 0 ? argv.slice(sep + 1) : argv;
      const pid = this.nextPid++;
      const crash = this.crashOnStart(execd);
      if (crash !== undefined) {
        this.fileMap.set(logFile, crash);
        return pid; // it exited at once
      }
      this.processes.set(pid, { pid, state: 'S', argv: execd });
      this.onSpawn(pid, execd);
      return pid;
    },
  };

  private onSpawn(pid: number, argv: string[]): void {
    if (argv[0] === 'dockerd') {
      const socket = flagValue(argv, '--host')!.replace('unix://', '');
      if (!this.engines.has(socket)) this.engines.set(socket, new Map());
      this.fileMap.set(flagValue(argv, '--pidfile')!, `${pid}`);
      this.mounts.add(flagValue(argv, '--data-root')!);
      const cg = flagValue(argv, '--cgroup-parent')!.slice(1);
      this.dirs.add(`/sys/fs/cgroup/pids/${cg}`);
      // containerd, started by dockerd
      const execRoot = flagValue(argv, '--exec-root')!;
      const cpid = this.nextPid++;
      this.processes.set(cpid, {
        pid: cpid,
        state: 'S',
        argv: ['containerd', '--config', `${execRoot}/containerd/containerd.toml`],
      });
      this.fileMap.set(`${execRoot}/containerd/containerd.pid`, `${cpid}`);
    } else if (isSkiffDaemon(argv, 'master')) {
      // A real master writes its CA and admin credential at its first start.
      const dataDir = flagValue(argv, '--data-dir')!;
      const listen = flagValue(argv, '--listen')!;
      this.fileMap.set(`${dataDir}/pki/ca.crt`, FAKE_LAB_CA);
      this.fileMap.set(
        `${dataDir}/admin.kubeconfig`,
        renderKubeconfig({
          server: `https://${listen}`,
          name: 'skiff',
          token: FAKE_ADMIN_TOKEN,
          caPem: FAKE_LAB_CA,
        }),
      );
    } else if (isSkiffDaemon(argv, 'agent')) {
      // Joining leaves the node's credential in its data dir; later starts need no join token.
      if (flagValue(argv, '--token')) this.fileMap.set(`${flagValue(argv, '--data-dir')}/node-token`, 'node');
      if (this.agentsRegister) {
        const name = flagValue(argv, '--node-name')!;
        const ip = flagValue(argv, '--node-ip')!;
        void this.registerNode(name, ip);
      }
    }
  }

  private async registerNode(name: string, ip: string): Promise<void> {
    const existing = this.apiClient.objectsOf<Node>(NODES).find((n) => n.metadata.name === name);
    if (existing) return;
    const cidr = `10.244.${this.podCidrs++}.0/24`;
    await this.apiClient.create<Node>(NODES, undefined, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name },
      spec: { podCIDR: cidr, podCIDRs: [cidr] },
      status: {
        addresses: [{ type: 'InternalIP', address: ip }],
        conditions: [{ type: 'Ready', status: 'True' }],
      },
    });
  }

  private masterRunning(): boolean {
    return [...this.processes.values()].some((p) => p.state !== 'Z' && isSkiffDaemon(p.argv, 'master'));
  }

  private engineAlive(socket: string): boolean {
    if (socket === '/var/run/docker.sock') return true;
    return [...this.processes.values()].some(
      (p) => p.state !== 'Z' && p.argv[0] === 'dockerd' && flagValue(p.argv, '--host') === `unix://${socket}`,
    );
  }

  private interpret(argv: string[]): CommandResult {
    const [cmd, ...rest] = argv;
    if (cmd === 'ip') return this.ip(rest);
    if (cmd === 'unshare') {
      const file = argv.find((a) => a.startsWith('--uts='))!.slice('--uts='.length);
      if (!this.fileMap.has(file)) return fail(`unshare: cannot open ${file}`);
      this.mounts.add(file);
      return ok;
    }
    if (cmd === 'umount') {
      const path = argv[argv.length - 1];
      return this.mounts.delete(path) ? ok : fail(`umount: ${path}: not mounted.`, 32);
    }
    if (cmd === 'nsenter') {
      const ns = argv.find((a) => a.startsWith('--net='))!.replace('--net=/run/netns/', '');
      if (!this.namespaces.has(ns)) return fail(`nsenter: cannot open /run/netns/${ns}`);
      const inner = argv.slice(argv.indexOf('--') + 1);
      if (inner[0] === 'sysctl') return ok;
      return this.execResults.get(inner[0]) ?? fail(`${inner[0]}: not found`, 127);
    }
    if (cmd === 'bash') return ok;
    return fail(`${cmd}: unknown to the fake`, 127);
  }

  private ip(args: string[]): CommandResult {
    let ns = ROOT;
    if (args[0] === '-n') {
      ns = args[1];
      args = args.slice(2);
      if (!this.namespaces.has(ns)) return fail(`Cannot open network namespace "${ns}"`);
    }
    const links = this.namespaces.get(ns)!;
    const [obj, verb, ...a] = args;
    if (obj === 'netns' && verb === 'add') {
      if (this.namespaces.has(a[0]))
        return fail(`Cannot create namespace file "/run/netns/${a[0]}": File exists`);
      this.namespaces.set(a[0], new Map([['lo', { name: 'lo', up: false, addresses: [] }]]));
      this.mounts.add('/run/netns'); // iproute2 makes the directory a (shared) mount point the first time
      return ok;
    }
    if (obj === 'netns' && verb === 'del') {
      const gone = this.namespaces.get(a[0]);
      if (!gone) return fail(`Cannot remove namespace file "/run/netns/${a[0]}": No such file or directory`);
      for (const l of gone.values()) this.dropPeer(l);
      this.namespaces.delete(a[0]);
      return ok;
    }
    if (obj === 'link' && verb === 'add') {
      const name = a[0];
      if (links.has(name)) return fail('RTNETLINK answers: File exists', 2);
      if (a[2] === 'bridge') {
        links.set(name, { name, up: false, addresses: [] });
        return ok;
      }
      const peerName = flagValue(a, 'name')!;
      const peerNs = flagValue(a, 'netns') ?? ns;
      const target = this.namespaces.get(peerNs);
      if (!target) return fail(`Invalid "netns" value "${peerNs}"`);
      if (target.has(peerName)) return fail('RTNETLINK answers: File exists', 2);
      links.set(name, { name, up: false, addresses: [], peer: { ns: peerNs, name: peerName } });
      target.set(peerName, { name: peerName, up: false, addresses: [], peer: { ns, name } });
      return ok;
    }
    if (obj === 'link' && verb === 'set') {
      const link = links.get(a[0]);
      if (!link) return fail(`Cannot find device "${a[0]}"`);
      const master = flagValue(a, 'master');
      if (master) link.master = master;
      if (a.includes('up')) link.up = true;
      if (a.includes('down')) link.up = false;
      return ok;
    }
    if (obj === 'link' && verb === 'del') {
      const link = links.get(a[0]);
      if (!link) return fail(`Cannot find device "${a[0]}"`);
      this.dropPeer(link);
      links.delete(a[0]);
      if (ns === ROOT) this.routes = this.routes.filter((r) => r.dev !== a[0]);
      return ok;
    }
    if (obj === 'addr' && verb === 'replace') {
      const link = links.get(flagValue(a, 'dev')!);
      if (!link) return fail('Cannot find device');
      if (!link.addresses.includes(a[0])) link.addresses.push(a[0]);
      return ok;
    }
    if (obj === 'route' && verb === 'replace') {
      const route: HostRoute = {
        dst: a[0],
        gateway: flagValue(a, 'via'),
        dev: flagValue(a, 'dev'),
        protocol: flagValue(a, 'proto'),
      };
      if (!links.has(route.dev!)) return fail('Cannot find device');
      this.routes = [...this.routes.filter((r) => r.dst !== a[0]), route];
      return ok;
    }
    if (obj === 'route' && verb === 'del') {
      const before = this.routes.length;
      this.routes = this.routes.filter((r) => r.dst !== a[0]);
      return before === this.routes.length ? fail('RTNETLINK answers: No such process', 2) : ok;
    }
    return fail(`ip ${args.join(' ')}: unknown to the fake`, 255);
  }

  /** Deleting one end of a veth deletes the other (and the routes through it). */
  private dropPeer(link: FakeLink): void {
    if (!link.peer) return;
    this.namespaces.get(link.peer.ns)?.delete(link.peer.name);
    if (link.peer.ns === ROOT) this.routes = this.routes.filter((r) => r.dev !== link.peer!.name);
  }

  // ---- Processes --------------------------------------------------------------------------------------

  readonly procs: Processes = {
    self: 1,
    get: async (pid) => {
      const p = this.processes.get(pid);
      return p && { ...p, argv: [...p.argv] };
    },
    list: async () => [...this.processes.values()].map((p) => ({ ...p, argv: [...p.argv] })),
    cgroupPids: async (dir) => [...(this.cgroups.get(dir) ?? [])],
    kill: (pid, signal) => {
      this.signals.push(`${signal} ${pid}`);
      const p = this.processes.get(pid);
      if (!p || p.state === 'Z') return;
      if (this.zombies) this.processes.set(pid, { pid, state: 'Z', argv: [] });
      else this.processes.delete(pid);
      for (const [cg, pids] of this.cgroups)
        this.cgroups.set(
          cg,
          pids.filter((x) => x !== pid),
        );
      // containerd dies with its dockerd (observed on the real thing, NETLAB §2.7)
      if (p.argv[0] === 'dockerd') {
        const execRoot = flagValue(p.argv, '--exec-root');
        const c = [...this.processes.values()].find((x) =>
          x.argv.includes(`${execRoot}/containerd/containerd.toml`),
        );
        if (c) this.processes.delete(c.pid);
      }
    },
  };

  // ---- Files --------------------------------------------------------------------------------------------

  readonly files: Files = {
    read: async (path) => this.fileMap.get(path),
    write: async (path, content, secret) => {
      this.fileMap.set(path, content);
      if (secret) this.secretFiles.set(path, secret.owner);
    },
    exists: async (path) => this.fileMap.has(path) || this.dirs.has(path),
    mkdirp: async (path) => {
      this.dirs.add(path);
    },
    remove: async (path) => {
      for (const f of [...this.fileMap.keys()]) if (isUnder(f, path)) this.fileMap.delete(f);
      for (const d of [...this.dirs]) if (isUnder(d, path)) this.dirs.delete(d);
    },
    rmdirIfEmpty: async (path) => {
      const busy = [...this.fileMap.keys(), ...this.dirs].some((p) => p !== path && isUnder(p, path));
      const tasks = (this.cgroups.get(path.split('/').pop()!) ?? []).length > 0;
      if (busy || tasks || !this.dirs.has(path)) return false;
      this.dirs.delete(path);
      return true;
    },
    mountsUnder: async (prefix) => [...this.mounts].filter((m) => isUnder(m, prefix)),
    cgroupDirs: async (match) =>
      [...this.dirs].filter((d) => d.startsWith('/sys/fs/cgroup/') && match(d.split('/')[5] ?? '')),
  };

  // ---- Net ----------------------------------------------------------------------------------------------

  readonly net: NetQuery = {
    netnsList: async () => [...this.namespaces.keys()].filter((n) => n !== ROOT),
    links: async (netns) =>
      [...(this.namespaces.get(netns ?? ROOT)?.values() ?? [])].map((l) => ({
        name: l.name,
        up: l.up,
        addresses: [...l.addresses],
        ...(l.master ? { master: l.master } : {}),
      })),
    routes: async () => this.routes.map((r) => ({ ...r })),
  };

  // ---- Docker -------------------------------------------------------------------------------------------

  readonly docker: DockerEngines = {
    ping: async (socket) => this.engineAlive(socket),
    imageIds: async (socket, refs) => {
      if (!this.engineAlive(socket)) throw new Error(`connect ENOENT ${socket}`);
      const have = this.engines.get(socket) ?? new Map();
      return new Map(refs.map((r) => [r, have.get(r)]));
    },
    saveImages: async (socket, refs, tarFile) => {
      this.commands.push(`docker save ${refs.join(' ')}`);
      const have = this.engines.get(socket)!;
      this.fileMap.set(tarFile, JSON.stringify(refs.map((r) => [r, have.get(r)])));
    },
    loadImages: async (socket, tarFile) => {
      this.commands.push(`docker -H unix://${socket} load`);
      if (!this.engineAlive(socket)) throw new Error(`connect ENOENT ${socket}`);
      for (const [ref, id] of JSON.parse(this.fileMap.get(tarFile)!) as [string, string][])
        this.engines.get(socket)!.set(ref, id);
    },
    removeAllContainers: async (socket) => {
      this.commands.push(`docker -H unix://${socket} rm -f`);
      const n = this.containers.get(socket) ?? 0;
      this.containers.set(socket, 0);
      return n;
    },
    ensurePauseImage: async () => {},
  };

  /** The master's API while a master process runs; otherwise a client whose every call is refused. */
  api(url: string, credentials: LabCredentials = {}): LabApi {
    this.apiCredentials.push(credentials);
    if (this.masterRunning()) {
      const tokens = this.joinTokens;
      const createJoinToken = async () => {
        const token = `join${String(tokens.length).padStart(2, '0')}.0123456789abcdef`;
        tokens.push(token);
        return token;
      };
      const client = this.apiClient;
      return new Proxy({} as LabApi, {
        get: (_t, key) => {
          if (key === 'createJoinToken') return createJoinToken;
          const v = (client as unknown as Record<string | symbol, unknown>)[key];
          return typeof v === 'function' ? v.bind(client) : v;
        },
      });
    }
    const refused = () => Promise.reject(new Error(`connect ECONNREFUSED ${url}`));
    return new Proxy({} as LabApi, { get: (_t, key) => (key === 'close' ? undefined : refused) });
  }
}
