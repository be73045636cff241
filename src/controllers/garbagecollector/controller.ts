// The garbage collector (kube-controller-manager's garbagecollector): deletes objects whose owners are gone, and
// carries out the Foreground and Orphan deletions the API server only marks (src/apiserver/deletion.ts).
// - It watches every kind that can be listed, watched and deleted (one shared informer each), except Events:
//   they are the most numerous and churning kind and nothing owns them, so watching them would cost more than
//   it finds. The informers feed an owner → dependents graph keyed by uid (graph.ts).
// - The work queue holds uids. A sync re-reads the graph and decides purely (reconcile.ts):
//   * an object whose owners are all gone is deleted (Background, so the cascade continues level by level);
//     with several owners only the references to the gone ones are removed;
//   * an owner deleted with propagationPolicy Foreground (finalizer foregroundDeletion) has its dependents
//     deleted, and loses the finalizer once no blocking dependent (blockOwnerDeletion) remains;
//   * an owner deleted with propagationPolicy Orphan (finalizer orphan) has the references to it removed from
//     its dependents, then loses the finalizer.
// - A cache can lag: an owner missing from the graph is looked up live (GET by name, uid compared) before
//   anything is deleted, and every write is pinned to the uid and resourceVersion it was decided on.
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from '../../apiserver/deletion.js';
import { defaultRegistry, type Registry } from '../../api/registry.js';
import type { ResourceDef } from '../../api/resource-def.js';
import type { KubeObject, OwnerReference } from '../../api/types.js';
import type { ApiClient, ResourceRef } from '../../client/api-client.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import { systemClock, type Clock } from '../../common/clock.js';
import { isApiError } from '../../common/errors.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import { Controller } from '../runtime/controller.js';
import { AbsentOwnerCache, absentOwnerKey } from './absent-owner-cache.js';
import {
  isDeletingDependents,
  isOrphaning,
  matchesReference,
  nodeFromObject,
  OwnerGraph,
  type GraphNode,
} from './graph.js';
import { GcOperations } from './operations.js';
import {
  decideDeletingOwner,
  decideDependent,
  stateOfExistingOwner,
  unblockedOwnerReferences,
  withoutOwnerReferences,
  type ClassifiedOwner,
  type OwnerState,
} from './reconcile.js';

export interface GarbageCollectorDeps {
  client: ApiClient;
  informers: InformerFactory;
  /** The kinds to watch and to resolve ownerReferences with; default: every kind skiff serves. */
  registry?: Registry;
  clock?: Clock;
  logger?: Logger;
  workers?: number;
  /** How often every object with owners is looked at again (a missed event is repaired within it). */
  resyncPeriodMs?: number;
}

export const GC_RESYNC_PERIOD_MS = 5 * 60_000;
const DEFAULT_WORKERS = 2;

/** The kinds the collector watches: list + watch + delete, except Events (see the file comment). */
export function collectedResources(registry: Registry): ResourceDef[] {
  return registry
    .all()
    .filter(
      (d) =>
        ['list', 'watch', 'delete'].every((v) => d.verbs.includes(v)) &&
        !(d.resource === 'events' && (d.group === '' || d.group === 'events.k8s.io')),
    );
}

function refOf(def: ResourceDef): ResourceRef {
  return { group: def.group, version: def.version, resource: def.resource };
}

/** A reference the collector cannot check (unknown kind, or a cluster-scoped object naming a namespaced owner). */
type Classification = OwnerState | 'unverifiable';

export class GarbageCollector {
  readonly graph = new OwnerGraph();
  private readonly controller: Controller;
  private readonly registry: Registry;
  private readonly ops: GcOperations;
  private readonly absentOwners = new AbsentOwnerCache();
  private readonly log: Logger;

