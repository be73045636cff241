// The fake API server is what every component's unit tests stand on, so its behaviour is pinned down here.
import { describe, expect, it } from 'vitest';
import { FakeApiClient } from '../fakes/fake-api-client.js';
import { FakeClock, flushMicrotasks } from '../fakes/fake-clock.js';
import { NODES, PODS, type WatchEvent } from '../../src/client/api-client.js';
import { ApiError, isApiError } from '../../src/common/errors.js';
import type { KubeObject, Pod } from '../../src/api/types.js';

const pod = (name: string, extra: Partial<Pod['spec']> = {}, labels?: Record<string, string>): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...extra },
  status: { phase: 'Pending' },
});

const names = (items: KubeObject[]) => items.map((o) => o.metadata.name);

describe('FakeApiClient', () => {
  it('create sets uid, creationTimestamp, generation and a global resourceVersion; generateName', async () => {
    const clock = new FakeClock(Date.parse('2026-03-01T10:00:00Z'));
    const api = new FakeApiClient({ clock });
    const a = await api.create(PODS, 'default', pod('a'));
    const n = await api.create<KubeObject>(NODES, undefined, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
    });
    const g = await api.create<KubeObject>(PODS, 'default', {
      ...pod(''),
      metadata: { generateName: 'web-' },
    });
    expect(a.metadata).toMatchObject({
      resourceVersion: '1',
      generation: 1,
      creationTimestamp: '2026-03-01T10:00:00Z',
    });
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(n.metadata.resourceVersion).toBe('2');
    expect(n.metadata.namespace).toBeUndefined();
    expect(g.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    await expect(api.create(PODS, 'default', pod('a'))).rejects.toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
    });
    expect(api.actionsOf('create').map((x) => x.resource)).toEqual(['pods', 'nodes', 'pods', 'pods']);
  });

  it('get/list with label and field selectors', async () => {
    const api = new FakeApiClient();
    api.seed(
      PODS,
      pod('a', { nodeName: 'n1' }, { app: 'web', tier: 'fe' }),
      pod('b', {}, { app: 'db' }),
      { ...pod('c', { nodeName: 'n1' }, { app: 'web' }), status: { phase: 'Succeeded' } },
      { ...pod('d'), metadata: { name: 'd', namespace: 'other' } },
    );
    expect((await api.get(PODS, 'default', 'a')).metadata.name).toBe('a');
    await expect(api.get(PODS, 'default', 'zz')).rejects.toMatchObject({ code: 404, reason: 'NotFound' });
    const q = async (labelSelector?: string, fieldSelector?: string, allNamespaces = false) =>
      names(
        (await api.list(PODS, allNamespaces ? undefined : 'default', { labelSelector, fieldSelector })).items,
      );
    expect(await q()).toEqual(['a', 'b', 'c']);
    expect(await q(undefined, undefined, true)).toEqual(['a', 'b', 'c', 'd']);
    expect(await q('app=web')).toEqual(['a', 'c']);
    expect(await q('app in (web,db),tier')).toEqual(['a']);
    expect(await q('app notin (web),!tier')).toEqual(['b']);
    expect(await q('app!=web')).toEqual(['b']);
    expect(await q(undefined, 'spec.nodeName=n1,status.phase!=Succeeded')).toEqual(['a']);
    expect(await q(undefined, 'spec.nodeName=')).toEqual(['b']);
    expect(await q(undefined, 'metadata.name==b')).toEqual(['b']);
    expect(await q(undefined, 'metadata.namespace=other', true)).toEqual(['d']);
    expect((await api.list(PODS, 'default')).metadata.resourceVersion).toBe('4');
  });

  it('update conflicts on a stale resourceVersion, keeps status, bumps generation on spec change', async () => {
    const api = new FakeApiClient();
    const [a] = api.seed(PODS, pod('a')) as Pod[];
    const updated = await api.update(PODS, 'default', {
      ...a,
      spec: { ...a.spec, nodeName: 'x' },
      status: { phase: 'Running' },
    });
    expect(updated.metadata.generation).toBe(2);
    expect(updated.status?.phase).toBe('Pending');
    await expect(api.update(PODS, 'default', a)).rejects.toMatchObject({ code: 409, reason: 'Conflict' });
    const st = await api.updateStatus(PODS, 'default', { ...updated, status: { phase: 'Running' } });
    expect(st.status?.phase).toBe('Running');
    expect(st.metadata.generation).toBe(2);
    await expect(api.updateStatus(PODS, 'default', updated)).rejects.toMatchObject({ code: 409 });
  });

  it('patch: merge, strategic (conditions by type), json, status subresource', async () => {
    const api = new FakeApiClient();
    api.seed(PODS, {
      ...pod('a', {}, { app: 'web', old: 'x' }),
      status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }] },
    });
    const m = await api.patch(PODS, 'default', 'a', 'merge', {
      metadata: { labels: { old: null, new: 'y' } },
    });
    expect(m.metadata.labels).toEqual({ app: 'web', new: 'y' });
    const s = await api.patch<Pod>(
      PODS,
      'default',
      'a',
      'strategic',
      { status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] } },
      { subresource: 'status' },
    );
    expect(s.status?.conditions?.map((c) => c.type).sort()).toEqual(['PodScheduled', 'Ready']);
    const ignored = await api.patch<Pod>(PODS, 'default', 'a', 'merge', { status: { phase: 'Running' } });
    expect(ignored.status?.phase).toBe('Pending'); // status only through the subresource
    const j = await api.patch(PODS, 'default', 'a', 'json', [
      { op: 'add', path: '/metadata/annotations', value: { k: 'v' } },
    ]);
    expect(j.metadata.annotations).toEqual({ k: 'v' });
    await expect(
      api.patch(PODS, 'default', 'a', 'json', [{ op: 'test', path: '/metadata/name', value: 'b' }]),
    ).rejects.toMatchObject({ code: 422 });
    await expect(
      api.patch(PODS, 'default', 'a', 'merge', { metadata: { resourceVersion: '1' } }),
    ).rejects.toMatchObject({ code: 409 });
  });

  it('binding sets nodeName and PodScheduled, and conflicts when already bound', async () => {
    const api = new FakeApiClient();
    api.seed(PODS, pod('a'));
    const body = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'a' },
      target: { kind: 'Node', name: 'n1' },
    };
    await api.createSubresource(PODS, 'default', 'a', 'binding', body);
    const bound = api.find<Pod>(PODS, 'default', 'a')!;
    expect(bound.spec.nodeName).toBe('n1');
    expect(bound.status?.conditions?.[0]).toMatchObject({ type: 'PodScheduled', status: 'True' });
    const err = await api.createSubresource(PODS, 'default', 'a', 'binding', body).catch((e: unknown) => e);
    expect(isApiError(err, 'Conflict')).toBe(true);
    expect((err as ApiError).message).toBe(
      'Operation cannot be fulfilled on pods/binding "a": pod a is already assigned to node "n1"',
    );
  });

  it('delete: unbound pods go at once, bound pods gracefully, finalizers hold objects', async () => {
    const api = new FakeApiClient();
    api.seed(PODS, pod('free'), pod('bound', { nodeName: 'n1', terminationGracePeriodSeconds: 5 }));
    await api.delete(PODS, 'default', 'free');
    expect(api.find(PODS, 'default', 'free')).toBeUndefined();
    const marked = (await api.delete(PODS, 'default', 'bound')) as Pod;
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(5);
    await api.delete(PODS, 'default', 'bound', { gracePeriodSeconds: 0 });
    expect(api.find(PODS, 'default', 'bound')).toBeUndefined();

    const [n] = api.seed(NODES, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n', finalizers: ['x'] },
    });
    await api.delete(NODES, undefined, 'n');
    const held = api.find(NODES, undefined, 'n')!;
    expect(held.metadata.deletionTimestamp).toBeDefined();
    await api.update(NODES, undefined, { ...held, metadata: { ...held.metadata, finalizers: [] } });
    expect(api.find(NODES, undefined, 'n')).toBeUndefined();
    expect(n.metadata.name).toBe('n');
  });

  it('failNext injects one failure for a verb (and resource)', async () => {
    const api = new FakeApiClient();
    api.failNext('create', new ApiError(500, 'InternalError', 'boom'), 'nodes');
    await api.create(PODS, 'default', pod('a'));
    await expect(
      api.create(NODES, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' } }),
    ).rejects.toThrow('boom');
    await api.create(NODES, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' } });
    expect(api.actionsOf('create')).toHaveLength(3);
  });

  describe('watch', () => {
    const collect = () => {
      const events: WatchEvent[] = [];
      return {
        events,
        fn: (e: WatchEvent) => events.push(e),
        seen: () =>
          events.map((e) => `${e.type}:${e.object.metadata.name ?? e.object.metadata.resourceVersion}`),
      };
    };

    it('starts with synthetic ADDED from RV 0, then live events in order', async () => {
      const api = new FakeApiClient();
      api.seed(PODS, pod('a'));
      const c = collect();
      api.watch(PODS, 'default', {}, c.fn);
      const b = await api.create(PODS, 'default', pod('b'));
      await api.delete(PODS, 'default', 'a');
      await api.patch(PODS, 'default', 'b', 'merge', { metadata: { labels: { x: 'y' } } });
      await flushMicrotasks();
      expect(c.seen()).toEqual(['ADDED:a', 'ADDED:b', 'DELETED:a', 'MODIFIED:b']);
      expect(c.events[1].object.metadata.resourceVersion).toBe(b.metadata.resourceVersion);
      expect(c.events[2].object.metadata.resourceVersion).toBe('3'); // RV of the delete
    });

    it('resumes from a resourceVersion and reports 410 after compaction', async () => {
      const api = new FakeApiClient();
      api.seed(PODS, pod('a'), pod('b'));
      const c = collect();
      api.watch(PODS, 'default', { resourceVersion: '1' }, c.fn);
      await flushMicrotasks();
      expect(c.seen()).toEqual(['ADDED:b']);
      api.compact();
      const old = collect();
      const w = api.watch(PODS, 'default', { resourceVersion: '1' }, old.fn);
      await w.done;
      expect(old.events[0].type).toBe('ERROR');
      expect(old.events[0].object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    });

    it('a filtered watch sees objects enter and leave its filter', async () => {
      const api = new FakeApiClient();
      api.seed(PODS, pod('a'));
      const c = collect();
      api.watch(PODS, undefined, { fieldSelector: 'spec.nodeName=n1' }, c.fn);
      await api.createSubresource(PODS, 'default', 'a', 'binding', { target: { name: 'n1' } });
      await api.patch(PODS, 'default', 'a', 'merge', { metadata: { labels: { a: 'b' } } });
      await api.patch(PODS, 'default', 'a', 'merge', { spec: { nodeName: 'n2' } });
      await flushMicrotasks();
      expect(c.seen()).toEqual(['ADDED:a', 'MODIFIED:a', 'DELETED:a']);
    });

    it('stop, endWatches, breakWatches, timeoutSeconds, bookmarks and failNext settle done', async () => {
      const clock = new FakeClock();
      const api = new FakeApiClient({ clock });
      const c = collect();
      const stopped = api.watch(PODS, undefined, {}, c.fn);
      stopped.stop();
      await stopped.done;
      const ended = api.watch(PODS, undefined, { allowWatchBookmarks: true }, c.fn);
      api.sendBookmarks();
      api.endWatches();
      await ended.done;
      expect(c.seen()).toEqual(['BOOKMARK:0']);
      const broken = api.watch(PODS, undefined, {}, c.fn);
      api.breakWatches();
      await expect(broken.done).rejects.toMatchObject({ code: 503 });
      const timed = api.watch(PODS, undefined, { timeoutSeconds: 300 }, c.fn);
      expect(api.activeWatches()).toBe(1);
      await clock.advance(300_000);
      await timed.done;
      expect(api.activeWatches()).toBe(0);
      api.failNext('watch', new ApiError(500, 'InternalError', 'nope'));
      await expect(api.watch(PODS, undefined, {}, c.fn).done).rejects.toThrow('nope');
    });

    it('sendWatchError delivers an ERROR event and ends the watch', async () => {
      const api = new FakeApiClient();
      const c = collect();
      const w = api.watch(PODS, undefined, {}, c.fn);
      api.sendWatchError();
      await w.done;
      expect(c.events.map((e) => e.type)).toEqual(['ERROR']);
    });
  });
});
