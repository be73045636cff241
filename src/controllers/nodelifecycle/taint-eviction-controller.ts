// The taint eviction controller (Kubernetes' NoExecute taint manager, pkg/controller/tainteviction), thin: a pod
// on a node with NoExecute taints is checked by taint-eviction.ts and then deleted at once, queued until its
// tolerationSeconds run out (re-checked then: the taint may be gone), or left alone. Keys are pods (`ns/name`);
// a node whose NoExecute taints change re-queues every pod on it. Events on the pod, as upstream writes them:
// TaintManagerEviction "Marking for deletion Pod ns/name" and, when a queued deletion is called off,
// "Cancelling deletion of Pod ns/name".
//
// The deletion is an ordinary graceful one. On an unreachable node nobody can confirm it, so the pod stays
// Terminating until the node's agent comes back and finishes it (or the Node is deleted and PodGC removes it),
// as in Kubernetes; its ReplicaSet does not count a terminating pod and creates a replacement at once.
import { jsonEqual } from '../../api/object-meta.js';
import type { Node, Pod, Taint } from '../../api/types.js';
import { NODES, PODS, type ApiClient } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import { objectKey, splitKey } from '../../client/key.js';
import type { Clock } from '../../common/clock.js';
import { isApiError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { Controller } from '../runtime/controller.js';
import { DELETION_BY_TAINT_MANAGER, disruptionTargetStatus } from './pod-conditions.js';
import { evictionDecision, noExecuteTaints, type EvictionDecision } from './taint-eviction.js';
import { controllerBasics } from '../runtime/controller-basics.js';

export interface TaintEvictionControllerDeps {
  client: ApiClient;
  informers: InformerFactory;
  clock?: Clock;
  logger?: Logger;
  /** Default: component taint-eviction-controller. */
  recorder?: EventRecorder;
  workers?: number;
}

const taintId = (node: string, t: Taint) => `${node}\u0000${t.key}\u0000${t.value ?? ''}`;

export class TaintEvictionController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  /** Pods whose deletion is queued, with when it is due (ms). */
  private readonly pending = new Map<string, number>();
  /** When a NoExecute taint without timeAdded was first seen (by node, key and value). */
  private readonly firstSeen = new Map<string, number>();

  constructor(deps: TaintEvictionControllerDeps) {
    this.client = deps.client;
    const basics = controllerBasics(deps, 'taint-eviction-controller');
    this.clock = basics.clock;
    this.log = basics.log;
    this.recorder = basics.recorder;
    this.pods = deps.informers.get<Pod>(PODS);
    this.nodes = deps.informers.get<Node>(NODES);
    this.controller = new Controller({
      name: 'taint-eviction',
      sync: (key) => this.sync(key),
      workers: deps.workers ?? 4,
      clock: this.clock,
      logger: this.log,
    });

    this.pods.on('add', (p) => this.podChanged(p));
    this.pods.on('update', (old, p) => {
      if (old.spec?.nodeName !== p.spec?.nodeName || !jsonEqual(old.spec?.tolerations, p.spec?.tolerations))
        this.controller.enqueue(objectKey(p));
      else this.podChanged(p);
    });
    this.pods.on('delete', (p) => this.pending.delete(objectKey(p)));
    this.nodes.on('add', (n) => {
      if (noExecuteTaints(n.spec?.taints).length > 0) this.enqueuePodsOn(n);
    });
    this.nodes.on('update', (old, n) => {
      const taints = noExecuteTaints(n.spec?.taints);
      if (jsonEqual(noExecuteTaints(old.spec?.taints), taints)) return;
      this.forgetTaints(n.metadata.name ?? '', taints);
      this.enqueuePodsOn(n);
    });
    this.nodes.on('delete', (n) => {
      this.forgetTaints(n.metadata.name ?? '', []);
      this.enqueuePodsOn(n);
    });
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  /** Pods whose deletion is queued, by key, with when it is due (ms). */
  scheduled(): ReadonlyMap<string, number> {
    return this.pending;
  }

  /** Any other change matters only for a pod on a NoExecute-tainted node or one already queued. */
  private podChanged(pod: Pod): void {
    const key = objectKey(pod);
    const node = pod.spec?.nodeName ? this.nodes.get(undefined, pod.spec.nodeName) : undefined;
    if (this.pending.has(key) || (node && noExecuteTaints(node.spec?.taints).length > 0))
      this.controller.enqueue(key);
  }

  private enqueuePodsOn(node: Node): void {
    const name = node.metadata.name;
    for (const pod of this.pods.list())
      if (pod.spec?.nodeName === name) this.controller.enqueue(objectKey(pod));
  }

  private forgetTaints(node: string, keep: Taint[]): void {
    const kept = new Set(keep.map((t) => taintId(node, t)));
    for (const id of this.firstSeen.keys())
      if (id.startsWith(`${node}\u0000`) && !kept.has(id)) this.firstSeen.delete(id);
  }

  /** The node's NoExecute taints, each with a timeAdded (when first seen here, if the taint has none). */
  private taintsOf(node: Node | undefined, now: number): Taint[] {
    if (!node) return [];
    const name = node.metadata.name ?? '';
    return noExecuteTaints(node.spec?.taints).map((t) => {
      if (t.timeAdded && !Number.isNaN(Date.parse(t.timeAdded))) return t;
      const id = taintId(name, t);
      let since = this.firstSeen.get(id);
      if (since === undefined) this.firstSeen.set(id, (since = now));
      return { ...t, timeAdded: new Date(since).toISOString() };
    });
  }

  private async sync(key: string): Promise<void> {
    const pod = this.pods.getByKey(key);
    if (!pod || !pod.spec?.nodeName || pod.metadata.deletionTimestamp) {
      this.pending.delete(key); // gone, unbound, or already being deleted: nothing to call off
      return;
    }
    const now = this.clock.now();
    const taints = this.taintsOf(this.nodes.get(undefined, pod.spec.nodeName), now);
    const decision = evictionDecision(pod, taints, now);
    if (decision.kind === 'now') return this.evict(key, pod, taints);
    this.defer(key, pod, decision, now);
  }

  private defer(key: string, pod: Pod, decision: EvictionDecision, now: number): void {
    if (decision.kind === 'never') return this.cancel(key, pod);
    if (decision.kind === 'at') {
      this.pending.set(key, decision.atMs);
      this.controller.enqueueAfter(key, decision.atMs - now);
    }
  }

  private cancel(key: string, pod: Pod): void {
    if (!this.pending.delete(key)) return;
    this.log.info({ pod: key }, 'taint eviction cancelled');
    this.recorder.record(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  private async evict(key: string, cached: Pod, taints: Taint[]): Promise<void> {
    const { namespace, name } = splitKey(key);
    let pod: Pod;
    try {
      pod = await this.client.get<Pod>(PODS, namespace, name);
    } catch (err) {
      if (isApiError(err, 'NotFound')) return void this.pending.delete(key);
      throw err;
    }
    // The cache may lag: decide again on the pod as it is now.
    if (pod.metadata.uid !== cached.metadata.uid || pod.metadata.deletionTimestamp) {
      this.pending.delete(key);
      return;
    }
    const now = this.clock.now();
    const decision = evictionDecision(pod, taints, now);
    if (decision.kind !== 'now') return this.defer(key, pod, decision, now);

    this.recorder.record(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    const status = disruptionTargetStatus(pod, DELETION_BY_TAINT_MANAGER, now);
    try {
      if (status) await this.client.updateStatus<Pod>(PODS, namespace, { ...pod, status });
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err; // a conflict: the retry reads the pod again
      return void this.pending.delete(key);
    }
    try {
      await this.client.delete(PODS, namespace, name, { preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      // Gone already, or the name belongs to a new pod now (uid precondition): nothing left to evict.
      if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
    }
    this.pending.delete(key);
    this.log.info(
      { pod: key, node: pod.spec.nodeName, taints: taints.map((t) => `${t.key}:${t.effect}`) },
      'pod evicted for a NoExecute taint',
    );
  }
}
