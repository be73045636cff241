import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  createInformer,
  diffList,
  nextBackoff,
  watchTimeoutSeconds,
  withJitter,
  type Informer,
} from './informer.js';
import { PODS, type WatchOptions } from './api-client.js';
import { objectKey, splitKey, keyFor } from './key.js';
import { FakeApiClient } from '../../test/fakes/fake-api-client.js';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { RecordingLogger } from '../../test/fakes/recording-logger.js';
import { ApiError } from '../common/errors.js';
import type { KubeObject, Pod } from '../api/types.js';

const pod = (name: string, labels?: Record<string, string>): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
});

/** A fake API whose watch calls are timed, and an informer over it with jitter pinned to 0 (timeout 300 s). */
function setup(opts: { resyncPeriodMs?: number; labelSelector?: string } = {}) {
  const clock = new FakeClock();
  const api = new FakeApiClient({ clock });
  const watchCalls: { at: number; opts: WatchOptions }[] = [];
  const realWatch = api.watch.bind(api);
  api.watch = ((ref, ns, wopts, onEvent) => {
    watchCalls.push({ at: clock.now(), opts: wopts });
    return realWatch(ref, ns, wopts, onEvent);
  }) as typeof api.watch;
  const logger = new RecordingLogger();
  const informer = createInformer<Pod>({
    client: api,
    ref: PODS,
    clock,
    logger,
    random: () => 0,
    ...opts,
  });
  const seen: string[] = [];
  informer.on('add', (o) => seen.push(`add:${o.metadata.name}`));
  informer.on('update', (a, b) =>
    seen.push(`update:${b.metadata.name}:${a.metadata.resourceVersion}->${b.metadata.resourceVersion}`),
  );
  informer.on('delete', (o) => seen.push(`delete:${o.metadata.name}`));
  return { clock, api, informer, seen, watchCalls, logger, t0: clock.now() };
}

const names = (inf: Informer<Pod>) =>
  inf
    .list()
    .map((p) => p.metadata.name)
    .sort();

