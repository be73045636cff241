// The ContainerRuntime adapter for the Docker engine (dockerode, API v1.41). The only place the agent talks to
// Docker: everything above this file speaks our types. Every container runs with an init process
// (HostConfig.Init) so SIGTERM reaches programs that would ignore it as PID 1.
import type Docker from 'dockerode';
import { createDocker } from './dockerode.js';
import { Readable } from 'node:stream';
import { systemClock, type Clock } from '../../src/common/clock.js';
import { silentLogger, type Logger } from '../../src/common/logger.js';
import type {
  ContainerRuntime,
  ContainerSpec,
  ImageInfo,
  InteractiveOptions,
  InteractiveSession,
  LogOptions,
  MountSpec,
  PullProgress,
  RuntimeContainer,
  RuntimeEvent,
  RuntimeEventStream,
  RuntimeStreamStatus,
  RuntimeVersion,
  RuntimeVolume,
  SandboxSpec,
  VolumeSpec,
} from './container-runtime.js';
import { RuntimeError } from './container-runtime.js';
import { demuxBuffer, demuxMerged, readJsonLines } from './docker-stream.js';
import { attachSession, execSession } from './docker-interactive.js';
import { EventFollower } from './event-follower.js';

export interface DockerRuntimeOptions {
  socketPath?: string;
  clock?: Clock;
  logger?: Logger;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';
const EVENT_TYPES = ['create', 'start', 'die', 'oom', 'destroy'];

export class DockerContainerRuntime implements ContainerRuntime {
  readonly docker: Docker;
  private readonly clock: Clock;
  private readonly log: Logger;
  /** Image inspections by content ID: an image ID names immutable content, so this never goes stale. */
  private readonly imageDigests = new Map<string, string[]>();

  constructor(opts: DockerRuntimeOptions = {}) {
    this.docker = createDocker({ socketPath: opts.socketPath ?? '/var/run/docker.sock', version: 'v1.41' });
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
  }

  async version(): Promise<RuntimeVersion> {
    const v = await this.docker.version().catch(rethrow);
    return { runtimeName: 'docker', version: v.Version, apiVersion: v.ApiVersion };
  }

  async inspectImage(ref: string): Promise<ImageInfo | undefined> {
    try {
      const i = await this.docker.getImage(ref).inspect();
      return { id: i.Id, repoTags: i.RepoTags ?? [], repoDigests: i.RepoDigests ?? [], sizeBytes: i.Size };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      return rethrow(err);
    }
  }

  async pullImage(ref: string, onProgress?: (p: PullProgress) => void): Promise<ImageInfo> {
    const stream = (await this.docker.pull(ref).catch(rethrow)) as unknown as Readable;
    let failure: string | undefined;
    await readJsonLines(stream, (m) => {
      if (m.error || m.errorDetail) failure = m.errorDetail?.message ?? m.error;
      else
        onProgress?.({
          status: String(m.status ?? ''),
          layer: m.id,
          current: m.progressDetail?.current,
          total: m.progressDetail?.total,
        });
    });
    if (failure) throw new RuntimeError('Engine', failure);
    const info = await this.inspectImage(ref);
    if (!info) throw new RuntimeError('ImageNotFound', `image ${ref} not present after pull`);
    return info;
  }

  async importImage(tar: Readable, ref: string, changes: string[]): Promise<void> {
    const { repo, tag } = splitRef(ref);
    const stream = (await (
      this.docker.importImage(tar, { repo, tag, changes } as any) as unknown as Promise<Readable>
    ).catch(rethrow)) as Readable;
    let failure: string | undefined;
    await readJsonLines(stream, (m) => {
      if (m.error || m.errorDetail) failure = m.errorDetail?.message ?? m.error;
    });
    if (failure) throw new RuntimeError('Engine', `import of ${ref} failed: ${failure}`);
  }

  async removeImage(ref: string): Promise<void> {
    await this.docker
      .getImage(ref)
      .remove({ force: true })
      .catch((err) => (statusOf(err) === 404 ? undefined : rethrow(err)));
  }

