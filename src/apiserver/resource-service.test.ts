import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/types.js';
import { ApiError } from '../common/errors.js';
import { CONFIGMAPS, EVENTS, harness, NAMESPACES, NODES, pod, PODS, configMap } from './test-support.js';

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error('expected a rejection');
}

describe('ResourceService create', () => {
  it('stamps uid, creationTimestamp, generation and resourceVersion, runs defaults, drops client-owned fields', async () => {
    const { service, clock } = await harness();
    const body = pod('web');
    body.metadata.uid = 'client-uid';
    body.metadata.resourceVersion = '999';
    body.metadata.deletionTimestamp = '2020-01-01T00:00:00Z';
    body.status = { phase: 'Running' };
    const created = await service.create(PODS, 'default', body);
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.uid).not.toBe('client-uid');
    expect(created.metadata.creationTimestamp).toBe(
      new Date(clock.now()).toISOString().replace('.000Z', 'Z'),
    );
    expect(created.metadata.generation).toBe(1);
    expect(created.metadata.deletionTimestamp).toBeUndefined();
    expect(Number(created.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(created.metadata.resourceVersion).not.toBe('999');
    expect(created.metadata.namespace).toBe('default');
    expect(created.spec.restartPolicy).toBe('Always'); // defaults ran
    expect(created.status.phase).toBe('Pending'); // client status ignored (status subresource)
    expect(body.metadata.uid).toBe('client-uid'); // the caller's object is untouched
  });

  it('keeps client status for kinds without a status subresource', async () => {
    const { service } = await harness();
    const ev = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e1' },
      involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
      reason: 'Started',
      message: 'hi',
      type: 'Normal',
    };
    const created = await service.create(EVENTS, 'default', ev as KubeObject);
    expect(created.reason).toBe('Started');
  });

  it('keeps the status a kubelet registers its Node with (keepStatusOnCreate)', async () => {
    const { service } = await harness();
    const created = await service.create(NODES, undefined, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
      status: { capacity: { cpu: '2' }, conditions: [{ type: 'Ready', status: 'True' }] },
    });
    expect(created.status.capacity).toEqual({ cpu: '2' });
    expect(created.status.conditions[0].type).toBe('Ready');
  });

  it('generates names from generateName and retries on a clash', async () => {
    const suffixes = ['aaaaa', 'aaaaa', 'bbbbb'];
    const { service } = await harness({ nameSuffix: () => suffixes.shift() ?? 'zzzzz' });
    const a = await service.create(CONFIGMAPS, 'default', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { generateName: 'cfg-' },
    });
    const b = await service.create(CONFIGMAPS, 'default', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { generateName: 'cfg-' },
    });
    expect(a.metadata.name).toBe('cfg-aaaaa');
    expect(b.metadata.name).toBe('cfg-bbbbb');
  });

  it('uses only Kubernetes name-suffix characters by default', async () => {
    const { service } = await harness();
    const a = await service.create(CONFIGMAPS, 'default', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { generateName: 'x-' },
    });
    expect(a.metadata.name).toMatch(/^x-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('rejects a namespace mismatch, a missing namespace and a terminating namespace', async () => {
    const { service } = await harness();
    const wrong = configMap('c');
    wrong.metadata.namespace = 'kube-system';
    const e1 = await rejection(service.create(CONFIGMAPS, 'default', wrong));
    expect(e1.code).toBe(400);
    expect(e1.message).toBe(
      'the namespace of the provided object does not match the namespace sent on the request',
    );

    const e2 = await rejection(service.create(CONFIGMAPS, 'nope', configMap('c')));
    expect(e2.code).toBe(404);
    expect(e2.message).toBe('namespaces "nope" not found');

    await service.create(NAMESPACES, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'gone' },
    });
    await service.delete(NAMESPACES, undefined, 'gone');
    const e3 = await rejection(service.create(CONFIGMAPS, 'gone', configMap('c')));
    expect(e3.code).toBe(403);
    expect(e3.reason).toBe('Forbidden');
    expect(e3.message).toContain(
      'unable to create new content in namespace gone because it is being terminated',
    );
  });

  it('rejects a body of another kind', async () => {
    const { service } = await harness();
    const e = await rejection(service.create(PODS, 'default', configMap('c')));
    expect(e.code).toBe(400);
  });

  it('dryRun validates and answers without storing', async () => {
    const { service, store } = await harness();
    const before = await store.revision();
    const out = await service.create(PODS, 'default', pod('dry'), { dryRun: true });
    expect(out.metadata.name).toBe('dry');
    expect(out.metadata.uid).toBeDefined();
    expect(await store.revision()).toBe(before);
    await expect(service.get(PODS, 'default', 'dry')).rejects.toMatchObject({ code: 404 });
  });

  it('422 names the field of an invalid object and stores nothing', async () => {
    const { service, store } = await harness();
    const before = await store.revision();
    const bad = pod('bad');
    delete bad.spec.containers[0].image;
    const e = await rejection(service.create(PODS, 'default', bad));
    expect(e.code).toBe(422);
    expect(e.details?.kind).toBe('Pod');
    expect(e.details?.causes?.map((c) => c.field)).toContain('spec.containers[0].image');
    // each cause once, although the kind re-runs the metadata checks
    const upper = await rejection(service.create(PODS, 'default', pod('Upper')));
    expect(upper.details?.causes?.filter((c) => c.field === 'metadata.name')).toHaveLength(1);
    expect(await store.revision()).toBe(before);
  });

  it('seeds the system namespaces idempotently', async () => {
    const { service } = await harness();
    await service.ensureSystemNamespaces();
    const names = (await service.list(NAMESPACES, undefined)).items.map((n) => n.metadata.name);
    expect(names).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  });
});

