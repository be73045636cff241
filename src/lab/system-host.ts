// The lab's one real adapter: commands and daemons through child_process, the process table and mounts through
// /proc, cgroups through /sys/fs/cgroup, files through node:fs, the engines through dockerode, the master through
// the HTTP API client. Nothing here decides anything.
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, open, readFile, readdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { systemClock } from '../common/clock.js';
import { HttpLabApi } from './lab-api.js';
import { silentLogger } from '../common/logger.js';
import { DockerContainerRuntime } from '../../agent/runtime/docker-container-runtime.js';
import { ensurePauseImage } from '../../agent/runtime/pause-image.js';
import type {
  CommandResult,
  DockerEngines,
  FileOwner,
  Files,
  LabHost,
  NetQuery,
  ProcessInfo,
  Processes,
  Shell,
} from './host.js';
import {
  isUnder,
  parseCmdline,
  parseIpAddr,
  parseIpRoutes,
  parseMountPoints,
  parseProcState,
} from './host-parse.js';

const CGROUP_ROOT = '/sys/fs/cgroup';

function run(argv: string[], timeoutMs = 60_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => resolve({ code: 127, stdout: '', stderr: e.message }));
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? 128,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (signal ? `\nkilled by ${signal}` : ''),
      }),
    );
  });
}

