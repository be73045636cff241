// Carries out the PodActions of sync-pod.ts through the runtime (the thin "act" half of the kubelet's SyncPod):
// stop, remove, create the sandbox, then pull, create and start containers, recording why a container could not
// start (the reason cache that pod-status.ts shows as the waiting reason) and the kubelet's events.
import type { ConfigMap, Container, Pod } from '../../src/api/types.js';
import { CONFIGMAPS, type ApiClient, type ResourceRef } from '../../src/client/api-client.js';
import type { Clock } from '../../src/common/clock.js';
import { isApiError } from '../../src/common/errors.js';
import type { Logger } from '../../src/common/logger.js';
import { RuntimeError, type ContainerRuntime, type RuntimeContainer } from '../runtime/container-runtime.js';
import { containerSpec, sandboxSpec, type NodeConfig } from './container-config.js';
import { ContainerConfigError, referencedObjects, type Secret } from './container-env.js';
import type { EventSink } from './event-sink.js';
import { ImagePullError, type ImagePuller } from './image-puller.js';
import { LABEL_CONTAINER_NAME, type ObservedPod } from './labels.js';
import type { WaitingReason } from './pod-status.js';
import { planVolumes, subPathDirs, type PlannedVolume } from './pod-volumes.js';
import {
  containerOf,
  podFullName,
  podGraceSeconds,
  type ContainerStart,
  type PodActions,
} from './sync-pod.js';
import { VolumeSetupError, type VolumeManager } from './volume-manager.js';

export const SECRETS: ResourceRef = { group: '', version: 'v1', resource: 'secrets' };

/** How long a pod waits before retrying after a failure that has no back-off of its own. */
export const RETRY_AFTER_ERROR_MS = 5_000;

export interface PodExecutorDeps {
  runtime: ContainerRuntime;
  client: ApiClient;
  puller: ImagePuller;
  volumes: VolumeManager;
  events: EventSink;
  clock: Clock;
  log: Logger;
  node: NodeConfig;
  dataDir: string;
  /** Restores the pause image when a sandbox cannot be created for lack of it. */
  ensurePauseImage?: () => Promise<void>;
}

export interface ExecuteResult {
  /** When the pod should be synced again (a back-off expiring, a retry), if sooner than the periodic resync. */
  nextSyncAt?: number;
  /** The sandbox was to be created and could not be (the kubelet backs off before the next attempt). */
  sandboxFailed?: boolean;
}

export class PodExecutor {
  constructor(private readonly deps: PodExecutorDeps) {}

  async execute(
    pod: Pod,
    observed: ObservedPod,
    actions: PodActions,
    reasons: Map<string, WaitingReason>,
  ): Promise<ExecuteResult> {
    const { runtime, events, clock } = this.deps;
    let nextSyncAt: number | undefined;
    const wakeAt = (t: number | undefined) => {
      if (t !== undefined) nextSyncAt = nextSyncAt === undefined ? t : Math.min(nextSyncAt, t);
    };

    await Promise.all(
      actions.killContainers.map(async (k) => {
        events.record(pod, 'Normal', 'Killing', k.message);
        await runtime.stopContainer(k.id, k.graceSeconds ?? podGraceSeconds(pod));
      }),
    );
    if (actions.killPod) {
      if (actions.killPod.reason === 'SandboxChanged') {
        events.record(
          pod,
          'Normal',
          'SandboxChanged',
          'Pod sandbox changed, it will be killed and re-created.',
        );
      }
      await this.killPod(pod, observed, actions.killPod.graceSeconds);
    }
    for (const c of actions.removeContainers) await this.remove(c);

    let sandbox = observed.sandboxes[0]?.state === 'running' ? observed.sandboxes[0] : undefined;
    let volumes: Map<string, PlannedVolume>;
    try {
      volumes = planVolumes(pod, this.deps.dataDir, await this.deps.volumes.resolveClaims(pod));
      if (actions.createSandbox) await this.deps.volumes.setUp(pod, volumes);
      // ConfigMap and Secret volumes follow their objects while the pod runs.
      else await this.deps.volumes.refresh(pod, volumes);
    } catch (err) {
      const name = err instanceof VolumeSetupError ? err.volume : '';
      events.record(
        pod,
        'Warning',
        'FailedMount',
        `MountVolume.SetUp failed for volume "${name}" : ${(err as Error).message}`,
      );
      return { nextSyncAt: clock.now() + RETRY_AFTER_ERROR_MS };
    }
    if (actions.createSandbox) {
      sandbox = await this.createSandbox(pod, actions.createSandbox.attempt, volumes);
      if (!sandbox) return { sandboxFailed: true };
    }

    for (const w of actions.waiting) {
      reasons.set(w.name, { reason: 'CrashLoopBackOff', message: w.message });
      events.record(
        pod,
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${w.name} in pod ${podFullName(pod)}`,
      );
      wakeAt(w.until);
    }
    if (sandbox) {
      for (const s of actions.startContainers)
        wakeAt(await this.startContainer(pod, s, sandbox, volumes, reasons));
    }
    return nextSyncAt === undefined ? {} : { nextSyncAt };
  }

  /** Stops every running container of the pod (app containers first, in parallel), then its sandboxes. */
  async killPod(pod: Pod, observed: ObservedPod, graceSeconds: number): Promise<void> {
    const { runtime, events } = this.deps;
    await Promise.all(
      observed.containers
        .filter((c) => c.state === 'running')
        .map(async (c) => {
          events.record(pod, 'Normal', 'Killing', `Stopping container ${c.labels[LABEL_CONTAINER_NAME]}`);
          await runtime.stopContainer(c.id, graceSeconds);
        }),
    );
    // The pause container has nothing to clean up and exits at once on SIGTERM.
    await Promise.all(
      observed.sandboxes.filter((s) => s.state === 'running').map((s) => runtime.stopContainer(s.id, 2)),
    );
  }

  /** Removes all the pod's containers (app containers before the sandboxes whose namespaces they use). */
  async removeAll(observed: ObservedPod): Promise<void> {
    for (const c of [...observed.containers, ...observed.sandboxes]) await this.remove(c, true);
  }

  private async remove(c: RuntimeContainer, force = false): Promise<void> {
    try {
      await this.deps.runtime.removeContainer(c.id, { force });
    } catch (err) {
      this.deps.log.warn({ container: c.name, err: (err as Error).message }, 'removing container failed');
    }
  }

  private async createSandbox(
    pod: Pod,
    attempt: number,
    volumes: ReadonlyMap<string, PlannedVolume>,
  ): Promise<RuntimeContainer | undefined> {
    const { runtime, events, log } = this.deps;
    let id: string | undefined;
    try {
      const spec = sandboxSpec(pod, attempt, this.deps.node, volumes);
      try {
        id = await runtime.createSandbox(spec);
      } catch (err) {
        // The pause image went missing (someone pruned images): bring it back once, then retry.
        if (!(err instanceof RuntimeError && err.kind === 'ImageNotFound' && this.deps.ensurePauseImage))
          throw err;
        await this.deps.ensurePauseImage();
        id = await runtime.createSandbox(spec);
      }
      await runtime.startContainer(id);
      const sandbox = await runtime.inspect(id);
      if (sandbox?.state !== 'running') throw new Error('sandbox container exited right after starting');
      log.info({ pod: podFullName(pod), sandbox: id.slice(0, 12), ip: sandbox.ip }, 'pod sandbox started');
      return sandbox;
    } catch (err) {
      const msg = (err as Error).message;
      events.record(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${msg}`);
      log.warn({ pod: podFullName(pod), err: msg }, 'creating the pod sandbox failed');
      if (id) await runtime.removeContainer(id, { force: true }).catch(() => undefined);
      return undefined;
    }
  }