  constructor(private readonly deps: GarbageCollectorDeps) {
    this.registry = deps.registry ?? defaultRegistry();
    this.log = (deps.logger ?? silentLogger).child({ component: 'garbage-collector' });
    this.ops = new GcOperations(deps.client);
    this.controller = new Controller({
      name: 'garbage-collector',
      sync: (uid) => this.sync(uid),
      workers: deps.workers ?? DEFAULT_WORKERS,
      clock: deps.clock ?? systemClock,
      logger: deps.logger,
      resyncPeriodMs: deps.resyncPeriodMs ?? GC_RESYNC_PERIOD_MS,
      resyncKeys: () => this.graph.attentionUids(),
    });
    for (const def of collectedResources(this.registry)) this.watch(refOf(def));
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  /** One look at the object with this uid; idempotent (exposed for tests). */
  async sync(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return; // gone: its dependents were queued when it went
    if (node.beingDeleted) {
      if (isOrphaning(node)) await this.orphanDependents(node);
      if (isDeletingDependents(node)) await this.processDeletingDependents(node);
      return; // otherwise deletion is a one-way trip: wait for it to finish
    }
    if (node.owners.length > 0) await this.attemptToDelete(node);
  }

  // ---- informer handlers: only update the graph and queue uids ----------------------------------------

  private watch(ref: ResourceRef): void {
    const informer = this.deps.informers.get<KubeObject>(ref);
    informer.on('add', (obj) => this.observe(ref, obj));
    informer.on('update', (oldObj, newObj) => {
      // A relist can turn "deleted and recreated under the same name" into one update.
      if (oldObj.metadata.uid && oldObj.metadata.uid !== newObj.metadata.uid) this.forget(oldObj);
      this.observe(ref, newObj);
    });
    informer.on('delete', (obj) => this.forget(obj));
  }

  private observe(ref: ResourceRef, obj: KubeObject): void {
    const node = nodeFromObject(ref, obj);
    if (node) this.enqueue(this.graph.upsert(node));
  }

  private forget(obj: KubeObject): void {
    if (obj.metadata.uid) this.enqueue(this.graph.remove(obj.metadata.uid));
  }

  private enqueue(uids: Iterable<string>): void {
    for (const uid of uids) this.controller.enqueue(uid);
  }

  // ---- an object with owners ------------------------------------------------------------------------

  private async attemptToDelete(node: GraphNode): Promise<void> {
    // The common case costs no request: every owner is in the graph and alive.
    const fromGraph = node.owners.map((ref) => this.stateInGraph(node, ref));
    if (fromGraph.every((s) => s === 'solid')) return;

    // Something may have to go: decide on the live object, not the cache.
    const latest = await this.ops.getLive(node.identity);
    if (!latest) return; // already gone; the informer will say so
    const refs = latest.metadata.ownerReferences ?? [];
    const owners: ClassifiedOwner[] = [];
    for (const ref of refs) {
      const state = await this.classify(node, ref);
      if (state === 'unverifiable') return;
      owners.push({ ref, state });
    }
    const action = decideDependent({
      owners,
      finalizers: latest.metadata.finalizers ?? [],
      dependents: this.graph.dependentsOf(node.identity.uid),
    });
    const id = node.identity;
    switch (action.type) {
      case 'none':
        return;
      case 'removeOwnerReferences':
        this.log.info({ object: describe(node), owners: action.uids }, 'removing references to gone owners');
        return this.ops.updateOwnerReferences(id, (current) => withoutOwnerReferences(current, action.uids));
      case 'delete': {
        let rv = latest.metadata.resourceVersion;
        let ownersAt = refs;
        if (action.unblockOwnerReferences) {
          await this.ops.updateOwnerReferences(id, unblockedOwnerReferences);
          const after = await this.ops.getLive(id);
          if (!after) return;
          rv = after.metadata.resourceVersion;
          ownersAt = after.metadata.ownerReferences ?? [];
        }
        this.log.info(
          { object: describe(node), policy: action.policy },
          'deleting object whose owners are gone',
        );
        return this.ops.deleteObject(id, rv, ownersAt, action.policy);
      }
    }
  }

  /** The owner's state as the graph sees it; undefined when the graph does not hold it (to be checked live). */
  private stateInGraph(node: GraphNode, ref: OwnerReference): OwnerState | undefined {
    const owner = this.graph.get(ref.uid);
    if (!owner || !matchesReference(owner, ref, node.identity.namespace)) return undefined;
    return stateOfExistingOwner(owner);
  }

  /** Kubernetes' isDangling: graph first, then the absent-owner cache, then a live GET compared by uid. */
  private async classify(node: GraphNode, ref: OwnerReference): Promise<Classification> {
    const inGraph = this.stateInGraph(node, ref);
    if (inGraph) return inGraph;
    const def = this.registry.byKind(ref.apiVersion, ref.kind);
    if (!def) {
      this.log.warn({ object: describe(node), owner: ref }, 'owner kind unknown; leaving the object alone');
      return 'unverifiable';
    }
    if (def.namespaced && !node.identity.namespace) {
      this.log.warn({ object: describe(node), owner: ref }, 'cluster-scoped object names a namespaced owner');
      return 'unverifiable';
    }
    const namespace = def.namespaced ? node.identity.namespace : undefined;
    const key = absentOwnerKey(ref, namespace);
    if (this.absentOwners.has(key)) return 'dangling';
    let owner: KubeObject;
    try {
      owner = await this.deps.client.get(refOf(def), namespace, ref.name);
    } catch (err) {
      if (!isApiError(err, 'NotFound')) throw err;
      this.absentOwners.add(key);
      return 'dangling';
    }
    if (owner.metadata.uid !== ref.uid) {
      this.absentOwners.add(key);
      return 'dangling';
    }
    return stateOfExistingOwner({
      beingDeleted: Boolean(owner.metadata.deletionTimestamp),
      finalizers: owner.metadata.finalizers ?? [],
    });
  }

  // ---- owners being deleted -------------------------------------------------------------------------

  private async processDeletingDependents(node: GraphNode): Promise<void> {
    const uid = node.identity.uid;
    const action = decideDeletingOwner(uid, this.graph.dependentsOf(uid));
    if (action.type === 'removeFinalizer') {
      this.log.info({ object: describe(node) }, 'no blocking dependents left; removing foregroundDeletion');
      await this.ops.removeFinalizer(node.identity, FOREGROUND_FINALIZER);
      return;
    }
    this.enqueue(action.uids);
  }

  private async orphanDependents(node: GraphNode): Promise<void> {
    const uid = node.identity.uid;
    const dependents = this.graph.dependentsOf(uid);
    const failures: unknown[] = [];
    for (const dep of dependents) {
      try {
        await this.ops.updateOwnerReferences(dep.identity, (refs) => withoutOwnerReferences(refs, [uid]));
      } catch (err) {
        failures.push(err);
      }
    }
    if (failures.length > 0) {
      throw new Error(
        `orphaning the dependents of ${describe(node)} failed: ${failures.map(String).join('; ')}`,
      );
    }
    this.log.info({ object: describe(node), dependents: dependents.length }, 'orphaned dependents');
    await this.ops.removeFinalizer(node.identity, ORPHAN_FINALIZER);
  }
}

function describe(node: GraphNode): string {
  const id = node.identity;
  const group = id.ref.group ? `.${id.ref.group}` : '';
  return `${id.ref.resource}${group} ${id.namespace ? `${id.namespace}/` : ''}${id.name} (${id.uid})`;
}
