// What only the SQLite store promises: a file under dataDir, WAL + synchronous FULL, and state (objects, the
// revision, the change log) that survives close and reopen. The shared semantics are in store-contract.test.ts;
// the kill -9 test is test/integration/store-crash.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/types.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { SqliteStore } from './sqlite-store.js';
import type { StoreEvent, StoreKey } from './store.js';

let tmp: string;
const open: SqliteStore[] = [];

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-sqlite-'));
});
afterEach(async () => {
  while (open.length) await open.pop()!.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function openStore(dataDir = path.join(tmp, 'data'), historySize?: number): SqliteStore {
  const store = SqliteStore.open({ dataDir, historySize });
  open.push(store);
  return store;
}

const key = (name: string): StoreKey => ({ group: '', resource: 'pods', namespace: 'default', name });
const pod = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
});

describe('SqliteStore', () => {
  it('creates <dataDir>/state.db, owner-only, in a new 0700 directory', () => {
    const dataDir = path.join(tmp, 'nested', 'data');
    const store = openStore(dataDir);
    expect(store.file).toBe(path.join(dataDir, 'state.db'));
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(store.file).mode & 0o777).toBe(0o600);
  });

  it('runs in WAL mode with synchronous = FULL', async () => {
    const store = openStore();
    expect(store.settings()).toEqual({ journalMode: 'wal', synchronous: 'FULL' });
    await store.create(key('a'), pod('a'));
    expect(fs.existsSync(`${store.file}-wal`)).toBe(true);
  });

  it('logs where it opened and at which revision', () => {
    const logger = new RecordingLogger();
    const store = SqliteStore.open({ dataDir: path.join(tmp, 'data'), logger });
    open.push(store);
    expect(logger.records).toContainEqual(
      expect.objectContaining({
        level: 'info',
        msg: 'store opened',
        fields: expect.objectContaining({ revision: 0 }),
      }),
    );
  });

  it('writes one object row and one change row per write, in the documented tables', async () => {
    const store = openStore();
    await store.create(key('a'), pod('a'));
    await store.update(key('a'), { ...pod('a'), status: { phase: 'Running' } });
    await store.create(key('b'), pod('b'));
    await store.delete(key('b'));
    const db = new Database(store.file, { readonly: true });
    try {
      expect(db.prepare('SELECT grp, resource, ns, name, rv FROM objects').all()).toEqual([
        { grp: '', resource: 'pods', ns: 'default', name: 'a', rv: 2 },
      ]);
      const changes = db
        .prepare('SELECT rev, type, name, data, prev FROM changes ORDER BY rev')
        .all() as Array<{
        rev: number;
        type: string;
        name: string;
        data: string;
        prev: string | null;
      }>;
      expect(changes.map((c) => `${c.rev} ${c.type} ${c.name}`)).toEqual([
        '1 ADDED a',
        '2 MODIFIED a',
        '3 ADDED b',
        '4 DELETED b',
      ]);
      expect(JSON.parse(changes[1].data).status).toEqual({ phase: 'Running' });
      expect(JSON.parse(changes[1].prev!).metadata.resourceVersion).toBe('1');
      expect(JSON.parse(changes[3].data).metadata.resourceVersion).toBe('4');
      expect(changes[0].prev).toBeNull();
    } finally {
      db.close();
    }
  });

  it('keeps objects, the revision and the change log across close and reopen', async () => {
    const dataDir = path.join(tmp, 'data');
    const first = openStore(dataDir);
    await first.create(key('a'), pod('a'));
    await first.create(key('b'), pod('b'));
    await first.update(key('a'), { ...pod('a'), spec: { nodeName: 'node-1' } });
    await first.delete(key('b'));
    const before = await first.list({ group: '', resource: 'pods' });
    await first.close();

    const second = openStore(dataDir);
    expect(await second.revision()).toBe(4);
    expect(await second.oldestRevision()).toBe(0);
    expect(await second.list({ group: '', resource: 'pods' })).toEqual(before);
    const replay: StoreEvent[] = [];
    second.watch({ group: '', resource: 'pods' }, 1, (e) => replay.push(e));
    expect(replay.map((e) => `${e.revision} ${e.type} ${e.key.name}`)).toEqual([
      '2 ADDED b',
      '3 MODIFIED a',
      '4 DELETED b',
    ]);
    expect(replay[1].prevObject?.metadata.resourceVersion).toBe('1');
    expect(replay[1].object.spec).toEqual({ nodeName: 'node-1' });

    // The revision continues where it stopped, and live events follow the replay.
    const created = await second.create(key('c'), pod('c'));
    expect(created.metadata.resourceVersion).toBe('5');
    expect(replay.map((e) => e.revision)).toEqual([2, 3, 4, 5]);
  });

  it('remembers how far the change log was trimmed', async () => {
    const dataDir = path.join(tmp, 'data');
    const first = openStore(dataDir, 10);
    for (let i = 0; i < 30; i++) await first.create(key(`p${i}`), pod(`p${i}`));
    const oldest = await first.oldestRevision();
    expect(oldest).toBeGreaterThan(0);
    await first.close();

    const second = openStore(dataDir, 10);
    expect(await second.oldestRevision()).toBe(oldest);
    expect(await second.revision()).toBe(30);
    expect(() => second.watch({ group: '', resource: 'pods' }, oldest - 1, () => undefined)).toThrow(
      expect.objectContaining({ code: 410, reason: 'Expired' }),
    );
    expect((await second.list({ group: '', resource: 'pods' })).items).toHaveLength(30);
  });

  it('refuses a state.db written by a newer schema', () => {
    const dataDir = path.join(tmp, 'data');
    fs.mkdirSync(dataDir);
    const db = new Database(path.join(dataDir, 'state.db'));
    db.pragma('user_version = 99');
    db.close();
    expect(() => SqliteStore.open({ dataDir })).toThrow(/schema version 99/);
  });
});
