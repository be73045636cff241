// The informer: one list+watch cache per resource, shared by the scheduler, controllers, agent and DNS.
// Protocol (client-go's Reflector): list → cache → watch from the list's resourceVersion (bookmarks on, a random
// 300–600 s timeout) → apply events. A 410 (too old resource version) relists and diffs the new list against the
// cache, so handlers see exactly what changed meanwhile; a watch that ends cleanly resumes from the last RV;
// transport errors reconnect with exponential backoff, and a failed list leaves the cache as it was (no deletes
// while the server is away). The first failure in a row is a warning, its repeats debug lines (a master that
// is down for a minute would otherwise warn every few seconds per informer). All waiting goes through the Clock.
import type { KubeObject, Status } from '../api/types.js';
import { systemClock, type Clock, type TimerHandle } from '../common/clock.js';
import { isApiError } from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import type { ApiClient, ResourceRef, WatchEvent, WatchHandle } from './api-client.js';
import { keyFor, objectKey } from './key.js';

export interface Informer<T extends KubeObject> {
  on(event: 'add', fn: (obj: T) => void): void;
  on(event: 'update', fn: (oldObj: T, newObj: T) => void): void;
  on(event: 'delete', fn: (obj: T) => void): void;
  /** Resolves once the first list is in the cache (hasSynced). */
  start(): Promise<void>;
  stop(): void;
  hasSynced(): boolean;
  get(namespace: string | undefined, name: string): T | undefined;
  /** 'ns/name', or 'name' for cluster-scoped objects. */
  getByKey(key: string): T | undefined;
  list(): T[];
  lastSyncResourceVersion(): string;
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Up to this fraction of the delay is added at random, so many clients don't reconnect in lockstep. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 30_000, factor: 2, jitter: 0.25 };

/** A watch that ends cleanly sooner than this without a single event counts as a failure (no hot loop). */
export const MIN_WATCH_MS = 1000;

export interface InformerOptions {
  client: ApiClient;
  ref: ResourceRef;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  clock?: Clock;
  logger?: Logger;
  /** When set, every cached object is re-delivered as update(obj, obj) this often. */
  resyncPeriodMs?: number;
  backoff?: BackoffOptions;
  /** Source of randomness for jitter and watch timeouts (tests pin it). */
  random?: () => number;
}

// ---- pure helpers (exported for tests) -----------------------------------------------------------

export type Delivery<T> =
  { type: 'add'; obj: T } | { type: 'update'; oldObj: T; newObj: T } | { type: 'delete'; obj: T };

/** A fresh list against the cache: the new cache and what handlers must hear (unchanged objects are silent). */
export function diffList<T extends KubeObject>(
  cache: ReadonlyMap<string, T>,
  items: T[],
): { cache: Map<string, T>; deliveries: Delivery<T>[] } {
  const next = new Map<string, T>();
  const deliveries: Delivery<T>[] = [];
  for (const obj of items) {
    const key = objectKey(obj);
    next.set(key, obj);
    const old = cache.get(key);
    if (!old) deliveries.push({ type: 'add', obj });
    else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) {
      deliveries.push({ type: 'update', oldObj: old, newObj: obj });
    }
  }
  for (const [key, old] of cache) if (!next.has(key)) deliveries.push({ type: 'delete', obj: old });
  return { cache: next, deliveries };
}

/** Applies one ADDED/MODIFIED/DELETED event to the cache (in place) and says what handlers must hear. */
export function applyEvent<T extends KubeObject>(
  cache: Map<string, T>,
  event: WatchEvent<T>,
): Delivery<T> | undefined {
  const obj = event.object;
  const key = objectKey(obj);
  const old = cache.get(key);
  switch (event.type) {
    case 'ADDED':
    case 'MODIFIED':
      cache.set(key, obj);
      return old ? { type: 'update', oldObj: old, newObj: obj } : { type: 'add', obj };
    case 'DELETED':
      cache.delete(key);
      return { type: 'delete', obj: old && !obj.metadata.resourceVersion ? old : obj };
    default:
      return undefined;
  }
}

/** The next base delay: initial, then ×factor up to max. */
export function nextBackoff(previousMs: number | undefined, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  return previousMs === undefined ? opts.initialMs : Math.min(previousMs * opts.factor, opts.maxMs);
}

