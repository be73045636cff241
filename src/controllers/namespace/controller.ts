// The namespace controller (kube-controller-manager's namespace controller and its deleter): a namespace marked
// for deletion (phase Terminating, spec.finalizers ['kubernetes']) is emptied: every namespaced object in it is
// deleted (pods stop gracefully, so the controller waits and looks again), the status conditions say what is
// left, and once nothing is, `kubernetes` is removed from spec.finalizers, upon which the API server deletes the
// namespace (src/apiserver/deletion.ts). The API server already refuses new objects in a Terminating namespace,
// and refuses to delete default, kube-system and kube-public.
import { defaultRegistry, type Registry } from '../../api/registry.js';
import type { ResourceDef } from '../../api/resource-def.js';
import type { KubeObject, Namespace, Pod } from '../../api/types.js';
import { NAMESPACES, PODS, type ApiClient, type ResourceRef } from '../../client/api-client.js';
import type { Informer } from '../../client/informer.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import { systemClock, type Clock } from '../../common/clock.js';
import { isApiError } from '../../common/errors.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import { Controller } from '../runtime/controller.js';
import {
  contentTotals,
  deletableNamespacedResources,
  finalizedSpecFinalizers,
  KUBERNETES_FINALIZER,
  overallEstimate,
  podsGraceEstimate,
  requeueDelayMs,
  resourceOutcome,
  type ResourceOutcome,
} from './reconcile.js';
import { failingConditions, mergeConditions, type NamespaceCondition } from './status.js';

export interface NamespaceControllerDeps {
  client: ApiClient;
  informers: InformerFactory;
  /** The kinds a namespace may hold; default: every kind skiff serves. */
  registry?: Registry;
  clock?: Clock;
  logger?: Logger;
  workers?: number;
  resyncPeriodMs?: number;
  /** Wait this long after a namespace was marked before emptying it (Kubernetes: 5 s). */
  deletionGracePeriodMs?: number;
}

/**
 * Kubernetes waits 5 s after a namespace is marked, so a create that passed the "namespace is open" check just
 * before the mark is stored before the namespace is emptied (and not left behind in a namespace that is gone).
 */
export const NAMESPACE_DELETION_GRACE_MS = 5000;
export const NAMESPACE_RESYNC_PERIOD_MS = 5 * 60_000;
const MAX_CONFLICT_RETRIES = 5;

function refOf(def: ResourceDef): ResourceRef {
  return { group: def.group, version: def.version, resource: def.resource };
}

function isPods(def: ResourceDef): boolean {
  return def.group === '' && def.resource === 'pods';
}

export class NamespaceController {
  private readonly controller: Controller;
  private readonly namespaces: Informer<Namespace>;
  private readonly registry: Registry;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly graceMs: number;

