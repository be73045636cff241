// The store semantics both backends share (memory-store.ts, sqlite-store.ts), in one place:
// one global revision bumped by 1 per write and stamped as metadata.resourceVersion; AlreadyExists, NotFound and
// Conflict checks; a change log trimmed in batches to historySize; watch = replay from the log + live events.
//
// A backend only supplies synchronous primitives (read a row, list rows, apply one change inside a transaction,
// read the log, trim it).
//
// Group commit: a write is queued and the queue is flushed when the backend's `schedule` says (SQLite: setImmediate,
// i.e. after every request that arrived in the same event-loop turn has reached the store; memory: at once). One
// flush runs, in one synchronous turn: one transaction that checks (AlreadyExists, NotFound, Conflict — against the
// rows as the batch's earlier writes left them) and applies each queued write in arrival order with consecutive
// revisions, then the commit (one fsync for the whole batch), then the fan-out, then the answers. So a write is
// answered only once it is durable, a failed check fails only its own write, and a watch started at any moment
// still sees each change exactly once: either in its replay or live. Reads see committed state only.
import type { KubeObject } from '../api/types.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  expired,
  notFound,
  serviceUnavailable,
} from '../common/errors.js';
import { silentLogger, type Logger } from '../common/logger.js';
import type {
  Store,
  StoreEvent,
  StoreEventType,
  StoreKey,
  StoreScope,
  StoreWatch,
  WriteOptions,
} from './store.js';
import { WatchHub } from './watch-hub.js';

export const DEFAULT_HISTORY_SIZE = 10_000;

export interface VersionedStoreOptions {
  /** How many recent changes a watch can replay (at least 1; default 10,000). */
  historySize?: number;
  logger?: Logger;
  /**
   * When to flush queued writes (one transaction per flush). Default: at once, in the writer's call, so every
   * write is its own transaction.
   */
  schedule?: (flush: () => void) => void;
}

/** Group-commit counters: transactions committed and the writes they carried. */
export interface CommitStats {
  commits: number;
  writes: number;
  largestBatch: number;
}

/** One stored object: its revision and JSON; `object` is an already-parsed, read-only copy if the backend has one. */
export interface StoredRow {
  revision: number;
  json: string;
  object?: KubeObject;
}

/** A change about to be committed: the event plus its serialized forms, for backends that persist text. */
export interface Change {
  event: StoreEvent;
  json: string;
  prevJson?: string;
}

/** A write waiting for the next flush. */
interface QueuedWrite {
  type: StoreEventType;
  key: StoreKey;
  /** The object to store (create, update); a delete stores the current object. */
  obj?: KubeObject;
  opts?: WriteOptions;
  resolve: (obj: KubeObject) => void;
  reject: (err: unknown) => void;
  /** Set during the flush: the check's error, or the committed JSON to answer with. */
  error?: unknown;
  json?: string;
}

const runNow = (flush: () => void): void => flush();

export abstract class VersionedStore implements Store {
  protected readonly historySize: number;
  protected readonly log: Logger;
  private readonly hub: WatchHub;
  /** Newest committed revision. */
  private head = 0;
  /** Every change with revision <= compacted has been dropped from the log. */
  private compacted = 0;
  private closed = false;
  private readonly schedule: (flush: () => void) => void;
  private queue: QueuedWrite[] = [];
  private flushScheduled = false;
  private readonly stats: CommitStats = { commits: 0, writes: 0, largestBatch: 0 };

  protected constructor(opts: VersionedStoreOptions) {
    this.historySize = Math.max(1, Math.floor(opts.historySize ?? DEFAULT_HISTORY_SIZE));
    this.log = opts.logger ?? silentLogger;
    this.hub = new WatchHub(this.log);
    this.schedule = opts.schedule ?? runNow;
  }

  // ---- backend primitives (synchronous) ----------------------------------------------------------------------

  protected abstract readRow(key: StoreKey): StoredRow | undefined;
  /** The JSON of every object in scope, ordered by namespace then name. */
  protected abstract listJson(scope: StoreScope): string[];
  /**
   * Runs `fn` as one durable transaction: everything it applied is committed when it returns, nothing when it
   * throws. Reads inside `fn` see what it applied so far.
   */
  protected abstract transaction(fn: () => void): void;
  /** Writes the object change and its change-log entry; only called inside `transaction`. */
  protected abstract apply(change: Change): void;
  /** Logged changes in scope with revision > fromRevision, in revision order. */
  protected abstract changesAfter(scope: StoreScope, fromRevision: number): StoreEvent[];
  /** Drops logged changes with revision <= throughRevision. */
  protected abstract trimLog(throughRevision: number): void;
  protected abstract closeBackend(): void;

  /** Called once by the backend after loading existing state. */
  protected restore(head: number, compacted: number): void {
    this.head = head;
    this.compacted = compacted;
  }

  // ---- Store ------------------------------------------------------------------------------------------------

  async revision(): Promise<number> {
    this.assertOpen();
    return this.head;
  }

  async oldestRevision(): Promise<number> {
    this.assertOpen();
    return this.compacted;
  }

  async get(key: StoreKey): Promise<KubeObject | undefined> {
    this.assertOpen();
    const row = this.readRow(key);
    return row && (JSON.parse(row.json) as KubeObject);
  }

