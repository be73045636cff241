// Secrets at rest: the decorator over both backends answers plain objects everywhere (get, list, write results,
// replayed and live watch events), while the SQLite files (state.db and its WAL) never hold a Secret's value, also
// after updates and deletes, whose old versions stay in the change log.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../api/registry.js';
import type { KubeObject } from '../api/types.js';
import { ResourceService } from '../apiserver/resource-service.js';
import { ApiError } from '../common/errors.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { AesGcm } from './aes-gcm.js';
import { ENCRYPTED_FIELD, EncryptingStore } from './encrypting-store.js';
import { ENCRYPTION_KEY_FILE } from './encryption-key.js';
import { MemoryStore } from './memory-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store, StoreEvent, StoreKey } from './store.js';

let tmp: string;
const cleanups: (() => unknown)[] = [];
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-enc-'));
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const key = (name: string, namespace = 'default'): StoreKey => ({
  group: '',
  resource: 'secrets',
  namespace,
  name,
});
const scope = { group: '', resource: 'secrets' };
const b64 = (s: string) => Buffer.from(s).toString('base64');
const unique = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;
const secret = (name: string, value: string, namespace = 'default'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace, uid: `uid-${name}`, labels: { app: 'db' } },
  type: 'Opaque',
  data: { password: b64(value) },
});

/** Every byte SQLite keeps for the store: the database, its WAL and shared-memory index. */
function rawFiles(dataDir: string): Buffer {
  const files = fs.readdirSync(dataDir).filter((f) => f.startsWith('state.db'));
  expect(files).toContain('state.db');
  return Buffer.concat(files.map((f) => fs.readFileSync(path.join(dataDir, f))));
}

function expectAbsent(raw: Buffer, value: string): void {
  for (const form of [value, b64(value), Buffer.from(value).toString('hex')]) {
    expect(raw.includes(form), `raw store holds ${form}`).toBe(false);
  }
}

type Backend = 'MemoryStore' | 'SqliteStore';

function backend(name: Backend, dataDir = path.join(tmp, 'data')): Store {
  const store = name === 'MemoryStore' ? new MemoryStore() : SqliteStore.open({ dataDir });
  cleanups.push(() => store.close());
  return store;
}

async function encrypted(name: Backend, dataDir = path.join(tmp, 'data')): Promise<EncryptingStore> {
  return EncryptingStore.open(backend(name, dataDir), { dataDir });
}

