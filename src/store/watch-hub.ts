// Watch fan-out for the cluster store: delivers each committed change to the watchers whose scope covers it,
// in revision order, with no gap and no duplicate, even when a handler writes to the store or starts a watch.
//
// How: every delivery goes through one FIFO queue that is drained in the writer's turn. A handler that writes
// only appends to the queue, so every watcher still sees revisions in order. Each watcher remembers the last
// revision it got; a new watcher starts at the store's head revision and receives its replay (the change log
// after fromRevision) as one queued job, so the replay covers everything already committed and live events
// cover everything after.
import type { Logger } from '../common/logger.js';
import type { StoreEvent, StoreScope, StoreWatch } from './store.js';

interface Watcher {
  readonly scope: StoreScope;
  readonly onEvent: (event: StoreEvent) => void;
  /** The newest revision this watcher has been given (or is covered by its replay). */
  last: number;
  active: boolean;
}

type Job = { event: StoreEvent } | { watcher: Watcher; replay: StoreEvent[] };

function resourceKey(group: string, resource: string): string {
  return `${group}/${resource}`;
}

export class WatchHub {
  /** Watchers indexed by group/resource, so a write only visits watchers of its own resource. */
  private readonly byResource = new Map<string, Set<Watcher>>();
  private readonly queue: Job[] = [];
  private draining = false;

  constructor(private readonly log: Logger) {}

  /**
   * Registers a watcher. `replay` must hold the logged changes in scope with fromRevision < revision <= head,
   * read in the same synchronous turn; `head` is the store's current revision.
   */
  subscribe(
    scope: StoreScope,
    fromRevision: number,
    head: number,
    replay: StoreEvent[],
    onEvent: (event: StoreEvent) => void,
  ): StoreWatch {
    const watcher: Watcher = { scope, onEvent, last: Math.max(fromRevision, head), active: true };
    const key = resourceKey(scope.group, scope.resource);
    let set = this.byResource.get(key);
    if (!set) this.byResource.set(key, (set = new Set()));
    set.add(watcher);
    if (replay.length > 0) this.queue.push({ watcher, replay });
    this.drain();
    return { stop: () => this.remove(watcher) };
  }

  /**
   * Fans committed changes (one batch, in revision order) out to every watcher in scope. The whole batch is queued
   * before any handler runs, so a handler's own write lands after it.
   */
  publish(events: StoreEvent[]): void {
    for (const event of events) {
      if (this.byResource.has(resourceKey(event.key.group, event.key.resource))) this.queue.push({ event });
    }
    this.drain();
  }

  /** Number of active watchers (for metrics and tests). */
  size(): number {
    let n = 0;
    for (const set of this.byResource.values()) n += set.size;
    return n;
  }

  /** Stops every watcher (the store is closing). */
  stopAll(): void {
    for (const set of this.byResource.values()) for (const w of set) w.active = false;
    this.byResource.clear();
    this.queue.length = 0;
  }

  private drain(): void {
    if (this.draining) return; // a handler wrote or watched: the outer loop will deliver it, in order
    this.draining = true;
    try {
      for (let i = 0; i < this.queue.length; i++) {
        const job = this.queue[i];
        if ('replay' in job) {
          for (const event of job.replay) if (!this.deliver(job.watcher, event)) break;
        } else {
          this.broadcast(job.event);
        }
      }
    } finally {
      this.queue.length = 0;
      this.draining = false;
    }
  }

  private broadcast(event: StoreEvent): void {
    const set = this.byResource.get(resourceKey(event.key.group, event.key.resource));
    if (!set) return;
    // A watcher added during this loop starts at a head >= event.revision, so it skips this event.
    for (const w of set) {
      if (event.revision <= w.last) continue;
      if (w.scope.namespace !== undefined && w.scope.namespace !== event.key.namespace) continue;
      w.last = event.revision;
      this.deliver(w, event);
    }
  }

  /** Calls the handler; a handler that throws is dropped so it cannot break the writer or other watchers. */
  private deliver(w: Watcher, event: StoreEvent): boolean {
    if (!w.active) return false;
    try {
      w.onEvent(event);
      return true;
    } catch (err) {
      this.remove(w);
      this.log.error(
        { err, group: w.scope.group, resource: w.scope.resource, revision: event.revision },
        'watch handler threw; watcher stopped',
      );
      return false;
    }
  }

  private remove(w: Watcher): void {
    w.active = false;
    const key = resourceKey(w.scope.group, w.scope.resource);
    const set = this.byResource.get(key);
    if (!set) return;
    set.delete(w);
    if (set.size === 0) this.byResource.delete(key);
  }
}
