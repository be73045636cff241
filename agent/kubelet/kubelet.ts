// The kubelet loop: pods bound to this node arrive through an informer (fieldSelector spec.nodeName=<node>); each
// pod has one serialized worker whose sync reads the pod and its containers, decides (sync-pod.ts), acts
// (pod-executor.ts), computes the status (pod-status.ts) and writes it when it changed. Syncs are triggered by
// informer events, by the runtime (a container died), by back-off timers, and by a periodic resync; every sync
// re-reads everything, so a missed trigger costs nothing. The runtime's labels are the only record of what runs,
// so a restarted kubelet adopts running containers instead of restarting them. Probes (probes/) run beside the
// loop: a result that flips re-syncs the pod, whose status then shows readiness and whose decision kills a
// container that failed its liveness or startup probe. The runtime monitor (runtime-monitor.ts) also says when
// the engine goes away and comes back (a dockerd restart): meanwhile syncs fail quietly and retry, pods stay in
// the API as they are, and on reconnect every pod is resynced at once (an engine stopped gracefully stopped its
// containers, so their sandboxes and containers are recreated) and onRuntimeReconnected() listeners run.
// While the master is unreachable the pod informer keeps its cache (a failed list changes nothing), so nothing
// runs or stops because of it; status writes fail and are retried.
import type { Pod } from '../../src/api/types.js';
import { PODS, type ApiClient } from '../../src/client/api-client.js';
import { createInformer, type Informer } from '../../src/client/informer.js';
import { systemClock, type Clock, type TimerHandle } from '../../src/common/clock.js';
import { isApiError } from '../../src/common/errors.js';
import { silentLogger, type Logger } from '../../src/common/logger.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import type { Mounter } from './mounter.js';
import { BackoffTracker, DEFAULT_BACKOFF, retryAt, type BackoffConfig } from './backoff.js';
import type { NodeConfig } from './container-config.js';
import type { EventSink } from './event-sink.js';
import { FailureLog } from './failure-log.js';
import { ImagePuller } from './image-puller.js';
import { initContainersOf } from './init-containers.js';
import { sameContent } from './canonical-json.js';
import {
  containersNamed,
  LABEL_GRACE,
  LABEL_NODE,
  LABEL_POD_UID,
  observePod,
  type ObservedPod,
} from './labels.js';
import { PodExecutor } from './pod-executor.js';
import { computePodStatus, type WaitingReason } from './pod-status.js';
import { PodWorkers } from './pod-workers.js';
import { RuntimeMonitor } from './runtime-monitor.js';
import { HttpTcpExecProber } from './probes/http-tcp-exec-prober.js';
import { ProbeManager } from './probes/probe-manager.js';
import type { Prober } from './probes/prober.js';
import { PodStatusWriter } from './status-writer.js';
import { changesContainers, computePodActions, podFullName, type PodActions } from './sync-pod.js';
import { VolumeManager } from './volume-manager.js';

export interface KubeletOptions {
  client: ApiClient;
  runtime: ContainerRuntime;
  /** Mounts tmpfs for Secret volumes (default: the real `mount`); tests pass a fake. */
  mounter?: Mounter;
  events: EventSink;
  node: NodeConfig;
  dataDir: string;
  clock?: Clock;
  logger?: Logger;
  /** Crash-loop and image-pull back-off (default 10 s doubling to 5 min). */
  backoff?: Partial<BackoffConfig>;
  resyncPeriodMs?: number;
  /** How many pods sync at the same time. */
  concurrency?: number;
  /** Pods bound to this node; built from `client` when absent. */
  informer?: Informer<Pod>;
  /** Restores the pause image if it disappears (see runtime/pause-image.ts). */
  ensurePauseImage?: () => Promise<void>;
  /** Runs probe attempts; default: HTTP/TCP to the pod IP from this host, exec through `runtime`. */
  prober?: Prober;
}

function onlyStatusChanged(a: Pod, b: Pod): boolean {
  const meta = (p: Pod) => ({ ...p.metadata, resourceVersion: undefined, managedFields: undefined });
  return sameContent(meta(a), meta(b)) && sameContent(a.spec, b.spec);
}

/** Grace used to stop containers of a pod that is gone from the API (the kubelet's minimum). */
const ORPHAN_GRACE_SECONDS = 2;

