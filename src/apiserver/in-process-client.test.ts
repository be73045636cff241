import { describe, expect, it } from 'vitest';
import type { WatchEvent } from '../client/api-client.js';
import { ApiError } from '../common/errors.js';
import { flushMicrotasks } from '../../test/fakes/fake-clock.js';
import { createInProcessClient } from './in-process-client.js';
import { configMap, CONFIGMAPS, harness, pod, PODS } from './test-support.js';

describe('in-process ApiClient', () => {
  it('does CRUD through the service with the same validation and errors', async () => {
    const { service } = await harness();
    const client = createInProcessClient(service);
    const created = await client.create(CONFIGMAPS, 'default', configMap('c', { a: '1' }));
    expect(created.metadata.uid).toBeDefined();
    const got = await client.get(CONFIGMAPS, 'default', 'c');
    got.data = { a: '2' };
    const updated = await client.update(CONFIGMAPS, 'default', got);
    expect(updated.data).toEqual({ a: '2' });
    const patched = await client.patch(CONFIGMAPS, 'default', 'c', 'merge', { data: { b: '3' } });
    expect(patched.data).toEqual({ a: '2', b: '3' });
    expect((await client.list(CONFIGMAPS, 'default')).items.map((i) => i.metadata.name)).toEqual(['c']);
    await client.delete(CONFIGMAPS, 'default', 'c');
    const err = await client.get(CONFIGMAPS, 'default', 'c').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 404, reason: 'NotFound' });
    const bad = pod('x');
    delete bad.spec.containers[0].image;
    await expect(client.create(PODS, 'default', bad)).rejects.toMatchObject({ code: 422 });
  });

  it('binds pods and writes status', async () => {
    const { service } = await harness();
    const client = createInProcessClient(service);
    await client.create(PODS, 'default', pod('web'));
    const result = await client.createSubresource(PODS, 'default', 'web', 'binding', {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'web' },
      target: { kind: 'Node', name: 'n1' },
    });
    expect(result).toMatchObject({ status: 'Success' });
    const p = await client.get(PODS, 'default', 'web');
    p.status.phase = 'Running';
    expect((await client.updateStatus(PODS, 'default', p)).status.phase).toBe('Running');
    await expect(client.createSubresource(PODS, 'default', 'web', 'eviction', {})).rejects.toMatchObject({
      code: 404,
    });
  });

  it('hands out copies: mutating a result does not change the store', async () => {
    const { service } = await harness();
    const client = createInProcessClient(service);
    const list = await client.list(CONFIGMAPS, 'default');
    await client.create(CONFIGMAPS, 'default', configMap('c', { a: '1' }));
    const got = await client.get(CONFIGMAPS, 'default', 'c');
    (got.data as Record<string, string>).a = 'mutated';
    expect((await client.get(CONFIGMAPS, 'default', 'c')).data).toEqual({ a: '1' });
    expect(list.items).toEqual([]);
  });

  it('delivers watch events asynchronously and in order, then stops', async () => {
    const { service } = await harness();
    const client = createInProcessClient(service);
    await client.create(CONFIGMAPS, 'default', configMap('a'));
    const events: WatchEvent[] = [];
    const handle = client.watch(CONFIGMAPS, 'default', { resourceVersion: '0' }, (e) => events.push(e));
    expect(events).toEqual([]); // nothing synchronously
    await flushMicrotasks();
    await client.create(CONFIGMAPS, 'default', configMap('b'));
    await client.delete(CONFIGMAPS, 'default', 'a');
    await flushMicrotasks();
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED a',
      'ADDED b',
      'DELETED a',
    ]);
    events[0].object.metadata.name = 'mutated'; // copies: other watchers are not affected
    handle.stop();
    await handle.done;
    await client.create(CONFIGMAPS, 'default', configMap('c'));
    await flushMicrotasks();
    expect(events).toHaveLength(3);
  });

  it('ends with an ERROR event for an expired resourceVersion, rejects done for a bad request', async () => {
    const { service } = await harness({ historySize: 2 });
    const client = createInProcessClient(service);
    for (let i = 0; i < 10; i++) await client.create(CONFIGMAPS, 'default', configMap(`c${i}`));
    const events: WatchEvent[] = [];
    const handle = client.watch(CONFIGMAPS, 'default', { resourceVersion: '1' }, (e) => events.push(e));
    await handle.done;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });

    const bad = client.watch(CONFIGMAPS, 'default', { labelSelector: '!!' }, () => undefined);
    await expect(bad.done).rejects.toMatchObject({ code: 400 });
  });

  it('ends at timeoutSeconds', async () => {
    const { service, clock } = await harness();
    const client = createInProcessClient(service);
    const handle = client.watch(CONFIGMAPS, 'default', { timeoutSeconds: 2 }, () => undefined);
    let done = false;
    void handle.done.then(() => (done = true));
    await clock.advance(1_000);
    expect(done).toBe(false);
    await clock.advance(1_000);
    expect(done).toBe(true);
  });
});
