import { describe, expect, it } from 'vitest';
import { FakeClock, flushMicrotasks } from '../../test/fakes/fake-clock.js';
import { PodWorkers } from './pod-workers.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('PodWorkers', () => {
  it('never overlaps syncs of one pod, and coalesces requests made meanwhile into one more sync', async () => {
    const clock = new FakeClock();
    const gates: ReturnType<typeof deferred>[] = [];
    const log: string[] = [];
    const workers = new PodWorkers({
      clock,
      sync: async (key) => {
        log.push(`start ${key}`);
        const g = deferred();
        gates.push(g);
        await g.promise;
        log.push(`end ${key}`);
      },
    });
    workers.enqueue('a');
    workers.enqueue('a');
    workers.enqueue('a');
    await flushMicrotasks();
    expect(log).toEqual(['start a']);
    gates[0].resolve();
    await flushMicrotasks();
    expect(log).toEqual(['start a', 'end a', 'start a']);
    gates[1].resolve();
    await workers.idle();
    expect(log).toEqual(['start a', 'end a', 'start a', 'end a']);
  });

  it('runs different pods in parallel up to the concurrency limit', async () => {
    const clock = new FakeClock();
    let active = 0;
    let peak = 0;
    const gates: ReturnType<typeof deferred>[] = [];
    const workers = new PodWorkers({
      clock,
      concurrency: 2,
      sync: async () => {
        peak = Math.max(peak, ++active);
        const g = deferred();
        gates.push(g);
        await g.promise;
        active--;
      },
    });
    for (const k of ['a', 'b', 'c', 'd']) workers.enqueue(k);
    await flushMicrotasks();
    expect(active).toBe(2);
    while (gates.some((g) => g)) {
      gates.shift()!.resolve();
      await flushMicrotasks();
    }
    await workers.idle();
    expect(peak).toBe(2);
  });

  it('retries a failed sync with a growing delay', async () => {
    const clock = new FakeClock();
    const attempts: number[] = [];
    const errors: string[] = [];
    const workers = new PodWorkers({
      clock,
      retryBaseMs: 1000,
      sync: async () => {
        attempts.push(clock.now());
        if (attempts.length < 3) throw new Error('engine busy');
      },
      onError: (key, err) => errors.push(`${key}: ${(err as Error).message}`),
    });
    const t0 = clock.now();
    workers.enqueue('a');
    await clock.advance(10_000);
    expect(attempts.map((t) => t - t0)).toEqual([0, 1000, 3000]);
    expect(errors).toEqual(['a: engine busy', 'a: engine busy']);
    workers.stop();
  });

  it('tells onError how many times in a row a pod failed, and starts counting over after a success', async () => {
    const clock = new FakeClock();
    let fail = true;
    const seen: number[] = [];
    const workers = new PodWorkers({
      clock,
      sync: async () => {
        if (fail) throw new Error('unreachable');
      },
      onError: (_key, _err, failures) => seen.push(failures),
    });
    workers.enqueue('a');
    await clock.advance(1000 + 2000 + 4000);
    expect(seen).toEqual([1, 2, 3, 4]);
    fail = false;
    await clock.advance(8000);
    fail = true;
    workers.enqueue('a');
    await workers.idle();
    expect(seen).toEqual([1, 2, 3, 4, 1]);
    workers.stop();
  });
});
