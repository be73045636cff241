import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/types.js';
import type { WatchOptions } from '../client/api-client.js';
import { harness, configMap, CONFIGMAPS, PODS, pod, type Harness } from './test-support.js';
import { BOOKMARK_INTERVAL_MS, type ServiceWatchEvent } from './watch-session.js';

function recorder() {
  const events: ServiceWatchEvent[] = [];
  let ended = 0;
  return {
    events,
    get ended() {
      return ended;
    },
    observer: { onEvent: (e: ServiceWatchEvent) => events.push(e), onEnd: () => void ended++ },
    summary: () =>
      events.map((e) => `${e.type} ${e.type === 'ERROR' ? e.object.code : (e.object.metadata.name ?? '')}`),
  };
}

async function watch(h: Harness, opts: WatchOptions, ns: string | undefined = 'default') {
  const r = recorder();
  const w = await h.service.watch(CONFIGMAPS, ns, opts, r.observer);
  return Object.assign(r, { w });
}

describe('ResourceService watch', () => {
  it('starts with a synthetic ADDED per object at resourceVersion 0 (or none), then live events', async () => {
    const h = await harness();
    await h.service.create(CONFIGMAPS, 'default', configMap('a'));
    await h.service.create(CONFIGMAPS, 'default', configMap('b'));
    for (const resourceVersion of ['0', undefined]) {
      const r = await watch(h, { resourceVersion });
      expect(r.summary()).toEqual(['ADDED a', 'ADDED b']);
      expect(r.events.every((e) => e.object.kind === 'ConfigMap' && e.object.apiVersion === 'v1')).toBe(true);
      r.w.stop();
    }
    const r = await watch(h, { resourceVersion: '0' });
    await h.service.patch(CONFIGMAPS, 'default', 'a', 'merge', { data: { x: '1' } });
    await h.service.delete(CONFIGMAPS, 'default', 'b');
    expect(r.summary()).toEqual(['ADDED a', 'ADDED b', 'MODIFIED a', 'DELETED b']);
    r.w.stop();
    await h.service.create(CONFIGMAPS, 'default', configMap('c'));
    expect(r.events).toHaveLength(4); // stopped: nothing more
  });

  it('resumes after a resourceVersion with every later change', async () => {
    const h = await harness();
    const a = await h.service.create(CONFIGMAPS, 'default', configMap('a'));
    await h.service.create(CONFIGMAPS, 'default', configMap('b'));
    await h.service.create(CONFIGMAPS, 'kube-system', configMap('other'));
    const r = await watch(h, { resourceVersion: a.metadata.resourceVersion });
    expect(r.summary()).toEqual(['ADDED b']);
    r.w.stop();
  });

  it('sends a 410 ERROR event and ends for a compacted resourceVersion', async () => {
    const h = await harness({ historySize: 2 });
    for (let i = 0; i < 10; i++) await h.service.create(CONFIGMAPS, 'default', configMap(`c${i}`));
    const r = await watch(h, { resourceVersion: '1' });
    expect(r.summary()).toEqual(['ERROR 410']);
    const status = r.events[0].object as { reason?: string; status?: string };
    expect(status.reason).toBe('Expired');
    expect(status.status).toBe('Failure');
    expect(r.ended).toBe(1);
  });

  it('turns selector transitions into ADDED and DELETED', async () => {
    const h = await harness();
    await h.service.create(CONFIGMAPS, 'default', configMap('a', {}, { app: 'x' }));
    const r = await watch(h, { labelSelector: 'app=web' });
    expect(r.events).toEqual([]);
    await h.service.patch(CONFIGMAPS, 'default', 'a', 'merge', { metadata: { labels: { app: 'web' } } });
    await h.service.patch(CONFIGMAPS, 'default', 'a', 'merge', { data: { k: 'v' } });
    const left = await h.service.patch(CONFIGMAPS, 'default', 'a', 'merge', {
      metadata: { labels: { app: 'db' } },
    });
    await h.service.patch(CONFIGMAPS, 'default', 'a', 'merge', { data: { k: 'w' } });
    expect(r.summary()).toEqual(['ADDED a', 'MODIFIED a', 'DELETED a']);
    const deleted = r.events[2].object as KubeObject;
    expect(deleted.metadata.labels).toEqual({ app: 'web' }); // the last matching content…
    expect(deleted.metadata.resourceVersion).toBe(left.object.metadata.resourceVersion); // …at the change's RV
  });

  it('watches by field selector (kubectl get X -w, rollout status)', async () => {
    const h = await harness();
    await h.service.create(PODS, 'default', pod('a'));
    await h.service.create(PODS, 'default', pod('b'));
    const r = recorder();
    await h.service.watch(
      PODS,
      'default',
      { fieldSelector: 'metadata.name=b', resourceVersion: '0' },
      r.observer,
    );
    await h.service.bind('default', 'a', { target: { name: 'n' } });
    await h.service.bind('default', 'b', { target: { name: 'n' } });
    expect(r.summary()).toEqual(['ADDED b', 'MODIFIED b']);
  });

  it('ends at timeoutSeconds, with a bookmark first when bookmarks are allowed', async () => {
    const h = await harness();
    const plain = await watch(h, { timeoutSeconds: 5 });
    const booked = await watch(h, { timeoutSeconds: 5, allowWatchBookmarks: true });
    const forever = await watch(h, {});
    await h.clock.advance(4_000);
    expect(plain.ended + booked.ended).toBe(0);
    await h.clock.advance(1_000);
    expect(plain.ended).toBe(1);
    expect(plain.events).toEqual([]);
    expect(booked.ended).toBe(1);
    expect(booked.summary()).toEqual(['BOOKMARK ']);
    const bookmark = booked.events[0].object;
    expect(bookmark).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { resourceVersion: String(await h.store.revision()) },
    });
    await h.clock.advance(3_600_000);
    expect(forever.ended).toBe(0);
    forever.w.stop();
  });

  it('sends periodic bookmarks carrying the newest revision', async () => {
    const h = await harness();
    const r = await watch(h, {
      allowWatchBookmarks: true,
      resourceVersion: String(await h.store.revision()),
    });
    await h.service.create(CONFIGMAPS, 'kube-system', configMap('elsewhere'));
    await h.clock.advance(BOOKMARK_INTERVAL_MS);
    await h.clock.advance(BOOKMARK_INTERVAL_MS);
    expect(r.summary()).toEqual(['BOOKMARK ', 'BOOKMARK ']);
    expect(r.events[0].object.metadata.resourceVersion).toBe(String(await h.store.revision()));
    r.w.stop();
    await h.clock.advance(BOOKMARK_INTERVAL_MS);
    expect(r.events).toHaveLength(2);
    expect(h.clock.pending()).toBe(0);
  });

  it('endAllWatches ends every open watch', async () => {
    const h = await harness();
    const a = await watch(h, {});
    const b = await watch(h, { timeoutSeconds: 100 });
    h.service.endAllWatches();
    expect([a.ended, b.ended]).toEqual([1, 1]);
    expect(h.store.watcherCount()).toBe(0);
  });

  it('rejects bad selectors and resource versions before streaming', async () => {
    const h = await harness();
    await expect(watch(h, { labelSelector: 'a in (' })).rejects.toMatchObject({ code: 400 });
    await expect(watch(h, { fieldSelector: 'nope=1' })).rejects.toMatchObject({ code: 400 });
    await expect(watch(h, { resourceVersion: 'abc' })).rejects.toMatchObject({ code: 400 });
    expect(h.store.watcherCount()).toBe(0);
  });
});