  async createSandbox(spec: SandboxSpec): Promise<string> {
    const hostNet = spec.network === 'host';
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostPort: string; HostIp?: string }[]> = {};
    for (const p of spec.ports) {
      const key = `${p.containerPort}/${p.protocol}`;
      exposed[key] = {};
      (bindings[key] ??= []).push({
        HostPort: String(p.hostPort),
        ...(p.hostIP ? { HostIp: p.hostIP } : {}),
      });
    }
    const c = await this.docker
      .createContainer({
        name: spec.name,
        Image: spec.image,
        Labels: spec.labels,
        ...(hostNet ? {} : { Hostname: spec.hostname }),
        ...(spec.domainname && !hostNet ? { Domainname: spec.domainname } : {}),
        ExposedPorts: exposed,
        HostConfig: {
          Init: true,
          NetworkMode: spec.network,
          // 'shareable' lets the app containers join this IPC namespace (Docker's default may be private).
          IpcMode: 'shareable',
          RestartPolicy: { Name: 'no' },
          PortBindings: bindings,
          Mounts: spec.mounts.map(toDockerMount),
          ...(spec.dns && !hostNet
            ? {
                Dns: spec.dns.servers ?? [],
                DnsSearch: spec.dns.searches ?? [],
                DnsOptions: spec.dns.options ?? [],
              }
            : {}),
        },
      })
      .catch(rethrow);
    return c.id;
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    const joined = `container:${spec.sandboxId}`;
    const c = await this.docker
      .createContainer({
        name: spec.name,
        Image: spec.image,
        Labels: spec.labels,
        ...(spec.entrypoint?.length ? { Entrypoint: spec.entrypoint } : {}),
        ...(spec.cmd?.length ? { Cmd: spec.cmd } : {}),
        Env: spec.env,
        ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
        ...(spec.user ? { User: spec.user } : {}),
        Tty: spec.tty ?? false,
        OpenStdin: spec.stdin ?? false,
        StdinOnce: spec.stdinOnce ?? false,
        AttachStdin: false,
        HostConfig: {
          Init: true,
          NetworkMode: joined,
          IpcMode: joined,
          RestartPolicy: { Name: 'no' },
          Mounts: spec.mounts.map(toDockerMount),
          ...(spec.resources.nanoCpus ? { NanoCpus: spec.resources.nanoCpus } : {}),
          ...(spec.resources.memoryBytes ? { Memory: spec.resources.memoryBytes } : {}),
          ...(spec.resources.cpuShares ? { CpuShares: spec.resources.cpuShares } : {}),
          Privileged: spec.privileged ?? false,
          ReadonlyRootfs: spec.readOnlyRootfs ?? false,
          ...(spec.capAdd?.length ? { CapAdd: spec.capAdd } : {}),
          ...(spec.capDrop?.length ? { CapDrop: spec.capDrop } : {}),
        },
      })
      .catch(rethrow);
    return c.id;
  }

  async startContainer(id: string): Promise<void> {
    await this.docker
      .getContainer(id)
      .start()
      .catch((err) => (statusOf(err) === 304 ? undefined : rethrow(err)));
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    await this.docker
      .getContainer(id)
      .stop({ t: Math.max(0, Math.round(graceSeconds)) })
      .catch((err) => (statusOf(err) === 304 || statusOf(err) === 404 ? undefined : rethrow(err)));
  }

  async removeContainer(id: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.docker
      .getContainer(id)
      .remove({ force: opts.force ?? false, v: true })
      .catch((err) => {
        // 404: already gone; 409 "removal already in progress": someone else is finishing the job.
        if (statusOf(err) === 404 || (statusOf(err) === 409 && /in progress/.test(messageOf(err)))) return;
        return rethrow(err);
      });
  }

  async listContainers(labels: Record<string, string>): Promise<RuntimeContainer[]> {
    const found = await Promise.all((await this.list(labels)).map((c) => this.inspect(c.Id)));
    return found.filter((c): c is RuntimeContainer => c !== undefined);
  }

  async listContainerLabels(labels: Record<string, string>): Promise<Record<string, string>[]> {
    return (await this.list(labels)).map((c) => c.Labels ?? {});
  }

  /** `docker ps -a` of the containers carrying all of these labels. */
  private list(labels: Record<string, string>): Promise<Docker.ContainerInfo[]> {
    return this.docker.listContainers({ all: true, filters: { label: labelFilter(labels) } }).catch(rethrow);
  }