export const systemShell: Shell = {
  run: (argv, opts) => run(argv, opts?.timeoutMs),
  async spawnDaemon(argv, logFile) {
    await mkdir(dirname(logFile), { recursive: true });
    const log = await open(logFile, 'a');
    try {
      const child = spawn(argv[0], argv.slice(1), {
        detached: true, // its own session: it outlives `skiff lab up` and a Ctrl-C of it
        stdio: ['ignore', log.fd, log.fd],
        cwd: '/',
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      child.unref();
      return child.pid!;
    } finally {
      await log.close();
    }
  },
};

async function processInfo(pid: number): Promise<ProcessInfo | undefined> {
  try {
    const [statText, cmdline] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/cmdline`, 'utf8'),
    ]);
    const state = parseProcState(statText);
    return state ? { pid, state, argv: parseCmdline(cmdline) } : undefined;
  } catch {
    return undefined;
  }
}

/** Every directory at and below `dir`. */
async function walkDirs(dir: string): Promise<string[]> {
  const out = [dir];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isDirectory()) out.push(...(await walkDirs(join(dir, e.name))));
  return out;
}

/** The roots of every cgroup hierarchy: /sys/fs/cgroup itself on v2, /sys/fs/cgroup/<controller> on v1. */
async function cgroupRoots(): Promise<string[]> {
  if (existsSync(join(CGROUP_ROOT, 'cgroup.controllers'))) return [CGROUP_ROOT];
  const entries = await readdir(CGROUP_ROOT, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => join(CGROUP_ROOT, e.name));
}

export const systemProcesses: Processes = {
  self: process.pid,
  get: processInfo,
  async list() {
    const names = await readdir('/proc').catch(() => [] as string[]);
    const pids = names.filter((n) => /^\d+$/.test(n)).map(Number);
    const infos = await Promise.all(pids.map(processInfo));
    return infos.filter((p): p is ProcessInfo => p !== undefined);
  },
  async cgroupPids(dir) {
    const pids = new Set<number>();
    for (const root of await cgroupRoots()) {
      for (const d of await walkDirs(join(root, dir))) {
        const text = await readFile(join(d, 'cgroup.procs'), 'utf8').catch(() => '');
        for (const line of text.split('\n')) if (/^\d+$/.test(line)) pids.add(Number(line));
      }
    }
    return [...pids].sort((a, b) => a - b);
  },
  kill(pid, signal) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  },
};

export const systemFiles: Files = {
  read: (path) => readFile(path, 'utf8').catch(() => undefined),
  async write(path, content, secret) {
    await mkdir(dirname(path), { recursive: true });
    if (!secret) return writeFile(path, content);
    await writeFile(path, content, { mode: 0o600 });
    await chmod(path, 0o600);
    if (secret.owner) await chown(path, secret.owner.uid, secret.owner.gid);
  },
  exists: (path) =>
    stat(path).then(
      () => true,
      () => false,
    ),
  mkdirp: async (path) => void (await mkdir(path, { recursive: true })),
  remove: (path) => rm(path, { recursive: true, force: true }),
  rmdirIfEmpty: (path) =>
    rmdir(path).then(
      () => true,
      () => false,
    ),
  async mountsUnder(prefix) {
    const info = await readFile('/proc/self/mountinfo', 'utf8');
    return parseMountPoints(info).filter((m) => isUnder(m, prefix));
  },
  async cgroupDirs(match) {
    const out: string[] = [];
    for (const root of await cgroupRoots()) {
      const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
      for (const e of entries)
        if (e.isDirectory() && match(e.name)) out.push(...(await walkDirs(join(root, e.name))));
    }
    return out;
  },
};

export const systemNet: NetQuery = {
  async netnsList() {
    const res = await run(['ip', '-j', 'netns', 'list']);
    if (res.code !== 0 || !res.stdout.trim()) return [];
    return (JSON.parse(res.stdout) as { name: string }[]).map((n) => n.name);
  },
  async links(netns) {
    const res = await run(['ip', '-j', ...(netns ? ['-n', netns] : []), 'addr', 'show']);
    return res.code === 0 ? parseIpAddr(res.stdout) : [];
  },
  async routes() {
    const res = await run(['ip', '-j', 'route', 'show', 'table', 'main']);
    if (res.code !== 0) throw new Error(`ip route show failed: ${res.stderr.trim()}`);
    return parseIpRoutes(res.stdout);
  },
};

/** Consumes a Docker JSON-lines progress stream; rejects on an `error` line. */
async function drainProgress(stream: NodeJS.ReadableStream): Promise<void> {
  let buf = '';
  for await (const chunk of stream) {
    buf += chunk.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      const msg = JSON.parse(line) as { error?: string };
      if (msg.error) throw new Error(msg.error);
    }
  }
}

export function systemDocker(): DockerEngines {
  const engines = new Map<string, Docker>();
  const engine = (socketPath: string) => {
    let d = engines.get(socketPath);
    if (!d) engines.set(socketPath, (d = new Docker({ socketPath, version: 'v1.41' })));
    return d;
  };
  return {
    ping: (socket) =>
      engine(socket)
        .ping()
        .then(
          () => true,
          () => false,
        ),
    async imageIds(socket, refs) {
      const out = new Map<string, string | undefined>();
      for (const ref of refs) {
        const info = await engine(socket)
          .getImage(ref)
          .inspect()
          .catch(() => undefined);
        out.set(ref, info?.Id);
      }
      return out;
    },
    async saveImages(socket, refs, tarFile) {
      // GET /images/get?names=…: dockerode has it, its type definitions do not.
      const d = engine(socket) as Docker & {
        getImages(opts: { names: string[] }): Promise<NodeJS.ReadableStream>;
      };
      const stream = await d.getImages({ names: refs });
      await pipeline(stream, createWriteStream(tarFile));
    },
    async loadImages(socket, tarFile) {
      const res = (await engine(socket).loadImage(createReadStream(tarFile), {
        quiet: '1',
      } as object)) as NodeJS.ReadableStream;
      await drainProgress(res);
    },
    async removeAllContainers(socket) {
      const list = await engine(socket).listContainers({ all: true });
      await Promise.all(list.map((c) => engine(socket).getContainer(c.Id).remove({ force: true, v: true })));
      return list.length;
    },
    async ensurePauseImage(socket, ref) {
      const runtime = new DockerContainerRuntime({ socketPath: socket, logger: silentLogger });
      await ensurePauseImage(runtime, ref, silentLogger);
    },
  };
}

/** The skiff checkout this code runs from (src/lab or dist/src/lab): where dist/ and scripts/ are. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'skiff') return dir;
    } catch {
      // not here: one level up
    }
    dir = dirname(dir);
  }
  throw new Error('cannot find the skiff package root (package.json)');
}

/** The user behind `sudo` ($SUDO_UID, $SUDO_GID), unless that is root. */
export function sudoUser(env: Record<string, string | undefined>): FileOwner | undefined {
  const uid = Number(env.SUDO_UID);
  const gid = Number(env.SUDO_GID);
  return Number.isInteger(uid) && Number.isInteger(gid) && uid > 0 && env.SUDO_UID !== ''
    ? { uid, gid }
    : undefined;
}

export function systemLabHost(): LabHost {
  const root = packageRoot();
  return {
    shell: systemShell,
    procs: systemProcesses,
    files: systemFiles,
    net: systemNet,
    docker: systemDocker(),
    api: (url, credentials) => new HttpLabApi(url, credentials),
    invokingUser: sudoUser(process.env),
    clock: systemClock,
    paths: {
      node: process.execPath,
      // $SKIFF_CLI: run another build of skiff (tests use it to leave a shared dist/ alone).
      cli: process.env.SKIFF_CLI ?? join(root, 'dist/src/cli/main.js'),
      imagesScript: join(root, 'scripts/images.sh'),
    },
  };
}
