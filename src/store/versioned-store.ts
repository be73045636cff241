// The store semantics both backends share (memory-store.ts, sqlite-store.ts), in one place:
// one global revision bumped by 1 per write and stamped as metadata.resourceVersion; AlreadyExists, NotFound and
// Conflict checks; a change log trimmed in batches to historySize; watch = replay from the log + live events.
//
// A backend only supplies synchronous primitives (read a row, list rows, commit one change, read the log, trim it).
// Every write runs check → commit → fan-out in one synchronous turn, so a watch started at any moment sees each
// change exactly once: either in its replay or live.
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

export abstract class VersionedStore implements Store {
  protected readonly historySize: number;
  protected readonly log: Logger;
  private readonly hub: WatchHub;
  /** Newest committed revision. */
  private head = 0;
  /** Every change with revision <= compacted has been dropped from the log. */
  private compacted = 0;
  private closed = false;

  protected constructor(opts: VersionedStoreOptions) {
    this.historySize = Math.max(1, Math.floor(opts.historySize ?? DEFAULT_HISTORY_SIZE));
    this.log = opts.logger ?? silentLogger;
    this.hub = new WatchHub(this.log);
  }

  // ---- backend primitives (synchronous) ----------------------------------------------------------------------

  protected abstract readRow(key: StoreKey): StoredRow | undefined;
  /** The JSON of every object in scope, ordered by namespace then name. */
  protected abstract listJson(scope: StoreScope): string[];
  /** Persists the object change and its change-log entry atomically; throws if it could not. */
  protected abstract commit(change: Change): void;
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

  async create(key: StoreKey, obj: KubeObject): Promise<KubeObject> {
    this.assertOpen();
    if (this.readRow(key)) throw alreadyExists(key, key.name);
    return this.write('ADDED', key, obj, undefined);
  }

  async update(key: StoreKey, obj: KubeObject, opts?: WriteOptions): Promise<KubeObject> {
    this.assertOpen();
    return this.write('MODIFIED', key, obj, this.current(key, opts));
  }

  async delete(key: StoreKey, opts?: WriteOptions): Promise<KubeObject> {
    this.assertOpen();
    const prev = this.current(key, opts);
    return this.write('DELETED', key, prev.object, prev);
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
    this.closed = true;
    this.hub.stopAll();
    this.closeBackend();
  }

  /** Active watchers, for metrics. */
  watcherCount(): number {
    return this.hub.size();
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

  private write(
    type: StoreEventType,
    key: StoreKey,
    obj: KubeObject,
    prev: Required<StoredRow> | undefined,
  ): KubeObject {
    const revision = this.head + 1;
    // Serialize a stamped shallow copy: the caller's object is never touched, and the JSON round trip gives the
    // store its own deep copy, identical to what a reader will get back.
    const stamped = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
    const json = JSON.stringify(stamped);
    const object = JSON.parse(json) as KubeObject;
    const event: StoreEvent = { type, key: { ...key }, object, revision };
    if (prev) event.prevObject = prev.object;
    this.commit({ event, json, prevJson: prev?.json });
    this.head = revision;
    this.maybeTrim();
    this.hub.publish(event);
    // Watchers share `object`; the caller gets a copy of its own.
    return JSON.parse(json) as KubeObject;
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