describe('informer', () => {
  it('lists, fills the cache, reports synced, then watches from the list RV with bookmarks and a timeout', async () => {
    const { api, informer, seen, watchCalls, clock } = setup({ labelSelector: 'app=web' });
    api.seed(PODS, pod('a', { app: 'web' }), pod('b', { app: 'web' }), pod('x', { app: 'db' }));
    expect(informer.hasSynced()).toBe(false);
    await informer.start();
    await clock.advance(0);
    expect(informer.hasSynced()).toBe(true);
    expect(seen).toEqual(['add:a', 'add:b']);
    expect(names(informer)).toEqual(['a', 'b']);
    expect(informer.get('default', 'a')?.metadata.name).toBe('a');
    expect(informer.getByKey('default/b')?.metadata.name).toBe('b');
    expect(informer.get('other', 'a')).toBeUndefined();
    expect(informer.lastSyncResourceVersion()).toBe('3');
    expect(api.actionsOf('list')[0].opts).toMatchObject({ labelSelector: 'app=web' });
    expect(watchCalls[0].opts).toMatchObject({
      resourceVersion: '3',
      allowWatchBookmarks: true,
      timeoutSeconds: 300,
      labelSelector: 'app=web',
    });
    informer.stop();
  });

  it('applies watch events to the cache and handlers; bookmarks only move the RV', async () => {
    const { api, informer, seen, clock } = setup();
    api.seed(PODS, pod('a'));
    await informer.start();
    await api.create(PODS, 'default', pod('b'));
    await api.patch(PODS, 'default', 'a', 'merge', { metadata: { labels: { x: 'y' } } });
    await api.delete(PODS, 'default', 'b');
    await clock.advance(0);
    expect(seen).toEqual(['add:a', 'add:b', 'update:a:1->3', 'delete:b']);
    expect(names(informer)).toEqual(['a']);
    expect(informer.get('default', 'a')?.metadata.labels).toEqual({ x: 'y' });
    expect(informer.lastSyncResourceVersion()).toBe('4');
    await api.create(PODS, 'other', { ...pod('z'), metadata: { name: 'z', namespace: 'other' } });
    api.sendBookmarks();
    await clock.advance(0);
    expect(informer.lastSyncResourceVersion()).toBe('5');
    informer.stop();
  });

  it('relists on a 410 and delivers exactly the difference as add/update/delete', async () => {
    const { api, informer, seen, clock, watchCalls } = setup();
    api.seed(PODS, pod('a'), pod('b'), pod('c'));
    await informer.start();
    await clock.advance(0);
    seen.length = 0;
    // The watch breaks; meanwhile things change and the server forgets the history.
    api.breakWatches();
    await clock.advance(0);
    await api.delete(PODS, 'default', 'a');
    await api.patch(PODS, 'default', 'b', 'merge', { metadata: { labels: { v: '2' } } });
    await api.create(PODS, 'default', pod('d'));
    api.compact();
    await clock.advance(200); // the reconnect: watch from RV 3 → ERROR 410 → relist → watch again
    expect(seen.sort()).toEqual(['add:d', 'delete:a', 'update:b:2->5'].sort());
    expect(names(informer)).toEqual(['b', 'c', 'd']);
    expect(api.actionsOf('list')).toHaveLength(2);
    expect(watchCalls.map((w) => w.opts.resourceVersion)).toEqual(['3', '3', '6']);
    expect(informer.lastSyncResourceVersion()).toBe('6');
    informer.stop();
  });

  it('relists when the watch request itself fails with 410', async () => {
    const { api, informer, clock } = setup();
    await informer.start();
    api.failNext('watch', new ApiError(410, 'Expired', 'too old resource version'));
    api.endWatches(); // closed at once without events: back off 200 ms, then the rewatch gets 410
    await clock.advance(200);
    expect(api.actionsOf('list')).toHaveLength(2);
    informer.stop();
  });

  it('backs off when the first watch after a list already gets 410 (no list/watch hot loop)', async () => {
    const { api, informer, clock, watchCalls, t0 } = setup();
    api.failNext('watch', new ApiError(410, 'Expired', 'too old'));
    api.failNext('watch', new ApiError(410, 'Expired', 'too old'));
    await informer.start();
    await clock.advance(10_000);
    expect(watchCalls.map((w) => w.at - t0)).toEqual([0, 200, 600]);
    expect(api.actionsOf('list')).toHaveLength(3);
    informer.stop();
  });

  it('reconnects after transport errors with exponential backoff, reset by a healthy watch', async () => {
    const { api, informer, clock, watchCalls, t0, seen } = setup();
    await informer.start();
    await clock.advance(0);
    for (let i = 0; i < 3; i++) api.failNext('watch', new ApiError(503, 'ServiceUnavailable', 'down'));
    api.breakWatches(); // watch #1 breaks → retries after 200 ms, then 400, 800 (failing), 1600 (healthy)
    await clock.advance(10_000);
    expect(watchCalls.map((w) => w.at - t0)).toEqual([0, 200, 600, 1400, 3000]);
    expect(watchCalls.every((w) => w.opts.resourceVersion === '0')).toBe(true);
    // An event on the healthy watch resets the backoff.
    await api.create(PODS, 'default', pod('a'));
    await clock.advance(0);
    expect(seen).toEqual(['add:a']);
    api.breakWatches();
    await clock.advance(199);
    expect(watchCalls).toHaveLength(5);
    await clock.advance(1);
    expect(watchCalls).toHaveLength(6);
    expect(watchCalls[5].opts.resourceVersion).toBe('1');
    informer.stop();
  });

  it('while the server is away: the cache stays, one warning then debug lines, and a note when it works again', async () => {
    const { api, informer, clock, seen, logger } = setup();
    api.seed(PODS, pod('a'), pod('b'));
    await informer.start();
    await clock.advance(0);
    const down = new ApiError(
      503,
      'ServiceUnavailable',
      'Unable to connect to the server: connect ECONNREFUSED',
    );
    for (let i = 0; i < 8; i++) api.failNext('watch', down);
    api.breakWatches(down);
    await clock.advance(60_000);
    expect(names(informer)).toEqual(['a', 'b']);
    expect(seen).toEqual(['add:a', 'add:b']); // no deletes from a server that could not be reached
    const failures = logger.records.filter((r) => r.msg === 'watch failed; retrying');
    expect(failures.map((r) => r.level)).toEqual(['warn', ...Array(8).fill('debug')]);
    expect(failures[0].fields.err).toEqual({ message: down.message, code: 503 });
    await clock.advance(30_000); // the ninth attempt (at 81 s, 30 s after the eighth) holds
    await api.create(PODS, 'default', pod('c'));
    await clock.advance(0);
    expect(seen.at(-1)).toBe('add:c');
    expect(logger.records.at(-1)).toMatchObject({
      level: 'info',
      msg: 'list and watch work again',
      fields: { failures: 9 },
    });
    informer.stop();
  });

  it('caps the backoff at 30 s', () => {
    let ms: number | undefined;
    const seq: number[] = [];
    for (let i = 0; i < 10; i++) seq.push((ms = nextBackoff(ms)));
    expect(seq).toEqual([200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
  });

  it('retries a failed first list with backoff before resolving start()', async () => {
    const { api, informer, clock } = setup();
    api.seed(PODS, pod('a'));
    api.failNext('list', new ApiError(503, 'ServiceUnavailable', 'down'));
    let synced = false;
    void informer.start().then(() => (synced = true));
    await clock.advance(199);
    expect(synced).toBe(false);
    await clock.advance(1);
    expect(synced).toBe(true);
    expect(names(informer)).toEqual(['a']);
    informer.stop();
  });

  it('a cleanly ended watch resumes from the last RV at once; an instantly empty one backs off', async () => {
    const { api, informer, clock, watchCalls, t0, seen } = setup();
    await informer.start();
    await api.create(PODS, 'default', pod('a'));
    await clock.advance(5000);
    api.endWatches(); // had an event: rewatch immediately from RV 1
    await clock.advance(0);
    expect(watchCalls.map((w) => [w.at - t0, w.opts.resourceVersion])).toEqual([
      [0, '0'],
      [5000, '1'],
    ]);
    api.endWatches(); // closed at once without events: treated as a failure
    await clock.advance(199);
    expect(watchCalls).toHaveLength(2);
    await clock.advance(1);
    expect(watchCalls).toHaveLength(3);
    expect(seen).toEqual(['add:a']); // no duplicate adds on resume
    informer.stop();
  });

  it('a non-410 ERROR event backs off and rewatches without relisting', async () => {
    const { api, informer, clock, watchCalls } = setup();
    await informer.start();
    await clock.advance(0);
    api.sendWatchError({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      code: 500,
      message: 'x',
    });
    await clock.advance(200);
    expect(watchCalls).toHaveLength(2);
    expect(api.actionsOf('list')).toHaveLength(1);
    informer.stop();
  });

  it('resync re-delivers update(obj, obj) for every cached object each period', async () => {
    const { api, informer, clock } = setup({ resyncPeriodMs: 1000 });
    api.seed(PODS, pod('a'), pod('b'));
    const resynced: string[] = [];
    informer.on('update', (a, b) => {
      if (a === b) resynced.push(b.metadata.name!);
    });
    await informer.start();
    await clock.advance(999);
    expect(resynced).toEqual([]);
    await clock.advance(1);
    expect(resynced.sort()).toEqual(['a', 'b']);
    await clock.advance(1000);
    expect(resynced).toHaveLength(4);
    informer.stop();
    await clock.advance(5000);
    expect(resynced).toHaveLength(4);
  });

  it('a throwing handler is logged and does not stop other handlers or the informer', async () => {
    const { api, informer, clock, seen, logger } = setup();
    informer.on('add', () => {
      throw new Error('handler bug');
    });
    await informer.start();
    await api.create(PODS, 'default', pod('a'));
    await api.create(PODS, 'default', pod('b'));
    await clock.advance(0);
    expect(seen).toEqual(['add:a', 'add:b']);
    expect(
      logger.records.filter((r) => r.level === 'error' && r.msg === 'informer handler failed'),
    ).toHaveLength(2);
    informer.stop();
  });

  it('a handler added after sync hears the cache as adds', async () => {
    const { api, informer } = setup();
    api.seed(PODS, pod('a'));
    await informer.start();
    const late: string[] = [];
    informer.on('add', (o) => late.push(o.metadata.name!));
    expect(late).toEqual(['a']);
    informer.stop();
  });

  it('stop ends the watch, cancels waits, and delivers nothing more', async () => {
    const { api, informer, clock, seen } = setup();
    await informer.start();
    await clock.advance(0);
    expect(api.activeWatches()).toBe(1);
    informer.stop();
    await clock.advance(0);
    expect(api.activeWatches()).toBe(0);
    await api.create(PODS, 'default', pod('late'));
    await clock.advance(60_000);
    expect(seen).toEqual([]);
    expect(clock.pending()).toBe(0);
  });
});

describe('informer pure helpers', () => {
  const obj = (name: string, rv: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', resourceVersion: rv },
  });

  it('diffList reports adds, changed objects as updates, and missing ones as deletes', () => {
    const cache = new Map([
      ['ns/a', obj('a', '1')],
      ['ns/b', obj('b', '2')],
      ['ns/c', obj('c', '3')],
    ]);
    const { cache: next, deliveries } = diffList(cache, [obj('a', '1'), obj('b', '7'), obj('d', '8')]);
    expect([...next.keys()]).toEqual(['ns/a', 'ns/b', 'ns/d']);
    expect(
      deliveries.map((d) =>
        d.type === 'update' ? `update:${d.newObj.metadata.name}` : `${d.type}:${d.obj.metadata.name}`,
      ),
    ).toEqual(['update:b', 'add:d', 'delete:c']);
  });

  it.each([
    ['ADDED', false, 'add'],
    ['ADDED', true, 'update'],
    ['MODIFIED', false, 'add'],
    ['MODIFIED', true, 'update'],
    ['DELETED', true, 'delete'],
    ['BOOKMARK', false, undefined],
  ] as const)('applyEvent %s (cached: %s) → %s', (type, cached, expected) => {
    const cache = new Map<string, KubeObject>(cached ? [['ns/a', obj('a', '1')]] : []);
    const d = applyEvent(cache, { type, object: obj('a', '2') });
    expect(d?.type).toBe(expected);
    expect(cache.has('ns/a')).toBe(type === 'DELETED' || type === 'BOOKMARK' ? false : true);
  });

  it('watch timeouts fall in [300, 600] s; jitter adds up to its fraction', () => {
    expect(watchTimeoutSeconds(() => 0)).toBe(300);
    expect(watchTimeoutSeconds(() => 0.999999)).toBe(600);
    expect(withJitter(1000, 0.25, () => 0)).toBe(1000);
    expect(withJitter(1000, 0.25, () => 0.5)).toBe(1125);
  });

  it('object keys round-trip', () => {
    expect(objectKey(obj('a', '1'))).toBe('ns/a');
    expect(objectKey({ metadata: { name: 'node-1' } })).toBe('node-1');
    expect(keyFor(undefined, 'n')).toBe('n');
    expect(splitKey('ns/a')).toEqual({ namespace: 'ns', name: 'a' });
    expect(splitKey('node-1')).toEqual({ name: 'node-1' });
  });
});
