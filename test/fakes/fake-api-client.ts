// An in-memory API server behind the ApiClient interface, for unit tests of the scheduler, controllers and agent.
// It behaves like the real one where components depend on it: one global resourceVersion, uid/creationTimestamp/
// generateName on create, 409 on stale writes, status kept apart from spec, graceful deletion of bound pods,
// pods/binding, label and field selectors, and watches (synthetic ADDED from RV 0, resume from an RV, 410 when the
// history was compacted), delivered asynchronously in write order. Every call is logged in `actions`;
// failNext() injects failures.
import { randomUUID } from 'node:crypto';
import type { DeleteOptions, KubeList, KubeObject, Pod, Status } from '../../src/api/types.js';
import type {
  ApiClient,
  ListOptions,
  PatchType,
  ResourceRef,
  WatchEvent,
  WatchHandle,
  WatchOptions,
  WriteOpts,
} from '../../src/client/api-client.js';
import { rfc3339, type Clock } from '../../src/common/clock.js';
import { ApiError, alreadyExists, conflict, invalid, notFound, required } from '../../src/common/errors.js';
import { FakeClock } from './fake-clock.js';
import { selectorMatcher, type Matcher } from './fake-selectors.js';
import { FakeWatchHub, inNamespace } from './fake-watch-hub.js';
import { applyPatch } from '../../src/api/patch.js';

export type FakeVerb =
  'get' | 'list' | 'create' | 'update' | 'updateStatus' | 'patch' | 'delete' | 'createSubresource' | 'watch';

export interface FakeAction {
  verb: FakeVerb;
  /** Plural resource name, e.g. 'pods'. */
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  patchType?: PatchType;
  /** The object, patch or subresource body sent. */
  body?: unknown;
  opts?: unknown;
}

const rkOf = (ref: ResourceRef) => `${ref.group}/${ref.resource}`;
const keyOf = (ns: string | undefined, name: string) => `${ns ?? ''}/${name}`;
const clone = <T>(v: T): T => structuredClone(v);
const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

export class FakeApiClient implements ApiClient {
  readonly actions: FakeAction[] = [];
  readonly clock: Clock;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private rv = 0;
  private readonly hub: FakeWatchHub;
  private failures: { verb: FakeVerb; error: unknown; resource?: string }[] = [];

  constructor(opts: { clock?: Clock } = {}) {
    this.clock = opts.clock ?? new FakeClock();
    this.hub = new FakeWatchHub(this.clock, () => this.rv);
  }

  // ---- test helpers -------------------------------------------------------------------------------

  /** Stores objects as a create would, without logging actions. */
  seed(ref: ResourceRef, ...objs: KubeObject[]): KubeObject[] {
    return objs.map((o) => this.doCreate(ref, o.metadata.namespace, o));
  }

