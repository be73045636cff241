// The pod garbage collector (kube-controller-manager's pod-garbage-collector), thin: every period it quarantines
// nodes that pods are bound to but that are gone from the cache, asks the API whether the quarantined ones really
// are gone, and force-deletes what pod-gc.ts picks: first marked Failed (with a DisruptionTarget condition for
// orphans), then deleted with grace 0, because no agent is left to confirm a graceful deletion. An agent that
// still runs such a pod kills its containers when it sees the pod is gone.
import type { Node, Pod } from '../../api/types.js';
import { NODES, PODS, type ApiClient } from '../../client/api-client.js';
import type { Informer } from '../../client/informer.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import { objectKey } from '../../client/key.js';
import { systemClock, type Clock, type TimerHandle } from '../../common/clock.js';
import { isApiError } from '../../common/errors.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import { failedStatus } from './pod-conditions.js';
import { advanceQuarantine, missingNodes, podsToCollect, type GcVerdict } from './pod-gc.js';
import { nodeLifecycleSettings } from './settings.js';

export interface PodGCControllerDeps {
  client: ApiClient;
  informers: InformerFactory;
  clock?: Clock;
  logger?: Logger;
  /** How often to look (default: the lab profile's 5 s). */
  periodMs?: number;
  /** How long a node must be missing before its pods go (default: the lab profile's 10 s). */
  quarantineMs?: number;
}

export class PodGCController {
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly periodMs: number;
  private readonly quarantineMs: number;
  private quarantine = new Map<string, number>();
  private timer: TimerHandle | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(deps: PodGCControllerDeps) {
    const defaults = nodeLifecycleSettings();
    this.client = deps.client;
    this.clock = deps.clock ?? systemClock;
    this.log = (deps.logger ?? silentLogger).child({ component: 'pod-garbage-collector' });
    this.pods = deps.informers.get<Pod>(PODS);
    this.nodes = deps.informers.get<Node>(NODES);
    this.periodMs = deps.periodMs ?? defaults.podGCPeriodMs;
    this.quarantineMs = deps.quarantineMs ?? defaults.podGCQuarantineMs;
  }

  start(): void {
    if (this.stopped || this.timer || this.running) return;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One collection pass. Exposed for tests. */
  async gc(): Promise<void> {
    const pods = this.pods.list();
    const nodes = this.nodes.list();
    const now = this.clock.now();
    const { quarantine, due } = advanceQuarantine(
      this.quarantine,
      missingNodes(pods, nodes),
      now,
      this.quarantineMs,
    );
    this.quarantine = quarantine;
    const deleted = new Set<string>();
    for (const name of due) {
      if (await this.nodeGone(name)) deleted.add(name);
      else this.quarantine.delete(name); // the cache lagged: the node is there after all
    }
    for (const verdict of podsToCollect(pods, nodes, deleted)) await this.forceDelete(verdict);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.running = this.gc()
        .catch((err: unknown) => this.log.error({ err }, 'pod garbage collection failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule(this.periodMs);
        });
    }, delayMs);
  }

  /** Asks the API itself, not the cache. An error other than NotFound counts as "still there". */
  private async nodeGone(name: string): Promise<boolean> {
    try {
      await this.client.get<Node>(NODES, undefined, name);
      return false;
    } catch (err) {
      if (isApiError(err, 'NotFound')) return true;
      this.log.warn({ err, node: name }, 'could not check whether the node still exists');
      return false;
    }
  }

  private async forceDelete({ pod, reason, condition }: GcVerdict): Promise<void> {
    const key = objectKey(pod);
    const namespace = pod.metadata.namespace;
    const name = pod.metadata.name ?? '';
    try {
      const status = failedStatus(pod, condition, this.clock.now());
      if (status) await this.client.updateStatus<Pod>(PODS, namespace, { ...pod, status });
      await this.client.delete(PODS, namespace, name, {
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata.uid },
      });
      this.log.info({ pod: key, node: pod.spec?.nodeName, reason }, 'pod force-deleted');
    } catch (err) {
      // Gone, or changed meanwhile (the next pass looks again).
      if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict'))
        this.log.warn({ err, pod: key, reason }, 'could not force-delete the pod');
    }
  }
}
