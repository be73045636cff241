// One watch as the API server runs it (§8 of KUBECTL-API.md): events from the store, filtered by the selectors,
// optional BOOKMARKs, an ERROR event for a too-old resourceVersion, and an end after timeoutSeconds.
// Transport-agnostic: the HTTP stream and the in-process client both consume it through a WatchObserver.
import { apiVersionOf, type ResourceDef } from '../api/resource-def.js';
import type { KubeObject, Status } from '../api/types.js';
import type { Clock, TimerHandle } from '../common/clock.js';
import { isApiError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { Store, StoreEvent, StoreScope, StoreWatch } from '../store/store.js';
import type { ObjectFilter } from './object-filter.js';
import { filterStoreEvent } from './watch-filter.js';

export type ServiceWatchEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: KubeObject }
  | { type: 'ERROR'; object: Status };

export interface WatchObserver {
  /** Called in order. Objects may be shared with other watchers: never mutate them. */
  onEvent(event: ServiceWatchEvent): void;
  /** The server ended the watch (timeout, expired resourceVersion, shutdown). Not called after stop(). */
  onEnd(): void;
}

export interface ActiveWatch {
  stop(): void;
}

/** Informers expire after a few minutes of silence; a bookmark this often keeps their resourceVersion fresh. */
export const BOOKMARK_INTERVAL_MS = 45_000;

export interface WatchSessionOptions {
  def: ResourceDef;
  store: Store;
  clock: Clock;
  logger: Logger;
  observer: WatchObserver;
  filter: ObjectFilter | undefined;
  bookmarks: boolean;
  timeoutSeconds?: number;
  /** Called once when the session ends for any reason (the service forgets it). */
  onClose: () => void;
}

export class WatchSession implements ActiveWatch {
  private storeWatch: StoreWatch | undefined;
  private timeoutTimer: TimerHandle | undefined;
  private bookmarkTimer: TimerHandle | undefined;
  private closed = false;
  /** The newest revision this watch has covered (sent or filtered out). */
  private lastRevision = 0;

  constructor(private readonly o: WatchSessionOptions) {
    if (o.timeoutSeconds !== undefined && o.timeoutSeconds > 0) {
      this.timeoutTimer = o.clock.setTimeout(() => void this.timeOut(), o.timeoutSeconds * 1000);
    }
    if (o.bookmarks) this.scheduleBookmark();
  }

  get active(): boolean {
    return !this.closed;
  }

  /** Sends one event; an observer that throws ends the watch (it must never break the store's writer). */
  emit(event: ServiceWatchEvent): void {
    if (this.closed) return;
    try {
      this.o.observer.onEvent(event);
    } catch (err) {
      this.o.logger.warn({ err, resource: this.o.def.resource }, 'watch observer failed; ending the watch');
      this.end();
    }
  }

  /** Subscribes to the store from `fromRevision`; a too-old revision becomes an ERROR event and the end. */
  start(scope: StoreScope, fromRevision: number): void {
    if (this.closed) return;
    this.lastRevision = fromRevision;
    try {
      this.storeWatch = this.o.store.watch(scope, fromRevision, (event) => this.onStoreEvent(event));
    } catch (err) {
      if (!isApiError(err) || (err.code !== 410 && err.reason !== 'Expired')) throw err;
      this.emit({ type: 'ERROR', object: err.toStatus() });
      this.end();
    }
    // A store watch started after stop() (which can happen during its synchronous replay) must not leak.
    if (this.closed) this.storeWatch?.stop();
  }

  /** The server ends the watch: the observer hears onEnd. */
  end(): void {
    if (this.closed) return;
    this.close();
    try {
      this.o.observer.onEnd();
    } catch (err) {
      this.o.logger.warn({ err }, 'watch observer failed on end');
    }
  }

  /** The consumer ends the watch. */
  stop(): void {
    if (!this.closed) this.close();
  }

  private close(): void {
    this.closed = true;
    this.storeWatch?.stop();
    this.o.clock.clearTimeout(this.timeoutTimer);
    this.o.clock.clearTimeout(this.bookmarkTimer);
    this.o.onClose();
  }

  private onStoreEvent(event: StoreEvent): void {
    this.lastRevision = Math.max(this.lastRevision, event.revision);
    let out;
    try {
      out = filterStoreEvent(event, this.o.filter);
    } catch (err) {
      this.o.logger.warn({ err, revision: event.revision }, 'watch filter failed on an object; skipped');
      return;
    }
    if (out) this.emit(out);
  }

  private scheduleBookmark(): void {
    this.bookmarkTimer = this.o.clock.setTimeout(() => {
      void this.sendBookmark().then(() => {
        if (!this.closed) this.scheduleBookmark();
      });
    }, BOOKMARK_INTERVAL_MS);
  }

  private async sendBookmark(): Promise<void> {
    let head = 0;
    try {
      head = await this.o.store.revision();
    } catch {
      // The store is closing; the bookmark falls back to what this watch has seen.
    }
    // Every change up to the store's head has already been handed to this watch (delivery is synchronous).
    const resourceVersion = String(Math.max(head, this.lastRevision));
    this.emit({
      type: 'BOOKMARK',
      object: { kind: this.o.def.kind, apiVersion: apiVersionOf(this.o.def), metadata: { resourceVersion } },
    });
  }

  private async timeOut(): Promise<void> {
    if (this.closed) return;
    if (this.o.bookmarks) await this.sendBookmark();
    this.end();
  }
}