  async inspect(id: string): Promise<RuntimeContainer | undefined> {
    let i: Docker.ContainerInspectInfo;
    try {
      i = await this.docker.getContainer(id).inspect();
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      return rethrow(err);
    }
    const s = i.State;
    const state =
      s.Status === 'created' ? 'created' : s.Running || s.Status === 'running' ? 'running' : 'exited';
    const nets = Object.values(i.NetworkSettings?.Networks ?? {});
    const ip = nets.map((n) => n.IPAddress).find((a) => a) || undefined;
    return {
      id: i.Id,
      name: i.Name.replace(/^\//, ''),
      labels: i.Config.Labels ?? {},
      state,
      createdAt: Date.parse(i.Created),
      startedAt: s.StartedAt && s.StartedAt !== ZERO_TIME ? Date.parse(s.StartedAt) : undefined,
      finishedAt: s.FinishedAt && s.FinishedAt !== ZERO_TIME ? Date.parse(s.FinishedAt) : undefined,
      exitCode: state === 'exited' ? s.ExitCode : undefined,
      oomKilled: s.OOMKilled,
      error: s.Error || undefined,
      image: i.Config.Image,
      imageID: i.Image,
      imageDigests: await this.digestsOf(i.Image),
      ip,
    };
  }

  async logs(id: string, opts: LogOptions): Promise<Readable> {
    const container = this.docker.getContainer(id);
    const info = await container.inspect().catch(rethrow);
    const args = {
      stdout: true,
      stderr: true,
      follow: opts.follow ?? false,
      timestamps: opts.timestamps ?? false,
      ...(opts.tail !== undefined ? { tail: opts.tail } : {}),
      ...(opts.since !== undefined ? { since: opts.since } : {}),
    };
    const result: unknown = await (container.logs(args as any) as unknown as Promise<unknown>).catch(rethrow);
    if (Buffer.isBuffer(result)) return Readable.from([info.Config.Tty ? result : demuxBuffer(result)]);
    const stream = result as Readable;
    return info.Config.Tty ? stream : demuxMerged(stream);
  }

  exec(id: string, cmd: string[], opts: InteractiveOptions): Promise<InteractiveSession> {
    return execSession(this.docker, id, cmd, opts, this.clock).catch(rethrow);
  }

  attach(id: string, opts: InteractiveOptions): Promise<InteractiveSession> {
    return attachSession(this.docker, id, opts).catch(rethrow);
  }

  events(
    labels: Record<string, string>,
    onEvent: (e: RuntimeEvent) => void,
    onStatus?: (status: RuntimeStreamStatus) => void,
  ): RuntimeEventStream {
    return new EventFollower({
      open: () =>
        this.docker.getEvents({
          filters: { type: ['container'], event: EVENT_TYPES, label: labelFilter(labels) },
        }) as unknown as Promise<Readable>,
      onMessage: (m) => {
        const type = m.Action ?? m.status;
        if (!EVENT_TYPES.includes(type)) return;
        onEvent({ type, id: m.Actor?.ID ?? m.id, labels: m.Actor?.Attributes ?? {} });
      },
      onStatus,
      clock: this.clock,
      log: this.log,
    }).start();
  }

  async ensureVolume(spec: VolumeSpec): Promise<void> {
    const size = spec.tmpfs?.sizeBytes;
    await this.docker
      .createVolume({
        Name: spec.name,
        Driver: 'local',
        Labels: spec.labels,
        ...(spec.tmpfs
          ? { DriverOpts: { type: 'tmpfs', device: 'tmpfs', ...(size ? { o: `size=${size}` } : {}) } }
          : {}),
      })
      .catch(rethrow);
  }

  async removeVolume(name: string): Promise<void> {
    await this.docker
      .getVolume(name)
      .remove()
      .catch((err) => (statusOf(err) === 404 ? undefined : rethrow(err)));
  }

  async listVolumes(labels: Record<string, string>): Promise<RuntimeVolume[]> {
    const res = await this.docker.listVolumes({ filters: { label: labelFilter(labels) } }).catch(rethrow);
    return (res.Volumes ?? []).map((v) => ({
      name: v.Name,
      labels: (v.Labels as Record<string, string>) ?? {},
    }));
  }

  private async digestsOf(imageId: string): Promise<string[]> {
    const known = this.imageDigests.get(imageId);
    if (known) return known;
    const info = await this.inspectImage(imageId).catch(() => undefined);
    if (!info) return [];
    this.imageDigests.set(imageId, info.repoDigests);
    return info.repoDigests;
  }
}

function toDockerMount(m: MountSpec): Docker.MountSettings {
  return { Type: m.type, Source: m.source, Target: m.target, ReadOnly: m.readOnly };
}

function labelFilter(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`);
}

/** "repo/name:tag" → {repo, tag}; a colon inside a registry host:port is not a tag separator. */
export function splitRef(ref: string): { repo: string; tag: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repo: ref, tag: 'latest' };
}

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number })?.statusCode;
}

/** The engine's own message, without docker-modem's "(HTTP code 500) server error - " wrapping. */
export function messageOf(err: unknown): string {
  const e = err as { json?: { message?: string }; message?: string };
  const raw = e?.json?.message ?? e?.message ?? String(err);
  const m = /^\(HTTP code \d+\) [^-]*- ([\s\S]*?)\s*$/.exec(raw);
  return m ? m[1] : raw.trim();
}

/** Docker errors → RuntimeError with the engine's own message (what `docker` would print). */
function rethrow(err: unknown): never {
  if (err instanceof RuntimeError) throw err;
  const status = statusOf(err);
  const msg = messageOf(err);
  if (status === 404 && /image/i.test(msg)) throw new RuntimeError('ImageNotFound', msg);
  if (status === 404) throw new RuntimeError('NotFound', msg);
  if (status === 409) throw new RuntimeError('Conflict', msg);
  throw new RuntimeError('Engine', msg);
}
