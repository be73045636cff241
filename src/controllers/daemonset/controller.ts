// The DaemonSet controller loop (Kubernetes pkg/controller/daemon/daemon_controller.go), thin: informer handlers
// enqueue DaemonSet keys; sync(key) reads the caches, records the template revision (ControllerRevision), decides
// with reconcile.ts, creates and deletes pods through PodControl under expectations, prunes old revisions and
// writes the status from status.ts when it changed.
import { getControllerOf, jsonEqual, podIsReady } from '../../api/object-meta.js';
import { labelSelectorMatcher } from '../../api/selectors.js';
import type { ControllerRevision, DaemonSet, DaemonSetStatus, Node, Pod } from '../../api/types.js';
import { CONTROLLERREVISIONS, DAEMONSETS, NODES, PODS, type ApiClient } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import { objectKey } from '../../client/key.js';
import type { Clock } from '../../common/clock.js';
import { conflict, isApiError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import {
  CONTROLLER_REVISION_HASH_LABEL,
  equalRevisionData,
  newControllerRevision,
  ownedRevisions,
  RevisionControl,
  revisionsToPrune,
  templatePatch,
} from '../common/controller-revision.js';
import { ApiPodControl, type PodControl } from '../common/pod-control.js';
import { Controller } from '../runtime/controller.js';
import { adoptPatch, claimPods, releasePatch } from '../statefulset/pod-claims.js';
import { ControllerExpectations } from '../runtime/expectations.js';
import { daemonPodTemplate, replaceNodeNameAffinity } from './daemon-pods.js';
import { FailedPodBackoff, failedPodBackoffKey } from './failed-pod-backoff.js';
import { nodeShouldRunDaemonPod } from './node-eligibility.js';
import { reconcileDaemonSet, type DaemonSetPlan, type DaemonSetView } from './reconcile.js';
import { slowStartBatch } from '../replicaset/slow-start.js';
import { computeDaemonSetStatus } from './status.js';
import { controllerBasics } from '../runtime/controller-basics.js';

/** Creates and deletes per sync are capped (Kubernetes' BurstReplicas). */
export const BURST_REPLICAS = 250;
export const RESYNC_PERIOD_MS = 30_000;

export interface DaemonSetControllerDeps {
  client: ApiClient;
  informers: InformerFactory;
  clock?: Clock;
  logger?: Logger;
  recorder?: EventRecorder;
  podControl?: PodControl;
  workers?: number;
}

export class DaemonSetController {
  /** The key queue and workers; tests drive it with `controller.processNext()`. */
  readonly controller: Controller;
  readonly expectations: ControllerExpectations;
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly podControl: PodControl;
  private readonly revisions: RevisionControl;
  private readonly backoff = new FailedPodBackoff();
  private readonly daemonSets: Informer<DaemonSet>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly history: Informer<ControllerRevision>;

  constructor(deps: DaemonSetControllerDeps) {
    this.client = deps.client;
    const basics = controllerBasics(deps, 'daemonset-controller');
    this.clock = basics.clock;
    this.log = basics.log;
    this.recorder = basics.recorder;
    this.podControl = deps.podControl ?? new ApiPodControl({ client: deps.client, recorder: this.recorder });
    this.revisions = new RevisionControl(deps.client);
    this.expectations = new ControllerExpectations({ clock: this.clock });
    this.daemonSets = deps.informers.get<DaemonSet>(DAEMONSETS);
    this.pods = deps.informers.get<Pod>(PODS);
    this.nodes = deps.informers.get<Node>(NODES);
    this.history = deps.informers.get<ControllerRevision>(CONTROLLERREVISIONS);
    this.controller = new Controller({
      name: 'daemonset',
      sync: (key) => this.sync(key),
      workers: deps.workers,
      clock: this.clock,
      logger: this.log,
      resyncPeriodMs: RESYNC_PERIOD_MS,
      resyncKeys: () => this.daemonSets.list().map(objectKey),
    });

    this.daemonSets.on('add', (ds) => this.controller.enqueue(objectKey(ds)));
    this.daemonSets.on('update', (old, ds) => {
      if (old.metadata.uid !== ds.metadata.uid) this.expectations.deleteExpectations(objectKey(old));
      this.controller.enqueue(objectKey(ds));
    });
    this.daemonSets.on('delete', (ds) => {
      this.expectations.deleteExpectations(objectKey(ds));
      this.controller.enqueue(objectKey(ds));
    });
    this.pods.on('add', (pod) => this.onPodAdded(pod));
    this.pods.on('update', (old, pod) => this.onPodUpdated(old, pod));
    this.pods.on('delete', (pod) => this.onPodDeleted(pod));
    this.nodes.on('add', (node) => this.onNodeChanged(undefined, node));
    this.nodes.on('update', (old, node) => this.onNodeChanged(old, node));
    this.nodes.on('delete', () => this.enqueueAll());
    const onRevision = (rev: ControllerRevision) => {
      const ds = this.ownerOf(rev);
      if (ds) this.controller.enqueue(objectKey(ds));
    };
    this.history.on('add', onRevision);
    this.history.on('update', (_old, rev) => onRevision(rev));
    this.history.on('delete', onRevision);
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  // ---- informer handlers ----------------------------------------------------------------------------

  /** The DaemonSet controlling `obj`, if it still exists (matched by uid). */
  private ownerOf(obj: Pod | ControllerRevision): DaemonSet | undefined {
    const ref = getControllerOf(obj);
    if (!ref || ref.kind !== 'DaemonSet') return undefined;
    const ds = this.daemonSets.get(obj.metadata.namespace, ref.name);
    return ds && ds.metadata.uid === ref.uid ? ds : undefined;
  }

  private onPodAdded(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) return this.onPodDeleted(pod);
    const ds = this.ownerOf(pod);
    if (!ds) return this.enqueueAdopters(pod);
    this.expectations.creationObserved(objectKey(ds));
    this.controller.enqueue(objectKey(ds));
  }

  private onPodUpdated(old: Pod, pod: Pod): void {
    if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    // A graceful deletion counts as the deletion we expected (the pod may linger while its kubelet stops it).
    if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) return this.onPodDeleted(pod);
    const oldOwner = this.ownerOf(old);
    const ds = this.ownerOf(pod);
    if (oldOwner && oldOwner.metadata.uid !== ds?.metadata.uid) this.controller.enqueue(objectKey(oldOwner));
    if (!ds) return this.enqueueAdopters(pod);
    this.controller.enqueue(objectKey(ds));
    const minReady = ds.spec.minReadySeconds ?? 0;
    if (minReady > 0 && !podIsReady(old) && podIsReady(pod))
      this.controller.enqueueAfter(objectKey(ds), (minReady + 1) * 1000);
  }

  /** An orphan pod: DaemonSets whose selector matches it may adopt it. */
  private enqueueAdopters(pod: Pod): void {
    if (getControllerOf(pod)) return;
    for (const ds of this.daemonSets.list()) {
      if (ds.metadata.namespace !== pod.metadata.namespace) continue;
      const selector = labelSelectorMatcher(ds.spec.selector);
      if (!selector.empty && selector.matches(pod.metadata.labels)) this.controller.enqueue(objectKey(ds));
    }
  }

  private onPodDeleted(pod: Pod): void {
    const ds = this.ownerOf(pod);
    if (!ds) return;
    this.expectations.deletionObserved(objectKey(ds));
    this.controller.enqueue(objectKey(ds));
  }

  private onNodeChanged(old: Node | undefined, node: Node): void {
    for (const ds of this.daemonSets.list()) {
      const now = nodeShouldRunDaemonPod(node, ds);
      if (!old) {
        if (now.shouldRun) this.controller.enqueue(objectKey(ds));
        continue;
      }
      const before = nodeShouldRunDaemonPod(old, ds);
      if (before.shouldRun !== now.shouldRun || before.shouldContinueRunning !== now.shouldContinueRunning)
        this.controller.enqueue(objectKey(ds));
    }
  }

  private enqueueAll(): void {
    for (const ds of this.daemonSets.list()) this.controller.enqueue(objectKey(ds));
  }

  // ---- sync ---------------------------------------------------------------------------------------------

  async sync(key: string): Promise<void> {
    const ds = this.daemonSets.getByKey(key);
    if (!ds) {
      this.expectations.deleteExpectations(key);
      return;
    }
    const sel = ds.spec.selector ?? {};
    if (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length) {
      this.recorder.record(
        ds,
        'Warning',
        'SelectingAll',
        'This daemon set is selecting all pods. A non-empty selector is required.',
      );
      return;
    }
    // While it is being deleted its revisions may already be gone, so nothing (not even status) is trustworthy.
    if (ds.metadata.deletionTimestamp) return;

    const { hash, old, collisionCount } = await this.constructHistory(ds);
    const now = this.clock.now();
    const view: DaemonSetView = {
      ds,
      nodes: this.nodes.list().sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1)),
      pods: await this.daemonPods(ds),
      hash,
      now,
      backoffRemaining: (node) =>
        this.backoff.remaining(
          failedPodBackoffKey(ds.metadata.uid ?? '', ds.status?.observedGeneration, node),
          now,
        ),
    };
    if (!this.expectations.satisfied(key)) {
      await this.writeStatus(ds, computeDaemonSetStatus(view, false), collisionCount);
      return;
    }

    const plan = reconcileDaemonSet(view);
    let err: unknown;
    try {
      await this.execute(ds, key, plan, hash);
      await this.cleanupHistory(ds, old, view.pods);
    } catch (e) {
      err = e;
    }
    const status = computeDaemonSetStatus(view, true);
    try {
      await this.writeStatus(ds, status, collisionCount);
    } catch (statusErr) {
      if (err) this.log.warn({ err: statusErr, ds: key }, 'could not update DaemonSet status');
      else err = statusErr;
    }
    this.backoff.gc(now);
    if (plan.requeueAfterMs !== undefined) this.controller.enqueueAfter(key, plan.requeueAfterMs);
    const minReady = ds.spec.minReadySeconds ?? 0;
    if (minReady > 0 && status.numberReady !== status.numberAvailable)
      this.controller.enqueueAfter(key, minReady * 1000);
    if (err) throw err;
  }

  /** The DaemonSet's pods, after adopting matching orphans and releasing pods its selector no longer matches. */
  private async daemonPods(ds: DaemonSet): Promise<Pod[]> {
    const claims = claimPods(ds, this.pods.list());
    const owned = [...claims.owned];
    if (claims.adopt.length > 0) {
      // The cache may still hold a DaemonSet that was deleted or recreated: check before adopting.
      const name = ds.metadata.name ?? '';
      const fresh = await this.client.get<DaemonSet>(DAEMONSETS, ds.metadata.namespace, name);
      if (fresh.metadata.uid !== ds.metadata.uid || fresh.metadata.deletionTimestamp)
        throw conflict(DAEMONSETS, name, 'the DaemonSet is gone or being deleted');
    }
    const patch = (pod: Pod, body: unknown) =>
      this.client.patch<Pod>(PODS, pod.metadata.namespace, pod.metadata.name ?? '', 'strategic', body);
    for (const pod of claims.adopt) owned.push(await patch(pod, adoptPatch(ds, pod)));
    for (const pod of claims.release) await patch(pod, releasePatch(ds, pod));
    return owned;
  }

  /** Carries out the plan: events, creates (slow start), deletes, under expectations set beforehand. */
  private async execute(ds: DaemonSet, key: string, plan: DaemonSetPlan, hash: string): Promise<void> {
    const creates = plan.create.slice(0, BURST_REPLICAS);
    const deletes = plan.delete.slice(0, BURST_REPLICAS);
    this.expectations.setExpectations(key, creates.length, deletes.length);
    for (const e of plan.events) this.recorder.record(ds, e.type, e.reason, e.message);
    const now = this.clock.now();
    for (const node of plan.failedOn)
      this.backoff.next(failedPodBackoffKey(ds.metadata.uid ?? '', ds.status?.observedGeneration, node), now);

    const errors: unknown[] = [];
    const template = daemonPodTemplate(ds, hash);
    let attempted = 0;
    const created = await slowStartBatch(creates.length, 1, async () => {
      const node = creates[attempted++];
      try {
        await this.podControl.createPod(template, ds, {
          mutateSpec: (spec) => (spec.affinity = replaceNodeNameAffinity(spec.affinity, node)),
        });
      } catch (e) {
        this.expectations.creationObserved(key); // a failed create will never be observed
        throw e;
      }
    });
    // Creates never attempted after a failing batch will not be observed either.
    if (attempted < creates.length) this.expectations.lowerExpectations(key, creates.length - attempted, 0);
    if (created.error) errors.push(created.error);

    await Promise.all(
      deletes.map(async (d) => {
        try {
          if (d.force) await this.forceDelete(ds, d.name);
          else await this.podControl.deletePod(ds.metadata.namespace ?? '', d.name, ds);
        } catch (e) {
          this.expectations.deletionObserved(key);
          if (!isApiError(e, 'NotFound')) errors.push(e);
        }
      }),
    );
    if (errors.length > 0) throw errors[0];
  }

  /** Deletes a pod whose node is gone with grace 0 (no kubelet will ever confirm a graceful deletion). */
  private async forceDelete(ds: DaemonSet, name: string): Promise<void> {
    await this.client.delete(PODS, ds.metadata.namespace, name, { gracePeriodSeconds: 0 });
    this.recorder.record(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  }

  /**
   * constructHistory: the ControllerRevision of the current template (created if missing; renumbered to the
   * newest when the template went back to an older one), its hash, and the older revisions.
   */
  private async constructHistory(
    ds: DaemonSet,
  ): Promise<{ hash: string; old: ControllerRevision[]; collisionCount: number }> {
    const data = templatePatch(ds.spec.template);
    const revs = ownedRevisions(this.history.list(), ds);
    const current = revs.filter((r) => equalRevisionData(r.data, data));
    const old = revs.filter((r) => !current.includes(r));
    const next = old.reduce((max, r) => Math.max(max, r.revision), 0) + 1;
    let collisionCount = ds.status?.collisionCount ?? 0;
    let cur: ControllerRevision;
    if (current.length === 0) {
      const labels = { ...(ds.spec.template.metadata?.labels ?? {}) };
      const created = await this.revisions.create(
        ds,
        newControllerRevision(ds, data, next, labels),
        collisionCount,
        CONTROLLER_REVISION_HASH_LABEL,
      );
      cur = created.revision;
      collisionCount = created.collisionCount;
    } else {
      // Duplicates (equal data) can appear after collisions: keep the newest, delete the rest.
      cur = current.reduce((a, b) => (b.revision >= a.revision ? b : a));
      for (const dup of current) if (dup !== cur) await this.revisions.delete(dup);
      if (cur.revision < next) cur = await this.revisions.renumber(cur, next);
    }
    const hash =
      cur.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ??
      (cur.metadata.name ?? '').slice((ds.metadata.name ?? '').length + 1);
    return { hash, old, collisionCount };
  }

  /** cleanupHistory: keep revisionHistoryLimit old revisions (default 10), never one a pod still runs. */
  private async cleanupHistory(
    ds: DaemonSet,
    old: ControllerRevision[],
    pods: readonly Pod[],
  ): Promise<void> {
    const liveHashes = new Set(pods.map((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]));
    const live = new Set(
      old
        .filter((r) => liveHashes.has(r.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]))
        .map((r) => r.metadata.name ?? ''),
    );
    const limit = ds.spec.revisionHistoryLimit ?? 10;
    for (const r of revisionsToPrune(old, live, limit, { countLive: true })) await this.revisions.delete(r);
  }

  /** Writes the status when it differs (one retry on a conflict, with the object read fresh). */
  private async writeStatus(ds: DaemonSet, status: DaemonSetStatus, collisionCount: number): Promise<void> {
    if (collisionCount > 0) status.collisionCount = collisionCount;
    const numbers = (s: DaemonSetStatus | undefined) => [
      s?.desiredNumberScheduled ?? 0,
      s?.currentNumberScheduled ?? 0,
      s?.numberMisscheduled ?? 0,
      s?.numberReady ?? 0,
      s?.updatedNumberScheduled ?? 0,
      s?.numberAvailable ?? 0,
      s?.numberUnavailable ?? 0,
      s?.collisionCount ?? 0,
      s?.observedGeneration ?? 0,
    ];
    if (ds.status && jsonEqual(numbers(ds.status), numbers(status))) return;
    const ns = ds.metadata.namespace;
    try {
      await this.client.updateStatus<DaemonSet>(DAEMONSETS, ns, { ...ds, status });
    } catch (err) {
      if (!isApiError(err, 'Conflict')) throw err;
      const fresh = await this.client.get<DaemonSet>(DAEMONSETS, ns, ds.metadata.name ?? '');
      await this.client.updateStatus<DaemonSet>(DAEMONSETS, ns, { ...fresh, status });
    }
  }
}
