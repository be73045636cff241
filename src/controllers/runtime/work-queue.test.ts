import { describe, expect, it } from 'vitest';
import { WorkQueue, backoffDelay, DEFAULT_RATE_LIMIT } from './work-queue.js';
import { FakeClock, flushMicrotasks } from '../../../test/fakes/fake-clock.js';

describe('WorkQueue', () => {
  it('hands out keys in FIFO order and dedupes keys waiting in the queue', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.len()).toBe(0);
  });

  it('never hands one key to two workers; a key re-added while processing comes back after done()', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    q.add('a');
    const first = await q.get();
    q.add('a'); // an event arrives while 'a' is being synced
    q.add('a');
    expect(q.len()).toBe(0); // not available to another worker
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await flushMicrotasks();
    expect(second).toBeUndefined();
    q.done(first!);
    await flushMicrotasks();
    expect(second).toBe('a'); // processed once more, not twice
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('a waiting get() receives the next added key', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    const got = q.get();
    q.add('x');
    expect(await got).toBe('x');
  });

  it('addRateLimited backs off per key (5 ms doubling) until forget()', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    /** How long (ms) until a rate-limited re-add of 'k' becomes available. */
    const delayOfNextRetry = async () => {
      q.addRateLimited('k');
      let got: string | undefined;
      void q.get().then((k) => (got = k));
      let waited = 0;
      while (got === undefined) {
        await clock.advance(1);
        waited++;
      }
      q.done('k');
      return waited;
    };
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) delays.push(await delayOfNextRetry());
    expect(delays).toEqual([5, 10, 20, 40]);
    expect(q.numRequeues('k')).toBe(4);
    q.forget('k');
    expect(q.numRequeues('k')).toBe(0);
    expect(await delayOfNextRetry()).toBe(5);
  });

  it('addAfter keeps the earliest of several delays for a key', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    q.addAfter('a', 1000);
    q.addAfter('a', 100);
    q.addAfter('a', 5000);
    await clock.advance(99);
    expect(q.len()).toBe(0);
    await clock.advance(1);
    expect(q.len()).toBe(1);
    await clock.advance(10_000);
    expect(q.len()).toBe(1);
  });

  it('shutDown releases waiting workers with undefined and drops delayed keys', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    const waiting = q.get();
    q.addAfter('later', 50);
    q.shutDown();
    expect(await waiting).toBeUndefined();
    expect(await q.get()).toBeUndefined();
    q.add('x');
    expect(q.len()).toBe(0);
    expect(clock.pending()).toBe(0);
    expect(q.isShuttingDown()).toBe(true);
  });

  it.each([
    [0, 5],
    [1, 10],
    [10, 5120],
    [17, 655_360],
    [18, 1_000_000],
    [5000, 1_000_000],
  ])('backoffDelay(%i) = %i ms with the client-go defaults', (failures, ms) => {
    expect(backoffDelay(failures, DEFAULT_RATE_LIMIT)).toBe(ms);
  });

  it('the rate limit is configurable', () => {
    expect(backoffDelay(3, { baseDelayMs: 100, maxDelayMs: 500 })).toBe(500);
    expect(backoffDelay(1, { baseDelayMs: 100, maxDelayMs: 500 })).toBe(200);
  });
});
