// The Store watch contract, run against both implementations: replay from the change log, then live events,
// with no gap and no duplicate; scope filters; 410 Expired after compaction; isolation of faulty handlers.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../common/errors.js';
import { collect, pod, podKey, pods, storeImplementations, summary } from './store-contract-kit.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { MemoryStore } from './memory-store.js';
import type { StoreEvent } from './store.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe.each(storeImplementations((c) => cleanups.push(c)))('Store watch contract: %s', (_name, open) => {
  it('replays the change log after fromRevision, then delivers live events', async () => {
    const store = open();
    await store.create(podKey('a'), pod('a')); // 1
    await store.create(podKey('b'), pod('b')); // 2
    await store.update(podKey('a'), pod('a', 'default', 'v2')); // 3
    await store.delete(podKey('b')); // 4
    const w = collect(store, pods(), 1);
    expect(summary(w.events)).toEqual(['2 ADDED default/b', '3 MODIFIED default/a', '4 DELETED default/b']);
    await store.create(podKey('c'), pod('c')); // 5
    expect(summary(w.events).slice(3)).toEqual(['5 ADDED default/c']);

    const [, modified, deleted] = w.events;
    expect(modified.object.metadata.resourceVersion).toBe('3');
    expect(modified.prevObject?.metadata.resourceVersion).toBe('1');
    expect(modified.prevObject?.spec.containers[0].image).toBe('busybox:local');
    expect(modified.object.spec.containers[0].image).toBe('v2');
    expect(deleted.object.metadata.resourceVersion).toBe('4');
    expect(deleted.prevObject?.metadata.resourceVersion).toBe('2');
    expect(w.events[0].prevObject).toBeUndefined();
    expect(w.events[3].prevObject).toBeUndefined();
  });

  it('live events carry prevObject and the same shape as replayed ones', async () => {
    const store = open();
    const live = collect(store, pods(), 0);
    await store.create(podKey('a'), pod('a'));
    await store.update(podKey('a'), pod('a', 'default', 'v2'));
    await store.delete(podKey('a'));
    const replayed = collect(store, pods(), 0);
    expect(live.events).toEqual(replayed.events);
    expect(live.events[1].prevObject?.metadata.resourceVersion).toBe('1');
    expect(live.events[2]).toMatchObject({
      type: 'DELETED',
      revision: 3,
      object: { metadata: { resourceVersion: '3' }, spec: { containers: [{ image: 'v2' }] } },
      prevObject: { metadata: { resourceVersion: '2' } },
    });
  });

  it('from the current revision delivers live events only; from a future one, only later events', async () => {
    const store = open();
    await store.create(podKey('a'), pod('a'));
    await store.create(podKey('b'), pod('b'));
    const now = collect(store, pods(), 2);
    const future = collect(store, pods(), 4);
    expect(now.events).toEqual([]);
    for (const name of ['c', 'd', 'e']) await store.create(podKey(name), pod(name));
    expect(now.events.map((e) => e.revision)).toEqual([3, 4, 5]);
    expect(future.events.map((e) => e.revision)).toEqual([5]);
  });

  it('filters by group, resource and namespace', async () => {
    const store = open();
    const allPods = collect(store, pods(), 0);
    const kubeSystem = collect(store, pods('kube-system'), 0);
    const deployments = collect(store, { group: 'apps', resource: 'deployments' }, 0);
    const coreDeployments = collect(store, { group: '', resource: 'deployments' }, 0);
    await store.create(podKey('a'), pod('a'));
    await store.create(podKey('dns', 'kube-system'), pod('dns', 'kube-system'));
    await store.create(
      { group: 'apps', resource: 'deployments', namespace: 'default', name: 'web' },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' } },
    );
    await store.delete(podKey('dns', 'kube-system'));
    expect(summary(allPods.events)).toEqual([
      '1 ADDED default/a',
      '2 ADDED kube-system/dns',
      '4 DELETED kube-system/dns',
    ]);
    expect(summary(kubeSystem.events)).toEqual(['2 ADDED kube-system/dns', '4 DELETED kube-system/dns']);
    expect(summary(deployments.events)).toEqual(['3 ADDED default/web']);
    expect(coreDeployments.events).toEqual([]);
    // Replay applies the same filters.
    expect(summary(collect(store, pods('kube-system'), 0).events)).toEqual(summary(kubeSystem.events));
    expect(summary(collect(store, pods('default'), 1).events)).toEqual([]);
  });

  it('stop() ends delivery', async () => {
    const store = open();
    const w = collect(store, pods(), 0);
    await store.create(podKey('a'), pod('a'));
    w.stop();
    w.stop(); // idempotent
    await store.create(podKey('b'), pod('b'));
    expect(w.events.map((e) => e.key.name)).toEqual(['a']);
  });

  it('keeps at least historySize changes, trims in batches, and answers 410 Expired below that', async () => {
    const store = open({ historySize: 20 });
    const oldest: number[] = [];
    for (let i = 1; i <= 60; i++) {
      await store.create(podKey(`p${i}`), pod(`p${i}`));
      oldest.push(await store.oldestRevision());
      expect(i - (await store.oldestRevision())).toBeGreaterThanOrEqual(Math.min(i, 20));
    }
    // Trimmed a few times (in batches), not on every write.
    const distinct = new Set(oldest);
    expect(distinct.size).toBeGreaterThan(1);
    expect(distinct.size).toBeLessThan(20);
    const floor = await store.oldestRevision();
    expect(floor).toBeGreaterThan(0);

    const err = (() => {
      try {
        store.watch(pods(), floor - 1, () => undefined);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 410, reason: 'Expired' });
    expect((err as ApiError).message).toBe(`too old resource version: ${floor - 1} (${floor})`);

    // Exactly the oldest revision still resumes, with every change after it.
    const w = collect(store, pods(), floor);
    expect(w.events.map((e) => e.revision)).toEqual(
      Array.from({ length: 60 - floor }, (_, i) => floor + i + 1),
    );
  });

  it('rejects a malformed fromRevision with 400', async () => {
    const store = open();
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() => store.watch(pods(), bad, () => undefined)).toThrow(
        expect.objectContaining({ code: 400, reason: 'BadRequest' }),
      );
    }
  });

  it('has no gap and no duplicate when writes interleave with starting watches', async () => {
    const store = open();
    const watchers: Array<{ from: number; events: StoreEvent[] }> = [];
    // 40 objects, each written 5 times in its own async chain; staggered pauses interleave the chains' writes.
    const pause = async (hops: number) => {
      for (let h = 0; h < hops; h++) await Promise.resolve();
    };
    // A store that commits writes in groups at the end of an event-loop turn (SqliteStore) interleaves at turn
    // granularity, so chains and watch starts are spread over turns too.
    const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
    const chain = async (i: number) => {
      const name = `p${i}`;
      for (let t = 0; t < i % 10; t++) await nextTurn();
      await pause(i % 9);
      const created = await store.create(podKey(name), pod(name));
      await pause(i % 4);
      const updated = await store.update(podKey(name), { ...created, status: { n: 1 } });
      await pause(i % 5);
      await store.update(podKey(name), { ...updated, status: { n: 2 } });
      await pause(i % 3);
      await store.delete(podKey(name));
      await store.create(podKey(name), pod(name));
    };
    // Watch starters, each yielding between reading the revision and subscribing.
    const starter = async (hops: number) => {
      for (let i = 0; i < 10; i++) {
        const from = await store.revision();
        await Promise.resolve();
        watchers.push({ from, ...collect(store, pods(), from) });
        await pause(hops);
        await nextTurn();
      }
    };
    const writes = [
      ...Array.from({ length: 40 }, (_, i) => chain(i)),
      ...Array.from({ length: 4 }, (_, i) => starter(i)),
    ];
    await Promise.all(writes);
    const head = await store.revision();
    expect(head).toBe(200);
    expect(watchers).toHaveLength(40);
    const froms = new Set(watchers.map((w) => w.from));
    expect(froms.size).toBeGreaterThan(8);
    expect(Math.max(...froms)).toBeGreaterThan(100);
    for (const w of watchers) {
      expect(w.events.map((e) => e.revision)).toEqual(
        Array.from({ length: head - w.from }, (_, i) => w.from + i + 1),
      );
    }
  });

  it('keeps order when a handler writes to the store or starts another watch', async () => {
    const store = open();
    const outer: number[] = [];
    const inner: Array<{ from: number; seen: number[] }> = [];
    const observer: number[] = [];
    const children: Promise<unknown>[] = [];
    store.watch(pods(), 0, (e) => {
      outer.push(e.revision);
      // A controller-like handler that writes in the writer's turn (a grouping store commits it in a later turn).
      if (e.type === 'ADDED' && e.key.name.startsWith('p')) {
        children.push(store.create(podKey(`child-of-${e.key.name}`), pod(`child-of-${e.key.name}`)));
        const entry = { from: e.revision - 1, seen: [] as number[] };
        inner.push(entry);
        store.watch(pods(), entry.from, (ev) => entry.seen.push(ev.revision));
      }
    });
    store.watch(pods(), 0, (e) => observer.push(e.revision));
    for (let i = 0; i < 5; i++) await store.create(podKey(`p${i}`), pod(`p${i}`));
    await Promise.all(children);
    const head = await store.revision();
    expect(head).toBe(10);
    const all = Array.from({ length: head }, (_, i) => i + 1);
    expect(outer).toEqual(all);
    expect(observer).toEqual(all);
    for (const w of inner) expect(w.seen).toEqual(all.slice(w.from));
  });

  it('drops a throwing handler without breaking the writer or other watchers', async () => {
    const store = open();
    let calls = 0;
    store.watch(pods(), 0, () => {
      calls++;
      throw new Error('handler bug');
    });
    const before = collect(store, pods(), 0);
    await store.create(podKey('a'), pod('a'));
    await store.create(podKey('b'), pod('b'));
    const after = collect(store, pods(), 2);
    await store.create(podKey('c'), pod('c'));
    expect(calls).toBe(1);
    expect(before.events.map((e) => e.key.name)).toEqual(['a', 'b', 'c']);
    expect(after.events.map((e) => e.key.name)).toEqual(['c']);
    // A handler that throws during replay is dropped as well.
    let replayCalls = 0;
    store.watch(pods(), 0, () => {
      replayCalls++;
      throw new Error('replay bug');
    });
    expect(replayCalls).toBe(1);
    await store.create(podKey('d'), pod('d'));
    expect(replayCalls).toBe(1);
    expect(before.events).toHaveLength(4);
  });

  it('fans out to many watchers, each getting only its scope', async () => {
    const store = open();
    const namespaces = Array.from({ length: 10 }, (_, i) => `ns${i}`);
    const perNs = namespaces.flatMap((ns) => Array.from({ length: 12 }, () => collect(store, pods(ns), 0)));
    const services = Array.from({ length: 20 }, () => collect(store, { group: '', resource: 'services' }, 0));
    for (const ns of namespaces) await store.create(podKey('a', ns), pod('a', ns));
    await store.create(
      { group: '', resource: 'services', namespace: 'ns0', name: 's' },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'ns0' } },
    );
    perNs.forEach((w, i) => {
      expect(w.events).toHaveLength(1);
      expect(w.events[0].key.namespace).toBe(namespaces[Math.floor(i / 12)]);
    });
    for (const w of services) expect(summary(w.events)).toEqual(['11 ADDED ns0/s']);
  });
});

it('logs a watch handler that threw', async () => {
  const logger = new RecordingLogger();
  const store = new MemoryStore({ logger });
  cleanups.push(() => store.close());
  store.watch(pods(), 0, () => {
    throw new Error('handler bug');
  });
  await store.create(podKey('a'), pod('a'));
  expect(logger.records).toContainEqual(
    expect.objectContaining({
      level: 'error',
      msg: 'watch handler threw; watcher stopped',
      fields: expect.objectContaining({ resource: 'pods', revision: 1 }),
    }),
  );
  expect(store.watcherCount()).toBe(0);
});
