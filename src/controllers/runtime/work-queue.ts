// The controllers' key queue, after client-go's workqueue ("Stingy"): a key waits in the queue at most once
// (dedupe), is never handed to two workers at the same time (a key re-added while it is processed is queued
// again when done()), and failures come back rate-limited with per-key exponential backoff until forget().
import { systemClock, type Clock, type TimerHandle } from '../../common/clock.js';

export interface RateLimitOptions {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** client-go's DefaultControllerRateLimiter per-item part: 5 ms doubling up to 1000 s. */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { baseDelayMs: 5, maxDelayMs: 1_000_000 };

/** The delay before retry number `failures` (0-based): base·2^failures, capped. */
export function backoffDelay(failures: number, opts: RateLimitOptions = DEFAULT_RATE_LIMIT): number {
  const d = opts.baseDelayMs * 2 ** failures;
  return Number.isFinite(d) ? Math.min(d, opts.maxDelayMs) : opts.maxDelayMs;
}

export interface WorkQueueOptions {
  clock?: Clock;
  rateLimit?: RateLimitOptions;
}

export class WorkQueue<K = string> {
  private items: K[] = [];
  private head = 0;
  /** Keys that need processing (queued, or re-added while processing). */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly waiting = new Map<K, { due: number; timer: TimerHandle }>();
  private readonly failures = new Map<K, number>();
  private readonly getters: ((k: K | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly clock: Clock;
  private readonly rateLimit: RateLimitOptions;

  constructor(opts: WorkQueueOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.rateLimit = opts.rateLimit ?? DEFAULT_RATE_LIMIT;
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // done() queues it again
    this.push(key);
  }

  /** Adds the key after a delay; of several pending delays for one key the earliest wins. */
  addAfter(key: K, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const due = this.clock.now() + delayMs;
    const existing = this.waiting.get(key);
    if (existing && existing.due <= due) return;
    if (existing) this.clock.clearTimeout(existing.timer);
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, delayMs);
    this.waiting.set(key, { due, timer });
  }

  /** Re-adds a key that failed, after its backoff; each call doubles the key's next delay until forget(). */
  addRateLimited(key: K): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.addAfter(key, backoffDelay(n, this.rateLimit));
  }

  /** The key succeeded: its backoff starts over. */
  forget(key: K): void {
    this.failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process (mark it done() afterwards), or undefined once the queue is shut down. */
  get(): Promise<K | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.pop();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) this.push(key);
  }

  /** Keys ready to be processed now. */
  len(): number {
    return this.items.length - this.head;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Stops handing out keys: pending and future get() calls return undefined; delayed adds are dropped. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const w of this.waiting.values()) this.clock.clearTimeout(w.timer);
    this.waiting.clear();
    for (const g of this.getters.splice(0)) g(undefined);
  }

  private push(key: K): void {
    const getter = this.getters.shift();
    if (getter) {
      this.take(key);
      getter(key);
    } else {
      this.items.push(key);
    }
  }

  private pop(): K | undefined {
    if (this.head >= this.items.length) return undefined;
    const key = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.take(key);
    return key;
  }

  private take(key: K): void {
    this.dirty.delete(key);
    this.processing.add(key);
  }
}
