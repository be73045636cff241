// The Store contract, run against both implementations: whatever the API server sees must not depend on
// whether the master keeps its state in memory or in SQLite. Watch semantics: store-watch.test.ts.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/types.js';
import { ApiError } from '../common/errors.js';
import { collect, pod, podKey, pods, rejection, storeImplementations } from './store-contract-kit.js';
import type { StoreEvent, StoreScope } from './store.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe.each(storeImplementations((c) => cleanups.push(c)))('Store contract: %s', (_name, open) => {
  describe('revisions', () => {
    it('starts at 0 and bumps one global revision per write, across resources', async () => {
      const store = open();
      expect(await store.revision()).toBe(0);
      const a = await store.create(podKey('a'), pod('a'));
      const svc = await store.create(
        { group: '', resource: 'services', namespace: 'default', name: 'web' },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' } },
      );
      const dep = await store.create(
        { group: 'apps', resource: 'deployments', namespace: 'default', name: 'web' },
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' } },
      );
      const a2 = await store.update(podKey('a'), { ...a, status: { phase: 'Running' } });
      const gone = await store.delete({ group: '', resource: 'services', namespace: 'default', name: 'web' });
      const rvs = [a, svc, dep, a2, gone].map((o) => o.metadata.resourceVersion);
      expect(rvs).toEqual(['1', '2', '3', '4', '5']);
      expect(await store.revision()).toBe(5);
    });

    it('stays strictly increasing under concurrent writes', async () => {
      const store = open();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store.create(podKey(`p${i}`, `ns${i % 3}`), pod(`p${i}`, `ns${i % 3}`)),
        ),
      );
      const rvs = results.map((o) => Number(o.metadata.resourceVersion));
      expect(rvs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(await store.revision()).toBe(50);
    });
  });

  describe('create, get, list', () => {
    it('round-trips an object with its resourceVersion', async () => {
      const store = open();
      const created = await store.create(podKey('a'), pod('a'));
      expect(created).toEqual({ ...pod('a'), metadata: { ...pod('a').metadata, resourceVersion: '1' } });
      expect(await store.get(podKey('a'))).toEqual(created);
      expect(await store.get(podKey('missing'))).toBeUndefined();
      expect(await store.get(podKey('a', 'other'))).toBeUndefined();
    });

    it('lists one namespace or all, ordered by namespace then name, with the current revision', async () => {
      const store = open();
      for (const [ns, name] of [
        ['kube-system', 'dns'],
        ['default', 'web-2'],
        ['default', 'api'],
        ['apps', 'web-1'],
        ['default', 'web-1'],
      ]) {
        await store.create(podKey(name, ns), pod(name, ns));
      }
      await store.create(
        { group: '', resource: 'services', namespace: 'default', name: 'zzz' },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'zzz', namespace: 'default' } },
      );
      const all = await store.list(pods());
      expect(all.revision).toBe(6);
      expect(all.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
        'apps/web-1',
        'default/api',
        'default/web-1',
        'default/web-2',
        'kube-system/dns',
      ]);
      const def = await store.list(pods('default'));
      expect(def.items.map((o) => o.metadata.name)).toEqual(['api', 'web-1', 'web-2']);
      expect(def.revision).toBe(6);
      expect((await store.list(pods('empty'))).items).toEqual([]);
      expect(await store.list({ group: 'apps', resource: 'deployments' })).toEqual({
        items: [],
        revision: 6,
      });
    });

    it('stores cluster-scoped objects under namespace ""', async () => {
      const store = open();
      const nodes: StoreScope = { group: '', resource: 'nodes' };
      for (const name of ['node-b', 'node-a']) {
        await store.create(
          { group: '', resource: 'nodes', namespace: '', name },
          { apiVersion: 'v1', kind: 'Node', metadata: { name } },
        );
      }
      expect((await store.list(nodes)).items.map((o) => o.metadata.name)).toEqual(['node-a', 'node-b']);
      expect((await store.list({ ...nodes, namespace: '' })).items).toHaveLength(2);
      expect(await store.get({ group: '', resource: 'nodes', namespace: '', name: 'node-a' })).toMatchObject({
        metadata: { name: 'node-a', resourceVersion: '2' },
      });
    });

    it('rejects a create on a taken key with 409 AlreadyExists', async () => {
      const store = open();
      await store.create(podKey('a'), pod('a'));
      const err = await rejection(store.create(podKey('a'), pod('a', 'default', 'other')));
      expect(err).toMatchObject({ code: 409, reason: 'AlreadyExists', details: { name: 'a', kind: 'pods' } });
      const depErr = await rejection(
        (async () => {
          const key = { group: 'apps', resource: 'deployments', namespace: 'default', name: 'web' };
          const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } };
          await store.create(key, dep);
          await store.create(key, dep);
        })(),
      );
      expect(depErr.message).toBe('deployments.apps "web" already exists');
      expect(depErr.details).toMatchObject({ group: 'apps', kind: 'deployments' });
      expect(await store.revision()).toBe(2);
      expect((await store.get(podKey('a')))?.spec.containers[0].image).toBe('busybox:local');
    });
  });

  describe('update and delete', () => {
    it('returns 404 NotFound for a missing key, without bumping the revision', async () => {
      const store = open();
      await store.create(podKey('a'), pod('a'));
      const up = await rejection(store.update(podKey('b'), pod('b')));
      expect(up).toMatchObject({ code: 404, reason: 'NotFound', message: 'pods "b" not found' });
      const del = await rejection(store.delete(podKey('a', 'elsewhere')));
      expect(del).toMatchObject({ code: 404, reason: 'NotFound' });
      expect(await store.revision()).toBe(1);
    });

    it('enforces expectedRevision: 409 Conflict when stale, success when it matches', async () => {
      const store = open();
      const v1 = await store.create(podKey('a'), pod('a'));
      const v2 = await store.update(podKey('a'), pod('a', 'default', 'v2'), { expectedRevision: 1 });
      expect(v2.metadata.resourceVersion).toBe('2');
      const stale = await rejection(
        store.update(podKey('a'), pod('a', 'default', 'v3'), { expectedRevision: 1 }),
      );
      expect(stale).toMatchObject({ code: 409, reason: 'Conflict' });
      expect(stale.message).toContain('the object has been modified');
      expect(await rejection(store.delete(podKey('a'), { expectedRevision: 1 }))).toMatchObject({
        reason: 'Conflict',
      });
      expect(await store.get(podKey('a'))).toEqual(v2);
      expect(await store.revision()).toBe(2);
      // Without expectedRevision the write is unconditional.
      const v3 = await store.update(podKey('a'), v1);
      expect(v3.metadata.resourceVersion).toBe('3');
      expect(v3.spec.containers[0].image).toBe('busybox:local');
    });

    it('delete returns the last state with the delete revision', async () => {
      const store = open();
      await store.create(podKey('a'), pod('a'));
      await store.update(podKey('a'), { ...pod('a'), status: { phase: 'Running' } });
      const gone = await store.delete(podKey('a'), { expectedRevision: 2 });
      expect(gone).toMatchObject({
        status: { phase: 'Running' },
        metadata: { name: 'a', resourceVersion: '3' },
      });
      expect(await store.get(podKey('a'))).toBeUndefined();
      expect((await store.list(pods())).items).toEqual([]);
      // The name is free again.
      expect((await store.create(podKey('a'), pod('a'))).metadata.resourceVersion).toBe('4');
    });

    it("never mutates the caller's object, and hands out independent copies", async () => {
      const store = open();
      const input = pod('a');
      const snapshot = structuredClone(input);
      const seen: StoreEvent[] = [];
      store.watch(pods(), 0, (e) => seen.push(e));
      const created = await store.create(podKey('a'), input);
      expect(input).toEqual(snapshot);
      expect(input.metadata.resourceVersion).toBeUndefined();

      // Mutating what we gave or got back changes nothing inside the store or in delivered events.
      input.spec.containers[0].image = 'mutated-input';
      created.spec.containers[0].image = 'mutated-output';
      const fetched = await store.get(podKey('a'));
      expect(fetched?.spec.containers[0].image).toBe('busybox:local');
      fetched!.metadata.labels!.app = 'mutated-get';
      expect((await store.list(pods())).items[0].metadata.labels).toEqual({ app: 'web' });
      expect(seen[0].object.spec.containers[0].image).toBe('busybox:local');

      const update = { ...snapshot, status: { phase: 'Running' } };
      const frozen = structuredClone(update);
      await store.update(podKey('a'), update, { expectedRevision: 1 });
      expect(update).toEqual(frozen);
    });
  });

  describe('close', () => {
    it('rejects every call after close and stops watches', async () => {
      const store = open();
      const w = collect(store, pods(), 0);
      await store.create(podKey('a'), pod('a'));
      await store.close();
      await store.close(); // idempotent
      for (const call of [
        () => store.create(podKey('b'), pod('b')),
        () => store.update(podKey('a'), pod('a')),
        () => store.delete(podKey('a')),
        () => store.get(podKey('a')),
        () => store.list(pods()),
        () => store.revision(),
      ]) {
        expect(await rejection(call())).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
      }
      expect(() => store.watch(pods(), 0, () => undefined)).toThrow(ApiError);
      expect(w.events).toHaveLength(1);
    });
  });

  it('a watch from 0 replays into exactly the listed state, for any sequence of writes', async () => {
    const op = fc.record({
      kind: fc.constantFrom('create', 'update', 'delete'),
      ns: fc.constantFrom('a', 'b'),
      name: fc.constantFrom('x', 'y', 'z'),
      stale: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const store = open({ historySize: 1000 });
        for (const o of ops) {
          const key = podKey(o.name, o.ns);
          const current = await store.get(key);
          const expectedRevision = current && Number(current.metadata.resourceVersion) - (o.stale ? 1 : 0);
          const write =
            o.kind === 'create'
              ? store.create(key, pod(o.name, o.ns))
              : o.kind === 'update'
                ? store.update(
                    key,
                    { ...pod(o.name, o.ns), status: { n: ops.indexOf(o) } },
                    { expectedRevision },
                  )
                : store.delete(key, { expectedRevision });
          const ok = await write.then(
            () => true,
            (e: unknown) => (e instanceof ApiError ? false : Promise.reject(e)),
          );
          // Create fails only on a taken key; update/delete only when missing or stale.
          expect(ok).toBe(o.kind === 'create' ? !current : !!current && !o.stale);
        }
        const state = new Map<string, KubeObject>();
        const w = collect(store, pods(), 0);
        for (const e of w.events) {
          const id = `${e.key.namespace}/${e.key.name}`;
          if (e.type === 'DELETED') state.delete(id);
          else state.set(id, e.object);
        }
        const { items, revision } = await store.list(pods());
        expect(revision).toBe(w.events.length);
        expect([...state.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, o]) => o)).toEqual(items);
        await store.close();
      }),
      { numRuns: 40 },
    );
  });
});
