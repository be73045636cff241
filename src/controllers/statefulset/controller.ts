// The StatefulSet controller loop (Kubernetes pkg/controller/statefulset), thin: informer handlers enqueue set keys;
// sync(key) claims the set's pods, finds or records its current and update revisions (ControllerRevisions), decides
// with reconcile.ts, carries the actions out in order (stopping at the first failure), writes the status and prunes
// old revisions. Pods have fixed names, so a create that raced a lagging cache just fails with AlreadyExists:
// StatefulSets need no expectations.
import { getControllerOf, podIsReady } from '../../api/object-meta.js';
import type {
  ControllerRevision,
  PersistentVolumeClaim,
  Pod,
  StatefulSet,
  StatefulSetStatus,
} from '../../api/types.js';
import {
  CONTROLLERREVISIONS,
  PERSISTENTVOLUMECLAIMS,
  PODS,
  STATEFULSETS,
  type ApiClient,
} from '../../client/api-client.js';
import { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import { objectKey } from '../../client/key.js';
import type { Clock } from '../../common/clock.js';
import { conflict, isApiError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import {
  findEqualRevisions,
  newControllerRevision,
  nextRevision,
  ownedRevisions,
  REVISION_HASH_LABEL,
  RevisionControl,
  revisionsToPrune,
  sortRevisions,
  templateOfRevision,
  templatePatch,
} from '../common/controller-revision.js';
import { Controller } from '../runtime/controller.js';
import { adoptPatch, claimPods, releasePatch } from './pod-claims.js';
import { reconcileStatefulSet, type StatefulSetAction, type StatefulSetPlan } from './reconcile.js';
import { isMemberOf, parentAndOrdinal, podRevision, replicasOf } from './stateful-pods.js';
import { statusChanged } from './status.js';
import { controllerBasics } from '../runtime/controller-basics.js';

export const RESYNC_PERIOD_MS = 30_000;

export interface StatefulSetControllerDeps {
  client: ApiClient;
  informers: InformerFactory;
  clock?: Clock;
  logger?: Logger;
  recorder?: EventRecorder;
  workers?: number;
}

export class StatefulSetController {
  /** The key queue and workers; tests drive it with `controller.processNext()`. */
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly revisions: RevisionControl;
  private readonly sets: Informer<StatefulSet>;
  private readonly pods: Informer<Pod>;
  private readonly history: Informer<ControllerRevision>;
  private readonly claims: Informer<PersistentVolumeClaim>;

  constructor(deps: StatefulSetControllerDeps) {
    this.client = deps.client;
    const basics = controllerBasics(deps, 'statefulset-controller');
    this.clock = basics.clock;
    this.log = basics.log;
    this.recorder = basics.recorder;
    this.revisions = new RevisionControl(deps.client);
    this.sets = deps.informers.get<StatefulSet>(STATEFULSETS);
    this.pods = deps.informers.get<Pod>(PODS);
    this.history = deps.informers.get<ControllerRevision>(CONTROLLERREVISIONS);
    this.claims = deps.informers.get<PersistentVolumeClaim>(PERSISTENTVOLUMECLAIMS);
    this.controller = new Controller({
      name: 'statefulset',
      sync: (key) => this.sync(key),
      workers: deps.workers,
      clock: this.clock,
      logger: this.log,
      resyncPeriodMs: RESYNC_PERIOD_MS,
      resyncKeys: () => this.sets.list().map(objectKey),
    });

    const enqueueSet = (set: StatefulSet) => this.controller.enqueue(objectKey(set));
    this.sets.on('add', enqueueSet);
    this.sets.on('update', (_old, set) => enqueueSet(set));
    this.sets.on('delete', enqueueSet);
    this.pods.on('add', (pod) => this.onPod(undefined, pod));
    this.pods.on('update', (old, pod) => this.onPod(old, pod));
    this.pods.on('delete', (pod) => this.onPod(undefined, pod));
    const onRevision = (rev: ControllerRevision) => {
      const set = this.ownerOf(rev);
      if (set) enqueueSet(set);
    };
    this.history.on('add', onRevision);
    this.history.on('update', (_old, rev) => onRevision(rev));
    this.history.on('delete', onRevision);
    const onClaim = (claim: PersistentVolumeClaim) => this.onClaim(claim);
    this.claims.on('add', onClaim);
    this.claims.on('update', (_old, claim) => onClaim(claim));
    this.claims.on('delete', onClaim);
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  // ---- informer handlers ----------------------------------------------------------------------------

  private ownerOf(obj: Pod | ControllerRevision): StatefulSet | undefined {
    const ref = getControllerOf(obj);
    if (!ref || ref.kind !== 'StatefulSet') return undefined;
    const set = this.sets.get(obj.metadata.namespace, ref.name);
    return set && set.metadata.uid === ref.uid ? set : undefined;
  }

  private onPod(old: Pod | undefined, pod: Pod): void {
    const oldOwner = old && this.ownerOf(old);
    const set = this.ownerOf(pod);
    if (oldOwner && oldOwner.metadata.uid !== set?.metadata.uid) this.controller.enqueue(objectKey(oldOwner));
    if (set) {
      this.controller.enqueue(objectKey(set));
      const minReady = set.spec.minReadySeconds ?? 0;
      if (old && minReady > 0 && !podIsReady(old) && podIsReady(pod))
        this.controller.enqueueAfter(objectKey(set), minReady * 1000);
      return;
    }
    if (getControllerOf(pod)) return;
    // An orphan: the set it is named after may want to adopt it.
    const { parent } = parentAndOrdinal(pod.metadata.name ?? '');
    const candidate = this.sets.get(pod.metadata.namespace, parent);
    if (candidate) this.controller.enqueue(objectKey(candidate));
  }

  /** A claim `<template>-<set>-<ordinal>` changed (created, deleted, its owners updated): its set re-syncs. */
  private onClaim(claim: PersistentVolumeClaim): void {
    const name = claim.metadata.name ?? '';
    for (const set of this.sets.list()) {
      if (set.metadata.namespace !== claim.metadata.namespace) continue;
      const ours = (set.spec.volumeClaimTemplates ?? []).some((t) => {
        const prefix = `${t.metadata.name}-${set.metadata.name}-`;
        return name.startsWith(prefix) && /^[0-9]+$/.test(name.slice(prefix.length));
      });
      if (ours) this.controller.enqueue(objectKey(set));
    }
  }

  // ---- sync ---------------------------------------------------------------------------------------------

  async sync(key: string): Promise<void> {
    const set = this.sets.getByKey(key);
    if (!set) return;
    const pods = await this.claimPods(set);
    const { current, update, collisionCount, revisions } = await this.resolveRevisions(set);
    const claims = new Map(
      this.claims
        .list()
        .filter((c) => c.metadata.namespace === set.metadata.namespace)
        .map((c) => [c.metadata.name ?? '', c]),
    );
    const plan = reconcileStatefulSet({
      set,
      pods,
      claims,
      currentRevision: {
        name: current.metadata.name ?? '',
        template: templateOfRevision(current) ?? set.spec.template,
      },
      updateRevision: { name: update.metadata.name ?? '', template: set.spec.template },
      collisionCount,
      now: this.clock.now(),
    });

    let err: unknown;
    try {
      await this.execute(set, plan);
    } catch (e) {
      err = e;
    }
    try {
      if (statusChanged(set, plan.status)) await this.writeStatus(set, plan.status);
      const live = new Set([
        current.metadata.name ?? '',
        update.metadata.name ?? '',
        ...pods.map(podRevision),
      ]);
      const limit = set.spec.revisionHistoryLimit ?? 10;
      for (const r of revisionsToPrune(revisions, live, limit)) await this.revisions.delete(r);
    } catch (e) {
      if (err) this.log.warn({ err: e, set: key }, 'could not update StatefulSet status or history');
      else err = e;
    }
    const minReady = set.spec.minReadySeconds ?? 0;
    if (minReady > 0 && plan.status.availableReplicas !== replicasOf(set))
      this.controller.enqueueAfter(key, minReady * 1000);
    if (err) throw err;
  }

  /** The set's pods, after adopting orphans named after it and releasing pods its selector no longer matches. */
  private async claimPods(set: StatefulSet): Promise<Pod[]> {
    const claims = claimPods(set, this.pods.list(), (pod) => isMemberOf(set, pod));
    const owned = [...claims.owned];
    if (claims.adopt.length > 0) {
      // The cache may still hold a set that was deleted or recreated: check before adopting.
      const fresh = await this.client.get<StatefulSet>(
        STATEFULSETS,
        set.metadata.namespace,
        set.metadata.name ?? '',
      );
      if (fresh.metadata.uid !== set.metadata.uid || fresh.metadata.deletionTimestamp)
        throw conflict(STATEFULSETS, set.metadata.name ?? '', 'the StatefulSet is gone or being deleted');
    }
    const patch = (pod: Pod, body: unknown) =>
      this.client.patch<Pod>(PODS, pod.metadata.namespace, pod.metadata.name ?? '', 'strategic', body);
    for (const pod of claims.adopt) owned.push(await patch(pod, adoptPatch(set, pod)));
    for (const pod of claims.release) await patch(pod, releasePatch(set, pod));
    return owned;
  }

  /**
   * getStatefulSetRevisions: the update revision is the one equal to the current template (renumbered to the
   * newest when it is an older one: a rollback), created when there is none; the current revision is the one the
   * status names, or the update revision for a new set.
   */
  private async resolveRevisions(set: StatefulSet): Promise<{
    current: ControllerRevision;
    update: ControllerRevision;
    collisionCount: number;
    revisions: ControllerRevision[];
  }> {
    const revisions = sortRevisions(ownedRevisions(this.history.list(), set));
    const data = templatePatch(set.spec.template);
    const equal = findEqualRevisions(revisions, data);
    let collisionCount = set.status?.collisionCount ?? 0;
    let update: ControllerRevision;
    const latest = revisions.at(-1);
    const newestEqual = equal.at(-1);
    if (newestEqual && newestEqual === latest) {
      update = newestEqual;
    } else if (newestEqual) {
      update = await this.revisions.renumber(newestEqual, nextRevision(revisions));
    } else {
      const rev = newControllerRevision(set, data, nextRevision(revisions), {
        ...(set.spec.template.metadata?.labels ?? {}),
      });
      const created = await this.revisions.create(set, rev, collisionCount, REVISION_HASH_LABEL);
      update = created.revision;
      collisionCount = created.collisionCount;
    }
    const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount, revisions };
  }

  /** Carries out the actions in order; the first failure (other than a benign race) ends the round. */
  private async execute(set: StatefulSet, plan: StatefulSetPlan): Promise<void> {
    const setName = set.metadata.name;
    if (plan.error) {
      const { pod, message } = plan.error;
      this.recorder.record(
        set,
        'Warning',
        'FailedCreate',
        `create Pod ${pod} in StatefulSet ${setName} failed error: ${message}`,
      );
      throw new Error(message);
    }
    for (const action of plan.actions) {
      const done = await this.act(set, action);
      if (!done) return;
    }
  }

  /** One action with its events (stateful_pod_control.go's texts). False: stop this round without an error. */
  private async act(set: StatefulSet, a: StatefulSetAction): Promise<boolean> {
    const ns = set.metadata.namespace;
    const setName = set.metadata.name;
    const fail = (reason: string, message: string, err: unknown): never => {
      this.recorder.record(set, 'Warning', reason, `${message} failed error: ${(err as Error).message}`);
      throw err;
    };
    switch (a.type) {
      case 'createClaim': {
        const claim = a.claim.metadata.name;
        try {
          await this.client.create(PERSISTENTVOLUMECLAIMS, ns, a.claim);
          this.recorder.record(
            set,
            'Normal',
            'SuccessfulCreate',
            `create Claim ${claim} Pod ${a.pod} in StatefulSet ${setName} success`,
          );
        } catch (err) {
          if (isApiError(err, 'AlreadyExists')) return true;
          return fail(
            'FailedCreate',
            `create Claim ${claim} for Pod ${a.pod} in StatefulSet ${setName}`,
            err,
          );
        }
        return true;
      }
      case 'createPod': {
        const name = a.pod.metadata.name;
        try {
          await this.client.create(PODS, ns, a.pod);
        } catch (err) {
          // The cache had not shown the pod yet (or it is still being deleted): the next event re-syncs.
          if (isApiError(err, 'AlreadyExists')) return false;
          return fail('FailedCreate', `create Pod ${name} in StatefulSet ${setName}`, err);
        }
        this.recorder.record(
          set,
          'Normal',
          'SuccessfulCreate',
          `create Pod ${name} in StatefulSet ${setName} successful`,
        );
        return true;
      }
      case 'deletePod': {
        try {
          await this.client.delete(PODS, ns, a.pod);
        } catch (err) {
          if (isApiError(err, 'NotFound')) return true;
          return fail('FailedDelete', `delete Pod ${a.pod} in StatefulSet ${setName}`, err);
        }
        this.recorder.record(
          set,
          'Normal',
          'SuccessfulDelete',
          `delete Pod ${a.pod} in StatefulSet ${setName} successful`,
        );
        return true;
      }
      case 'updatePodLabels': {
        try {
          await this.client.patch(PODS, ns, a.pod, 'merge', { metadata: { labels: a.labels } });
        } catch (err) {
          return fail('FailedUpdate', `update Pod ${a.pod} in StatefulSet ${setName}`, err);
        }
        this.recorder.record(
          set,
          'Normal',
          'SuccessfulUpdate',
          `update Pod ${a.pod} in StatefulSet ${setName} successful`,
        );
        return true;
      }
      case 'updateClaimOwners': {
        try {
          await this.client.patch(PERSISTENTVOLUMECLAIMS, ns, a.claim, 'merge', {
            metadata: { ownerReferences: a.ownerReferences },
          });
        } catch (err) {
          if (isApiError(err, 'NotFound')) return true;
          return fail('FailedUpdate', `update Claim ${a.claim} in StatefulSet ${setName}`, err);
        }
        return true;
      }
    }
  }

  /** updateStatefulSetStatus: one retry on a conflict, with the set read fresh. */
  private async writeStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
    const ns = set.metadata.namespace;
    try {
      await this.client.updateStatus<StatefulSet>(STATEFULSETS, ns, { ...set, status });
    } catch (err) {
      if (!isApiError(err, 'Conflict')) throw err;
      const fresh = await this.client.get<StatefulSet>(STATEFULSETS, ns, set.metadata.name ?? '');
      await this.client.updateStatus<StatefulSet>(STATEFULSETS, ns, { ...fresh, status });
    }
  }
}