export function withJitter(ms: number, jitter: number, random: () => number): number {
  return Math.round(ms * (1 + jitter * random()));
}

/** A random watch timeout in [300, 600] seconds, as client-go picks (so watches don't all end together). */
export function watchTimeoutSeconds(random: () => number): number {
  return 300 + Math.floor(random() * 301);
}

// ---- the informer -----------------------------------------------------------------------------------

type WatchOutcome =
  | { kind: 'relist' }
  | { kind: 'ended'; events: number; ms: number }
  | { kind: 'error'; error: unknown; events: number; ms: number };

/** An error for a log line: its message (and code), without the stack of every retry. */
function describeError(err: unknown): unknown {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return code === undefined ? err.message : { message: err.message, code };
  }
  return err;
}

class ListWatchInformer<T extends KubeObject> implements Informer<T> {
  private cache = new Map<string, T>();
  private readonly handlers = {
    add: [] as ((o: T) => void)[],
    update: [] as ((a: T, b: T) => void)[],
    delete: [] as ((o: T) => void)[],
  };
  private synced = false;
  private stopped = false;
  private running = false;
  private rv = '';
  /** Watches started since the last list (a 410 on the first one means the server is unwell). */
  private watchesSinceList = 0;
  private backoffMs: number | undefined;
  /** Failed lists and watches in a row (the first is logged as a warning, the rest as debug). */
  private failures = 0;
  private watch: WatchHandle | undefined;
  private waitTimer: TimerHandle | undefined;
  private wake: (() => void) | undefined;
  private resyncTimer: TimerHandle | undefined;
  private readonly syncedPromise: Promise<void>;
  private resolveSynced!: () => void;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;

  constructor(private readonly opts: InformerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = (opts.logger ?? silentLogger).child({ informer: opts.ref.resource });
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.random = opts.random ?? Math.random;
    this.syncedPromise = new Promise((resolve) => (this.resolveSynced = resolve));
  }

  on(event: 'add', fn: (obj: T) => void): void;
  on(event: 'update', fn: (oldObj: T, newObj: T) => void): void;
  on(event: 'delete', fn: (obj: T) => void): void;
  on(event: 'add' | 'update' | 'delete', fn: (...args: any[]) => void): void {
    this.handlers[event].push(fn);
    // A handler added after the sync hears the current contents as adds, like client-go's AddEventHandler.
    if (event === 'add' && this.synced)
      for (const obj of this.cache.values()) this.call('add', () => fn(obj));
  }

  start(): Promise<void> {
    if (!this.running && !this.stopped) {
      this.running = true;
      void this.run();
    }
    return this.syncedPromise;
  }

  stop(): void {
    this.stopped = true;
    this.watch?.stop();
    this.clock.clearTimeout(this.waitTimer);
    this.clock.clearTimeout(this.resyncTimer);
    this.wake?.();
    this.resolveSynced(); // nobody waits forever on a stopped informer
  }

  hasSynced(): boolean {
    return this.synced;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(keyFor(namespace, name));
  }