/**
 * Reconnect back-off of the pods informer: up to 5 s (client-go's reflector waits up to 30 s), so an agent resumes
 * following its pods within seconds of the master coming back.
 */
export const POD_INFORMER_BACKOFF = { initialMs: 200, maxMs: 5000, factor: 2, jitter: 0.25 };

/** Retries of a sandbox that could not be created: 2 s doubling to 30 s (forgotten when the runtime reconnects). */
export const SANDBOX_BACKOFF = { baseMs: 2000, maxMs: 30_000, resetAfterMs: 300_000 };

export class Kubelet {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly informer: Informer<Pod>;
  private readonly workers: PodWorkers;
  private readonly executor: PodExecutor;
  private readonly volumes: VolumeManager;
  private readonly statusWriter: PodStatusWriter;
  private readonly crashBackoff: BackoffTracker;
  /** Failed sandbox creations per pod uid. */
  private readonly sandboxBackoff = new BackoffTracker(SANDBOX_BACKOFF);
  private readonly probes: ProbeManager;
  /** Pods by uid, as the informer last delivered them. */
  private readonly pods = new Map<string, Pod>();
  /** Why each container of a pod could not start (the kubelet's reasonCache), by pod uid. */
  private readonly reasons = new Map<string, Map<string, WaitingReason>>();
  private readonly wakeups = new Map<string, { at: number; handle: TimerHandle }>();
  private readonly runtimeMonitor: RuntimeMonitor;
  private readonly resyncFailures: FailureLog;
  private resyncTimer?: TimerHandle;
  private started = false;
  private stopped = false;

  constructor(private readonly opts: KubeletOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = (opts.logger ?? silentLogger).child({ component: 'agent:kubelet' });
    const backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.crashBackoff = new BackoffTracker(backoff);
    this.informer =
      opts.informer ??
      createInformer<Pod>({
        client: opts.client,
        ref: PODS,
        fieldSelector: `spec.nodeName=${opts.node.nodeName}`,
        clock: this.clock,
        logger: this.log,
        backoff: POD_INFORMER_BACKOFF,
      });
    this.resyncFailures = new FailureLog(this.log, 'resync');
    this.volumes = new VolumeManager({
      runtime: opts.runtime,
      client: opts.client,
      dataDir: opts.dataDir,
      nodeName: opts.node.nodeName,
      clock: this.clock,
      log: this.log,
      ...(opts.mounter ? { mounter: opts.mounter } : {}),
    });
    const puller = new ImagePuller({
      runtime: opts.runtime,
      events: opts.events,
      clock: this.clock,
      log: this.log,
      // Image pulls wait baseMs after the first failure too (ErrImagePull, then ImagePullBackOff).
      backoff: new BackoffTracker({ ...backoff, firstRetryImmediate: false }),
    });
    this.executor = new PodExecutor({
      runtime: opts.runtime,
      client: opts.client,
      puller,
      volumes: this.volumes,
      events: opts.events,
      clock: this.clock,
      log: this.log,
      node: opts.node,
      dataDir: opts.dataDir,
      ensurePauseImage: opts.ensurePauseImage,
    });
    this.statusWriter = new PodStatusWriter({ client: opts.client, log: this.log });
    this.probes = new ProbeManager({
      prober: opts.prober ?? new HttpTcpExecProber({ runtime: opts.runtime }),
      clock: this.clock,
      events: opts.events,
      logger: this.log,
      onChange: (uid) => this.workers.enqueue(uid),
    });
    this.workers = new PodWorkers({
      sync: (uid) => this.syncPod(uid),
      clock: this.clock,
      concurrency: opts.concurrency ?? 8,
      onError: (uid, err, failures) => {
        // Retries of a failure that repeats (the runtime or the master away) are debug lines.
        const quiet = failures > 1 || this.runtimeMonitor.down;
        const entry = { pod: this.describe(uid), err: (err as Error).message, failures };
        if (quiet) this.log.debug(entry, 'pod sync failed');
        else this.log.warn(entry, 'pod sync failed');
      },
    });
    this.runtimeMonitor = new RuntimeMonitor({
      runtime: opts.runtime,
      nodeName: opts.node.nodeName,
      log: this.log,
      onPodEvent: (uid) => this.workers.enqueue(uid),
      onReconnect: () => this.onRuntimeReconnect(),
    });
  }

