// The scheduler (kube-scheduler): watches pods and nodes through informers, takes pending pods one at a time
// from its queue, runs the framework's filters and scores against its NodeInfo cache, and binds the pod to the
// best node through pods/binding. Binding is asynchronous; the pod is "assumed" on its node meanwhile so the next
// decisions already count it. A pod that fits nowhere gets PodScheduled=False (Unschedulable) with kube-scheduler's
// message and a FailedScheduling event, and is retried when the cluster changes (and at least every 30 s).
// Besides pods and nodes it watches what plugins read (cluster-informers.ts).
import type { KubeObject, Node, PersistentVolumeClaim, Pod, PodCondition } from '../api/types.js';
import { NODES, PODS, type ApiClient, type ResourceRef } from '../client/api-client.js';
import type { EventRecorder } from '../client/event-recorder.js';
import { createInformer, type Informer } from '../client/informer.js';
import type { InformerFactory } from '../client/informer-factory.js';
import { objectKey } from '../client/key.js';
import { rfc3339, systemClock, type Clock, type TimerHandle } from '../common/clock.js';
import { isApiError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import {
  fitErrorMessage,
  numFeasibleNodesToFind,
  schedule,
  type ClusterState,
  type Plugins,
} from './framework.js';
import { isTerminal } from './node-info.js';
import { defaultPlugins } from './plugins/index.js';
import { ClusterInformers } from './cluster-informers.js';
import { SchedulerCache } from './scheduler-cache.js';
import { SchedulingQueue, type SchedulingQueueOptions } from './scheduling-queue.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface SchedulerDeps {
  client: ApiClient;
  clock?: Clock;
  logger?: Logger;
  recorder?: EventRecorder;
  /** Pods whose spec.schedulerName is this (absent means default-scheduler) are ours. */
  schedulerName?: string;
  plugins?: Plugins;
  queue?: SchedulingQueueOptions;
  /** Bindings allowed in flight at once before scheduling waits for one to finish. */
  maxInFlightBindings?: number;
  /** Pods scheduled between yields to the event loop (so watches and bindings keep flowing). */
  batchSize?: number;
  /**
   * Shared informers (the master passes the controller manager's, so every pod and node is cached once, not twice).
   * Their owner starts and stops them; without a factory the scheduler makes and stops its own informers.
   */
  informers?: InformerFactory;
}

/** Whether the scheduler must find a node for this pod. */
export function needsScheduling(pod: Pod, schedulerName: string): boolean {
  return (
    !pod.spec?.nodeName &&
    (pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME) === schedulerName &&
    !pod.metadata.deletionTimestamp &&
    !isTerminal(pod)
  );
}

/** Whether a node change can make a pending pod fit (heartbeats alone cannot). */
export function nodeChangedForScheduling(old: Node, node: Node): boolean {
  const ready = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return (
    !!old.spec?.unschedulable !== !!node.spec?.unschedulable ||
    ready(old) !== ready(node) ||
    JSON.stringify(old.spec?.taints ?? []) !== JSON.stringify(node.spec?.taints ?? []) ||
    JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(node.metadata.labels ?? {}) ||
    JSON.stringify(old.status?.allocatable ?? {}) !== JSON.stringify(node.status?.allocatable ?? {})
  );
}

/** Whether a claim change can make a pending pod fit: its node binding or its deletion. */
export function claimChangedForScheduling(old: PersistentVolumeClaim, pvc: PersistentVolumeClaim): boolean {
  const node = (c: PersistentVolumeClaim) => c.metadata.annotations?.['volume.kubernetes.io/selected-node'];
  return node(old) !== node(pvc) || !!old.metadata.deletionTimestamp !== !!pvc.metadata.deletionTimestamp;
}

/** The PodScheduled=False condition to write, or undefined if the pod already carries exactly this one. */
export function unschedulableCondition(pod: Pod, message: string, nowMs: number): PodCondition | undefined {
  const cur = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (cur?.status === 'False' && cur.reason === 'Unschedulable' && cur.message === message) return undefined;
  return {
    type: 'PodScheduled',
    status: 'False',
    reason: 'Unschedulable',
    message,
    lastTransitionTime:
      cur?.status === 'False' && cur.lastTransitionTime ? cur.lastTransitionTime : rfc3339(nowMs),
  };
}