  getByKey(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  lastSyncResourceVersion(): string {
    return this.rv;
  }

  private async run(): Promise<void> {
    let needList = true;
    while (!this.stopped) {
      if (needList) {
        if (!(await this.listOnce())) {
          await this.sleepBackoff();
          continue;
        }
        needList = false;
      }
      const outcome = await this.watchOnce();
      if (this.stopped) break;
      if (outcome.kind === 'relist') {
        this.log.info({ resourceVersion: this.rv }, 'watch expired; relisting');
        // Expired on the very first watch after a list: the server is unwell; don't hot-loop list/watch.
        if (this.watchesSinceList === 1) await this.sleepBackoff();
        needList = true;
      } else if (outcome.kind === 'ended' && (outcome.events > 0 || outcome.ms >= MIN_WATCH_MS)) {
        this.backoffMs = undefined; // a healthy watch: the next failure starts from the initial delay
        this.recovered();
      } else {
        // A watch that had worked for a while before breaking was a success: this failure is a new one.
        if (outcome.events > 0 || outcome.ms >= MIN_WATCH_MS) this.recovered();
        const error = outcome.kind === 'error' ? outcome.error : 'watch closed at once';
        this.failed('watch failed; retrying', error);
        await this.sleepBackoff();
      }
    }
  }

  private async listOnce(): Promise<boolean> {
    const { client, ref, namespace, labelSelector, fieldSelector } = this.opts;
    try {
      const list = await client.list<T>(ref, namespace, { labelSelector, fieldSelector });
      if (this.stopped) return true;
      const { cache, deliveries } = diffList(this.cache, list.items);
      this.cache = cache;
      this.rv = list.metadata.resourceVersion ?? '';
      this.watchesSinceList = 0;
      for (const d of deliveries) this.deliver(d);
      if (!this.synced) {
        this.synced = true;
        this.resolveSynced();
        this.scheduleResync();
      }
      this.recovered();
      return true;
    } catch (err) {
      this.failed('list failed; retrying', err);
      return false;
    }
  }

  private failed(msg: string, err: unknown): void {
    this.failures++;
    const entry = { err: describeError(err), resourceVersion: this.rv, failures: this.failures };
    if (this.failures === 1) this.log.warn(entry, msg);
    else this.log.debug(entry, msg);
  }

  private recovered(): void {
    if (this.failures > 0) this.log.info({ failures: this.failures }, 'list and watch work again');
    this.failures = 0;
  }

  private watchOnce(): Promise<WatchOutcome> {
    const { client, ref, namespace, labelSelector, fieldSelector } = this.opts;
    const started = this.clock.now();
    let events = 0;
    this.watchesSinceList++;
    return new Promise<WatchOutcome>((resolve) => {
      let settled = false;
      const finish = (o: WatchOutcome) => {
        if (settled) return;
        settled = true;
        this.watch = undefined;
        resolve(o);
      };
      const handle = client.watch<T>(
        ref,
        namespace,
        {
          resourceVersion: this.rv,
          allowWatchBookmarks: true,
          timeoutSeconds: watchTimeoutSeconds(this.random),
          labelSelector,
          fieldSelector,
        },
        (event) => {
          if (settled || this.stopped) return;
          if (event.type === 'ERROR') {
            const status = event.object as unknown as Status;
            handle.stop();
            finish(
              status.code === 410
                ? { kind: 'relist' }
                : { kind: 'error', error: status, events, ms: this.clock.now() - started },
            );
            return;
          }
          if (events++ === 0) this.recovered();
          this.backoffMs = undefined;
          if (event.object.metadata?.resourceVersion) this.rv = event.object.metadata.resourceVersion;
          const d = applyEvent(this.cache, event);
          if (d) this.deliver(d);
        },
      );
      this.watch = handle;
      handle.done.then(
        () => finish({ kind: 'ended', events, ms: this.clock.now() - started }),
        (error: unknown) =>
          finish(
            isApiError(error) && error.code === 410
              ? { kind: 'relist' }
              : { kind: 'error', error, events, ms: this.clock.now() - started },
          ),
      );
    });
  }

  private sleepBackoff(): Promise<void> {
    this.backoffMs = nextBackoff(this.backoffMs, this.backoff);
    const ms = withJitter(this.backoffMs, this.backoff.jitter, this.random);
    return new Promise<void>((resolve) => {
      if (this.stopped) return resolve();
      this.wake = resolve;
      this.waitTimer = this.clock.setTimeout(resolve, ms);
    });
  }

  private scheduleResync(): void {
    const period = this.opts.resyncPeriodMs;
    if (!period || this.stopped) return;
    this.resyncTimer = this.clock.setTimeout(() => {
      for (const obj of this.cache.values()) this.deliver({ type: 'update', oldObj: obj, newObj: obj });
      this.scheduleResync();
    }, period);
  }

  private deliver(d: Delivery<T>): void {
    if (d.type === 'add') for (const fn of this.handlers.add) this.call('add', () => fn(d.obj));
    else if (d.type === 'update')
      for (const fn of this.handlers.update) this.call('update', () => fn(d.oldObj, d.newObj));
    else for (const fn of this.handlers.delete) this.call('delete', () => fn(d.obj));
  }

  /** A throwing handler is logged and skipped; it never stops the informer or the other handlers. */
  private call(event: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err, event }, 'informer handler failed');
    }
  }
}

export function createInformer<T extends KubeObject>(opts: InformerOptions): Informer<T> {
  return new ListWatchInformer<T>(opts);
}