  async start(): Promise<void> {
    this.informer.on('add', (pod) => this.track(pod));
    this.informer.on('update', (old, pod) => {
      if (old.metadata.uid !== pod.metadata.uid) this.untrack(old);
      if (old.metadata.uid === pod.metadata.uid && shortenedGrace(old, pod) !== undefined) {
        void this.shortenTermination(pod, shortenedGrace(old, pod)!);
      }
      // Like the kubelet, a change of status alone (often our own write) is no reason to sync.
      if (old.metadata.uid === pod.metadata.uid && onlyStatusChanged(old, pod)) {
        this.pods.set(pod.metadata.uid ?? '', pod);
        return;
      }
      this.track(pod);
    });
    this.informer.on('delete', (pod) => this.untrack(pod));
    await this.informer.start();
    // Only now is the pod list complete: before it, every container would look orphaned.
    this.runtimeMonitor.start();
    this.started = true;
    await this.resync();
    this.log.info({ node: this.opts.node.nodeName, pods: this.pods.size }, 'kubelet started');
  }

  /** Stops the loops and waits (briefly) for running syncs; containers keep running. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.informer.stop();
    this.runtimeMonitor.stop();
    this.probes.stop();
    this.clock.clearTimeout(this.resyncTimer);
    for (const w of this.wakeups.values()) this.clock.clearTimeout(w.handle);
    this.wakeups.clear();
    this.workers.stop();
    await Promise.race([this.workers.idle(), this.clock.sleep(10_000)]);
  }

  /**
   * Calls `fn` each time the container runtime is reachable again after it was not (e.g. dockerd restarted), once
   * the kubelet has started resyncing its pods. The agent re-checks the pod network and the proxy rules then.
   */
  onRuntimeReconnected(fn: () => void): void {
    this.runtimeMonitor.onReconnected(fn);
  }

  /** A pod bound to this node, from the informer cache (used by the agent server). */
  getPod(namespace: string, name: string): Pod | undefined {
    return this.informer.get(namespace, name);
  }

  /** Resolves when no pod sync is running or queued. */
  idle(): Promise<void> {
    return this.workers.idle();
  }

  /** Syncs every known pod, and every pod uid that still has containers or volumes here. */
  async resync(): Promise<void> {
    if (this.stopped) return;
    try {
      for (const uid of this.pods.keys()) this.workers.enqueue(uid);
      // Only the pod uids are needed here (each pod's sync inspects its own containers): labels from one list call,
      // not an inspect of every container on the node every period.
      const mine = await this.opts.runtime.listContainerLabels({ [LABEL_NODE]: this.opts.node.nodeName });
      for (const labels of mine) {
        const uid = labels[LABEL_POD_UID];
        if (uid && !this.pods.has(uid)) this.workers.enqueue(uid);
      }
      for (const uid of await this.volumes.knownPods()) if (!this.pods.has(uid)) this.workers.enqueue(uid);
      this.resyncFailures.succeeded();
    } catch (err) {
      this.resyncFailures.failed(err);
    }
    const period = this.opts.resyncPeriodMs ?? 10_000;
    this.clock.clearTimeout(this.resyncTimer);
    if (!this.stopped) this.resyncTimer = this.clock.setTimeout(() => void this.resync(), period);
  }

  private onRuntimeReconnect(): void {
    this.log.info({ pods: this.pods.size }, 'container runtime is back; resyncing every pod');
    // Sandboxes that failed while the engine was going down get a new chance at once.
    for (const uid of this.pods.keys()) this.sandboxBackoff.forget(uid);
    void this.resync();
  }

  private track(pod: Pod): void {
    const uid = pod.metadata.uid;
    if (!uid) return;
    this.pods.set(uid, pod);
    // Until start() finished, the first resync syncs every pod once.
    if (this.started) this.workers.enqueue(uid);
  }

  private untrack(pod: Pod): void {
    const uid = pod.metadata.uid;
    if (!uid) return;
    this.pods.delete(uid);
    if (this.started) this.workers.enqueue(uid);
  }

  private describe(uid: string): string {
    const pod = this.pods.get(uid);
    return pod ? podFullName(pod) : uid;
  }