describe.each<Backend>(['MemoryStore', 'SqliteStore'])('EncryptingStore over %s', (name) => {
  it('stores a sealed stand-in and answers plain objects to get, list and writes', async () => {
    const inner = backend(name);
    const store = await EncryptingStore.open(inner, { dataDir: path.join(tmp, 'data') });
    const created = await store.create(key('db'), secret('db', 'pw-1'));
    expect(created).toEqual({
      ...secret('db', 'pw-1'),
      metadata: { ...secret('db', 'pw-1').metadata, resourceVersion: '1' },
    });

    const raw = await inner.get(key('db'));
    expect(raw).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'default', resourceVersion: '1' },
      [ENCRYPTED_FIELD]: expect.stringMatching(/^k8s:enc:aesgcm:v1:[0-9a-f]{16}:[A-Za-z0-9+/]+=*$/),
    });

    expect(await store.get(key('db'))).toEqual(created);
    const updated = await store.update(
      key('db'),
      { ...created, data: { password: b64('pw-2') } },
      { expectedRevision: 1 },
    );
    expect(updated.metadata.resourceVersion).toBe('2');
    expect((await store.get(key('db')))?.data).toEqual({ password: b64('pw-2') });
    await store.create(key('a', 'other'), secret('a', 'x', 'other'));
    const list = await store.list(scope);
    expect(list.revision).toBe(3);
    expect(
      list.items.map((s) => [s.metadata.namespace, s.metadata.name, s.metadata.resourceVersion, s.data]),
    ).toEqual([
      ['default', 'db', '2', { password: b64('pw-2') }],
      ['other', 'a', '3', { password: b64('x') }],
    ]);
    expect((await store.list({ ...scope, namespace: 'other' })).items).toHaveLength(1);

    const gone = await store.delete(key('db'));
    expect(gone.metadata.resourceVersion).toBe('4');
    expect(gone.data).toEqual({ password: b64('pw-2') });
    expect(await store.get(key('db'))).toBeUndefined();
  });

  it('keeps the store semantics: conflicts, AlreadyExists, NotFound', async () => {
    const store = await encrypted(name);
    await store.create(key('db'), secret('db', 'v'));
    await expect(store.create(key('db'), secret('db', 'v'))).rejects.toMatchObject({
      reason: 'AlreadyExists',
    });
    await expect(store.update(key('db'), secret('db', 'w'), { expectedRevision: 7 })).rejects.toMatchObject({
      reason: 'Conflict',
    });
    await expect(store.delete(key('nope'))).rejects.toMatchObject({ reason: 'NotFound' });
  });

  it('decrypts replayed and live watch events, previous objects included', async () => {
    const store = await encrypted(name);
    await store.create(key('db'), secret('db', 'one'));
    await store.update(key('db'), secret('db', 'two'));
    const events: StoreEvent[] = [];
    const w = store.watch(scope, 0, (e) => events.push(e));
    await store.delete(key('db'));
    w.stop();
    expect(
      events.map((e) => [
        e.type,
        e.revision,
        e.object.metadata.resourceVersion,
        (e.object.data as { password?: string }).password,
      ]),
    ).toEqual([
      ['ADDED', 1, '1', b64('one')],
      ['MODIFIED', 2, '2', b64('two')],
      ['DELETED', 3, '3', b64('two')],
    ]);
    expect(events[1].prevObject?.data).toEqual({ password: b64('one') });
    expect(events[1].prevObject?.metadata.resourceVersion).toBe('1');
    expect(events[2].prevObject?.data).toEqual({ password: b64('two') });
  });

  it('leaves other resources untouched', async () => {
    const inner = backend(name);
    const store = await EncryptingStore.open(inner, { dataDir: path.join(tmp, 'data') });
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'default' },
      data: { a: '1' },
    };
    const cmKey = { group: '', resource: 'configmaps', namespace: 'default', name: 'c' };
    await store.create(cmKey, cm);
    expect((await inner.get(cmKey))?.data).toEqual({ a: '1' });
    const events: StoreEvent[] = [];
    store.watch({ group: '', resource: 'configmaps' }, 0, (e) => events.push(e)).stop();
    expect(events.map((e) => e.object.data)).toEqual([{ a: '1' }]);
  });

  it('answers 500 with the reason when a stored Secret cannot be decrypted, and drops it from watches', async () => {
    const dataDir = path.join(tmp, 'data');
    const inner = backend(name, dataDir);
    const logger = new RecordingLogger();
    const good = await EncryptingStore.open(inner, { dataDir, logger });
    await good.create(key('db'), secret('db', 'v'));
    const wrongKey = new EncryptingStore(inner, new AesGcm(randomBytes(32)), { logger });
    const err = await wrongKey.get(key('db')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(500);
    expect((err as ApiError).message).toMatch(
      /^Internal error occurred: unable to transform key "secrets\/default\/db": the value was encrypted with key [0-9a-f]{16}, but this master has key [0-9a-f]{16}$/,
    );
    await expect(wrongKey.list(scope)).rejects.toMatchObject({ code: 500 });

    // A ciphertext copied onto another object's row fails authentication.
    const stolen = (await inner.get(key('db')))!;
    await inner.create(key('copy'), { ...stolen, metadata: { name: 'copy', namespace: 'default' } });
    await expect(good.get(key('copy'))).rejects.toThrow(
      'unable to transform key "secrets/default/copy": message authentication failed',
    );
    // A plain Secret planted in the store is refused, not served.
    await inner.create(key('plain'), secret('plain', 'v'));
    await expect(good.get(key('plain'))).rejects.toThrow('the stored object is not encrypted');

    const events: StoreEvent[] = [];
    good.watch(scope, 0, (e) => events.push(e)).stop();
    expect(events.map((e) => e.key.name)).toEqual(['db']);
    expect(logger.records.filter((r) => r.level === 'error').map((r) => [r.msg, r.fields.key])).toEqual([
      ['dropped a watch event that could not be decrypted', 'secrets/default/copy'],
      ['dropped a watch event that could not be decrypted', 'secrets/default/plain'],
    ]);
  });
});

