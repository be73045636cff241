// Group commit in the SQLite store (versioned-store.ts, sqlite-store.ts): writes that reach the store in one
// event-loop turn share one transaction (one fsync); each is answered only after that commit, checks see the
// batch's earlier writes, a failed check fails only its own write, and a failed commit fails the whole batch.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/types.js';
import { rejection } from './store-contract-kit.js';
import { SqliteStore } from './sqlite-store.js';
import type { StoreEvent, StoreKey } from './store.js';

let tmp: string;
const open: SqliteStore[] = [];

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-group-'));
});
afterEach(async () => {
  while (open.length) await open.pop()!.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function openStore(groupCommit?: boolean): SqliteStore {
  const store = SqliteStore.open({ dataDir: path.join(tmp, 'data'), groupCommit });
  open.push(store);
  return store;
}

const key = (name: string): StoreKey => ({ group: '', resource: 'pods', namespace: 'default', name });
const pod = (name: string, image = 'a'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { image },
});

/** The committed object rows, read through a second connection (what a restart would find). */
function committedRows(store: SqliteStore): Array<{ name: string; rv: number }> {
  const db = new Database(store.file, { readonly: true });
  try {
    return db.prepare('SELECT name, rv FROM objects ORDER BY rv').all() as Array<{
      name: string;
      rv: number;
    }>;
  } finally {
    db.close();
  }
}

describe('SqliteStore group commit', () => {
  it('commits the writes of one turn in one transaction, with consecutive revisions in call order', async () => {
    const store = openStore();
    const events: StoreEvent[] = [];
    store.watch({ group: '', resource: 'pods' }, 0, (e) => events.push(e));
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.create(key(`p${i}`), pod(`p${i}`))),
    );
    expect(results.map((r) => r.metadata.resourceVersion)).toEqual(
      Array.from({ length: 10 }, (_, i) => String(i + 1)),
    );
    expect(store.commitStats()).toEqual({ commits: 1, writes: 10, largestBatch: 10 });
    expect(events.map((e) => `${e.revision} ${e.key.name}`)).toEqual(
      Array.from({ length: 10 }, (_, i) => `${i + 1} p${i}`),
    );
    expect(await store.revision()).toBe(10);
  });

  it('answers a write only once its batch is committed, and fans out before answering', async () => {
    const store = openStore();
    const events: number[] = [];
    store.watch({ group: '', resource: 'pods' }, 0, (e) => events.push(e.revision));
    const seenAtAck: Array<{ rows: number; events: number }> = [];
    const writes = ['a', 'b', 'c'].map((n) =>
      store.create(key(n), pod(n)).then(() => {
        seenAtAck.push({ rows: committedRows(store).length, events: events.length });
      }),
    );
    // Not committed yet: nothing on disk, the revision has not moved, no event.
    expect(committedRows(store)).toEqual([]);
    expect(await store.revision()).toBe(0);
    expect(events).toEqual([]);
    await Promise.all(writes);
    expect(seenAtAck).toEqual([
      { rows: 3, events: 3 },
      { rows: 3, events: 3 },
      { rows: 3, events: 3 },
    ]);
  });

  it('checks each write against the batch so far; a failed check fails only its own write', async () => {
    const store = openStore();
    await store.create(key('old'), pod('old')); // 1
    const created = store.create(key('a'), pod('a')); // 2
    const duplicate = store.create(key('a'), pod('a', 'dup'));
    const updated = store.update(key('a'), pod('a', 'b'), { expectedRevision: 2 }); // 3: sees the create above
    const stale = store.update(key('a'), pod('a', 'c'), { expectedRevision: 2 });
    const missing = store.delete(key('nope'));
    const deleted = store.delete(key('old'), { expectedRevision: 1 }); // 4
    const recreated = store.create(key('old'), pod('old', 'again')); // 5: sees the delete above

    expect((await created).metadata.resourceVersion).toBe('2');
    expect(await rejection(duplicate)).toMatchObject({ code: 409, reason: 'AlreadyExists' });
    expect((await updated).metadata.resourceVersion).toBe('3');
    expect(await rejection(stale)).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(await rejection(missing)).toMatchObject({ code: 404, reason: 'NotFound' });
    expect((await deleted).metadata.resourceVersion).toBe('4');
    expect((await recreated).metadata.resourceVersion).toBe('5');
    expect(store.commitStats()).toEqual({ commits: 2, writes: 5, largestBatch: 4 });

    expect(await store.revision()).toBe(5);
    expect((await store.get(key('a')))?.spec).toEqual({ image: 'b' });
    expect((await store.get(key('old')))?.spec).toEqual({ image: 'again' });
    const replay: string[] = [];
    store.watch({ group: '', resource: 'pods' }, 1, (e) =>
      replay.push(`${e.revision} ${e.type} ${e.key.name}`),
    );
    expect(replay).toEqual(['2 ADDED a', '3 MODIFIED a', '4 DELETED old', '5 ADDED old']);
  });

  it('fails the whole batch when its transaction fails, and leaves no trace of it', async () => {
    const store = openStore();
    await store.create(key('before'), pod('before')); // 1
    const events: string[] = [];
    store.watch({ group: '', resource: 'pods' }, 1, (e) => events.push(e.key.name));
    const db = new Database(store.file);
    db.exec(
      `CREATE TRIGGER boom BEFORE INSERT ON objects WHEN NEW.name = 'boom' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`,
    );
    db.close();

    const batch = ['x', 'boom', 'y'].map((n) =>
      store.create(key(n), pod(n)).then(
        () => 'ok',
        (e: Error) => e.message,
      ),
    );
    expect(await Promise.all(batch)).toEqual(['disk on fire', 'disk on fire', 'disk on fire']);
    expect(await store.revision()).toBe(1);
    expect(events).toEqual([]);
    expect(committedRows(store)).toEqual([{ name: 'before', rv: 1 }]);
    expect(await store.get(key('x'))).toBeUndefined(); // the row cache never saw the rolled-back batch

    // The next batch carries on from the last committed revision.
    expect((await store.create(key('x'), pod('x'))).metadata.resourceVersion).toBe('2');
    expect(events).toEqual(['x']);
  });

  it('reads committed state through the row cache: updates and deletes show at once, pending writes do not', async () => {
    const store = openStore();
    await store.create(key('a'), pod('a', 'v1')); // 1
    expect((await store.get(key('a')))?.spec).toEqual({ image: 'v1' }); // cached now
    const update = store.update(key('a'), pod('a', 'v2'), { expectedRevision: 1 });
    expect((await store.get(key('a')))?.spec).toEqual({ image: 'v1' }); // not committed yet
    await update;
    expect((await store.get(key('a')))?.metadata.resourceVersion).toBe('2');
    expect((await store.get(key('a')))?.spec).toEqual({ image: 'v2' });
    await store.delete(key('a'));
    expect(await store.get(key('a'))).toBeUndefined();
    expect(await rejection(store.update(key('a'), pod('a')))).toMatchObject({ code: 404 });
  });

  it('commits queued writes on close', async () => {
    const store = openStore();
    const pending = store.create(key('a'), pod('a'));
    await store.close();
    expect((await pending).metadata.resourceVersion).toBe('1');
    expect(committedRows(store)).toEqual([{ name: 'a', rv: 1 }]);
  });

  it('commits each write on its own with groupCommit: false', async () => {
    const store = openStore(false);
    await Promise.all(['a', 'b', 'c'].map((n) => store.create(key(n), pod(n))));
    expect(store.commitStats()).toEqual({ commits: 3, writes: 3, largestBatch: 1 });
  });
});
