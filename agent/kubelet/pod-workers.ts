// One serialized worker per pod (the kubelet's podWorkers): a pod's syncs never overlap, different pods sync in
// parallel up to a global limit. A sync requested while one runs is remembered and runs right after (once,
// however many requests came in). A failed sync is retried with a growing delay.
import type { Clock, TimerHandle } from '../../src/common/clock.js';

export interface PodWorkersOptions {
  sync: (key: string) => Promise<void>;
  clock: Clock;
  concurrency?: number;
  /** A sync failed; `failures` counts the key's failures in a row (1 for the first). */
  onError?: (key: string, err: unknown, failures: number) => void;
  /** Retry delays after failures: first, doubling up to max. */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export class PodWorkers {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Set<string>();
  private readonly again = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly retries = new Map<string, TimerHandle>();
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  private readonly concurrency: number;

  constructor(private readonly opts: PodWorkersOptions) {
    this.concurrency = opts.concurrency ?? 8;
  }

  enqueue(key: string): void {
    if (this.stopped) return;
    if (this.running.has(key)) {
      this.again.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  /** Resolves once no sync is running or waiting (tests use it to let the loop settle). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.queued.clear();
    this.again.clear();
    for (const t of this.retries.values()) this.opts.clock.clearTimeout(t);
    this.retries.clear();
  }

  private isIdle(): boolean {
    return this.running.size === 0 && this.queue.length === 0;
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.concurrency && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      void this.run(key);
    }
    if (this.isIdle() || this.stopped) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((w) => w());
    }
  }

  private async run(key: string): Promise<void> {
    this.running.add(key);
    try {
      await this.opts.sync(key);
      this.failures.delete(key);
    } catch (err) {
      const failures = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, failures);
      this.opts.onError?.(key, err, failures);
      this.scheduleRetry(key, failures);
    } finally {
      this.running.delete(key);
      if (this.again.delete(key)) this.enqueue(key);
      this.pump();
    }
  }

  private scheduleRetry(key: string, n: number): void {
    const base = this.opts.retryBaseMs ?? 1000;
    const delay = Math.min(base * 2 ** (n - 1), this.opts.retryMaxMs ?? 30_000);
    this.opts.clock.clearTimeout(this.retries.get(key));
    this.retries.set(
      key,
      this.opts.clock.setTimeout(() => {
        this.retries.delete(key);
        this.enqueue(key);
      }, delay),
    );
  }
}