describe('ResourceService update', () => {
  it('keeps server-owned metadata and status, bumps generation only for spec changes, skips no-op writes', async () => {
    const { service } = await harness();
    const created = await service.create(PODS, 'default', pod('web'));
    const next = structuredClone(created);
    next.metadata.labels = { a: 'b' };
    next.metadata.uid = undefined;
    next.metadata.creationTimestamp = '2000-01-01T00:00:00Z';
    next.status = { phase: 'Succeeded' };
    const labelled = await service.update(PODS, 'default', 'web', next);
    expect(labelled.metadata.uid).toBe(created.metadata.uid);
    expect(labelled.metadata.creationTimestamp).toBe(created.metadata.creationTimestamp);
    expect(labelled.metadata.generation).toBe(1);
    expect(labelled.status.phase).toBe('Pending');
    expect(Number(labelled.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );

    const imaged = structuredClone(labelled);
    imaged.spec.containers[0].image = 'busybox:2';
    const bumped = await service.update(PODS, 'default', 'web', imaged);
    expect(bumped.metadata.generation).toBe(2);

    const same = await service.update(PODS, 'default', 'web', structuredClone(bumped));
    expect(same.metadata.resourceVersion).toBe(bumped.metadata.resourceVersion);
    delete (same.metadata as Record<string, unknown>).resourceVersion;
    const again = await service.update(PODS, 'default', 'web', same);
    expect(again.metadata.resourceVersion).toBe(bumped.metadata.resourceVersion);
  });

  it('409 for a stale resourceVersion, 404 for a missing object, 400 for a name mismatch', async () => {
    const { service } = await harness();
    const created = await service.create(CONFIGMAPS, 'default', configMap('c', { a: '1' }));
    await service.update(CONFIGMAPS, 'default', 'c', { ...created, data: { a: '2' } });
    const stale = await rejection(
      service.update(CONFIGMAPS, 'default', 'c', { ...created, data: { a: '3' } }),
    );
    expect(stale.code).toBe(409);
    expect(stale.reason).toBe('Conflict');
    expect((await service.get(CONFIGMAPS, 'default', 'c')).data).toEqual({ a: '2' });
    expect((await rejection(service.update(CONFIGMAPS, 'default', 'x', configMap('x')))).code).toBe(404);
    expect((await rejection(service.update(CONFIGMAPS, 'default', 'c', configMap('other')))).code).toBe(400);
  });

  it('updateStatus changes only status and never bumps generation', async () => {
    const { service } = await harness();
    const created = await service.create(PODS, 'default', pod('web'));
    const body = structuredClone(created);
    body.status = { phase: 'Running' };
    body.metadata.labels = { sneaky: 'yes' };
    body.spec.containers[0].image = 'other';
    const out = await service.updateStatus(PODS, 'default', 'web', body);
    expect(out.status.phase).toBe('Running');
    expect(out.metadata.labels).toBeUndefined();
    expect(out.spec.containers[0].image).toBe('busybox');
    expect(out.metadata.generation).toBe(1);
    const stale = await rejection(service.updateStatus(PODS, 'default', 'web', body));
    expect(stale.code).toBe(409);
    await expect(service.updateStatus(CONFIGMAPS, 'default', 'x', configMap('x'))).rejects.toMatchObject({
      code: 404,
    });
  });
});

describe('ResourceService patch', () => {
  it('applies merge patches and retries when another writer got in between', async () => {
    const { service, store } = await harness();
    await service.create(CONFIGMAPS, 'default', configMap('c', { a: '1' }));
    // A concurrent writer: the first store.update after the read fails with a Conflict.
    const update = store.update.bind(store);
    let raced = false;
    store.update = async (key, obj, opts) => {
      if (!raced) {
        raced = true;
        const current = (await store.get(key))!;
        await update(key, { ...current, data: { ...(current.data as object), other: 'x' } });
      }
      return update(key, obj, opts);
    };
    const out = await service.patch(CONFIGMAPS, 'default', 'c', 'merge', { data: { b: '2' } });
    expect(out.created).toBe(false);
    expect(out.object.data).toEqual({ a: '1', b: '2', other: 'x' });
  });

  it('does not retry a patch that names a stale resourceVersion', async () => {
    const { service } = await harness();
    const c = await service.create(CONFIGMAPS, 'default', configMap('c', { a: '1' }));
    await service.patch(CONFIGMAPS, 'default', 'c', 'merge', { data: { a: '2' } });
    const e = await rejection(
      service.patch(CONFIGMAPS, 'default', 'c', 'merge', {
        metadata: { resourceVersion: c.metadata.resourceVersion },
        data: { a: '3' },
      }),
    );
    expect(e.code).toBe(409);
  });

  it('server-side apply creates a missing object, then merges', async () => {
    const { service } = await harness();
    const first = await service.patch(CONFIGMAPS, 'default', 'c', 'apply', configMap('c', { a: '1' }));
    expect(first.created).toBe(true);
    expect(first.object.metadata.uid).toBeDefined();
    const second = await service.patch(CONFIGMAPS, 'default', 'c', 'apply', configMap('c', { b: '2' }));
    expect(second.created).toBe(false);
    expect(second.object.data).toEqual({ a: '1', b: '2' });
  });

  it('a status patch touches only status', async () => {
    const { service } = await harness();
    await service.create(PODS, 'default', pod('web'));
    const out = await service.patch(
      PODS,
      'default',
      'web',
      'merge',
      { status: { phase: 'Running' }, metadata: { labels: { x: 'y' } } },
      { subresource: 'status' },
    );
    expect(out.object.status.phase).toBe('Running');
    expect(out.object.metadata.labels).toBeUndefined();
  });
});

describe('ResourceService delete', () => {
  it('marks a bound running pod for graceful deletion, may shorten never lengthen the grace, removes at 0', async () => {
    const { service, clock } = await harness();
    const p = pod('web');
    p.spec.terminationGracePeriodSeconds = 20;
    await service.create(PODS, 'default', p);
    await service.bind('default', 'web', { target: { kind: 'Node', name: 'n1' } });
    const marked = await service.delete(PODS, 'default', 'web');
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(20);
    expect(Date.parse(marked.metadata.deletionTimestamp!)).toBe(
      Math.floor((clock.now() + 20_000) / 1000) * 1000,
    );
    const longer = await service.delete(PODS, 'default', 'web', { gracePeriodSeconds: 60 });
    expect(longer.metadata.deletionGracePeriodSeconds).toBe(20);
    const shorter = await service.delete(PODS, 'default', 'web', { gracePeriodSeconds: 5 });
    expect(shorter.metadata.deletionGracePeriodSeconds).toBe(5);
    const gone = await service.delete(PODS, 'default', 'web', { gracePeriodSeconds: 0 });
    expect(gone.metadata.name).toBe('web');
    await expect(service.get(PODS, 'default', 'web')).rejects.toMatchObject({ code: 404 });
  });

  it('removes an unbound pod at once, and answers 404 for a missing one', async () => {
    const { service } = await harness();
    await service.create(PODS, 'default', pod('web'));
    await service.delete(PODS, 'default', 'web');
    await expect(service.get(PODS, 'default', 'web')).rejects.toMatchObject({ code: 404 });
    await expect(service.delete(PODS, 'default', 'web')).rejects.toMatchObject({
      code: 404,
      reason: 'NotFound',
    });
  });

  it('holds objects with finalizers until an update removes the last one', async () => {
    const { service } = await harness();
    const c = configMap('c');
    c.metadata.finalizers = ['example.com/hold'];
    await service.create(CONFIGMAPS, 'default', c);
    const marked = await service.delete(CONFIGMAPS, 'default', 'c');
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    const current = await service.get(CONFIGMAPS, 'default', 'c');
    current.metadata.finalizers = [];
    await service.update(CONFIGMAPS, 'default', 'c', current);
    await expect(service.get(CONFIGMAPS, 'default', 'c')).rejects.toMatchObject({ code: 404 });
  });

  it('adds the propagation finalizers and checks preconditions', async () => {
    const { service } = await harness();
    const created = await service.create(CONFIGMAPS, 'default', configMap('c'));
    const bad = await rejection(
      service.delete(CONFIGMAPS, 'default', 'c', { preconditions: { uid: 'other' } }),
    );
    expect(bad.code).toBe(409);
    const marked = await service.delete(CONFIGMAPS, 'default', 'c', {
      propagationPolicy: 'Foreground',
      preconditions: { uid: created.metadata.uid, resourceVersion: created.metadata.resourceVersion },
    });
    expect(marked.metadata.finalizers).toEqual(['foregroundDeletion']);
    await service.create(CONFIGMAPS, 'default', configMap('d'));
    expect(
      (await service.delete(CONFIGMAPS, 'default', 'd', { propagationPolicy: 'Orphan' })).metadata.finalizers,
    ).toEqual(['orphan']);
  });

  it('turns a namespace Terminating, protects the system namespaces, finalizes', async () => {
    const { service } = await harness();
    await service.create(NAMESPACES, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team' },
    });
    const marked = await service.delete(NAMESPACES, undefined, 'team');
    expect(marked.status.phase).toBe('Terminating');
    expect(marked.spec.finalizers).toEqual(['kubernetes']);
    expect((await service.get(NAMESPACES, undefined, 'team')).metadata.deletionTimestamp).toBeDefined();
    const forbidden = await rejection(service.delete(NAMESPACES, undefined, 'default'));
    expect(forbidden.code).toBe(403);
    expect(forbidden.message).toContain('this namespace may not be deleted');
    // the namespace controller empties spec.finalizers: the namespace goes
    const current = await service.get(NAMESPACES, undefined, 'team');
    current.spec.finalizers = [];
    await service.update(NAMESPACES, undefined, 'team', current);
    await expect(service.get(NAMESPACES, undefined, 'team')).rejects.toMatchObject({ code: 404 });
  });

  it('deleteCollection deletes what the selector matches', async () => {
    const { service } = await harness();
    await service.create(CONFIGMAPS, 'default', configMap('a', {}, { app: 'x' }));
    await service.create(CONFIGMAPS, 'default', configMap('b', {}, { app: 'y' }));
    const out = await service.deleteCollection(CONFIGMAPS, 'default', { labelSelector: 'app=x' });
    expect(out.items.map((i) => i.metadata.name)).toEqual(['a']);
    expect((await service.list(CONFIGMAPS, 'default')).items.map((i) => i.metadata.name)).toEqual(['b']);
    await expect(service.deleteCollection(NAMESPACES, undefined, {})).rejects.toMatchObject({ code: 405 });
  });
});

