// The generic controller loop (STYLE.md 1a): informer handlers only enqueue keys; N workers take keys from the
// queue and call sync(key), which re-reads the current state and is idempotent. A failed sync is retried with
// per-key backoff; a successful one resets it. An optional periodic resync re-enqueues every key, so a missed
// event or a failed side effect is repaired within one period (level-triggered).
import { systemClock, type Clock, type TimerHandle } from '../../common/clock.js';
import { silentLogger, type Logger } from '../../common/logger.js';
import { WorkQueue, type RateLimitOptions } from './work-queue.js';

export interface ControllerOptions {
  /** For logs, e.g. 'replicaset'. */
  name: string;
  sync: (key: string) => Promise<void>;
  /** Parallel workers (never two on the same key); default 2. */
  workers?: number;
  clock?: Clock;
  logger?: Logger;
  rateLimit?: RateLimitOptions;
  /** Every resyncPeriodMs, each key from resyncKeys() is enqueued. */
  resyncPeriodMs?: number;
  resyncKeys?: () => Iterable<string>;
  /** After this many consecutive failures a key is dropped (logged) until something enqueues it again. */
  maxRetries?: number;
}

export class Controller {
  readonly queue: WorkQueue<string>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private workers: Promise<void>[] = [];
  private resyncTimer: TimerHandle | undefined;
  private stopped = false;

  constructor(private readonly opts: ControllerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = (opts.logger ?? silentLogger).child({ controller: opts.name });
    this.queue = new WorkQueue<string>({ clock: this.clock, rateLimit: opts.rateLimit });
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  enqueueAfter(key: string, delayMs: number): void {
    this.queue.addAfter(key, delayMs);
  }

  /** Starts the workers (and the resync timer). Call after the informers have synced. */
  start(): void {
    if (this.workers.length > 0 || this.stopped) return;
    const n = Math.max(1, this.opts.workers ?? 2);
    for (let i = 0; i < n; i++) this.workers.push(this.runWorker());
    this.scheduleResync();
  }

  /** Stops taking keys; resolves when the syncs in flight have finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.resyncTimer);
    this.queue.shutDown();
    await Promise.all(this.workers);
  }

  /** Processes one key (waits for one if the queue is empty). False once shut down. Exposed for tests. */
  async processNext(): Promise<boolean> {
    const key = await this.queue.get();
    if (key === undefined) return false;
    try {
      await this.opts.sync(key);
      this.queue.forget(key);
    } catch (err) {
      this.handleError(key, err);
    } finally {
      this.queue.done(key);
    }
    return true;
  }

  private async runWorker(): Promise<void> {
    while (await this.processNext()) {
      // keep going until shut down
    }
  }

  private handleError(key: string, err: unknown): void {
    const retries = this.queue.numRequeues(key);
    if (this.opts.maxRetries !== undefined && retries >= this.opts.maxRetries) {
      this.log.error({ err, key, retries }, 'sync failed too often; dropping the key');
      this.queue.forget(key);
      return;
    }
    this.log.warn({ err, key, retries }, 'sync failed; will retry');
    this.queue.addRateLimited(key);
  }

  private scheduleResync(): void {
    const { resyncPeriodMs, resyncKeys } = this.opts;
    if (!resyncPeriodMs || !resyncKeys || this.stopped) return;
    this.resyncTimer = this.clock.setTimeout(() => {
      try {
        for (const key of resyncKeys()) this.queue.add(key);
      } catch (err) {
        this.log.error({ err }, 'resync failed');
      }
      this.scheduleResync();
    }, resyncPeriodMs);
  }
}
