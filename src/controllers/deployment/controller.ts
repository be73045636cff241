// The Deployment controller (kube-controller-manager's deployment controller). Informer handlers enqueue the
// Deployment's `ns/name` (for a ReplicaSet or pod: its owning Deployment); sync(key) re-reads the caches, claims
// the ReplicaSets (adopt/release), lets reconcile.ts decide, then performs the plan: ReplicaSet creates, updates
// and deletes with the ScalingReplicaSet events Kubernetes writes, the revision annotation, the status, and a
// timed re-sync for the progress deadline.
import { getControllerOf, isControlledBy } from '../../api/object-meta.js';
import { labelSelectorMatcher } from '../../api/selectors.js';
import type { Deployment, OwnerReference, Pod, ReplicaSet } from '../../api/types.js';
import { DEPLOYMENTS, PODS, REPLICASETS, type ApiClient } from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import type { Informer } from '../../client/informer.js';
import { objectKey } from '../../client/key.js';
import type { Clock } from '../../common/clock.js';
import { conflict, isApiError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { templatesEqualIgnoringHash } from '../common/template-hash.js';
import { adoptPatch, claimObjects, releasePatch } from '../replicaset/reconcile.js';
import { Controller } from '../runtime/controller.js';
import { FAILED_RS_CREATE, hasProgressDeadline, newCondition, setCondition } from './conditions.js';
import { reconcileDeployment, type DeploymentPlan } from './reconcile.js';
import { REVISION_ANNOTATION } from './replica-sets.js';
import type { DeploymentAction } from './sync-state.js';
import { controllerBasics } from '../runtime/controller-basics.js';

export interface DeploymentControllerDeps {
  client: ApiClient;
  informers: InformerFactory;
  clock?: Clock;
  logger?: Logger;
  recorder?: EventRecorder;
  workers?: number;
  /** Every key is re-synced this often (level-triggered safety net); default 30 s. */
  resyncPeriodMs?: number;
}

export class DeploymentController {
  /** The key queue and workers (tests drive it with processNext()). */
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly dInformer: Informer<Deployment>;
  private readonly rsInformer: Informer<ReplicaSet>;
  private readonly podInformer: Informer<Pod>;

  constructor(deps: DeploymentControllerDeps) {
    this.client = deps.client;
    const basics = controllerBasics(deps, 'deployment-controller');
    this.clock = basics.clock;
    this.log = basics.log;
    this.recorder = basics.recorder;
    this.dInformer = deps.informers.get<Deployment>(DEPLOYMENTS);
    this.rsInformer = deps.informers.get<ReplicaSet>(REPLICASETS);
    this.podInformer = deps.informers.get<Pod>(PODS);
    this.controller = new Controller({
      name: 'deployment',
      sync: (key) => this.sync(key),
      workers: deps.workers,
      clock: this.clock,
      logger: deps.logger,
      resyncPeriodMs: deps.resyncPeriodMs ?? 30_000,
      resyncKeys: () => this.dInformer.list().map(objectKey),
    });

    const enqueue = (d: Deployment) => this.controller.enqueue(objectKey(d));
    this.dInformer.on('add', enqueue);
    this.dInformer.on('update', (_old, cur) => enqueue(cur));
    this.dInformer.on('delete', enqueue);
    this.rsInformer.on('add', (rs) => this.addReplicaSet(rs));
    this.rsInformer.on('update', (old, cur) => this.updateReplicaSet(old, cur));
    this.rsInformer.on('delete', (rs) => this.enqueueOwner(rs));
    this.podInformer.on('update', (old, cur) => this.podChanged(old, cur));
    this.podInformer.on('delete', (pod) => this.podChanged(undefined, pod));
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  /** One level-triggered pass over the Deployment `ns/name`. */
  async sync(key: string): Promise<void> {
    const d = this.dInformer.getByKey(key);
    if (!d) return;
    const replicaSets = await this.claimReplicaSets(d);
    const plan = reconcileDeployment({
      deployment: d,
      replicaSets,
      podsByReplicaSet: this.podsByReplicaSet(d, replicaSets),
      now: this.clock.now(),
    });
    for (const e of plan.events) this.recorder.record(d, e.type, e.reason, e.message);
    await this.execute(d, plan);
    if (plan.requeueAfterMs !== undefined) this.controller.enqueueAfter(key, plan.requeueAfterMs);
  }

  // ---- performing a plan ----------------------------------------------------------------------------

  private async execute(d: Deployment, plan: DeploymentPlan): Promise<void> {
    /** resourceVersions our own writes produced, so a second update of one ReplicaSet builds on the first. */
    const written = new Map<string, string>();
    for (const action of plan.actions) await this.perform(d, action, written);
    let latest = d;
    if (plan.revision !== undefined) {
      latest = await this.client.patch<Deployment>(
        DEPLOYMENTS,
        d.metadata.namespace,
        d.metadata.name ?? '',
        'merge',
        {
          metadata: { annotations: { [REVISION_ANNOTATION]: plan.revision } },
        },
      );
    }
    if (plan.status) {
      await this.client.updateStatus<Deployment>(DEPLOYMENTS, d.metadata.namespace, {
        ...latest,
        status: plan.status,
      });
    }
  }

  private async perform(
    d: Deployment,
    action: DeploymentAction,
    written: Map<string, string>,
  ): Promise<void> {
    const ns = d.metadata.namespace;
    const name = action.rs.metadata.name ?? '';
    switch (action.type) {
      case 'createReplicaSet': {
        const created = await this.createReplicaSet(d, action.rs);
        written.set(name, created.rv);
        const replicas = action.rs.spec.replicas ?? 0;
        if (!created.existed && replicas > 0) {
          this.scalingEvent(d, `Scaled up replica set ${name} from 0 to ${replicas}`);
        }
        return;
      }
      case 'updateReplicaSet': {
        const rs = structuredClone(action.rs);
        const rv = written.get(name);
        if (rv) rs.metadata.resourceVersion = rv;
        const updated = await this.client.update<ReplicaSet>(REPLICASETS, ns, rs);
        written.set(name, updated.metadata.resourceVersion ?? '');
        if (action.scaled) {
          const { from, to } = action.scaled;
          this.scalingEvent(
            d,
            `Scaled ${to > from ? 'up' : 'down'} replica set ${name} from ${from} to ${to}`,
          );
        }
        return;
      }
      case 'deleteReplicaSet':
        try {
          await this.client.delete(REPLICASETS, ns, name);
        } catch (err) {
          if (!isApiError(err, 'NotFound')) throw err;
        }
        return;
    }
  }

  /**
   * Create the new ReplicaSet. AlreadyExists is fine when it is ours with the same template (the cache was just
   * behind); otherwise it is a hash collision: count it in status.collisionCount so the next name differs.
   */
  private async createReplicaSet(d: Deployment, rs: ReplicaSet): Promise<{ rv: string; existed: boolean }> {
    const ns = d.metadata.namespace;
    const body = structuredClone(rs);
    delete body.metadata.creationTimestamp;
    try {
      const created = await this.client.create<ReplicaSet>(REPLICASETS, ns, body);
      return { rv: created.metadata.resourceVersion ?? '', existed: false };
    } catch (err) {
      if (isApiError(err, 'AlreadyExists')) {
        const existing = await this.client.get<ReplicaSet>(REPLICASETS, ns, rs.metadata.name ?? '');
        if (
          isControlledBy(existing, d) &&
          templatesEqualIgnoringHash(existing.spec.template, d.spec.template)
        ) {
          return { rv: existing.metadata.resourceVersion ?? '', existed: true };
        }
        const collisionCount = (d.status?.collisionCount ?? 0) + 1;
        this.log.info({ deployment: objectKey(d), collisionCount }, 'hash collision; bumping collisionCount');
        await this.client.updateStatus<Deployment>(DEPLOYMENTS, ns, {
          ...d,
          status: { ...(d.status ?? {}), collisionCount },
        });
        throw err;
      }
      const message = `Failed to create new replica set "${rs.metadata.name}": ${(err as Error).message}`;
      if (hasProgressDeadline(d)) {
        const status = structuredClone(d.status ?? {});
        setCondition(
          status,
          newCondition('Progressing', 'False', FAILED_RS_CREATE, message, this.clock.now()),
        );
        // A bigger problem is being reported; a failure to write this condition changes nothing.
        await this.client.updateStatus(DEPLOYMENTS, ns, { ...d, status }).catch(() => undefined);
      }
      this.recorder.record(d, 'Warning', FAILED_RS_CREATE, message);
      throw err;
    }
  }

  private scalingEvent(d: Deployment, message: string): void {
    this.recorder.record(d, 'Normal', 'ScalingReplicaSet', message);
  }

  // ---- reading the world ----------------------------------------------------------------------------

  /** ClaimReplicaSets: the ReplicaSets the Deployment controls, after adopting matching orphans and releasing. */
  private async claimReplicaSets(d: Deployment): Promise<ReplicaSet[]> {
    const candidates = this.rsInformer.list().filter((rs) => rs.metadata.namespace === d.metadata.namespace);
    const claims = claimObjects(d, d.spec.selector, candidates);
    const owned = [...claims.owned];
    const errors: unknown[] = [];
    if (claims.adopt.length > 0) await this.recheckCanAdopt(d);
    for (const rs of claims.adopt) {
      try {
        owned.push(await this.patchReplicaSet(rs, adoptPatch(d, rs)));
      } catch (err) {
        if (!isApiError(err, 'NotFound')) errors.push(err);
      }
    }
    for (const rs of claims.release) {
      try {
        await this.patchReplicaSet(rs, releasePatch(d, rs));
      } catch (err) {
        if (!isApiError(err, 'NotFound')) errors.push(err);
      }
    }
    if (errors.length > 0) throw errors[0];
    return owned;
  }

  private async recheckCanAdopt(d: Deployment): Promise<void> {
    const name = d.metadata.name ?? '';
    const fresh = await this.client.get<Deployment>(DEPLOYMENTS, d.metadata.namespace, name);
    if (fresh.metadata.uid !== d.metadata.uid) {
      throw conflict(DEPLOYMENTS, name, `original Deployment is gone: got uid ${fresh.metadata.uid}`);
    }
    if (fresh.metadata.deletionTimestamp) {
      throw conflict(DEPLOYMENTS, name, `has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    }
  }

  private patchReplicaSet(rs: ReplicaSet, patch: unknown): Promise<ReplicaSet> {
    return this.client.patch<ReplicaSet>(
      REPLICASETS,
      rs.metadata.namespace,
      rs.metadata.name ?? '',
      'strategic',
      patch,
    );
  }

  /** getPodMapForDeployment: the Deployment's pods by the uid of the ReplicaSet controlling them. */
  private podsByReplicaSet(d: Deployment, replicaSets: ReplicaSet[]): Map<string, Pod[]> {
    const selector = labelSelectorMatcher(d.spec.selector);
    const map = new Map<string, Pod[]>(replicaSets.map((rs) => [rs.metadata.uid ?? '', []]));
    for (const pod of this.podInformer.list()) {
      if (pod.metadata.namespace !== d.metadata.namespace || !selector.matches(pod.metadata.labels)) continue;
      map.get(getControllerOf(pod)?.uid ?? '')?.push(pod);
    }
    return map;
  }

  // ---- event handlers (enqueue only) ----------------------------------------------------------------

  private resolveDeployment(namespace: string | undefined, ref: OwnerReference): Deployment | undefined {
    if (ref.kind !== 'Deployment' || !ref.apiVersion.startsWith('apps/')) return undefined;
    const d = this.dInformer.get(namespace, ref.name);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  private enqueueOwner(rs: ReplicaSet): void {
    const ref = getControllerOf(rs);
    const d = ref && this.resolveDeployment(rs.metadata.namespace, ref);
    if (d) this.controller.enqueue(objectKey(d));
  }

  /** Deployments whose selector matches an orphan ReplicaSet: one of them may adopt it. */
  private enqueueSelecting(rs: ReplicaSet): void {
    for (const d of this.dInformer.list()) {
      if (d.metadata.namespace !== rs.metadata.namespace) continue;
      const selector = labelSelectorMatcher(d.spec.selector);
      if (!selector.empty && selector.matches(rs.metadata.labels)) this.controller.enqueue(objectKey(d));
    }
  }

  private addReplicaSet(rs: ReplicaSet): void {
    if (getControllerOf(rs)) this.enqueueOwner(rs);
    else if (!rs.metadata.deletionTimestamp) this.enqueueSelecting(rs);
  }

  private updateReplicaSet(old: ReplicaSet, cur: ReplicaSet): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const oldRef = getControllerOf(old);
    const curRef = getControllerOf(cur);
    const refChanged = JSON.stringify(oldRef ?? null) !== JSON.stringify(curRef ?? null);
    if (refChanged && oldRef) this.enqueueOwner(old);
    if (curRef) {
      this.enqueueOwner(cur);
      return;
    }
    const labelsChanged =
      JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (labelsChanged || refChanged) this.enqueueSelecting(cur);
  }

  /**
   * A Recreate rollout waits for the old pods to be gone (or terminal), which only pod events tell: enqueue the
   * Deployment of the pod's ReplicaSet when a pod goes away or its phase changes.
   */
  private podChanged(old: Pod | undefined, cur: Pod): void {
    if (old && old.status?.phase === cur.status?.phase) return;
    const rsRef = getControllerOf(cur);
    if (rsRef?.kind !== 'ReplicaSet') return;
    const rs = this.rsInformer.get(cur.metadata.namespace, rsRef.name);
    if (!rs || rs.metadata.uid !== rsRef.uid) return;
    const ref = getControllerOf(rs);
    const d = ref && this.resolveDeployment(rs.metadata.namespace, ref);
    if (d?.spec.strategy?.type === 'Recreate') this.controller.enqueue(objectKey(d));
  }
}