describe('ResourceService bind', () => {
  it('sets nodeName and PodScheduled, refuses a second binding', async () => {
    const { service } = await harness();
    await service.create(PODS, 'default', pod('web'));
    const status = await service.bind('default', 'web', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'web' },
      target: { kind: 'Node', name: 'n1' },
    });
    expect(status.status).toBe('Success');
    const bound = await service.get(PODS, 'default', 'web');
    expect(bound.spec.nodeName).toBe('n1');
    expect(bound.status.conditions).toEqual([
      expect.objectContaining({ type: 'PodScheduled', status: 'True' }),
    ]);
    const again = await rejection(service.bind('default', 'web', { target: { kind: 'Node', name: 'n2' } }));
    expect(again.code).toBe(409);
    expect(again.message).toContain('pod web is already assigned to node "n1"');
    await expect(service.bind('default', 'nope', { target: { name: 'n1' } })).rejects.toMatchObject({
      code: 404,
    });
    await expect(service.bind('default', 'web', { target: {} })).rejects.toMatchObject({ code: 400 });
  });
});

describe('ResourceService list', () => {
  it('filters by label and field selectors and rejects unknown fields', async () => {
    const { service } = await harness();
    await service.create(PODS, 'default', pod('a', { labels: { app: 'web', tier: 'fe' } }));
    await service.create(PODS, 'default', pod('b', { labels: { app: 'web' } }));
    await service.create(PODS, 'kube-system', pod('c', { labels: { app: 'db' } }));
    await service.bind('default', 'b', { target: { name: 'n1' } });
    const names = async (ns: string | undefined, opts: object) =>
      (await service.list(PODS, ns, opts)).items.map((i) => i.metadata.name);
    expect(await names('default', { labelSelector: 'app=web,tier' })).toEqual(['a']);
    expect(await names(undefined, { labelSelector: 'app in (web,db),!tier' })).toEqual(['b', 'c']);
    expect(await names(undefined, { fieldSelector: 'spec.nodeName=n1,status.phase!=Succeeded' })).toEqual([
      'b',
    ]);
    expect(await names(undefined, { fieldSelector: 'metadata.namespace=kube-system' })).toEqual(['c']);
    await expect(service.list(PODS, 'default', { fieldSelector: 'spec.bogus=1' })).rejects.toMatchObject({
      code: 400,
      message: 'field label not supported: spec.bogus',
    });
    const list = await service.list(PODS, 'default');
    expect(list.kind).toBe('PodList');
    expect(list.apiVersion).toBe('v1');
    expect(list.metadata.continue).toBeUndefined();
    expect(list.items.every((i) => i.kind === 'Pod' && i.apiVersion === 'v1')).toBe(true);
  });

  it('lists cluster-scoped resources ignoring a namespace', async () => {
    const { service } = await harness();
    await service.create(NODES, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    expect((await service.list(NODES, 'default')).items).toHaveLength(1);
  });
});