  async list(scope: StoreScope): Promise<{ items: KubeObject[]; revision: number }> {
    this.assertOpen();
    const items = this.listJson(scope).map((json) => JSON.parse(json) as KubeObject);
    return { items, revision: this.head };
  }

  // The caller must not change `obj` until the write settles: it is serialized when its batch is flushed.
  create(key: StoreKey, obj: KubeObject): Promise<KubeObject> {
    return this.enqueue('ADDED', key, obj, undefined);
  }

  update(key: StoreKey, obj: KubeObject, opts?: WriteOptions): Promise<KubeObject> {
    return this.enqueue('MODIFIED', key, obj, opts);
  }

  delete(key: StoreKey, opts?: WriteOptions): Promise<KubeObject> {
    return this.enqueue('DELETED', key, undefined, opts);
  }

  watch(scope: StoreScope, fromRevision: number, onEvent: (event: StoreEvent) => void): StoreWatch {
    this.assertOpen();
    if (!Number.isSafeInteger(fromRevision) || fromRevision < 0) {
      throw badRequest(`invalid resource version: ${String(fromRevision)}`);
    }
    if (fromRevision < this.compacted) throw expired(fromRevision, this.compacted);
    const replay = fromRevision < this.head ? this.changesAfter(scope, fromRevision) : [];
    return this.hub.subscribe(scope, fromRevision, this.head, replay, onEvent);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Writes already accepted are committed (and answered) rather than dropped.
    this.flush();
    this.closed = true;
    this.hub.stopAll();
    this.closeBackend();
    this.log.info({ ...this.stats }, 'store closed');
  }

  /** Active watchers, for metrics. */
  watcherCount(): number {
    return this.hub.size();
  }

  /** How many transactions carried how many writes (group commit), for metrics and tests. */
  commitStats(): CommitStats {
    return { ...this.stats };
  }

  // ---- internals --------------------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw serviceUnavailable('the store is closed');
  }

  /** The stored row an update or delete applies to (parsed), after the NotFound and Conflict checks. */
  private current(key: StoreKey, opts: WriteOptions | undefined): Required<StoredRow> {
    const row = this.readRow(key);
    if (!row) throw notFound(key, key.name);
    if (opts?.expectedRevision !== undefined && opts.expectedRevision !== row.revision) {
      throw conflict(key, key.name);
    }
    return { ...row, object: row.object ?? (JSON.parse(row.json) as KubeObject) };
  }

  private enqueue(
    type: StoreEventType,
    key: StoreKey,
    obj: KubeObject | undefined,
    opts: WriteOptions | undefined,
  ): Promise<KubeObject> {
    try {
      this.assertOpen();
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<KubeObject>((resolve, reject) => {
      this.queue.push({ type, key: { ...key }, obj, opts, resolve, reject });
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      this.schedule(() => this.flush());
    });
  }

  /** Commits every queued write in one transaction, then fans the changes out, then answers each writer. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    if (batch.length === 0 || this.closed) return;
    this.queue = [];
    const events: StoreEvent[] = [];
    let revision = this.head;
    try {
      this.transaction(() => {
        for (const w of batch) {
          let change: Change;
          try {
            change = this.prepare(w, revision + 1);
          } catch (err) {
            w.error = err; // a failed check fails only this write
            continue;
          }
          this.apply(change);
          revision++;
          w.json = change.json;
          events.push(change.event);
        }
      });
    } catch (err) {
      // Rolled back: nothing in this batch is durable, so no write of it may succeed.
      for (const w of batch) w.reject(w.error ?? err);
      return;
    }
    this.head = revision;
    if (events.length > 0) this.stats.commits++;
    this.stats.writes += events.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, events.length);
    this.maybeTrim();
    try {
      this.hub.publish(events);
    } finally {
      // Committed: every writer is answered, whatever the fan-out did.
      for (const w of batch) {
        // Watchers share the event's object; each caller gets a copy of its own.
        if (w.json === undefined) w.reject(w.error);
        else w.resolve(JSON.parse(w.json) as KubeObject);
      }
    }
  }

  /** The checks of one queued write against the rows as the batch left them so far, and its change. */
  private prepare(w: QueuedWrite, revision: number): Change {
    const { type, key } = w;
    let prev: Required<StoredRow> | undefined;
    if (type === 'ADDED') {
      if (this.readRow(key)) throw alreadyExists(key, key.name);
    } else {
      prev = this.current(key, w.opts);
    }
    const obj = w.obj ?? prev!.object;
    // Serialize a stamped shallow copy: the caller's object is never touched, and the JSON round trip gives the
    // store its own deep copy, identical to what a reader will get back.
    const stamped = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
    const json = JSON.stringify(stamped);
    const object = JSON.parse(json) as KubeObject;
    const event: StoreEvent = { type, key, object, revision };
    if (prev) event.prevObject = prev.object;
    return { event, json, prevJson: prev?.json };
  }

  /** Trims the log in batches of ~10% of historySize, never on every write. */
  private maybeTrim(): void {
    const slack = Math.max(1, Math.ceil(this.historySize / 10));
    if (this.head - this.compacted <= this.historySize + slack) return;
    const through = this.head - this.historySize;
    try {
      this.trimLog(through);
      this.compacted = through;
    } catch (err) {
      // The write itself is committed; a failed trim only keeps more history. Retried on a later write.
      this.log.warn({ err, through }, 'change log trim failed');
    }
  }
}
