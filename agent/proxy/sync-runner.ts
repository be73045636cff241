// Coalesces sync requests like Kubernetes' async.BoundedFrequencyRunner (pkg/util/async), which kube-proxy uses
// to run syncProxyRules: at most one run at a time, runs start at least `minIntervalMs` apart, any number of
// requests while waiting become one run, a failed run is retried with exponential backoff, and a run happens at
// least every `maxIntervalMs` even without requests. All timing goes through the Clock.
import type { Clock, TimerHandle } from '../../src/common/clock.js';
import type { Logger } from '../../src/common/logger.js';
import { nextBackoff, type BackoffOptions } from '../../src/client/informer.js';

export interface SyncRunnerOptions {
  clock: Clock;
  logger: Logger;
  /** The work. A rejection counts as a failure and schedules a retry. */
  run: () => Promise<void>;
  minIntervalMs: number;
  maxIntervalMs: number;
  /** Delays between retries after failures (doubling from initialMs up to maxMs). */
  retry: Pick<BackoffOptions, 'initialMs' | 'maxMs' | 'factor'>;
}

export class SyncRunner {
  private pending = false;
  private current: Promise<void> | undefined;
  private lastStart: number | undefined;
  private retryAt: number | undefined;
  private retryDelay: number | undefined;
  private timer: TimerHandle | undefined;
  private timerDue = Infinity;
  private periodic: TimerHandle | undefined;
  private stopped = false;

  constructor(private readonly opts: SyncRunnerOptions) {}

  /** Asks for a run; it happens as soon as the minimum interval (and any retry delay) allows. */
  request(): void {
    if (this.stopped) return;
    this.pending = true;
    this.schedule();
  }

  /** Runs now, ignoring the minimum interval (waits for a run in flight first). Never rejects. */
  async runNow(): Promise<void> {
    while (this.current) await this.current;
    if (this.stopped) return;
    this.clearTimer();
    this.pending = false;
    await this.execute();
  }

  /** Starts the periodic runs. */
  start(): void {
    this.armPeriodic();
  }

  /** No more runs; waits for the one in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    this.opts.clock.clearTimeout(this.periodic);
    while (this.current) await this.current;
  }

  /** Whether a run is waiting to happen (for tests and status). */
  isPending(): boolean {
    return this.pending;
  }

  private schedule(): void {
    if (this.stopped || this.current || !this.pending) return; // a run in flight reschedules when it ends
    const now = this.opts.clock.now();
    const due = Math.max(now, (this.lastStart ?? -Infinity) + this.opts.minIntervalMs, this.retryAt ?? now);
    if (this.timer && this.timerDue <= due) return;
    this.clearTimer();
    this.timerDue = due;
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Infinity;
      if (this.pending && !this.current && !this.stopped) {
        this.pending = false;
        void this.execute();
      }
    }, due - now);
  }

  private execute(): Promise<void> {
    const { clock, logger } = this.opts;
    this.lastStart = clock.now();
    this.armPeriodic();
    const run = (async () => {
      try {
        await this.opts.run();
        this.retryAt = this.retryDelay = undefined;
      } catch (err) {
        this.retryDelay = nextBackoff(this.retryDelay, { ...this.opts.retry, jitter: 0 });
        this.retryAt = clock.now() + this.retryDelay;
        this.pending = true;
        logger.error({ err, retryInMs: this.retryDelay }, 'sync failed; will retry');
      }
    })();
    this.current = run.finally(() => {
      this.current = undefined;
      this.schedule();
    });
    return this.current;
  }

  private armPeriodic(): void {
    if (this.stopped) return;
    this.opts.clock.clearTimeout(this.periodic);
    this.periodic = this.opts.clock.setTimeout(() => {
      this.periodic = undefined;
      this.request();
      this.armPeriodic();
    }, this.opts.maxIntervalMs);
  }

  private clearTimer(): void {
    this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
  }
}
