// The watch side of FakeApiClient: the change history and the open watches. Events are delivered
// asynchronously (a microtask per batch), in write order, to each watch — like a real server's stream.
import type { KubeObject, Status } from '../../src/api/types.js';
import type { WatchEvent, WatchEventType, WatchHandle, WatchOptions } from '../../src/client/api-client.js';
import type { Clock, TimerHandle } from '../../src/common/clock.js';
import { expired } from '../../src/common/errors.js';
import type { Matcher } from './fake-selectors.js';

/** One stored write; `rk` names the resource (`group/resource`). */
export interface Change {
  rk: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
  prev?: KubeObject;
  rv: number;
}

interface Watcher {
  rk: string;
  namespace?: string;
  match: Matcher;
  bookmarks: boolean;
  onEvent: (e: WatchEvent<any>) => void;
  queue: WatchEvent[];
  flushing: boolean;
  closed: boolean;
  endRequested: boolean;
  timer?: TimerHandle;
  settle(err?: unknown): void;
}

export function inNamespace(o: KubeObject, namespace: string | undefined): boolean {
  return namespace === undefined || (o.metadata.namespace ?? '') === namespace;
}

export class FakeWatchHub {
  private history: Change[] = [];
  /** Watches from an RV below this get 410 (history compacted). */
  private oldestRV = 0;
  private readonly watchers = new Set<Watcher>();

  constructor(
    private readonly clock: Clock,
    private readonly currentRV: () => number,
  ) {}

  emit(c: Change): void {
    this.history.push(c);
    for (const w of this.watchers) this.deliver(w, c);
  }

  /**
   * Opens a watch. `snapshot` lists the current objects (for the synthetic ADDED events from RV 0);
   * `match` is the watch's selector, or an error to fail the watch with.
   */
  watch(
    rk: string,
    namespace: string | undefined,
    opts: WatchOptions,
    match: Matcher | { error: unknown },
    snapshot: () => Iterable<KubeObject>,
    onEvent: (e: WatchEvent<any>) => void,
  ): WatchHandle {
    let settle!: { resolve: () => void; reject: (e: unknown) => void };
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    done.catch(() => undefined); // as with a real client, nobody has to await `done`
    const w: Watcher = {
      rk,
      namespace,
      match: () => true,
      bookmarks: !!opts.allowWatchBookmarks,
      onEvent,
      queue: [],
      flushing: false,
      closed: false,
      endRequested: false,
      settle: (err) => (err === undefined ? settle.resolve() : settle.reject(err)),
    };
    const handle = { stop: () => this.close(w), done };
    if ('error' in match) {
      w.closed = true;
      queueMicrotask(() => w.settle(match.error));
      return handle;
    }
    w.match = match;
    this.watchers.add(w);
    const from = Number(opts.resourceVersion ?? '0');
    if (!from) {
      for (const o of snapshot()) {
        if (inNamespace(o, namespace) && w.match(o))
          this.push(w, { type: 'ADDED', object: structuredClone(o) });
      }
    } else if (from < this.oldestRV) {
      this.push(w, {
        type: 'ERROR',
        object: expired(from, this.oldestRV).toStatus() as unknown as KubeObject,
      });
      this.endAfterQueue(w);
      return handle;
    } else {
      for (const c of this.history) if (c.rv > from) this.deliver(w, c);
    }
    if (opts.timeoutSeconds) {
      w.timer = this.clock.setTimeout(() => this.endAfterQueue(w), opts.timeoutSeconds * 1000);
    }
    return handle;
  }

  compact(): void {
    this.history = [];
    this.oldestRV = this.currentRV();
  }

  activeWatches(): number {
    return this.watchers.size;
  }

  sendBookmarks(): void {
    const object = {
      apiVersion: 'v1',
      kind: 'Bookmark',
      metadata: { resourceVersion: String(this.currentRV()) },
    };
    for (const w of this.watchers) if (w.bookmarks) this.push(w, { type: 'BOOKMARK', object });
  }

  sendWatchError(status: Status = expired(this.oldestRV, this.currentRV()).toStatus()): void {
    for (const w of this.watchers) {
      this.push(w, { type: 'ERROR', object: status as unknown as KubeObject });
      this.endAfterQueue(w);
    }
  }

  endWatches(): void {
    for (const w of this.watchers) this.endAfterQueue(w);
  }

  breakWatches(error: unknown): void {
    for (const w of [...this.watchers]) this.close(w, error);
  }

  /** A filtered watch sees an object enter (ADDED) or leave (DELETED) its filter, as from the real server. */
  private deliver(w: Watcher, c: Change): void {
    if (w.rk !== c.rk || !inNamespace(c.object, w.namespace)) return;
    const now = c.type !== 'DELETED' && w.match(c.object);
    const before = c.prev !== undefined && w.match(c.prev);
    let type: WatchEventType | undefined;
    if (c.type === 'ADDED') type = now ? 'ADDED' : undefined;
    else if (c.type === 'DELETED') type = before ? 'DELETED' : undefined;
    else type = now && before ? 'MODIFIED' : now ? 'ADDED' : before ? 'DELETED' : undefined;
    if (type) this.push(w, { type, object: structuredClone(c.object) });
  }

  private push(w: Watcher, e: WatchEvent): void {
    if (w.closed) return;
    w.queue.push(e);
    this.scheduleFlush(w);
  }

  private scheduleFlush(w: Watcher): void {
    if (w.flushing) return;
    w.flushing = true;
    queueMicrotask(() => {
      w.flushing = false;
      while (w.queue.length > 0 && !w.closed) {
        const e = w.queue.shift()!;
        try {
          w.onEvent(e);
        } catch (err) {
          this.close(w, err);
        }
      }
      if (w.endRequested) this.close(w);
    });
  }

  private endAfterQueue(w: Watcher): void {
    w.endRequested = true;
    this.scheduleFlush(w);
  }

  private close(w: Watcher, err?: unknown): void {
    if (w.closed) return;
    w.closed = true;
    this.clock.clearTimeout(w.timer);
    this.watchers.delete(w);
    w.settle(err);
  }
}
