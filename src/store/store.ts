// The cluster store: a versioned, watchable key-value store of Kubernetes objects.
// One global revision is bumped on every write and becomes the object's metadata.resourceVersion.
// A change log lets a watch resume from any recent revision; older ones get 410 Expired.
// Implementations: memory-store.ts (unit tests), sqlite-store.ts (the embedded default, as in k3s).
import type { KubeObject } from '../api/types.js';

/** Storage key; independent of URLs. `namespace` is '' for cluster-scoped objects. */
export interface StoreKey {
  group: string;
  resource: string;
  namespace: string;
  name: string;
}

/** What a list or watch covers: one resource, in one namespace or (namespace undefined) all of them. */
export interface StoreScope {
  group: string;
  resource: string;
  namespace?: string;
}

export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: StoreEventType;
  key: StoreKey;
  /** The object after the change; for DELETED the last state, with resourceVersion = the delete's revision. */
  object: KubeObject;
  /** The object before the change (MODIFIED and DELETED), so a filtered watch can see an object leave its filter. */
  prevObject?: KubeObject;
  revision: number;
}

export interface StoreWatch {
  stop(): void;
}

export interface WriteOptions {
  /**
   * Optimistic concurrency: when set, the write succeeds only if the stored object's resourceVersion equals it;
   * otherwise it fails with 409 Conflict.
   */
  expectedRevision?: number;
}

export interface Store {
  /** The newest revision written (0 for an empty store). */
  revision(): Promise<number>;

  /** The stored object, or undefined. */
  get(key: StoreKey): Promise<KubeObject | undefined>;

  /** Every object in scope, ordered by namespace then name, and the revision the list is consistent with. */
  list(scope: StoreScope): Promise<{ items: KubeObject[]; revision: number }>;

  /** Stores a new object; sets metadata.resourceVersion. 409 AlreadyExists if the key is taken. */
  create(key: StoreKey, obj: KubeObject): Promise<KubeObject>;

  /** Replaces an object; sets metadata.resourceVersion. 404 NotFound if absent, 409 Conflict if stale. */
  update(key: StoreKey, obj: KubeObject, opts?: WriteOptions): Promise<KubeObject>;

  /** Removes an object and returns its last state with resourceVersion = the delete's revision. 404 if absent. */
  delete(key: StoreKey, opts?: WriteOptions): Promise<KubeObject>;

  /**
   * Delivers, in revision order, every change in scope with revision > fromRevision (replayed from the change log),
   * then live changes, with no gap and no duplicate. Throws ApiError 410 (reason Expired) when fromRevision is older
   * than the change log. Handlers run synchronously in the writer's turn and must not throw.
   */
  watch(scope: StoreScope, fromRevision: number, onEvent: (event: StoreEvent) => void): StoreWatch;

  /** The oldest revision a watch can still resume from. */
  oldestRevision(): Promise<number>;

  close(): Promise<void>;
}

export function keyOf(group: string, resource: string, obj: KubeObject): StoreKey {
  return { group, resource, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '' };
}

export function inScope(scope: StoreScope, key: StoreKey): boolean {
  return (
    key.group === scope.group &&
    key.resource === scope.resource &&
    (scope.namespace === undefined || key.namespace === scope.namespace)
  );
}