  constructor(private readonly deps: NamespaceControllerDeps) {
    this.registry = deps.registry ?? defaultRegistry();
    this.clock = deps.clock ?? systemClock;
    this.log = (deps.logger ?? silentLogger).child({ component: 'namespace-controller' });
    this.graceMs = deps.deletionGracePeriodMs ?? NAMESPACE_DELETION_GRACE_MS;
    this.controller = new Controller({
      name: 'namespace',
      sync: (name) => this.sync(name),
      workers: deps.workers,
      clock: this.clock,
      logger: deps.logger,
      resyncPeriodMs: deps.resyncPeriodMs ?? NAMESPACE_RESYNC_PERIOD_MS,
      resyncKeys: () =>
        this.namespaces
          .list()
          .filter((ns) => ns.metadata.deletionTimestamp)
          .map((ns) => ns.metadata.name ?? ''),
    });
    this.namespaces = deps.informers.get<Namespace>(NAMESPACES);
    this.namespaces.on('add', (ns) => this.enqueue(ns));
    this.namespaces.on('update', (_old, ns) => this.enqueue(ns));
    // A pod finishing its graceful deletion may be the last thing a namespace waits for.
    deps.informers.get<Pod>(PODS).on('delete', (pod) => {
      const ns = this.namespaces.get(undefined, pod.metadata.namespace ?? '');
      if (ns) this.enqueue(ns);
    });
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  /** One deletion pass over the namespace; idempotent (exposed for tests). */
  async sync(name: string): Promise<void> {
    if (!this.namespaces.get(undefined, name)?.metadata.deletionTimestamp) return;
    // Several writers touch a namespace while it terminates: work from its latest state.
    let ns = await this.getLive(name);
    if (!ns?.metadata.deletionTimestamp) return;
    ns = await this.ensureTerminating(ns);
    if (!ns) return;
    if (!(ns.spec?.finalizers ?? []).includes(KUBERNETES_FINALIZER)) return; // our part is done

    const outcomes = await this.deleteAllContent(ns);
    ns = await this.writeConditions(ns, outcomes);
    const errors = outcomes.flatMap((o) => (o.error ? [o.error] : []));
    if (errors.length > 0) throw new Error(`namespace ${name}: ${errors.join('; ')}`);
    const estimate = overallEstimate(outcomes);
    if (estimate > 0) {
      this.log.info({ namespace: name, estimateSeconds: estimate }, 'content remains; waiting');
      this.controller.enqueueAfter(name, requeueDelayMs(estimate));
      return;
    }
    await this.finalize(ns);
  }

  private enqueue(ns: Namespace): void {
    const marked = ns.metadata.deletionTimestamp;
    if (!marked || !ns.metadata.name) return;
    const wait = Date.parse(marked) + this.graceMs - this.clock.now();
    this.controller.enqueueAfter(ns.metadata.name, Number.isFinite(wait) ? wait : this.graceMs);
  }

  private async getLive(name: string): Promise<Namespace | undefined> {
    try {
      return await this.deps.client.get<Namespace>(NAMESPACES, undefined, name);
    } catch (err) {
      if (isApiError(err, 'NotFound')) return undefined;
      throw err;
    }
  }

  /** The API server marks it Terminating already; a namespace marked otherwise is set so here. */
  private async ensureTerminating(ns: Namespace): Promise<Namespace | undefined> {
    if (ns.status?.phase === 'Terminating') return ns;
    return this.retryOnConflict(ns, (current) => {
      if (current.status?.phase === 'Terminating') return Promise.resolve(current);
      const next = { ...current, status: { ...current.status, phase: 'Terminating' as const } };
      return this.deps.client.updateStatus<Namespace>(NAMESPACES, undefined, next);
    });
  }

  /** Deletes every namespaced object and reports, per kind, what is still there. */
  private async deleteAllContent(ns: Namespace): Promise<ResourceOutcome[]> {
    const namespace = ns.metadata.name ?? '';
    const deletedAt = Date.parse(ns.metadata.deletionTimestamp ?? '');
    const outcomes: ResourceOutcome[] = [];
    for (const def of deletableNamespacedResources(this.registry)) {
      const ref = refOf(def);
      try {
        const items = (await this.deps.client.list(ref, namespace)).items;
        const estimate = isPods(def) ? podsGraceEstimate(items as Pod[], deletedAt, this.clock.now()) : 0;
        const deleted = await this.deleteEach(ref, namespace, items);
        const remaining = deleted > 0 ? (await this.deps.client.list(ref, namespace)).items : items;
        outcomes.push(resourceOutcome(ref, namespace, remaining, estimate));
      } catch (err) {
        outcomes.push({
          ref,
          numRemaining: 0,
          remainingByFinalizer: {},
          estimateSeconds: 0,
          error: `${def.resource}${def.group ? `.${def.group}` : ''}: ${(err as Error).message}`,
        });
      }
    }
    return outcomes;
  }

  /** Deletes what is not already being deleted; answers how many deletes were sent. */
  private async deleteEach(ref: ResourceRef, namespace: string, items: KubeObject[]): Promise<number> {
    let sent = 0;
    for (const item of items) {
      if (item.metadata.deletionTimestamp) continue;
      try {
        // Background, as Kubernetes' deleter: nothing here should be orphaned by a default policy.
        await this.deps.client.delete(ref, namespace, item.metadata.name ?? '', {
          propagationPolicy: 'Background',
          preconditions: { uid: item.metadata.uid },
        });
        sent++;
      } catch (err) {
        // Gone already, or replaced under the same name (the next pass sees the new one).
        if (!isApiError(err, 'NotFound') && !isApiError(err, 'Conflict')) throw err;
        sent++;
      }
    }
    return sent;
  }

  /** Writes the deletion conditions when they changed; a failure here does not stop the deletion. */
  private async writeConditions(ns: Namespace, outcomes: ResourceOutcome[]): Promise<Namespace> {
    const now = this.clock.now();
    const errors = outcomes.flatMap((o) => (o.error ? [o.error] : []));
    const failing = failingConditions(contentTotals(outcomes), errors, now);
    const { conditions, changed } = mergeConditions(
      ns.status?.conditions as NamespaceCondition[] | undefined,
      failing,
      now,
    );
    if (!changed) return ns;
    try {
      return await this.deps.client.updateStatus<Namespace>(NAMESPACES, undefined, {
        ...ns,
        status: { ...ns.status, conditions },
      });
    } catch (err) {
      this.log.warn({ err, namespace: ns.metadata.name }, 'could not update the namespace conditions');
      return ns;
    }
  }

  /** Removes `kubernetes` from spec.finalizers; the API server deletes the namespace once none is left. */
  private async finalize(ns: Namespace): Promise<void> {
    await this.retryOnConflict(ns, async (current) => {
      const finalizers = finalizedSpecFinalizers(current.spec?.finalizers);
      const next: Namespace = { ...current, spec: { ...current.spec, finalizers } };
      const result = await this.deps.client.update<Namespace>(NAMESPACES, undefined, next);
      this.log.info({ namespace: current.metadata.name, finalizers }, 'namespace emptied; finalized');
      return result;
    });
  }

  /** Kubernetes' retryOnConflictError: re-read and try again while the namespace (same uid) keeps changing. */
  private async retryOnConflict(
    ns: Namespace,
    write: (current: Namespace) => Promise<Namespace>,
  ): Promise<Namespace | undefined> {
    let current = ns;
    for (let attempt = 1; ; attempt++) {
      try {
        return await write(current);
      } catch (err) {
        if (isApiError(err, 'NotFound')) return undefined;
        if (!isApiError(err, 'Conflict') || attempt >= MAX_CONFLICT_RETRIES) throw err;
      }
      const latest = await this.getLive(current.metadata.name ?? '');
      if (!latest) return undefined;
      if (latest.metadata.uid !== current.metadata.uid)
        throw new Error('namespace uid has changed across retries');
      current = latest;
    }
  }
}
