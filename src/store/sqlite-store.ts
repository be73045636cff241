// The cluster store on disk, as in k3s: one SQLite file (<dataDir>/state.db) through better-sqlite3.
//   objects  the current state: one row per (group, resource, namespace, name), with its revision and JSON
//   changes  the change log: one row per revision (type, key, object after, object before), for watch replay
// The global revision is the newest changes.rev, so it survives a restart. WAL with synchronous = FULL makes a
// write that returned durable even on kill -9 or power loss. better-sqlite3 is synchronous, which is what lets
// VersionedStore commit and fan out each batch of writes in one turn.
//
// Group commit: the fsync of each commit dominates a write, so writes are queued and flushed by setImmediate —
// every write that reached the store in one event-loop turn (e.g. all requests read in one poll) shares one
// transaction and one fsync; each is answered after that commit.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { KubeObject } from '../api/types.js';
import { internalError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { RowCache, rowCacheKey } from './row-cache.js';
import type { StoreEvent, StoreEventType, StoreKey, StoreScope } from './store.js';
import { VersionedStore, type Change, type StoredRow } from './versioned-store.js';

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS objects (
  grp      TEXT NOT NULL,
  resource TEXT NOT NULL,
  ns       TEXT NOT NULL,
  name     TEXT NOT NULL,
  rv       INTEGER NOT NULL,
  data     TEXT NOT NULL,  -- the object as JSON, metadata.resourceVersion = rv
  PRIMARY KEY (grp, resource, ns, name)
);
CREATE TABLE IF NOT EXISTS changes (
  rev      INTEGER PRIMARY KEY,  -- the global revision: one row per write
  type     TEXT NOT NULL,        -- ADDED | MODIFIED | DELETED
  grp      TEXT NOT NULL,
  resource TEXT NOT NULL,
  ns       TEXT NOT NULL,
  name     TEXT NOT NULL,
  data     TEXT NOT NULL,        -- the object after the change (for DELETED: its last state)
  prev     TEXT                  -- the object before the change (MODIFIED, DELETED)
);
`;

const SYNCHRONOUS_NAMES = ['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const;

export interface SqliteStoreOptions {
  /** Directory for state.db (created with mode 0700 if missing). */
  dataDir: string;
  /** How many recent changes a watch can replay (default 10,000). */
  historySize?: number;
  logger?: Logger;
  /** Commit the writes of one event-loop turn together (default true); false = one transaction per write. */
  groupCommit?: boolean;
  /** JSON characters of committed rows kept in memory for reads (row-cache.ts); 0 = none. */
  rowCacheChars?: number;
}

/** Flushes after the current turn's I/O callbacks (the check phase), so the turn's writes share a commit. */
const afterThisTurn = (flush: () => void): void => {
  setImmediate(flush);
};

interface ChangeRow {
  rev: number;
  type: StoreEventType;
  ns: string;
  name: string;
  data: string;
  prev: string | null;
}

type KeyParams = [grp: string, resource: string, ns: string, name: string];

export class SqliteStore extends VersionedStore {
  private readonly selectRowStmt;
  private readonly insertObject;
  private readonly updateObject;
  private readonly deleteObject;
  private readonly insertChange;
  private readonly listAll;
  private readonly listNamespace;
  private readonly changesAll;
  private readonly changesNamespace;
  private readonly pruneChanges;
  private readonly commitTx;
  private readonly cache: RowCache | undefined;
  /** The changes applied by the open transaction (undefined outside one); they reach the cache once committed. */
  private applied: Change[] | undefined;

  /** Opens (or creates) `<dataDir>/state.db`. */
  static open(opts: SqliteStoreOptions): SqliteStore {
    fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    const file = path.join(opts.dataDir, 'state.db');
    // Create the file owner-only before SQLite does: it holds Secrets. SQLite gives -wal/-shm the same mode.
    fs.closeSync(fs.openSync(file, 'a', 0o600));
    const db = new Database(file);
    try {
      return new SqliteStore(db, file, opts);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
    opts: SqliteStoreOptions,
  ) {
    super({ ...opts, schedule: opts.groupCommit === false ? undefined : afterThisTurn });
    this.cache = opts.rowCacheChars === 0 ? undefined : new RowCache(opts.rowCacheChars);
    const journalMode = db.pragma('journal_mode = WAL', { simple: true });
    if (journalMode !== 'wal') this.log.warn({ file, journalMode }, 'SQLite WAL mode unavailable');
    db.pragma('synchronous = FULL');
    migrate(db);

    this.selectRowStmt = db.prepare<KeyParams, { rv: number; data: string }>(
      'SELECT rv, data FROM objects WHERE grp = ? AND resource = ? AND ns = ? AND name = ?',
    );
    this.insertObject = db.prepare<[...KeyParams, rv: number, data: string]>(
      'INSERT INTO objects (grp, resource, ns, name, rv, data) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.updateObject = db.prepare<[rv: number, data: string, ...KeyParams]>(
      'UPDATE objects SET rv = ?, data = ? WHERE grp = ? AND resource = ? AND ns = ? AND name = ?',
    );
    this.deleteObject = db.prepare<KeyParams>(
      'DELETE FROM objects WHERE grp = ? AND resource = ? AND ns = ? AND name = ?',
    );
    this.insertChange = db.prepare<
      [rev: number, type: StoreEventType, ...KeyParams, data: string, prev: string | null]
    >('INSERT INTO changes (rev, type, grp, resource, ns, name, data, prev) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.listAll = db
      .prepare<[grp: string, resource: string], string>(
        'SELECT data FROM objects WHERE grp = ? AND resource = ? ORDER BY ns, name',
      )
      .pluck();
    this.listNamespace = db
      .prepare<[grp: string, resource: string, ns: string], string>(
        'SELECT data FROM objects WHERE grp = ? AND resource = ? AND ns = ? ORDER BY name',
      )
      .pluck();
    this.changesAll = db.prepare<[rev: number, grp: string, resource: string], ChangeRow>(
      'SELECT rev, type, ns, name, data, prev FROM changes WHERE rev > ? AND grp = ? AND resource = ? ORDER BY rev',
    );
    this.changesNamespace = db.prepare<[rev: number, grp: string, resource: string, ns: string], ChangeRow>(
      'SELECT rev, type, ns, name, data, prev FROM changes WHERE rev > ? AND grp = ? AND resource = ? AND ns = ? ORDER BY rev',
    );
    this.pruneChanges = db.prepare<[rev: number]>('DELETE FROM changes WHERE rev <= ?');
    this.commitTx = db.transaction((fn: () => void) => fn());

    const bounds = db.prepare('SELECT MIN(rev) AS lo, MAX(rev) AS hi FROM changes').get() as {
      lo: number | null;
      hi: number | null;
    };
    this.restore(bounds.hi ?? 0, bounds.lo === null ? 0 : bounds.lo - 1);
    this.log.info({ file, revision: bounds.hi ?? 0, journalMode }, 'store opened');
  }

  /** The SQLite settings in force on this connection (journal mode, synchronous level). */
  settings(): { journalMode: string; synchronous: string } {
    const level = this.db.pragma('synchronous', { simple: true }) as number;
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: SYNCHRONOUS_NAMES[level] ?? String(level),
    };
  }

  protected readRow(key: StoreKey): StoredRow | undefined {
    // Inside a transaction only SQLite has the rows as the batch left them, and they are not committed yet.
    if (!this.cache || this.applied) return this.selectRow(key);
    const ck = rowCacheKey(key);
    const cached = this.cache.get(ck);
    if (cached) return cached;
    const row = this.selectRow(key);
    if (row) this.cache.set(ck, row);
    return row;
  }

  private selectRow(key: StoreKey): StoredRow | undefined {
    const row = this.selectRowStmt.get(key.group, key.resource, key.namespace, key.name);
    return row && { revision: row.rv, json: row.data };
  }

  protected listJson(scope: StoreScope): string[] {
    return scope.namespace === undefined
      ? this.listAll.all(scope.group, scope.resource)
      : this.listNamespace.all(scope.group, scope.resource, scope.namespace);
  }

  protected transaction(fn: () => void): void {
    const applied: Change[] = [];
    this.applied = applied;
    try {
      this.commitTx(fn);
    } finally {
      this.applied = undefined;
    }
    // Committed: the cache follows. (Rolled back: it never saw the batch.)
    if (!this.cache) return;
    for (const { event, json } of applied) {
      const ck = rowCacheKey(event.key);
      if (event.type === 'DELETED') this.cache.delete(ck);
      else this.cache.set(ck, { revision: event.revision, json });
    }
  }

  protected changesAfter(scope: StoreScope, fromRevision: number): StoreEvent[] {
    const rows =
      scope.namespace === undefined
        ? this.changesAll.all(fromRevision, scope.group, scope.resource)
        : this.changesNamespace.all(fromRevision, scope.group, scope.resource, scope.namespace);
    return rows.map((row) => {
      const event: StoreEvent = {
        type: row.type,
        key: { group: scope.group, resource: scope.resource, namespace: row.ns, name: row.name },
        object: JSON.parse(row.data) as KubeObject,
        revision: row.rev,
      };
      if (row.prev !== null) event.prevObject = JSON.parse(row.prev) as KubeObject;
      return event;
    });
  }

  protected trimLog(throughRevision: number): void {
    this.pruneChanges.run(throughRevision);
  }

  protected closeBackend(): void {
    this.db.close();
  }

  /** The object row and the change row of one write; runs inside a transaction. */
  protected apply(change: Change): void {
    const { event, json, prevJson } = change;
    this.applied?.push(change);
    const k: KeyParams = [event.key.group, event.key.resource, event.key.namespace, event.key.name];
    if (event.type === 'ADDED') this.insertObject.run(...k, event.revision, json);
    else if (event.type === 'MODIFIED') this.updateObject.run(event.revision, json, ...k);
    else this.deleteObject.run(...k);
    this.insertChange.run(event.revision, event.type, ...k, json, prevJson ?? null);
  }
}

/** Creates the tables on a new file; refuses a file written by a newer schema. */
function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw internalError(
      `state.db has schema version ${version}; this skiff understands up to ${SCHEMA_VERSION}`,
    );
  }
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}