describe('EncryptingStore.open', () => {
  it('creates <dataDir>/encryption.key once and reads Secrets back after a restart', async () => {
    const dataDir = path.join(tmp, 'data');
    const logger = new RecordingLogger();
    const first = await EncryptingStore.open(SqliteStore.open({ dataDir }), { dataDir, logger });
    await first.create(key('db'), secret('db', 'persisted'));
    await first.close();
    expect(fs.statSync(path.join(dataDir, ENCRYPTION_KEY_FILE)).mode & 0o777).toBe(0o600);
    const second = await encrypted('SqliteStore', dataDir);
    expect((await second.get(key('db')))?.data).toEqual({ password: b64('persisted') });
    const info = logger.records.find((r) => r.msg === 'encryption at rest enabled');
    expect(info?.fields).toMatchObject({ created: true, resources: ['secrets'] });
    expect(JSON.stringify(logger.records)).not.toContain(
      fs.readFileSync(path.join(dataDir, ENCRYPTION_KEY_FILE)).toString('base64'),
    );
  });

  it('refuses to start with a new key when the store holds encrypted Secrets, and closes the store', async () => {
    const dataDir = path.join(tmp, 'data');
    const first = await EncryptingStore.open(SqliteStore.open({ dataDir }), { dataDir });
    await first.create(key('db'), secret('db', 'v'));
    await first.close();
    fs.rmSync(path.join(dataDir, ENCRYPTION_KEY_FILE));
    const inner = SqliteStore.open({ dataDir });
    await expect(EncryptingStore.open(inner, { dataDir })).rejects.toThrow(
      /encryption\.key is missing, but the store holds 1 encrypted object\(s\) that only that key can read/,
    );
    await expect(inner.revision()).rejects.toMatchObject({ code: 503 }); // closed
    expect(fs.existsSync(path.join(dataDir, ENCRYPTION_KEY_FILE))).toBe(false);
  });
});

describe('the SQLite files never hold a Secret value', () => {
  it('through the API server: stringData, updates, patches and deletes', async () => {
    const dataDir = path.join(tmp, 'data');
    const store = await encrypted('SqliteStore', dataDir);
    const service = new ResourceService({ store, registry: defaultRegistry(), clock: new FakeClock() });
    await service.ensureSystemNamespaces();
    const ref = { group: '', version: 'v1', resource: 'secrets' };
    const [v1, v2, v3, v4] = ['first', 'second', 'third', 'fourth'].map(unique);

    const created = await service.create(ref, 'default', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db' },
      stringData: { password: v1 },
    });
    expect(created).toMatchObject({ type: 'Opaque', data: { password: b64(v1) } });
    expect(created).not.toHaveProperty('stringData');
    const watched: KubeObject[] = [];
    const watch = await service.watch(
      ref,
      'default',
      {},
      {
        onEvent: (e) => void (e.type !== 'BOOKMARK' && e.type !== 'ERROR' && watched.push(e.object)),
        onEnd: () => undefined,
      },
    );

    await service.update(ref, 'default', 'db', { ...created, stringData: { password: v2 } });
    await service.patch(ref, 'default', 'db', 'merge', { data: { password: b64(v3) } });
    await service.create(ref, 'default', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'gone' },
      data: { token: b64(v4) },
    });
    await service.delete(ref, 'default', 'gone');
    watch.stop();

    expect((await service.get(ref, 'default', 'db')).data).toEqual({ password: b64(v3) });
    expect(watched.map((o) => o.data)).toEqual([
      { password: b64(v1) },
      { password: b64(v2) },
      { password: b64(v3) },
      { token: b64(v4) },
      { token: b64(v4) },
    ]);
    expect(watched.some((o) => 'stringData' in o)).toBe(false);

    // The control: a ConfigMap's value is there in plain text, so the search does reach the written rows.
    const visible = unique('configmap-value');
    await service.create({ group: '', version: 'v1', resource: 'configmaps' }, 'default', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { k: visible },
    });
    const raw = rawFiles(dataDir);
    expect(raw.includes(visible)).toBe(true);
    expect(raw.includes('k8s:enc:aesgcm:v1:')).toBe(true);
    for (const v of [v1, v2, v3, v4]) expectAbsent(raw, v);
    await store.close();
    for (const v of [v1, v2, v3, v4]) expectAbsent(rawFiles(dataDir), v); // after the checkpoint on close
  });
});

describe('EncryptingStore round trip (property)', () => {
  it('gives back exactly what was written, and the inner store never holds a value', async () => {
    const inner = new MemoryStore();
    const store = new EncryptingStore(inner, new AesGcm(randomBytes(32)));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.stringMatching(/^[-._a-zA-Z0-9]{1,20}$/),
          fc.uint8Array({ minLength: 8, maxLength: 64 }),
        ),
        fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 })),
        async (values, labels) => {
          const name = `s${n++}`;
          const data = Object.fromEntries(
            Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          );
          const obj = { ...secret(name, 'x'), data, metadata: { name, namespace: 'default', labels } };
          const written = await store.create(key(name), obj);
          expect(await store.get(key(name))).toEqual(written);
          expect(written).toEqual({
            ...obj,
            metadata: { ...obj.metadata, resourceVersion: written.metadata.resourceVersion },
          });
          const raw = JSON.stringify(await inner.get(key(name)));
          for (const v of Object.values(data)) if (v.length >= 12) expect(raw.includes(v)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
    await store.close();
  });
});
