import { describe, expect, it } from 'vitest';
import { Controller } from './controller.js';
import { FakeClock, flushMicrotasks } from '../../../test/fakes/fake-clock.js';
import { RecordingLogger } from '../../../test/fakes/recording-logger.js';

/** A sync whose calls can be held open and released by the test. */
function controllableSync() {
  const calls: string[] = [];
  const open = new Map<string, { resolve: () => void; reject: (e: unknown) => void }[]>();
  let active = 0;
  let maxActive = 0;
  const sync = (key: string) =>
    new Promise<void>((resolve, reject) => {
      calls.push(key);
      active++;
      maxActive = Math.max(maxActive, active);
      const done = () => active--;
      const list = open.get(key) ?? [];
      list.push({
        resolve: () => (done(), resolve()),
        reject: (e) => (done(), reject(e)),
      });
      open.set(key, list);
    });
  const finish = (key: string, err?: unknown) => {
    const p = open.get(key)?.shift();
    if (!p) throw new Error(`no open sync for ${key}`);
    if (err) p.reject(err);
    else p.resolve();
  };
  return { sync, calls, finish, maxActive: () => maxActive };
}

describe('Controller', () => {
  it('runs sync for enqueued keys on N workers, never the same key twice at once', async () => {
    const clock = new FakeClock();
    const s = controllableSync();
    const c = new Controller({ name: 'test', sync: s.sync, workers: 3, clock });
    c.start();
    c.enqueue('a');
    c.enqueue('b');
    c.enqueue('c');
    c.enqueue('d');
    await flushMicrotasks();
    expect(s.calls).toEqual(['a', 'b', 'c']);
    c.enqueue('a'); // while 'a' is in flight
    await flushMicrotasks();
    expect(s.calls).toEqual(['a', 'b', 'c']);
    s.finish('b');
    await flushMicrotasks();
    expect(s.calls).toEqual(['a', 'b', 'c', 'd']);
    s.finish('a');
    await flushMicrotasks();
    expect(s.calls).toEqual(['a', 'b', 'c', 'd', 'a']); // re-synced after the first run finished
    expect(s.maxActive()).toBe(3);
    s.finish('a');
    s.finish('c');
    s.finish('d');
    await c.stop();
  });

  it('requeues failures with growing backoff and forgets on success', async () => {
    const clock = new FakeClock();
    const logger = new RecordingLogger();
    let failuresLeft = 3;
    const at: number[] = [];
    const t0 = clock.now();
    const c = new Controller({
      name: 'test',
      clock,
      logger,
      workers: 1,
      sync: async () => {
        at.push(clock.now() - t0);
        if (failuresLeft-- > 0) throw new Error('api down');
      },
    });
    c.start();
    c.enqueue('k');
    await clock.advance(1000);
    expect(at).toEqual([0, 5, 15, 35]);
    expect(c.queue.numRequeues('k')).toBe(0); // forgotten after the success
    expect(logger.records.filter((r) => r.msg === 'sync failed; will retry')).toHaveLength(3);
    await c.stop();
  });

  it('drops a key after maxRetries consecutive failures', async () => {
    const clock = new FakeClock();
    const logger = new RecordingLogger();
    let calls = 0;
    const c = new Controller({
      name: 'test',
      clock,
      logger,
      maxRetries: 2,
      sync: async () => {
        calls++;
        throw new Error('always');
      },
    });
    c.start();
    c.enqueue('k');
    await clock.advance(60_000);
    expect(calls).toBe(3);
    expect(logger.records.some((r) => r.msg === 'sync failed too often; dropping the key')).toBe(true);
    await c.stop();
  });

  it('resync enqueues every key each period', async () => {
    const clock = new FakeClock();
    const synced: string[] = [];
    const c = new Controller({
      name: 'test',
      clock,
      resyncPeriodMs: 30_000,
      resyncKeys: () => ['x', 'y'],
      sync: async (k) => void synced.push(k),
    });
    c.start();
    await clock.advance(29_999);
    expect(synced).toEqual([]);
    await clock.advance(1);
    expect(synced.sort()).toEqual(['x', 'y']);
    await clock.advance(30_000);
    expect(synced).toHaveLength(4);
    await c.stop();
    await clock.advance(60_000);
    expect(synced).toHaveLength(4);
    expect(clock.pending()).toBe(0);
  });

  it('stop waits for syncs in flight and then takes no more keys', async () => {
    const clock = new FakeClock();
    const s = controllableSync();
    const c = new Controller({ name: 'test', sync: s.sync, workers: 1, clock });
    c.start();
    c.enqueue('a');
    await flushMicrotasks();
    let stopped = false;
    void c.stop().then(() => (stopped = true));
    c.enqueue('b');
    await flushMicrotasks();
    expect(stopped).toBe(false);
    s.finish('a');
    await flushMicrotasks();
    expect(stopped).toBe(true);
    expect(s.calls).toEqual(['a']);
  });
});