  /** Pull, create, start. Failures become the container's waiting reason; returns when to retry, if known. */
  private async startContainer(
    pod: Pod,
    start: ContainerStart,
    sandbox: RuntimeContainer,
    volumes: ReadonlyMap<string, PlannedVolume>,
    reasons: Map<string, WaitingReason>,
  ): Promise<number | undefined> {
    const { runtime, events, puller, clock } = this.deps;
    const c = containerOf(pod, start);
    const fail = (reason: string, message: string, event?: string) => {
      reasons.set(c.name, { reason, message });
      if (event) events.record(pod, 'Warning', 'Failed', event);
      return clock.now() + RETRY_AFTER_ERROR_MS;
    };
    try {
      await puller.ensure(pod, c, start.pullPolicy);
    } catch (err) {
      if (err instanceof ImagePullError) {
        reasons.set(c.name, { reason: err.reason, message: err.message });
        return err.retryAt ?? clock.now() + RETRY_AFTER_ERROR_MS;
      }
      return fail('ErrImagePull', (err as Error).message, `Error: ${(err as Error).message}`);
    }
    let id: string;
    try {
      const env = await this.envObjects(pod, c);
      const spec = containerSpec(
        {
          pod,
          container: c,
          attempt: start.attempt,
          sandbox: { id: sandbox.id, ip: sandbox.ip },
          volumes,
          env,
        },
        this.deps.node,
      );
      await this.deps.volumes.ensureDirs(subPathDirs(c, volumes));
      try {
        id = await runtime.createContainer(spec);
      } catch (err) {
        return fail('CreateContainerError', (err as Error).message, `Error: ${(err as Error).message}`);
      }
    } catch (err) {
      const msg = (err as Error).message;
      return fail('CreateContainerConfigError', msg, `Error: ${msg}`);
    }
    events.record(pod, 'Normal', 'Created', `Created container: ${c.name}`);
    try {
      await runtime.startContainer(id);
    } catch (err) {
      const msg = `failed to start container "${c.name}": ${(err as Error).message}`;
      return fail('RunContainerError', msg, `Error: ${msg}`);
    }
    events.record(pod, 'Normal', 'Started', `Started container ${c.name}`);
    reasons.delete(c.name);
    return undefined;
  }

  /** The ConfigMaps and Secrets the container's env refers to (null when they do not exist). */
  private async envObjects(pod: Pod, c: Container) {
    const refs = referencedObjects(c);
    const ns = pod.metadata.namespace ?? 'default';
    const fetch = async <T>(ref: ResourceRef, name: string): Promise<T | null> => {
      try {
        return (await this.deps.client.get(ref, ns, name)) as T;
      } catch (err) {
        if (isApiError(err, 'NotFound')) return null;
        throw new ContainerConfigError((err as Error).message);
      }
    };
    const configMaps = new Map<string, ConfigMap | null>();
    const secrets = new Map<string, Secret | null>();
    for (const n of refs.configMaps) configMaps.set(n, await fetch<ConfigMap>(CONFIGMAPS, n));
    for (const n of refs.secrets) secrets.set(n, await fetch<Secret>(SECRETS, n));
    return { configMaps, secrets };
  }
}