  private async listPod(uid: string): Promise<ObservedPod> {
    const all = await this.opts.runtime.listContainers({
      [LABEL_NODE]: this.opts.node.nodeName,
      [LABEL_POD_UID]: uid,
    });
    return observePod(all);
  }

  private async syncPod(uid: string): Promise<void> {
    if (this.stopped) return;
    const pod = this.pods.get(uid);
    const observed = await this.listPod(uid);
    if (!pod) return this.removeOrphan(uid, observed);
    if (pod.metadata.deletionTimestamp) return this.terminate(pod, observed);

    this.recordFailures(pod, observed);
    const actions = computePodActions(pod, observed, {
      now: this.clock.now(),
      backoff: (name) => this.crashBackoff.get(`${uid}/${name}`),
      failedProbe: (name, c) => this.probes.failedProbe(pod, name, c),
      sandboxBackoff: this.sandboxBackoff.get(uid),
    });
    this.recordProbeKills(pod, observed, actions);
    const reasons = this.reasonsOf(uid);
    const result = await this.executor.execute(pod, observed, actions, reasons);
    if (result.sandboxFailed) {
      const entry = this.sandboxBackoff.observe(uid, { failedAt: this.clock.now() });
      this.wakeAt(uid, retryAt(entry));
    } else if (actions.createSandbox) this.sandboxBackoff.forget(uid);
    if (actions.sandboxRetryAt !== undefined) this.wakeAt(uid, actions.sandboxRetryAt);
    if (result.nextSyncAt !== undefined) this.wakeAt(uid, result.nextSyncAt);

    const latest = this.pods.get(uid);
    if (!latest || latest.metadata.deletionTimestamp) return this.workers.enqueue(uid);
    // The containers as they are now: read again only if the actions changed them (a steady pod's sync reads once).
    const after = changesContainers(actions) ? await this.listPod(uid) : observed;
    this.probes.sync(latest, after, this.podIPOf(latest, after));
    const status = computePodStatus(latest, after, {
      now: this.clock.now(),
      nodeIP: this.opts.node.nodeIP,
      reasons,
      isReady: (name, c) => this.probes.isReady(latest, name, c),
      isStarted: (name, c) => this.probes.isStarted(latest, name, c),
    });
    if (await this.statusWriter.write(latest, status)) {
      this.log.debug({ pod: podFullName(latest), phase: status.phase }, 'pod synced');
    }
  }

  /** Where network probes go: the node's IP with host networking, else the running sandbox's. */
  private podIPOf(pod: Pod, observed: ObservedPod): string | undefined {
    if (pod.spec.hostNetwork) return this.opts.node.nodeIP;
    const sandbox = observed.sandboxes[0];
    return sandbox?.state === 'running' ? sandbox.ip : undefined;
  }

  /** Counts each container's newest failure once in its crash-loop back-off. */
  private recordFailures(pod: Pod, observed: ObservedPod): void {
    for (const c of [...initContainersOf(pod), ...pod.spec.containers]) {
      const newest = containersNamed(observed, c.name)[0];
      if (!newest || newest.state === 'running' || (newest.state === 'created' && !newest.error)) continue;
      const failedAt = newest.finishedAt ?? newest.createdAt;
      const ranMs = newest.startedAt ? Math.max(0, failedAt - newest.startedAt) : 0;
      this.crashBackoff.observe(`${pod.metadata.uid}/${c.name}`, { failedAt, ranMs, id: newest.id });
    }
  }

  /**
   * A container killed for a failed probe and restarted in the same sync never shows up as the newest dead
   * instance, so its kill counts in the crash-loop back-off here (the next probe kill may have to wait).
   */
  private recordProbeKills(pod: Pod, observed: ObservedPod, actions: PodActions): void {
    const now = this.clock.now();
    for (const k of actions.killContainers) {
      if (!k.probe || !actions.startContainers.some((s) => !s.init && s.name === k.name)) continue;
      const startedAt = observed.containers.find((c) => c.id === k.id)?.startedAt;
      this.crashBackoff.observe(`${pod.metadata.uid}/${k.name}`, {
        failedAt: now,
        id: k.id,
        ...(startedAt !== undefined ? { ranMs: Math.max(0, now - startedAt) } : {}),
      });
    }
  }

