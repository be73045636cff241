// The lab's host effects, behind small interfaces: commands (ip, nsenter, unshare, umount, the image script),
// daemons it starts, the process table, files, the Docker engines, and what it asks the network about. One real
// adapter (system-host.ts: the only place with child_process, /proc and dockerode) and one fake
// (test/fakes/fake-lab-host.ts) so the lab's decisions are tested without root.
import type { ApiClient } from '../client/api-client.js';
import type { Clock } from '../common/clock.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Shell {
  /** Runs argv to completion; never rejects for a non-zero exit. */
  run(argv: string[], opts?: { timeoutMs?: number }): Promise<CommandResult>;
  /**
   * Starts argv in its own session (detached, stdin closed, stdout and stderr appended to `logFile`, cwd /), not
   * waited for, and returns its PID. Commands like `nsenter … -- prog` exec, so the PID is prog's.
   */
  spawnDaemon(argv: string[], logFile: string): Promise<number>;
}

export interface ProcessInfo {
  pid: number;
  /** The kernel's state letter (R, S, D, Z, …). */
  state: string;
  /** /proc/<pid>/cmdline split at NULs (empty for zombies and kernel threads). */
  argv: string[];
}

export interface Processes {
  get(pid: number): Promise<ProcessInfo | undefined>;
  list(): Promise<ProcessInfo[]>;
  /** PIDs listed in every cgroup.procs under `/sys/fs/cgroup/<hierarchy>/<dir>` (v1 and v2 alike). */
  cgroupPids(dir: string): Promise<number[]>;
  /** Sends a signal; a missing process is not an error. */
  kill(pid: number, signal: NodeJS.Signals): void;
  /** PID of the process running this code (never a target). */
  readonly self: number;
}

/** Who a file belongs to (uid and gid). */
export interface FileOwner {
  uid: number;
  gid: number;
}

export interface Files {
  read(path: string): Promise<string | undefined>;
  /** Writes the file, creating its directory; `secret` makes it 0600, owned by `owner` when given. */
  write(path: string, content: string, secret?: { owner?: FileOwner }): Promise<void>;
  exists(path: string): Promise<boolean>;
  mkdirp(path: string): Promise<void>;
  /** rm -rf. */
  remove(path: string): Promise<void>;
  /** Removes a directory only if empty; false when it is not (or is missing). */
  rmdirIfEmpty(path: string): Promise<boolean>;
  /** Mount points (root mount namespace) at or under `prefix/`. */
  mountsUnder(prefix: string): Promise<string[]>;
  /** Directories named by `match` directly under each cgroup hierarchy root, with their subdirectories. */
  cgroupDirs(match: (name: string) => boolean): Promise<string[]>;
}

export interface LinkInfo {
  name: string;
  up: boolean;
  /** The bridge the link is a port of. */
  master?: string;
  /** IPv4 addresses as CIDRs (`10.200.0.11/24`). */
  addresses: string[];
}

export interface HostRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
}

export interface NetQuery {
  netnsList(): Promise<string[]>;
  /** The links of a namespace (root when undefined); [] when the namespace does not exist. */
  links(netns?: string): Promise<LinkInfo[]>;
  /** The root namespace's main routing table. */
  routes(): Promise<HostRoute[]>;
}

export interface DockerEngines {
  /** Whether the engine on `socket` answers /_ping. */
  ping(socket: string): Promise<boolean>;
  /** Image ID of each reference on that engine (undefined when absent). */
  imageIds(socket: string, refs: string[]): Promise<Map<string, string | undefined>>;
  saveImages(socket: string, refs: string[], tarFile: string): Promise<void>;
  loadImages(socket: string, tarFile: string): Promise<void>;
  /** docker rm -f of every container (NETLAB P16: a stop would wait out each SIGTERM-ignoring PID 1). */
  removeAllContainers(socket: string): Promise<number>;
  /** Builds the locally made pause image on that engine when it is missing. */
  ensurePauseImage(socket: string, ref: string): Promise<void>;
}

/** How to authenticate to the master: its CA and the admin token (from admin.kubeconfig). */
export interface LabCredentials {
  token?: string;
  caPem?: string;
}

/** The Kubernetes API, plus making join tokens for new agents (POST /skiff/v1/tokens). */
export interface LabApi extends ApiClient {
  close?(): void;
  /** A join token `<id>.<secret>` that expires after `ttlSeconds`. */
  createJoinToken(ttlSeconds: number): Promise<string>;
}

export interface LabHost {
  shell: Shell;
  procs: Processes;
  files: Files;
  net: NetQuery;
  docker: DockerEngines;
  /** A client for the lab's master, with the admin credential from its admin.kubeconfig. */
  api(url: string, credentials?: LabCredentials): LabApi;
  clock: Clock;
  /** The user who ran `sudo skiff lab` ($SUDO_UID/$SUDO_GID): the lab's kubeconfig, which holds the admin token,
   * is theirs (0600) so their kubectl can read it and other users' cannot. */
  invokingUser?: FileOwner;
  /** The `skiff` CLI entry (dist/src/cli/main.js), the node binary, and scripts/images.sh. */
  paths: { node: string; cli: string; imagesScript: string };
}
