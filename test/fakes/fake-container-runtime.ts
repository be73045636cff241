// An in-memory ContainerRuntime with scripted behaviour, for the kubelet's unit tests: containers that run until
// stopped, exit with a code after a while, fail to start, ignore SIGTERM; images present, pullable or missing; an
// engine that stops (every call fails, event streams report 'disconnected') and starts again.
// Time comes from a Clock (FakeClock in tests), and lifecycle events go to subscribers as the engine's would.
import { PassThrough, Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../src/common/clock.js';
import {
  RuntimeError,
  type ContainerRuntime,
  type ContainerSpec,
  type ImageInfo,
  type InteractiveOptions,
  type InteractiveSession,
  type LogOptions,
  type PullProgress,
  type RuntimeContainer,
  type RuntimeEvent,
  type RuntimeEventStream,
  type RuntimeStreamStatus,
  type RuntimeVersion,
  type RuntimeVolume,
  type SandboxSpec,
  type VolumeSpec,
} from '../../agent/runtime/container-runtime.js';

/** What a started container does. Default: run until stopped. */
export interface Behaviour {
  /** Exit by itself this long after starting (0 = at once). */
  exitAfterMs?: number;
  exitCode?: number;
  /** The start fails with this runtime error text (the container stays 'created'). */
  failStart?: string;
  /** SIGTERM is ignored: stop waits the whole grace period, then kills (exit 137). */
  ignoreSigterm?: boolean;
  /** Written to the log when the container starts. */
  output?: string;
}

export interface FakeContainer extends RuntimeContainer {
  spec?: ContainerSpec;
  sandboxSpec?: SandboxSpec;
  log: string;
  behaviour: Behaviour;
}

export type ExecHandler = (
  c: FakeContainer,
  cmd: string[],
  stdin: string,
) => { stdout?: string; stderr?: string; exitCode: number };

export class FakeContainerRuntime implements ContainerRuntime {
  /** `stopContainer` calls waiting for a container to exit. */
  private readonly exitWaiters = new Map<FakeContainer, (() => void)[]>();
  readonly containers = new Map<string, FakeContainer>();
  readonly images = new Map<string, ImageInfo>();
  /** Images a pull can fetch; pulling anything else fails like a registry would. */
  readonly registry = new Set<string>();
  readonly volumes = new Map<string, RuntimeVolume & { tmpfs: boolean }>();
  /** Every call, e.g. 'createSandbox skiff_POD_web_default_1234abcd_0', 'stop skiff_app_…' — for assertions. */
  readonly calls: string[] = [];
  /** Containers read in full (what the Docker runtime inspects): each one listContainers returns, and inspect(). */
  inspections = 0;
  private readonly behaviours = new Map<string, (startCount: number) => Behaviour>();
  private readonly starts = new Map<string, number>();
  private readonly subscribers = new Set<{
    labels: Record<string, string>;
    fn: (e: RuntimeEvent) => void;
    onStatus?: (s: RuntimeStreamStatus) => void;
  }>();
  private engineDown = false;
  private failures: { method: string; error: Error }[] = [];
  private nextIp = 2;
  execHandler: ExecHandler = (_c, cmd, stdin) =>
    cmd[0] === 'cat' ? { stdout: stdin, exitCode: 0 } : { stdout: `${cmd.join(' ')}\n`, exitCode: 0 };

  constructor(private readonly clock: Clock) {}

  // ---- scripting ---------------------------------------------------------------------------------

  addImage(ref: string, sizeBytes = 1_000_000): ImageInfo {
    const info = { id: `sha256:${hex(32)}`, repoTags: [ref], repoDigests: [], sizeBytes };
    this.images.set(ref, info);
    return info;
  }

  /** How containers named `name` (the Kubernetes container name) behave, by how often that name was started. */
  setBehaviour(name: string, b: Behaviour | ((startCount: number) => Behaviour)): void {
    this.behaviours.set(name, typeof b === 'function' ? b : () => b);
  }

  failNext(method: keyof ContainerRuntime, message: string): void {
    this.failures.push({ method, error: new RuntimeError('Engine', message) });
  }

  /**
   * The engine stops, as dockerd does on SIGTERM without live-restore: event streams break first, then every
   * running container is stopped (exit 143; no events reach anyone), and every call fails until startEngine().
   */
  stopEngine(): void {
    this.engineDown = true;
    for (const s of this.subscribers) s.onStatus?.('disconnected');
    for (const c of this.containers.values()) {
      if (c.state !== 'running') continue;
      c.state = 'exited';
      c.exitCode = 143;
      c.finishedAt = this.clock.now();
    }
  }

  /** The engine is back: calls work again and event streams report 'connected'. */
  startEngine(): void {
    this.engineDown = false;
    for (const s of this.subscribers) s.onStatus?.('connected');
  }

  /** Containers of one Kubernetes container name (label), oldest first. */
  named(name: string): FakeContainer[] {
    return [...this.containers.values()]
      .filter((c) => c.labels['io.skiff.container.name'] === name)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Makes a running container exit now (a crash, or the sandbox dying). */
  kill(id: string, exitCode = 137): void {
    const c = this.must(id);
    if (c.state === 'running') this.exit(c, exitCode);
  }

  // ---- ContainerRuntime --------------------------------------------------------------------------

  async version(): Promise<RuntimeVersion> {
    this.maybeFail('version');
    return { runtimeName: 'docker', version: '20.10.24', apiVersion: '1.41' };
  }

  async inspectImage(ref: string): Promise<ImageInfo | undefined> {
    this.maybeFail('inspectImage');
    return this.images.get(ref) ?? [...this.images.values()].find((i) => i.id === ref);
  }

  async pullImage(ref: string, onProgress?: (p: PullProgress) => void): Promise<ImageInfo> {
    this.calls.push(`pull ${ref}`);
    this.maybeFail('pullImage');
    if (!this.registry.has(ref)) {
      throw new RuntimeError('Engine', `pull access denied for ${ref}, repository does not exist`);
    }
    onProgress?.({ status: 'Downloading', layer: 'abc', current: 500, total: 1000 });
    onProgress?.({ status: 'Download complete', layer: 'abc' });
    return this.images.get(ref) ?? this.addImage(ref);
  }

  async importImage(tar: Readable, ref: string): Promise<void> {
    tar.resume();
    this.addImage(ref);
  }

  async removeImage(ref: string): Promise<void> {
    this.images.delete(ref);
  }

  async createSandbox(spec: SandboxSpec): Promise<string> {
    this.calls.push(`createSandbox ${spec.name}`);
    this.maybeFail('createSandbox');
    const c = this.create(spec.name, spec.labels, spec.image);
    c.sandboxSpec = spec;
    return c.id;
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    this.calls.push(`create ${spec.name}`);
    this.maybeFail('createContainer');
    const sandbox = this.containers.get(spec.sandboxId);
    if (!sandbox) throw new RuntimeError('NotFound', `No such container: ${spec.sandboxId}`);
    const c = this.create(spec.name, spec.labels, spec.image);
    c.spec = spec;
    return c.id;
  }

  async startContainer(id: string): Promise<void> {
    const c = this.must(id);
    this.calls.push(`start ${c.name}`);
    this.maybeFail('startContainer');
    if (c.state === 'running') return;
    const name = c.labels['io.skiff.container.name'];
    const n = this.starts.get(name) ?? 0;
    this.starts.set(name, n + 1);
    c.behaviour = c.sandboxSpec ? {} : (this.behaviours.get(name)?.(n) ?? {});
    if (c.behaviour.failStart) {
      c.error = c.behaviour.failStart;
      c.exitCode = 127;
      throw new RuntimeError('Engine', c.behaviour.failStart);
    }
    c.state = 'running';
    c.startedAt = this.clock.now();
    c.finishedAt = undefined;
    c.exitCode = undefined;
    if (c.sandboxSpec && c.sandboxSpec.network !== 'host') c.ip = `10.88.0.${this.nextIp++}`;
    c.log += c.behaviour.output ?? '';
    this.emit('start', c);
    const after = c.behaviour.exitAfterMs;
    if (after !== undefined) {
      const startedAt = c.startedAt;
      const done = () =>
        c.state === 'running' && c.startedAt === startedAt && this.exit(c, c.behaviour.exitCode ?? 0);
      if (after === 0) done();
      else this.clock.setTimeout(done, after);
    }
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return;
    this.calls.push(`stop ${c.name}`);
    this.maybeFail('stopContainer');
    if (c.state !== 'running') return;
    if (c.behaviour.ignoreSigterm) {
      // Like `docker stop`: returns when the container is gone, or kills it when the grace runs out.
      const exited = new Promise<void>((resolve) => {
        const waiters = this.exitWaiters.get(c) ?? [];
        waiters.push(resolve);
        this.exitWaiters.set(c, waiters);
      });
      await Promise.race([this.clock.sleep(graceSeconds * 1000), exited]);
      if (c.state === 'running') this.exit(c, 137);
    } else {
      this.exit(c, 143);
    }
  }

  async removeContainer(id: string, opts: { force?: boolean } = {}): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return;
    this.calls.push(`remove ${c.name}`);
    this.maybeFail('removeContainer');
    if (c.state === 'running' && !opts.force) {
      throw new RuntimeError('Conflict', `You cannot remove a running container ${id}`);
    }
    if (c.state === 'running') this.exit(c, 137);
    this.containers.delete(id);
    this.emit('destroy', c);
  }

  async listContainers(labels: Record<string, string>): Promise<RuntimeContainer[]> {
    this.maybeFail('listContainers');
    const found = [...this.containers.values()].filter((c) => matches(c.labels, labels));
    this.inspections += found.length;
    return found.map(snapshot);
  }

  async listContainerLabels(labels: Record<string, string>): Promise<Record<string, string>[]> {
    this.maybeFail('listContainerLabels');
    return [...this.containers.values()]
      .filter((c) => matches(c.labels, labels))
      .map((c) => ({ ...c.labels }));
  }

  async inspect(id: string): Promise<RuntimeContainer | undefined> {
    this.maybeFail('inspect');
    this.inspections++;
    const c = this.containers.get(id);
    return c ? snapshot(c) : undefined;
  }

  async logs(id: string, opts: LogOptions): Promise<Readable> {
    this.maybeFail('logs');
    const c = this.must(id);
    let text = c.log;
    if (opts.tail !== undefined) {
      const lines = text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
      text = lines
        .slice(-opts.tail)
        .map((l) => `${l}\n`)
        .join('');
    }
    if (!opts.follow || c.state !== 'running') return Readable.from([Buffer.from(text)]);
    const out = new PassThrough();
    out.write(text);
    const sub = { labels: {}, fn: (e: RuntimeEvent) => e.id === id && e.type === 'die' && out.end() };
    this.subscribers.add(sub);
    out.on('close', () => this.subscribers.delete(sub));
    out.on('end', () => this.subscribers.delete(sub));
    return out;
  }

  async exec(id: string, cmd: string[], opts: InteractiveOptions): Promise<InteractiveSession> {
    this.maybeFail('exec');
    const c = this.must(id);
    if (c.state !== 'running') throw new RuntimeError('Conflict', `Container ${id} is not running`);
    return this.session((stdin) => this.execHandler(c, cmd, stdin), opts);
  }

  async attach(id: string, opts: InteractiveOptions): Promise<InteractiveSession> {
    const c = this.must(id);
    return this.session((stdin) => ({ stdout: c.log + stdin, exitCode: 0 }), opts);
  }

  events(
    labels: Record<string, string>,
    onEvent: (e: RuntimeEvent) => void,
    onStatus?: (s: RuntimeStreamStatus) => void,
  ): RuntimeEventStream {
    const sub = { labels, fn: onEvent, onStatus };
    this.subscribers.add(sub);
    // Like the real stream, the first status comes once the connection attempt has finished.
    queueMicrotask(() => {
      if (this.subscribers.has(sub)) onStatus?.(this.engineDown ? 'disconnected' : 'connected');
    });
    return { stop: () => this.subscribers.delete(sub) };
  }

  async ensureVolume(spec: VolumeSpec): Promise<void> {
    this.maybeFail('ensureVolume');
    if (!this.volumes.has(spec.name))
      this.volumes.set(spec.name, { name: spec.name, labels: spec.labels, tmpfs: !!spec.tmpfs });
  }

  async removeVolume(name: string): Promise<void> {
    this.maybeFail('removeVolume');
    this.volumes.delete(name);
  }

  async listVolumes(labels: Record<string, string>): Promise<RuntimeVolume[]> {
    this.maybeFail('listVolumes');
    return [...this.volumes.values()].filter((v) => matches(v.labels, labels));
  }

  // ---- internals ---------------------------------------------------------------------------------

  private create(name: string, labels: Record<string, string>, image: string): FakeContainer {
    if ([...this.containers.values()].some((c) => c.name === name)) {
      throw new RuntimeError('Conflict', `Conflict. The container name "/${name}" is already in use`);
    }
    const info = this.images.get(image);
    if (!info) throw new RuntimeError('ImageNotFound', `No such image: ${image}`);
    const c: FakeContainer = {
      id: hex(32),
      name,
      labels: { ...labels },
      state: 'created',
      createdAt: this.clock.now(),
      image,
      imageID: info.id,
      imageDigests: info.repoDigests,
      log: '',
      behaviour: {},
    };
    this.containers.set(c.id, c);
    this.emit('create', c);
    return c;
  }

  private exit(c: FakeContainer, code: number): void {
    c.state = 'exited';
    c.exitCode = code;
    c.finishedAt = this.clock.now();
    for (const resolve of this.exitWaiters.get(c) ?? []) resolve();
    this.exitWaiters.delete(c);
    this.emit('die', c);
  }

  private session(
    run: (stdin: string) => { stdout?: string; stderr?: string; exitCode: number },
    opts: InteractiveOptions,
  ): InteractiveSession {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const stdin = new PassThrough();
    let input = '';
    const result = new Promise<number>((resolve) => {
      const finish = () => {
        const r = run(input);
        stdout.end(r.stdout ?? '');
        stderr.end(r.stderr ?? '');
        resolve(r.exitCode);
      };
      if (!opts.stdin) return setImmediate(finish);
      stdin.on('data', (d: Buffer) => (input += d.toString()));
      stdin.on('finish', finish);
    });
    return {
      ...(opts.stdin ? { stdin } : {}),
      stdout,
      ...(opts.tty ? {} : { stderr }),
      resize: async () => undefined,
      exitCode: () => result,
      close: () => {
        stdin.destroy();
        stdout.destroy();
        stderr.destroy();
      },
    };
  }

  private emit(type: RuntimeEvent['type'], c: FakeContainer): void {
    for (const s of [...this.subscribers]) {
      if (matches(c.labels, s.labels)) s.fn({ type, id: c.id, labels: { ...c.labels } });
    }
  }

  private must(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError('NotFound', `No such container: ${id}`);
    return c;
  }

  private maybeFail(method: string): void {
    if (this.engineDown)
      throw new RuntimeError('Engine', 'connect ENOENT /var/run/docker.sock (the engine is stopped)');
    const i = this.failures.findIndex((f) => f.method === method);
    if (i >= 0) throw this.failures.splice(i, 1)[0].error;
  }
}

function matches(have: Record<string, string>, want: Record<string, string>): boolean {
  return Object.entries(want).every(([k, v]) => have[k] === v);
}

function snapshot(c: FakeContainer): RuntimeContainer {
  const { spec: _s, sandboxSpec: _ss, log: _l, behaviour: _b, ...rest } = c;
  return { ...rest, labels: { ...c.labels } };
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** A RuntimeContainer for pure tests: `name` is the Kubernetes container name ('POD' for a sandbox). */
export function runtimeContainer(
  name: string,
  partial: Partial<RuntimeContainer> & {
    attempt?: number;
    hash?: string;
    sandboxId?: string;
    podUid?: string;
  } = {},
): RuntimeContainer {
  const { attempt = 0, hash, sandboxId, podUid = 'uid-1', ...rest } = partial;
  return {
    id: `${name}-${attempt}-${hex(4)}`,
    name: `skiff_${name}_pod_default_${podUid.slice(0, 8)}_${attempt}`,
    state: 'running',
    createdAt: Date.parse('2026-01-01T00:00:00Z'),
    startedAt: Date.parse('2026-01-01T00:00:01Z'),
    image: name === 'POD' ? 'skiff/pause:3.10' : 'busybox:1',
    imageID: 'sha256:abc',
    ...rest,
    labels: {
      'io.skiff.node': 'node-1',
      'io.skiff.pod.uid': podUid,
      'io.skiff.pod.name': 'pod',
      'io.skiff.pod.namespace': 'default',
      'io.skiff.container.name': name,
      'io.skiff.container.attempt': String(attempt),
      ...(hash ? { 'io.skiff.container.hash': hash } : {}),
      ...(sandboxId ? { 'io.skiff.sandbox.id': sandboxId } : {}),
      ...(rest.labels ?? {}),
    },
  };
}