  /** The stored objects of a resource (copies), optionally in one namespace. */
  objectsOf<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace?: string): T[] {
    return [...this.bucket(ref).values()]
      .filter((o) => namespace === undefined || (o.metadata.namespace ?? '') === namespace)
      .map((o) => clone(o) as T);
  }

  find<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string) {
    const o = this.bucket(ref).get(keyOf(namespace, name));
    return o ? (clone(o) as T) : undefined;
  }

  resourceVersion(): string {
    return String(this.rv);
  }

  /** The next call of `verb` (on `resource`, when given) fails with `error`; for watch, `done` rejects. */
  failNext(verb: FakeVerb, error: unknown, resource?: string): void {
    this.failures.push({ verb, error, resource });
  }

  actionsOf(verb: FakeVerb, resource?: string): FakeAction[] {
    return this.actions.filter((a) => a.verb === verb && (resource === undefined || a.resource === resource));
  }

  clearActions(): void {
    this.actions.length = 0;
  }

  /** Forgets the change history: a watch from any RV before now gets a 410 ERROR event. */
  compact(): void {
    this.hub.compact();
  }

  activeWatches(): number {
    return this.hub.activeWatches();
  }

  /** Sends a BOOKMARK with the current RV to watches that asked for them. */
  sendBookmarks(): void {
    this.hub.sendBookmarks();
  }

  /** Sends an ERROR event (default: 410 Expired) to every watch and ends them, as a server does. */
  sendWatchError(status?: Status): void {
    this.hub.sendWatchError(status);
  }

  /** Ends every watch cleanly (server closed the stream). */
  endWatches(): void {
    this.hub.endWatches();
  }

  /** Breaks every watch with a transport error (done rejects). */
  breakWatches(error: unknown = new ApiError(503, 'ServiceUnavailable', 'connection reset')): void {
    this.hub.breakWatches(error);
  }

  // ---- ApiClient ----------------------------------------------------------------------------------

  async get<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
  ) {
    this.record({ verb: 'get', resource: ref.resource, namespace, name });
    const o = this.bucket(ref).get(keyOf(namespace, name));
    if (!o) throw notFound(ref, name);
    return clone(o) as T;
  }

  async list<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    opts: ListOptions = {},
  ): Promise<KubeList<T>> {
    this.record({ verb: 'list', resource: ref.resource, namespace, opts });
    const match = this.matcher(opts);
    const items = [...this.bucket(ref).values()]
      .filter((o) => inNamespace(o, namespace) && match(o))
      .sort((a, b) =>
        keyOf(a.metadata.namespace, a.metadata.name!).localeCompare(
          keyOf(b.metadata.namespace, b.metadata.name!),
        ),
      )
      .map((o) => clone(o) as T);
    return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: String(this.rv) }, items };
  }

  async create<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    obj: T,
    opts?: WriteOpts,
  ) {
    this.record({
      verb: 'create',
      resource: ref.resource,
      namespace,
      name: obj.metadata?.name,
      body: clone(obj),
      opts,
    });
    if (opts?.dryRun) return clone(obj);
    return this.doCreate(ref, namespace, obj) as T;
  }

  async update<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, obj: T) {
    this.record({
      verb: 'update',
      resource: ref.resource,
      namespace,
      name: obj.metadata.name,
      body: clone(obj),
    });
    const stored = this.mustGet(ref, namespace, obj.metadata.name ?? '');
    this.checkRV(ref, stored, obj.metadata.resourceVersion);
    const next = clone(obj);
    next.metadata = {
      ...next.metadata,
      uid: stored.metadata.uid,
      creationTimestamp: stored.metadata.creationTimestamp,
    };
    if (stored.metadata.deletionTimestamp)
      next.metadata.deletionTimestamp = stored.metadata.deletionTimestamp;
    if (stored.status !== undefined) next.status = clone(stored.status);
    else delete next.status;
    return this.replace(ref, stored, next) as T;
  }

  async updateStatus<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    obj: T,
  ) {
    this.record({
      verb: 'updateStatus',
      resource: ref.resource,
      namespace,
      name: obj.metadata.name,
      body: clone(obj),
    });
    const stored = this.mustGet(ref, namespace, obj.metadata.name ?? '');
    this.checkRV(ref, stored, obj.metadata.resourceVersion);
    return this.replace(ref, stored, { ...clone(stored), status: clone(obj.status) }) as T;
  }

  async patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts: { subresource?: string } & WriteOpts = {},
  ) {
    this.record({
      verb: 'patch',
      resource: ref.resource,
      namespace,
      name,
      subresource: opts.subresource,
      patchType: type,
      body: clone(patch),
      opts,
    });
    const stored = this.mustGet(ref, namespace, name);
    const patched = applyPatch(stored, type, patch);
    this.checkRV(ref, stored, patched.metadata?.resourceVersion);
    const next: KubeObject =
      opts.subresource === 'status'
        ? { ...clone(stored), status: patched.status }
        : {
            ...patched,
            metadata: { ...patched.metadata, uid: stored.metadata.uid },
            status: clone(stored.status),
          };
    if (next.status === undefined) delete next.status;
    if (opts.dryRun) return next as T;
    return this.replace(ref, stored, next) as T;
  }

  async delete<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<T | Status> {
    this.record({ verb: 'delete', resource: ref.resource, namespace, name, opts });
    const stored = this.mustGet(ref, namespace, name);
    const pre = opts.preconditions;
    if (
      (pre?.uid && pre.uid !== stored.metadata.uid) ||
      (pre?.resourceVersion && pre.resourceVersion !== stored.metadata.resourceVersion)
    ) {
      throw conflict(ref, name, 'the precondition was not met');
    }
    const finalizers = stored.metadata.finalizers ?? [];
    const pod = ref.resource === 'pods' && ref.group === '' ? (stored as Pod) : undefined;
    const grace = opts.gracePeriodSeconds ?? pod?.spec?.terminationGracePeriodSeconds ?? 30;
    // Bound pods are deleted gracefully: the kubelet stops them, then deletes with grace 0 (as the API server does).
    const graceful = pod?.spec?.nodeName && grace > 0 && !isTerminal(pod);
    if (finalizers.length > 0 || graceful) {
      if (stored.metadata.deletionTimestamp && !graceful) return clone(stored) as T;
      const next = clone(stored);
      next.metadata.deletionTimestamp ??= rfc3339(this.clock.now() + (graceful ? grace * 1000 : 0));
      if (graceful) next.metadata.deletionGracePeriodSeconds = grace;
      return this.replace(ref, stored, next) as T;
    }
    return this.remove(ref, stored) as T;
  }

  async createSubresource<R = unknown>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    subresource: string,
    body: unknown,
  ): Promise<R> {
    this.record({
      verb: 'createSubresource',
      resource: ref.resource,
      namespace,
      name,
      subresource,
      body: clone(body),
    });
    const stored = this.mustGet(ref, namespace, name);
    if (ref.resource === 'pods' && subresource === 'binding') {
      const node = (body as { target?: { name?: string } })?.target?.name;
      if (!node) throw invalid('', 'Binding', name, [required('target.name')]);
      if (stored.spec?.nodeName) {
        throw conflict(
          { group: '', resource: 'pods/binding' },
          name,
          `pod ${name} is already assigned to node "${stored.spec.nodeName}"`,
        );
      }
      const next = clone(stored);
      next.spec = { ...next.spec, nodeName: node };
      const conditions = (next.status?.conditions ?? []).filter(
        (c: { type: string }) => c.type !== 'PodScheduled',
      );
      conditions.push({
        type: 'PodScheduled',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: rfc3339(this.clock.now()),
      });
      next.status = { ...next.status, conditions };
      this.replace(ref, stored, next);
      return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } as R;
    }
    if (ref.resource === 'pods' && subresource === 'eviction') {
      await this.delete(ref, namespace, name, (body as { deleteOptions?: DeleteOptions })?.deleteOptions);
      return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } as R;
    }
    throw new ApiError(
      404,
      'NotFound',
      `the server could not find the requested resource (post ${ref.resource}/${subresource})`,
    );
  }

  watch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    opts: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
  ): WatchHandle {
    let match: Matcher | { error: unknown };
    try {
      this.record({ verb: 'watch', resource: ref.resource, namespace, opts });
      match = this.matcher(opts);
    } catch (error) {
      match = { error };
    }
    return this.hub.watch(rkOf(ref), namespace, opts, match, () => this.bucket(ref).values(), onEvent);
  }

  // ---- internals ----------------------------------------------------------------------------------

  private record(a: FakeAction): void {
    this.actions.push(a);
    const i = this.failures.findIndex(
      (f) => f.verb === a.verb && (f.resource === undefined || f.resource === a.resource),
    );
    if (i >= 0) {
      const [f] = this.failures.splice(i, 1);
      throw f.error;
    }
  }

  private matcher(opts: ListOptions): Matcher {
    return selectorMatcher(opts.labelSelector, opts.fieldSelector);
  }

  private bucket(ref: ResourceRef): Map<string, KubeObject> {
    let b = this.objects.get(rkOf(ref));
    if (!b) this.objects.set(rkOf(ref), (b = new Map()));
    return b;
  }

  private mustGet(ref: ResourceRef, namespace: string | undefined, name: string): KubeObject {
    const o = this.bucket(ref).get(keyOf(namespace, name));
    if (!o) throw notFound(ref, name);
    return o;
  }

  private checkRV(ref: ResourceRef, stored: KubeObject, rv: string | undefined): void {
    if (rv && rv !== stored.metadata.resourceVersion) throw conflict(ref, stored.metadata.name ?? '');
  }

  private doCreate(ref: ResourceRef, namespace: string | undefined, input: KubeObject): KubeObject {
    const obj = clone(input);
    obj.metadata = { ...obj.metadata };
    const ns = namespace ?? obj.metadata.namespace;
    if (ns) obj.metadata.namespace = ns;
    if (!obj.metadata.name && obj.metadata.generateName) {
      let suffix = '';
      for (let i = 0; i < 5; i++) suffix += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
      obj.metadata.name = obj.metadata.generateName + suffix;
    }
    const name = obj.metadata.name;
    if (!name)
      throw invalid(ref.group, obj.kind ?? ref.resource, '', [
        required('metadata.name', 'name or generateName is required'),
      ]);
    const b = this.bucket(ref);
    if (b.has(keyOf(ns, name))) throw alreadyExists(ref, name);
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = rfc3339(this.clock.now());
    obj.metadata.generation = 1;
    delete obj.metadata.deletionTimestamp;
    obj.metadata.resourceVersion = String(++this.rv);
    b.set(keyOf(ns, name), obj);
    this.hub.emit({ rk: rkOf(ref), type: 'ADDED', object: obj, rv: this.rv });
    return clone(obj);
  }

  private replace(ref: ResourceRef, stored: KubeObject, next: KubeObject): KubeObject {
    next.metadata.generation = stored.metadata.generation ?? 1;
    if (JSON.stringify(next.spec) !== JSON.stringify(stored.spec)) next.metadata.generation++;
    if (
      next.metadata.deletionTimestamp &&
      (next.metadata.finalizers ?? []).length === 0 &&
      !isGracefulPod(ref, next)
    ) {
      return this.remove(ref, next);
    }
    next.metadata.resourceVersion = String(++this.rv);
    this.bucket(ref).set(keyOf(stored.metadata.namespace, stored.metadata.name!), next);
    this.hub.emit({ rk: rkOf(ref), type: 'MODIFIED', object: next, prev: stored, rv: this.rv });
    return clone(next);
  }

  private remove(ref: ResourceRef, stored: KubeObject): KubeObject {
    const last = clone(stored);
    last.metadata.resourceVersion = String(++this.rv);
    this.bucket(ref).delete(keyOf(stored.metadata.namespace, stored.metadata.name!));
    this.hub.emit({ rk: rkOf(ref), type: 'DELETED', object: last, prev: stored, rv: this.rv });
    return clone(last);
  }
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** A bound pod marked for graceful deletion stays until its kubelet deletes it with grace 0. */
function isGracefulPod(ref: ResourceRef, o: KubeObject): boolean {
  return (
    ref.group === '' &&
    ref.resource === 'pods' &&
    o.metadata.deletionGracePeriodSeconds !== undefined &&
    o.metadata.deletionGracePeriodSeconds > 0
  );
}
