// The container runtime seen by the kubelet (the CRI of this project). It speaks our own types, never dockerode's,
// so the kubelet is tested against test/fakes/fake-container-runtime.ts and the Docker adapter stays thin
// (docker-container-runtime.ts). A pod is one sandbox (the pause container that owns the network and IPC
// namespaces) plus app containers that join it.
import type { Readable, Writable } from 'node:stream';

export type RuntimeContainerState = 'created' | 'running' | 'exited';

/** A container as the runtime reports it. Times are epoch milliseconds. */
export interface RuntimeContainer {
  id: string;
  name: string;
  labels: Record<string, string>;
  state: RuntimeContainerState;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  oomKilled?: boolean;
  /** The runtime's own error text (e.g. why the last start failed). */
  error?: string;
  /** The image reference the container was created from, as given. */
  image: string;
  /** The image's content ID (sha256:…). */
  imageID: string;
  /** Repo digests of that image (name@sha256:…), when it came from a registry. */
  imageDigests?: string[];
  /** Sandboxes only: the IP on the pod network (undefined with host networking). */
  ip?: string;
}

export interface ImageInfo {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  sizeBytes: number;
}

/** One progress line of a pull (Docker's JSON message stream, in our words). */
export interface PullProgress {
  status: string;
  layer?: string;
  current?: number;
  total?: number;
}

export interface DnsSettings {
  servers?: string[];
  searches?: string[];
  options?: string[];
}

export interface PortBinding {
  containerPort: number;
  hostPort: number;
  hostIP?: string;
  protocol: 'tcp' | 'udp' | 'sctp';
}

/** A mount into a container: a host path, or a named runtime volume (used for tmpfs-backed emptyDirs). */
export type MountSpec =
  | { type: 'bind'; source: string; target: string; readOnly: boolean }
  | { type: 'volume'; source: string; target: string; readOnly: boolean };

export interface SandboxSpec {
  name: string;
  labels: Record<string, string>;
  image: string;
  hostname: string;
  /** DNS domain of the pod (hostname.domainname is its FQDN), for pods with a subdomain. */
  domainname?: string;
  /** Network name to attach to, or 'host' for host networking. */
  network: string;
  /** Undefined: the runtime's defaults (the host's resolv.conf). */
  dns?: DnsSettings;
  ports: PortBinding[];
  /** Volumes the sandbox holds open so tmpfs-backed emptyDirs live as long as the pod. */
  mounts: MountSpec[];
}

export interface ContainerResources {
  nanoCpus?: number;
  memoryBytes?: number;
  cpuShares?: number;
}

export interface ContainerSpec {
  name: string;
  labels: Record<string, string>;
  image: string;
  /** The sandbox whose network and IPC namespaces the container joins. */
  sandboxId: string;
  /** Overrides the image's entrypoint (Kubernetes `command`). */
  entrypoint?: string[];
  /** Overrides the image's cmd (Kubernetes `args`). */
  cmd?: string[];
  env: string[];
  workingDir?: string;
  mounts: MountSpec[];
  resources: ContainerResources;
  /** "uid" or "uid:gid". */
  user?: string;
  privileged?: boolean;
  readOnlyRootfs?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
}

export interface LogOptions {
  follow?: boolean;
  /** Last N lines; undefined = all. */
  tail?: number;
  timestamps?: boolean;
  /** Epoch seconds. */
  since?: number;
}

export interface InteractiveOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** A running exec or attach session. Output streams end when the process ends. */
export interface InteractiveSession {
  stdin?: Writable;
  stdout: Readable;
  /** Undefined with a tty (stdout and stderr are one stream). */
  stderr?: Readable;
  resize(width: number, height: number): Promise<void>;
  /** Resolves with the exit code once the process has ended and its output was delivered. */
  exitCode(): Promise<number>;
  /** Tear the session down (client went away). */
  close(): void;
}

export type RuntimeEventType = 'create' | 'start' | 'die' | 'oom' | 'destroy';

export interface RuntimeEvent {
  type: RuntimeEventType;
  id: string;
  labels: Record<string, string>;
}

export interface RuntimeEventStream {
  stop(): void;
}

/**
 * Whether the event stream is connected to the engine. 'disconnected' means the engine went away (stopped,
 * restarting, its socket gone): events are being missed and calls are failing. 'connected' after 'disconnected'
 * means it is back, and whoever relies on events must resync.
 */
export type RuntimeStreamStatus = 'connected' | 'disconnected';

export interface VolumeSpec {
  name: string;
  labels: Record<string, string>;
  tmpfs?: { sizeBytes?: number };
}

export interface RuntimeVolume {
  name: string;
  labels: Record<string, string>;
}

export interface RuntimeVersion {
  /** e.g. docker */
  runtimeName: string;
  version: string;
  apiVersion: string;
}

export interface ContainerRuntime {
  version(): Promise<RuntimeVersion>;

  inspectImage(ref: string): Promise<ImageInfo | undefined>;
  /** Pulls from a registry; onProgress sees each progress line. Resolves with the pulled image. */
  pullImage(ref: string, onProgress?: (p: PullProgress) => void): Promise<ImageInfo>;
  /** Creates an image from a root filesystem tar (`docker import`), with Dockerfile-like changes. */
  importImage(tar: Readable, ref: string, changes: string[]): Promise<void>;
  removeImage(ref: string): Promise<void>;

  createSandbox(spec: SandboxSpec): Promise<string>;
  createContainer(spec: ContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after graceSeconds. Stopping a stopped container is not an error. */
  stopContainer(id: string, graceSeconds: number): Promise<void>;
  /** Removes a (stopped) container; removing a missing one is not an error. */
  removeContainer(id: string, opts?: { force?: boolean }): Promise<void>;
  /** Every container (any state) carrying all of these labels. */
  listContainers(labels: Record<string, string>): Promise<RuntimeContainer[]>;
  /** The labels of every container (any state) carrying all of these labels: one list call, no inspect. */
  listContainerLabels(labels: Record<string, string>): Promise<Record<string, string>[]>;
  inspect(id: string): Promise<RuntimeContainer | undefined>;

  /** Raw log bytes (stdout and stderr interleaved, demultiplexed). Ends when done or, if following, when the container stops. */
  logs(id: string, opts: LogOptions): Promise<Readable>;
  exec(id: string, cmd: string[], opts: InteractiveOptions): Promise<InteractiveSession>;
  attach(id: string, opts: InteractiveOptions): Promise<InteractiveSession>;

  /**
   * Lifecycle events of containers carrying these labels, until stop(). Reconnects by itself (with back-off) when
   * the engine goes away; `onStatus` hears each change between connected and disconnected, starting with the
   * outcome of the first connection attempt.
   */
  events(
    labels: Record<string, string>,
    onEvent: (e: RuntimeEvent) => void,
    onStatus?: (status: RuntimeStreamStatus) => void,
  ): RuntimeEventStream;

  ensureVolume(spec: VolumeSpec): Promise<void>;
  removeVolume(name: string): Promise<void>;
  listVolumes(labels: Record<string, string>): Promise<RuntimeVolume[]>;
}

/** Thrown by runtimes for failures the kubelet reports by kind (e.g. an image missing vs. a broken engine). */
export class RuntimeError extends Error {
  constructor(
    readonly kind: 'ImageNotFound' | 'NotFound' | 'Conflict' | 'Engine',
    message: string,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}
