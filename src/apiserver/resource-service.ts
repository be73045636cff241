// The API server's business logic, independent of HTTP: every verb on every resource of the registry, with
// Kubernetes' semantics for metadata, optimistic concurrency, status subresources, graceful deletion, finalizers
// and watches. The HTTP routes (routes/) and the master's in-process client (in-process-client.ts) both call it,
// so every writer goes through the same defaults and validation.
import { randomUUID } from 'node:crypto';
import type { Registry } from '../api/registry.js';
import { apiVersionOf, type ResourceDef } from '../api/resource-def.js';
import { applyPatch } from '../api/patch.js';
import type { DeleteOptions, KubeList, KubeObject, Status } from '../api/types.js';
import type { ListOptions, PatchType, ResourceRef, WatchOptions } from '../client/api-client.js';
import { systemClock, type Clock } from '../common/clock.js';
import {
  alreadyExists,
  badRequest,
  forbiddenRequest,
  isApiError,
  methodNotAllowed,
  notFound,
} from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import type { Store, StoreKey, StoreScope } from '../store/store.js';
import { bindingTarget, bindPod } from './binding.js';
import { deletionCompleted, isNamespaceDef, planDeletion, UNDELETABLE_NAMESPACES } from './deletion.js';
import {
  applyDefaults,
  checkNamespaceOpen,
  prepareForCreate,
  validateObject,
  validatingAdmission,
} from './admission.js';
import { admitDefaultTolerations, type DefaultTolerationSeconds } from './admission-default-tolerations.js';
import { NO_ALLOCATION, type AllocationHooks } from './allocation-hooks.js';
import {
  carryOverForUpdate,
  checkTypeMeta,
  isNoOp,
  nextGeneration,
  prepareBody,
  randomNameSuffix,
  settleNamespace,
  stampNewObject,
  withStatusOf,
  withTypeMeta,
} from './metadata.js';
import { objectFilter } from './object-filter.js';
import { systemNamespaceLabels } from './pod-security.js';
import { shown } from './shown.js';
import { ServiceAllocator } from './service-allocator.js';
import {
  checkPreconditions,
  checkRevisionAndUid,
  parseRevision,
  resourceNotFound,
  revisionOf,
} from './write-checks.js';
import { WatchSession, type ActiveWatch, type WatchObserver } from './watch-session.js';

export interface ResourceServiceDeps {
  store: Store;
  registry: Registry;
  clock?: Clock;
  logger?: Logger;
  /** Suffix for generateName (5 random characters); injectable so tests can force a name clash. */
  nameSuffix?: () => string;
  /** Where Service ClusterIPs come from (kube-apiserver --service-cluster-ip-range); default 10.96.0.0/12. */
  serviceCIDR?: string;
  /** Where NodePorts come from (--service-node-port-range); default 30000-32767. */
  nodePortRange?: string;
  /** When set, new pods get the not-ready/unreachable tolerations (DefaultTolerationSeconds admission). */
  defaultTolerationSeconds?: DefaultTolerationSeconds;
}

export interface WriteOptions {
  /** dryRun=All: do everything but store. */
  dryRun?: boolean;
  /** Receives admission warnings (the HTTP routes send them as `Warning:` headers). */
  warnings?: string[];
}

export interface PatchOptions extends WriteOptions {
  /** 'status' patches only .status. */
  subresource?: string;
}