export class Scheduler {
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly name: string;
  private readonly plugins: Plugins;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  /** Claims, Services, ReplicaSets, StatefulSets, Namespaces: what plugins read through `cluster`. */
  private readonly others: ClusterInformers;
  /** False when the informers are shared (their owner stops them). */
  private readonly ownsInformers: boolean;
  private readonly cluster: ClusterState;
  private readonly cache = new SchedulerCache();
  private readonly queue: SchedulingQueue;
  private readonly maxInFlight: number;
  private readonly batchSize: number;
  private startIndex = 0;
  private inFlight = 0;
  private stopped = false;
  private started = false;
  private wake: (() => void) | undefined;
  private flushTimer: TimerHandle | undefined;
  private flushAt: number | undefined;

  constructor(private readonly deps: SchedulerDeps) {
    this.client = deps.client;
    this.clock = deps.clock ?? systemClock;
    this.log = (deps.logger ?? silentLogger).child({ component: 'scheduler' });
    this.name = deps.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.plugins = deps.plugins ?? defaultPlugins();
    this.queue = new SchedulingQueue(deps.queue);
    this.maxInFlight = deps.maxInFlightBindings ?? 256;
    this.batchSize = deps.batchSize ?? 64;
    const common = { client: this.client, clock: this.clock, logger: this.log };
    const shared = deps.informers;
    const informerFor = <T extends KubeObject>(ref: ResourceRef): Informer<T> =>
      shared ? shared.get<T>(ref) : createInformer<T>({ ...common, ref });
    this.ownsInformers = !shared;
    this.pods = informerFor<Pod>(PODS);
    this.nodes = informerFor<Node>(NODES);
    this.others = new ClusterInformers(informerFor);
    this.cluster = this.others.clusterState(this.cache);
    this.pods.on('add', (p) => this.onPod(undefined, p));
    this.pods.on('update', (old, p) => this.onPod(old, p));
    this.pods.on('delete', (p) => this.onPodDeleted(p));
    this.nodes.on('add', (n) => this.onNode(undefined, n));
    this.nodes.on('update', (old, n) => this.onNode(old, n));
    this.nodes.on('delete', (n) => this.cache.removeNode(n.metadata.name ?? ''));
    // A claim appearing, being bound to a node or going away can change where waiting pods fit.
    const pvcs = this.others.pvcs;
    pvcs.on('add', () => this.onClusterChanged());
    pvcs.on('update', (old, pvc) => {
      if (claimChangedForScheduling(old, pvc)) this.onClusterChanged();
    });
    pvcs.on('delete', () => this.onClusterChanged());
  }

  /** Syncs the informers, then starts the scheduling loop. Resolves once scheduling has begun. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await Promise.all(this.informers().map((i) => i.start()));
    if (this.stopped) return;
    this.log.info(
      { nodes: this.cache.nodeInfos().length, pending: this.queue.activeCount() },
      'scheduler started',
    );
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    if (this.ownsInformers) for (const i of this.informers()) i.stop();
    this.clock.clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.wakeUp();
  }

  private informers(): Informer<any>[] {
    return [this.pods, this.nodes, ...this.others.all()];
  }

  // ---- the loop -----------------------------------------------------------------------------------

  private async run(): Promise<void> {
    let sinceYield = 0;
    while (!this.stopped) {
      if (this.inFlight >= this.maxInFlight) {
        await this.sleepUntilWoken();
        continue;
      }
      const key = this.queue.pop();
      if (key === undefined) {
        sinceYield = 0;
        await this.sleepUntilWoken();
        continue;
      }
      try {
        this.scheduleOne(key);
      } catch (err) {
        this.log.error({ err, pod: key }, 'scheduling attempt failed');
        this.queue.markUnschedulable(key, this.clock.now(), true);
        this.scheduleFlush();
      }
      if (++sinceYield >= this.batchSize) {
        sinceYield = 0;
        await this.clock.sleep(0);
      }
    }
  }

  private sleepUntilWoken(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** One scheduling cycle: decide synchronously from the cache, then bind in the background. */
  private scheduleOne(key: string): void {
    const pod = this.pods.getByKey(key);
    if (!pod || !needsScheduling(pod, this.name) || this.cache.isAssumed(key)) {
      this.queue.remove(key);
      return;
    }
    const nodeInfos = this.cache.nodeInfos();
    const result = schedule(pod, nodeInfos, this.plugins, {
      numFeasibleNodesToFind: numFeasibleNodesToFind(nodeInfos.length),
      startIndex: this.startIndex,
      cluster: this.cluster,
    });
    this.startIndex = result.nextStartIndex;
    if (result.node) {
      this.cache.assume(pod, result.node);
      void this.bind(pod, result.node);
      return;
    }
    const message = fitErrorMessage(nodeInfos.length, result.filtered, result.preFilterStatus);
    this.log.debug({ pod: key, message }, 'pod is unschedulable');
    this.queue.markUnschedulable(key, this.clock.now());
    this.scheduleFlush();
    this.reportUnschedulable(pod, message);
  }

