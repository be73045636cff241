// The ReplicaSet controller (kube-controller-manager's replicaset controller): keeps spec.replicas pods matching
// the selector. Informer handlers only enqueue `ns/name` keys (for a pod: its owning ReplicaSet's key); sync(key)
// re-reads the caches, claims pods (adopt/release via ownerReferences), creates or deletes pods through PodControl
// in slow-start batches, guarded by expectations so a lagging cache never double-creates or double-deletes, and
// writes the status computed by status.ts. Decisions are in reconcile.ts and pod-ranking.ts.
import { getControllerOf, podIsReady } from '../../api/object-meta.js';
import { labelSelectorMatcher } from '../../api/selectors.js';
import type { OwnerReference, Pod, ReplicaSet, ReplicaSetStatus } from '../../api/types.js';
import { PODS, REPLICASETS, type ApiClient } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import type { Informer } from '../../client/informer.js';
import { keyFor, objectKey } from '../../client/key.js';
import type { Clock } from '../../common/clock.js';
import { conflict, isApiError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { ApiPodControl, type PodControl } from '../common/pod-control.js';
import { Controller } from '../runtime/controller.js';
import { isPodActive } from './pod-ranking.js';
import {
  adoptPatch,
  claimPods,
  manageReplicas,
  releasePatch,
  SLOW_START_INITIAL_BATCH,
} from './reconcile.js';
import { slowStartBatch } from './slow-start.js';
import { calculateStatus, nextAvailabilityCheckMs, statusChanged } from './status.js';
import { UidTrackingExpectations } from './uid-tracking-expectations.js';
import { controllerBasics } from '../runtime/controller-basics.js';

export interface ReplicaSetControllerDeps {
  client: ApiClient;
  informers: InformerFactory;
  clock?: Clock;
  logger?: Logger;
  recorder?: EventRecorder;
  podControl?: PodControl;
  workers?: number;
  /** Every key is re-synced this often (level-triggered safety net); default 30 s. */
  resyncPeriodMs?: number;
}

export class ReplicaSetController {
  /** The key queue and workers (tests drive it with processNext()). */
  readonly controller: Controller;
  readonly expectations: UidTrackingExpectations;
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly podControl: PodControl;
  private readonly rsInformer: Informer<ReplicaSet>;
  private readonly podInformer: Informer<Pod>;

  constructor(deps: ReplicaSetControllerDeps) {
    this.client = deps.client;
    const basics = controllerBasics(deps, 'replicaset-controller');
    this.clock = basics.clock;
    this.log = basics.log;
    const recorder = basics.recorder;
    this.podControl = deps.podControl ?? new ApiPodControl({ client: deps.client, recorder });
    this.expectations = new UidTrackingExpectations({ clock: this.clock });
    this.rsInformer = deps.informers.get<ReplicaSet>(REPLICASETS);
    this.podInformer = deps.informers.get<Pod>(PODS);
    this.controller = new Controller({
      name: 'replicaset',
      sync: (key) => this.sync(key),
      workers: deps.workers,
      clock: this.clock,
      logger: deps.logger,
      resyncPeriodMs: deps.resyncPeriodMs ?? 30_000,
      resyncKeys: () => this.rsInformer.list().map(objectKey),
    });

    this.rsInformer.on('add', (rs) => this.controller.enqueue(objectKey(rs)));
    this.rsInformer.on('update', (_old, cur) => this.controller.enqueue(objectKey(cur)));
    this.rsInformer.on('delete', (rs) => {
      this.expectations.deleteExpectations(objectKey(rs));
      this.controller.enqueue(objectKey(rs));
    });
    this.podInformer.on('add', (pod) => this.addPod(pod));
    this.podInformer.on('update', (old, cur) => this.updatePod(old, cur));
    this.podInformer.on('delete', (pod) => this.deletePod(pod));
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  /** One level-triggered pass over the ReplicaSet `ns/name`. */
  async sync(key: string): Promise<void> {
    const rs = this.rsInformer.getByKey(key);
    if (!rs) {
      this.expectations.deleteExpectations(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const namespace = rs.metadata.namespace;
    const active = this.podInformer
      .list()
      .filter((p) => p.metadata.namespace === namespace && isPodActive(p));
    const owned = await this.claim(rs, active);

    let manageError: Error | undefined;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      manageError = await this.manage(key, rs, owned, this.relatedPods(rs, active));
    }
    const now = this.clock.now();
    await this.writeStatus(rs, calculateStatus(rs, owned, manageError, now));
    const wait = manageError ? undefined : nextAvailabilityCheckMs(rs, owned, now);
    if (wait !== undefined) this.controller.enqueueAfter(key, wait);
    if (manageError) throw manageError;
  }

  // ---- claiming -------------------------------------------------------------------------------------

  private async claim(rs: ReplicaSet, pods: Pod[]): Promise<Pod[]> {
    const claims = claimPods(rs, pods);
    const owned = [...claims.owned];
    const errors: unknown[] = [];
    if (claims.adopt.length > 0) await this.recheckCanAdopt(rs);
    for (const pod of claims.adopt) {
      try {
        owned.push(await this.patchPod(pod, adoptPatch(rs, pod)));
      } catch (err) {
        if (!isApiError(err, 'NotFound')) errors.push(err);
      }
    }
    for (const pod of claims.release) {
      try {
        await this.patchPod(pod, releasePatch(rs, pod));
      } catch (err) {
        if (!isApiError(err, 'NotFound')) errors.push(err);
      }
    }
    if (errors.length > 0) throw errors[0];
    return owned;
  }

  /** Adopting needs a fresh read: the cache may still hold a ReplicaSet that was deleted or recreated. */
  private async recheckCanAdopt(rs: ReplicaSet): Promise<void> {
    const name = rs.metadata.name ?? '';
    const fresh = await this.client.get<ReplicaSet>(REPLICASETS, rs.metadata.namespace, name);
    if (fresh.metadata.uid !== rs.metadata.uid) {
      throw conflict(REPLICASETS, name, `original ReplicaSet is gone: got uid ${fresh.metadata.uid}`);
    }
    if (fresh.metadata.deletionTimestamp) {
      throw conflict(REPLICASETS, name, `has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    }
  }

  private patchPod(pod: Pod, patch: unknown): Promise<Pod> {
    return this.client.patch<Pod>(PODS, pod.metadata.namespace, pod.metadata.name ?? '', 'strategic', patch);
  }

  /** The active pods of every ReplicaSet with the same controller (getIndirectlyRelatedPods). */
  private relatedPods(rs: ReplicaSet, active: Pod[]): Pod[] {
    const ref = getControllerOf(rs);
    if (!ref) return [];
    const siblings = this.rsInformer
      .list()
      .filter((o) => o.metadata.namespace === rs.metadata.namespace && getControllerOf(o)?.uid === ref.uid);
    const seen = new Set<string>();
    const related: Pod[] = [];
    for (const sibling of siblings) {
      const selector = labelSelectorMatcher(sibling.spec.selector);
      for (const pod of active) {
        if (seen.has(pod.metadata.uid ?? '') || !selector.matches(pod.metadata.labels)) continue;
        seen.add(pod.metadata.uid ?? '');
        related.push(pod);
      }
    }
    return related;
  }

  // ---- creating and deleting ------------------------------------------------------------------------

  private async manage(
    key: string,
    rs: ReplicaSet,
    owned: Pod[],
    related: Pod[],
  ): Promise<Error | undefined> {
    const decision = manageReplicas(rs, owned, related);
    if (decision.type === 'create') {
      const template = rs.spec.template;
      if (!template) return new Error('the ReplicaSet has no pod template');
      this.expectations.expectCreations(key, decision.count);
      const { successes, error } = await slowStartBatch(decision.count, SLOW_START_INITIAL_BATCH, () =>
        this.podControl.createPod(template, rs),
      );
      // Pods that were never created will never be observed: stop waiting for them.
      for (let i = successes; i < decision.count; i++) this.expectations.creationObserved(key);
      return error === undefined ? undefined : asError(error);
    }
    if (decision.type === 'delete') {
      this.expectations.expectDeletionsOf(key, decision.pods.map(objectKey));
      const results = await Promise.allSettled(
        decision.pods.map((p) =>
          this.podControl.deletePod(p.metadata.namespace ?? '', p.metadata.name ?? '', rs),
        ),
      );
      let first: Error | undefined;
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') return;
        this.expectations.podDeletionObserved(key, objectKey(decision.pods[i]));
        first ??= asError(r.reason);
      });
      return first;
    }
    return undefined;
  }

  private async writeStatus(rs: ReplicaSet, status: ReplicaSetStatus): Promise<void> {
    if (!statusChanged(rs.status, status)) return;
    try {
      await this.client.updateStatus<ReplicaSet>(REPLICASETS, rs.metadata.namespace, { ...rs, status });
    } catch (err) {
      if (!isApiError(err, 'Conflict')) throw err;
      // One retry on a fresh copy, as Kubernetes' updateReplicaSetStatus does.
      const fresh = await this.client.get<ReplicaSet>(
        REPLICASETS,
        rs.metadata.namespace,
        rs.metadata.name ?? '',
      );
      await this.client.updateStatus<ReplicaSet>(REPLICASETS, rs.metadata.namespace, { ...fresh, status });
    }
  }

  // ---- event handlers (enqueue only) ----------------------------------------------------------------

  private resolveControllerRef(namespace: string | undefined, ref: OwnerReference): ReplicaSet | undefined {
    if (ref.kind !== 'ReplicaSet' || !ref.apiVersion.startsWith('apps/')) return undefined;
    const rs = this.rsInformer.get(namespace, ref.name);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets whose (non-empty) selector matches an orphan pod: they may want to adopt it. */
  private replicaSetsSelecting(pod: Pod): ReplicaSet[] {
    return this.rsInformer.list().filter((rs) => {
      if (rs.metadata.namespace !== pod.metadata.namespace) return false;
      const selector = labelSelectorMatcher(rs.spec.selector);
      return !selector.empty && selector.matches(pod.metadata.labels);
    });
  }

  private addPod(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) {
      // Seen for the first time already terminating (e.g. after a relist): count it as deleted.
      this.deletePod(pod);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref) {
      const rs = this.resolveControllerRef(pod.metadata.namespace, ref);
      if (!rs) return;
      const key = objectKey(rs);
      this.expectations.creationObserved(key);
      this.controller.enqueue(key);
      return;
    }
    for (const rs of this.replicaSetsSelecting(pod)) this.controller.enqueue(objectKey(rs));
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelsChanged =
      JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      // A graceful deletion starts: replace the pod now rather than when the kubelet has stopped it.
      this.deletePod(cur);
      if (labelsChanged) this.deletePod(old);
      return;
    }
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = JSON.stringify(curRef ?? null) !== JSON.stringify(oldRef ?? null);
    if (refChanged && oldRef) {
      const previous = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (previous) this.controller.enqueue(objectKey(previous));
    }
    if (curRef) {
      const rs = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (!rs) return;
      this.controller.enqueue(objectKey(rs));
      const minReady = rs.spec.minReadySeconds ?? 0;
      if (!podIsReady(old) && podIsReady(cur) && minReady > 0) {
        this.controller.enqueueAfter(objectKey(rs), minReady * 1000);
      }
      return;
    }
    if (labelsChanged || refChanged) {
      for (const rs of this.replicaSetsSelecting(cur)) this.controller.enqueue(objectKey(rs));
    }
  }

  private deletePod(pod: Pod): void {
    const ref = getControllerOf(pod);
    if (!ref) return;
    const rs = this.resolveControllerRef(pod.metadata.namespace, ref);
    if (!rs) return;
    const key = objectKey(rs);
    this.expectations.podDeletionObserved(key, keyFor(pod.metadata.namespace, pod.metadata.name ?? ''));
    this.log.debug({ key, pod: pod.metadata.name }, 'pod deletion observed');
    this.controller.enqueue(key);
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