export interface PatchResult {
  object: KubeObject;
  /** True when a server-side apply created the object (HTTP 201). */
  created: boolean;
}

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Retries of a read-modify-write that lost a race with another writer (Kubernetes' GuaranteedUpdate). */
const MAX_CONFLICT_RETRIES = 5;
const MAX_GENERATE_NAME_TRIES = 8;
const PODS: ResourceRef = { group: '', version: 'v1', resource: 'pods' };

export class ResourceService {
  readonly registry: Registry;
  readonly clock: Clock;
  /** ClusterIP and NodePort allocation for Services. */
  readonly serviceAllocator: ServiceAllocator;
  private readonly store: Store;
  private readonly log: Logger;
  private readonly nameSuffix: () => string;
  private readonly defaultTolerationSeconds?: DefaultTolerationSeconds;
  private readonly watches = new Set<WatchSession>();

  constructor(deps: ResourceServiceDeps) {
    this.store = deps.store;
    this.registry = deps.registry;
    this.clock = deps.clock ?? systemClock;
    this.log = deps.logger ?? silentLogger;
    this.nameSuffix = deps.nameSuffix ?? (() => randomNameSuffix());
    this.defaultTolerationSeconds = deps.defaultTolerationSeconds;
    this.serviceAllocator = new ServiceAllocator({
      store: deps.store,
      serviceCIDR: deps.serviceCIDR,
      nodePortRange: deps.nodePortRange,
      logger: this.log,
    });
  }

  /** The definition of a resource; 404 when the registry has none. */
  definition(ref: ResourceRef): ResourceDef {
    const def = this.registry.get(ref.group, ref.version, ref.resource);
    if (!def) throw resourceNotFound();
    return def;
  }

  async get(ref: ResourceRef, namespace: string | undefined, name: string): Promise<KubeObject> {
    const def = this.definitionFor(ref, 'get');
    const obj = await this.store.get(this.key(def, namespace, name));
    if (!obj) throw notFound(def, name);
    return withTypeMeta(def, obj);
  }

  async list(ref: ResourceRef, namespace: string | undefined, opts: ListOptions = {}): Promise<KubeList> {
    const def = this.definitionFor(ref, 'list');
    const filter = objectFilter(def, opts.labelSelector, opts.fieldSelector);
    const { items, revision } = await this.store.list(this.scope(def, namespace));
    const selected = filter ? items.filter(filter) : items;
    return {
      kind: def.listKind,
      apiVersion: apiVersionOf(def),
      metadata: { resourceVersion: String(revision) },
      items: selected.map((o) => withTypeMeta(def, o)),
    };
  }

  /**
   * Starts a watch. resourceVersion absent or "0": a synthetic ADDED per matching object, then live changes;
   * N: every change after N (an ERROR event with a 410 Status when N is too old). Throws only for bad input.
   */
  async watch(
    ref: ResourceRef,
    namespace: string | undefined,
    opts: WatchOptions,
    observer: WatchObserver,
  ): Promise<ActiveWatch> {
    const def = this.definitionFor(ref, 'watch');
    const filter = objectFilter(def, opts.labelSelector, opts.fieldSelector);
    const scope = this.scope(def, namespace);
    const rv = opts.resourceVersion;
    const fromRevision = rv && rv !== '0' ? parseRevision(rv) : undefined;
    const session: WatchSession = new WatchSession({
      def,
      store: this.store,
      clock: this.clock,
      logger: this.log,
      observer,
      filter,
      bookmarks: Boolean(opts.allowWatchBookmarks),
      timeoutSeconds: opts.timeoutSeconds,
      onClose: () => this.watches.delete(session),
    });
    this.watches.add(session);
    try {
      if (fromRevision !== undefined) {
        session.start(scope, fromRevision);
      } else {
        const { items, revision } = await this.store.list(scope);
        for (const item of items) {
          if (!filter || filter(item)) session.emit({ type: 'ADDED', object: withTypeMeta(def, item) });
        }
        session.start(scope, revision);
      }
    } catch (err) {
      session.stop();
      throw err;
    }
    return session;
  }

  async create(
    ref: ResourceRef,
    namespace: string | undefined,
    body: KubeObject,
    opts: WriteOptions = {},
  ): Promise<KubeObject> {
    const def = this.definitionFor(ref, 'create');
    const obj = structuredClone(body);
    checkTypeMeta(def, obj);
    settleNamespace(def, obj, def.namespaced ? namespace : undefined);
    const namespaceObj = def.namespaced ? await checkNamespaceOpen(this.store, def, obj) : undefined;
    stampNewObject(def, obj, randomUUID(), this.clock.now());
    applyDefaults(this.log, def, obj);
    if (this.defaultTolerationSeconds) admitDefaultTolerations(def, obj, this.defaultTolerationSeconds);
    const pool = this.allocationHooks(def);
    if (pool) await pool.ready();
    const generateName =
      !obj.metadata.name && obj.metadata.generateName ? obj.metadata.generateName : undefined;
    for (let attempt = 1; ; attempt++) {
      // Each generated name gets a fresh copy: preparation may derive fields from the name (a Job's labels).
      const candidate = generateName === undefined ? obj : structuredClone(obj);
      if (generateName !== undefined) candidate.metadata.name = generateName + this.nameSuffix();
      prepareForCreate(this.log, def, candidate);
      validateObject(this.log, def, candidate);
      await validatingAdmission(this.store, def, candidate, {
        namespace: namespaceObj,
        name: generateName ?? candidate.metadata.name,
        warnings: attempt === 1 ? opts.warnings : undefined,
      });
      const key = this.key(def, candidate.metadata.namespace, candidate.metadata.name ?? '');
      // Allocated only for a valid object; given back unless it is stored (a dry run shows a would-be value).
      const allocation = pool?.allocateCreate(candidate) ?? NO_ALLOCATION;
      try {
        if (!opts.dryRun) {
          const created = await this.store.create(key, candidate);
          allocation.commit();
          return created;
        }
        allocation.revert();
        if (await this.store.get(key)) throw alreadyExists(def, key.name);
        return candidate;
      } catch (err) {
        allocation.revert();
        if (
          generateName === undefined ||
          !isApiError(err, 'AlreadyExists') ||
          attempt >= MAX_GENERATE_NAME_TRIES
        ) {
          throw err;
        }
      }
    }
  }

  /** PUT: replaces the object (status kept for kinds with a status subresource). */
  async update(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    body: KubeObject,
    opts: WriteOptions = {},
  ): Promise<KubeObject> {
    const def = this.definitionFor(ref, 'update');
    const next = prepareBody(def, namespace, name, body);
    const key = this.key(def, next.metadata.namespace, name);
    const old = await this.store.get(key);
    if (!old) throw notFound(def, name);
    return this.replace(def, key, old, next, opts);
  }

  /** PUT …/status: only .status changes. */
  async updateStatus(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    body: KubeObject,
    opts: WriteOptions = {},
  ): Promise<KubeObject> {
    const def = this.statusDefinition(ref);
    const next = prepareBody(def, namespace, name, body);
    const key = this.key(def, next.metadata.namespace, name);
    const old = await this.store.get(key);
    if (!old) throw notFound(def, name);
    return this.replaceStatus(def, key, old, next, opts);
  }

  /** PATCH (json, merge, strategic, apply) on the object or its status; apply creates a missing object. */
  async patch(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts: PatchOptions = {},
  ): Promise<PatchResult> {
    const status = opts.subresource === 'status';
    if (opts.subresource !== undefined && !status) throw resourceNotFound();
    const def = status ? this.statusDefinition(ref) : this.definitionFor(ref, 'patch');
    const key = this.key(def, namespace, name);
    for (let attempt = 1; ; attempt++) {
      const old = await this.store.get(key);
      if (!old) {
        if (type === 'apply' && !status) {
          const body = prepareBody(def, namespace, name, patch as KubeObject);
          return { object: await this.create(def, namespace, body, opts), created: true };
        }
        throw notFound(def, name);
      }
      const patched = applyPatch(old, type, patch);
      const next = prepareBody(def, namespace, name, patched);
      // A patch that names a resourceVersion is a precondition: its conflict is the client's to resolve.
      const pinned =
        (next.metadata.resourceVersion ?? old.metadata.resourceVersion) !== old.metadata.resourceVersion;
      try {
        const object = status
          ? await this.replaceStatus(def, key, old, next, opts)
          : await this.replace(def, key, old, next, opts);
        return { object, created: false };
      } catch (err) {
        if (!isApiError(err, 'Conflict') || pinned || attempt >= MAX_CONFLICT_RETRIES) throw err;
      }
    }
  }

  /**
   * DELETE: removes the object, or marks it (deletionTimestamp) while a grace period or finalizers hold it.
   * Answers the object while it lingers, else its last state.
   */
  async delete(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): Promise<KubeObject> {
    const def = this.definitionFor(ref, 'delete');
    if (isNamespaceDef(def) && UNDELETABLE_NAMESPACES.has(name)) {
      throw forbiddenRequest(`namespaces "${name}" is forbidden: this namespace may not be deleted`, {
        name,
        group: '',
        kind: 'namespaces',
      });
    }
    const key = this.key(def, namespace, name);
    const dryRun = (options.dryRun ?? []).includes('All');
    const pool = this.allocationHooks(def);
    if (pool) await pool.ready();
    for (let attempt = 1; ; attempt++) {
      const obj = await this.store.get(key);
      if (!obj) throw notFound(def, name);
      checkPreconditions(def, obj, options);
      const plan = planDeletion(def, obj, options, this.clock.now());
      if (plan.action === 'keep') return obj;
      if (dryRun) return plan.action === 'mark' ? plan.object : obj;
      const expectedRevision = revisionOf(obj);
      try {
        if (plan.action !== 'remove') return await this.store.update(key, plan.object, { expectedRevision });
        const gone = await this.store.delete(key, { expectedRevision });
        pool?.release(obj); // only now is it really gone
        return gone;
      } catch (err) {
        const pinned = options.preconditions?.resourceVersion !== undefined;
        if (!isApiError(err, 'Conflict') || pinned || attempt >= MAX_CONFLICT_RETRIES) throw err;
      }
    }
  }

  /** DELETE on a collection: every object matching the selectors, each as delete() would. */
  async deleteCollection(
    ref: ResourceRef,
    namespace: string | undefined,
    listOpts: ListOptions,
    options: DeleteOptions = {},
  ): Promise<KubeList> {
    const def = this.definitionFor(ref, 'deletecollection');
    const list = await this.list(def, namespace, listOpts);
    const items: KubeObject[] = [];
    for (const obj of list.items) {
      try {
        items.push(await this.delete(def, obj.metadata.namespace, obj.metadata.name ?? '', options));
      } catch (err) {
        if (!isApiError(err, 'NotFound')) throw err; // deleted by someone else meanwhile
      }
    }
    return { ...list, metadata: { resourceVersion: String(await this.store.revision()) }, items };
  }

  /** POST pods/{name}/binding: assigns the pod to a node (the scheduler's write). */
  async bind(namespace: string, podName: string, binding: unknown, opts: WriteOptions = {}): Promise<Status> {
    const def = this.definition(PODS);
    const nodeName = bindingTarget(binding);
    const bodyName = (binding as KubeObject).metadata?.name;
    if (bodyName && bodyName !== podName) {
      throw badRequest(
        `the name of the object (${shown(bodyName)}) does not match the name on the URL (${podName})`,
      );
    }
    const key = this.key(def, namespace, podName);
    for (let attempt = 1; ; attempt++) {
      const pod = await this.store.get(key);
      if (!pod) throw notFound(def, podName);
      const bound = bindPod(pod, nodeName, this.clock.now());
      try {
        if (!opts.dryRun) await this.store.update(key, bound, { expectedRevision: revisionOf(pod) });
        return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
      } catch (err) {
        if (!isApiError(err, 'Conflict') || attempt >= MAX_CONFLICT_RETRIES) throw err;
      }
    }
  }

  /** Creates the namespaces every cluster has (idempotent; run at start). */
  async ensureSystemNamespaces(): Promise<void> {
    const ref = { group: '', version: 'v1', resource: 'namespaces' };
    for (const name of SYSTEM_NAMESPACES) {
      // kube-system is labelled for Pod Security `privileged`; an older store's kube-system gets the label once.
      const labels = systemNamespaceLabels(name);
      try {
        await this.create(ref, undefined, {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name, ...(labels ? { labels } : {}) },
        });
      } catch (err) {
        if (!isApiError(err, 'AlreadyExists')) throw err;
        if (!labels) continue;
        const current = (await this.get(ref, undefined, name)).metadata.labels ?? {};
        const missing = Object.entries(labels).filter(([k]) => !Object.hasOwn(current, k));
        if (missing.length > 0) {
          await this.patch(ref, undefined, name, 'merge', {
            metadata: { labels: Object.fromEntries(missing) },
          });
        }
      }
    }
  }

  /** Ends every open watch (the server is shutting down); observers hear onEnd. */
  endAllWatches(): void {
    for (const w of [...this.watches]) w.end();
  }

  // ---- the shared write path -----------------------------------------------------------------------------

  /** Stores `next` in place of `old` (PUT and patches), following Kubernetes' update rules. */
  private async replace(
    def: ResourceDef,
    key: StoreKey,
    old: KubeObject,
    next: KubeObject,
    opts: WriteOptions,
  ): Promise<KubeObject> {
    checkRevisionAndUid(def, old, next);
    carryOverForUpdate(def, next, old);
    const pool = this.allocationHooks(def);
    if (pool) {
      await pool.ready();
      pool.prepareUpdate(next, old);
    }
    applyDefaults(this.log, def, next);
    validateObject(this.log, def, next, old);
    await validatingAdmission(this.store, def, next, { old, warnings: opts.warnings });
    const allocation = pool?.allocateUpdate(next, old) ?? NO_ALLOCATION;
    next.metadata.generation = nextGeneration(next, old);
    const unchanged = isNoOp(next, old); // an unchanged apply must not bump the resourceVersion
    if (unchanged || opts.dryRun) {
      allocation.revert();
      return unchanged ? old : next;
    }
    const expectedRevision = revisionOf(old);
    try {
      if (deletionCompleted(def, next, old)) {
        const gone = await this.store.delete(key, { expectedRevision });
        allocation.revert();
        pool?.release(old);
        return gone;
      }
      const stored = await this.store.update(key, next, { expectedRevision });
      allocation.commit();
      return stored;
    } catch (err) {
      allocation.revert();
      throw err;
    }
  }

  private async replaceStatus(
    def: ResourceDef,
    key: StoreKey,
    old: KubeObject,
    body: KubeObject,
    opts: WriteOptions,
  ): Promise<KubeObject> {
    checkRevisionAndUid(def, old, body);
    const next = withStatusOf(old, body);
    applyDefaults(this.log, def, next);
    validateObject(this.log, def, next, old);
    if (isNoOp(next, old)) return old;
    if (opts.dryRun) return next;
    return this.store.update(key, next, { expectedRevision: revisionOf(old) });
  }

  /** The allocation pool a kind's objects draw from (Services: ClusterIPs and NodePorts), if any. */
  private allocationHooks(def: ResourceDef): AllocationHooks | undefined {
    return def.group === '' && def.resource === 'services' ? this.serviceAllocator : undefined;
  }

  private definitionFor(ref: ResourceRef, verb: string): ResourceDef {
    const def = this.definition(ref);
    if (!def.verbs.includes(verb)) {
      throw methodNotAllowed(
        `the server does not allow this method on the requested resource (${verb} ${def.resource})`,
      );
    }
    return def;
  }

  private statusDefinition(ref: ResourceRef): ResourceDef {
    const def = this.definition(ref);
    if (!def.statusSubresource) throw resourceNotFound();
    return def;
  }

  private key(def: ResourceDef, namespace: string | undefined, name: string): StoreKey {
    if (def.namespaced && !namespace) throw badRequest(`a namespace is required for ${def.resource}`);
    return {
      group: def.group,
      resource: def.resource,
      namespace: def.namespaced ? (namespace ?? '') : '',
      name,
    };
  }

  private scope(def: ResourceDef, namespace: string | undefined): StoreScope {
    return { group: def.group, resource: def.resource, namespace: def.namespaced ? namespace : undefined };
  }
}