  private async bind(pod: Pod, node: string): Promise<void> {
    const key = objectKey(pod);
    const { name, namespace } = pod.metadata;
    this.inFlight++;
    try {
      await this.client.createSubresource(PODS, namespace, name!, 'binding', {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace },
        target: { apiVersion: 'v1', kind: 'Node', name: node },
      });
      this.queue.remove(key);
      this.deps.recorder?.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${key} to ${node}`);
    } catch (err) {
      this.cache.forget(key);
      if (isApiError(err, 'Conflict') || isApiError(err, 'NotFound')) {
        // Already bound (by us earlier, or another scheduler) or gone: nothing left to do for this pod.
        this.log.debug({ err, pod: key }, 'binding rejected; dropping the pod');
        this.queue.remove(key);
      } else {
        this.log.warn({ err, pod: key, node }, 'binding failed; will retry');
        this.queue.markUnschedulable(key, this.clock.now(), true);
      }
      this.onClusterChanged(); // the assumed pod's room is free again
    } finally {
      this.inFlight--;
      this.wakeUp();
    }
  }

  private reportUnschedulable(pod: Pod, message: string): void {
    this.deps.recorder?.record(pod, 'Warning', 'FailedScheduling', message);
    const condition = unschedulableCondition(pod, message, this.clock.now());
    if (!condition) return;
    this.client
      .patch(
        PODS,
        pod.metadata.namespace,
        pod.metadata.name!,
        'strategic',
        { status: { conditions: [condition] } },
        {
          subresource: 'status',
        },
      )
      .catch((err: unknown) =>
        this.log.warn({ err, pod: objectKey(pod) }, 'could not set PodScheduled condition'),
      );
  }

  // ---- informer events ----------------------------------------------------------------------------

  private onPod(old: Pod | undefined, pod: Pod): void {
    const key = objectKey(pod);
    if (pod.spec?.nodeName) {
      this.queue.remove(key);
      // A pod newly seen on a node (or relabelled) can satisfy a waiting pod's affinity or spreading; one that
      // left frees room. Status-only updates of a known pod change nothing for the others.
      const known = this.cache.isBound(key);
      const freed = this.cache.updatePod(pod);
      if (freed || !known || labelsChanged(old, pod)) this.onClusterChanged();
      return;
    }
    if (!needsScheduling(pod, this.name)) {
      this.queue.remove(key);
      return;
    }
    if (this.cache.isAssumed(key)) return; // binding in flight
    if (this.queue.add(key)) {
      this.wakeUp();
    } else if (old && this.queue.isUnschedulable(key) && podSpecChanged(old, pod)) {
      this.queue.podChanged(key);
      this.flushNow();
    }
  }

  private onPodDeleted(pod: Pod): void {
    const key = objectKey(pod);
    this.queue.remove(key);
    if (this.cache.removePod(key)) this.onClusterChanged();
  }

  private onNode(old: Node | undefined, node: Node): void {
    this.cache.upsertNode(node);
    if (!old || nodeChangedForScheduling(old, node)) this.onClusterChanged();
  }

  private onClusterChanged(): void {
    this.queue.clusterChanged();
    this.flushNow();
  }

  // ---- retrying unschedulable pods ------------------------------------------------------------------

  private flushNow(): void {
    if (this.stopped) return;
    if (this.queue.flush(this.clock.now()) > 0) this.wakeUp();
    this.scheduleFlush();
  }

  /** Keeps one timer armed for the earliest moment an unschedulable pod may be retried. */
  private scheduleFlush(): void {
    if (this.stopped) return;
    const at = this.queue.nextFlushAt();
    if (at === undefined || (this.flushTimer && this.flushAt !== undefined && this.flushAt <= at)) return;
    this.clock.clearTimeout(this.flushTimer);
    this.flushAt = at;
    this.flushTimer = this.clock.setTimeout(
      () => {
        this.flushTimer = undefined;
        this.flushAt = undefined;
        this.flushNow();
      },
      Math.max(0, at - this.clock.now()),
    );
  }
}

function labelsChanged(old: Pod | undefined, pod: Pod): boolean {
  return !!old && JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {});
}

function podSpecChanged(old: Pod, pod: Pod): boolean {
  return (
    JSON.stringify(old.spec) !== JSON.stringify(pod.spec) ||
    JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {})
  );
}
