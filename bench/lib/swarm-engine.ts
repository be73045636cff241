// A dedicated Docker engine in Swarm mode, so the Swarm comparison leaves the host's engine untouched
// (NETLAB §2.2): its own network namespace (only loopback), socket, data-root, exec-root, pidfile, cgroup parent,
// containerd namespace (P13) and `--config-file` holding `{}` (P12), all under one temp dir; the image is copied
// in with `docker save | docker load`. The flags match a lab node's dockerd. Teardown, registered before the
// daemon starts: containers rm -f, dockerd SIGTERM (then SIGKILL), a leftover containerd by its pidfile, mounts
// under the dir, the dir, the cgroup directories, the namespace.
import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cleanup, Log } from './cleanup.js';
import { isAlive, mapLimit, mustRun, run, spawnDaemon, stopPid, waitFor } from './proc.js';

export interface SwarmEngine {
  socket: string;
  docker: Docker;
  /** `docker -H <this>`. */
  cli(args: string[], timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

function pidFromFile(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function removeCgroups(name: string): Promise<void> {
  const root = '/sys/fs/cgroup';
  for (const ctrl of readdirSync(root)) {
    const dir = join(root, ctrl, name);
    if (!existsSync(dir)) continue;
    // Deepest first: container cgroups live under the parent.
    await run(['find', dir, '-depth', '-type', 'd', '-exec', 'rmdir', '{}', ';']);
  }
}

async function unmountUnder(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((m): m is string => !!m && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) if ((await run(['umount', m])).code !== 0) await run(['umount', '-l', m]);
}

export async function startSwarmEngine(opts: {
  cleanup: Cleanup;
  log: Log;
  images: string[];
}): Promise<SwarmEngine> {
  const id = randomBytes(3).toString('hex');
  const netns = `skiffbench-sw${id}`;
  const cgroup = `skiffbench-swarm-${id}`;
  const dir = mkdtempSync('/var/tmp/skiff-bench-swarm-');
  const socket = join(dir, 'docker.sock');
  const pidfile = join(dir, 'docker.pid');
  const execRoot = join(dir, 'exec');
  const docker = new Docker({ socketPath: socket, version: 'v1.41' });
  const daemon: { pid?: number } = {};

  const teardown = async () => {
    if (daemon.pid !== undefined && isAlive(daemon.pid)) {
      const all = await docker.listContainers({ all: true }).catch(() => []);
      await mapLimit(all, 8, (c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined),
      );
      await stopPid(daemon.pid, 15_000);
    }
    const containerd = pidFromFile(join(execRoot, 'containerd', 'containerd.pid'));
    if (containerd !== undefined) {
      const argv = existsSync(`/proc/${containerd}/cmdline`)
        ? readFileSync(`/proc/${containerd}/cmdline`, 'utf8')
        : '';
      if (argv.includes(execRoot)) await stopPid(containerd, 5000, 'SIGKILL');
    }
    await unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true });
    await removeCgroups(cgroup);
    await run(['ip', 'netns', 'del', netns]);
  };
  const stop = opts.cleanup.add(`swarm engine (netns ${netns}, ${dir})`, teardown);

  await mustRun(['ip', 'netns', 'add', netns]);
  await mustRun(['ip', '-n', netns, 'link', 'set', 'lo', 'up']);
  writeFileSync(join(dir, 'daemon.json'), '{}\n');
  const pid = await spawnDaemon(
    [
      'nsenter',
      `--net=/run/netns/${netns}`,
      '--',
      'dockerd',
      '--config-file',
      join(dir, 'daemon.json'),
      '--host',
      `unix://${socket}`,
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      execRoot,
      '--pidfile',
      pidfile,
      '--cgroup-parent',
      `/${cgroup}`,
      '--exec-opt',
      'native.cgroupdriver=cgroupfs',
      '--containerd-namespace',
      cgroup,
      '--containerd-plugins-namespace',
      `${cgroup}-plugins`,
      '--bip',
      '172.17.0.1/16',
      '--userland-proxy=false',
    ],
    join(dir, 'dockerd.log'),
  );
  daemon.pid = pid;
  await waitFor(
    `the swarm engine on ${socket} (log ${dir}/dockerd.log)`,
    async () => {
      if (!isAlive(pid)) throw new Error('dockerd exited');
      await docker.ping();
      return true;
    },
    60_000,
    50,
  );
  const cli = async (args: string[], timeoutMs = 120_000) =>
    (await mustRun(['docker', '-H', `unix://${socket}`, ...args], { timeoutMs })).stdout;
  const images = opts.images.map((i) => `'${i}'`).join(' ');
  await mustRun(['sh', '-c', `docker save ${images} | docker -H 'unix://${socket}' load`], {
    timeoutMs: 120_000,
  });
  await cli(['swarm', 'init', '--advertise-addr', '127.0.0.1']);
  opts.log(`swarm engine up: dockerd ${pid} in netns ${netns}, ${dir}`);
  return { socket, docker, cli, stop };
}