  /**
   * A second delete shortened the grace period of a pod that is already stopping (kubectl delete --grace-period=1,
   * drain): the worker is busy waiting out the longer stop, so stop the running containers again here with the
   * shorter grace — the runtime sends SIGTERM again and kills after the new, shorter wait, as the kubelet does.
   */
  private async shortenTermination(pod: Pod, graceSeconds: number): Promise<void> {
    const running = (await this.listPod(pod.metadata.uid ?? '')).containers.filter(
      (c) => c.state === 'running',
    );
    this.log.info({ pod: podFullName(pod), grace: graceSeconds }, 'grace period shortened');
    await Promise.allSettled(running.map((c) => this.opts.runtime.stopContainer(c.id, graceSeconds)));
  }

  /** Graceful deletion: stop with the pod's grace, remove everything, then finish the deletion in the API. */
  private async terminate(pod: Pod, observed: ObservedPod): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    this.probes.removePod(uid);
    const actions = computePodActions(pod, observed, { now: this.clock.now(), backoff: () => undefined });
    if (actions.killPod) {
      this.log.info({ pod: podFullName(pod), grace: actions.killPod.graceSeconds }, 'stopping pod');
      await this.executor.killPod(pod, observed, actions.killPod.graceSeconds);
    }
    await this.executor.removeAll(await this.listPod(uid));
    await this.volumes.tearDown(uid);
    try {
      await this.opts.client.delete(PODS, pod.metadata.namespace, pod.metadata.name ?? '', {
        gracePeriodSeconds: 0,
        preconditions: { uid },
      });
      this.log.info({ pod: podFullName(pod) }, 'pod deleted');
    } catch (err) {
      // Gone already, or the name now belongs to a new pod (uid precondition): nothing left to do for this one.
      if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
    }
    this.forget(uid);
  }

  /** A pod gone from the API (force-deleted, or deleted while the agent was down): kill and remove its remains. */
  private async removeOrphan(uid: string, observed: ObservedPod): Promise<void> {
    const all = [...observed.containers, ...observed.sandboxes];
    if (all.length) {
      this.log.info(
        { pod: uid, containers: all.length },
        'removing containers of a pod that no longer exists',
      );
      const grace = Math.min(
        ORPHAN_GRACE_SECONDS,
        Number(all[0].labels[LABEL_GRACE] ?? ORPHAN_GRACE_SECONDS),
      );
      await Promise.all(
        observed.containers
          .filter((c) => c.state === 'running')
          .map((c) => this.opts.runtime.stopContainer(c.id, grace)),
      );
      await this.executor.removeAll(observed);
    }
    await this.volumes.tearDown(uid);
    this.forget(uid);
  }

  private forget(uid: string): void {
    this.probes.removePod(uid);
    this.crashBackoff.forget(`${uid}/`);
    this.sandboxBackoff.forget(uid);
    this.reasons.delete(uid);
    this.statusWriter.forget(uid);
    const w = this.wakeups.get(uid);
    if (w) this.clock.clearTimeout(w.handle);
    this.wakeups.delete(uid);
  }

  private reasonsOf(uid: string): Map<string, WaitingReason> {
    let r = this.reasons.get(uid);
    if (!r) this.reasons.set(uid, (r = new Map()));
    return r;
  }

  /** Syncs the pod again at `at` (a back-off expiring); keeps an earlier pending wake-up. */
  private wakeAt(uid: string, at: number): void {
    const existing = this.wakeups.get(uid);
    if (existing && existing.at <= at && existing.at > this.clock.now()) return;
    if (existing) this.clock.clearTimeout(existing.handle);
    const handle = this.clock.setTimeout(
      () => {
        this.wakeups.delete(uid);
        this.workers.enqueue(uid);
      },
      Math.max(0, at - this.clock.now()),
    );
    this.wakeups.set(uid, { at, handle });
  }
}

/** The new, shorter deletion grace period when an update shortened it on a pod being deleted. */
export function shortenedGrace(old: Pod, pod: Pod): number | undefined {
  const before = old.metadata.deletionGracePeriodSeconds;
  const after = pod.metadata.deletionGracePeriodSeconds;
  if (!pod.metadata.deletionTimestamp || before === undefined || after === undefined) return undefined;
  return after < before ? after : undefined;
}
