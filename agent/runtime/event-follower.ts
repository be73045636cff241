// Follows the engine's event stream (`GET /events`) across engine restarts. dockerd closes the stream when it
// stops, and refuses connections until it is back; the follower reconnects with a growing delay (200 ms doubling
// to 2 s, so a returning engine is noticed within about 2 s) and reports every change between connected and
// disconnected. Events emitted while disconnected are lost: whoever listens resyncs on reconnect (level-
// triggered, like the kubelet's PLEG relist). The adapter (docker-container-runtime.ts) supplies `open`.
import type { Readable } from 'node:stream';
import type { Clock, TimerHandle } from '../../src/common/clock.js';
import type { Logger } from '../../src/common/logger.js';
import type { RuntimeStreamStatus } from './container-runtime.js';
import { readJsonLines } from './docker-stream.js';

export interface ReconnectBackoff {
  initialMs: number;
  maxMs: number;
}

export const EVENT_STREAM_BACKOFF: ReconnectBackoff = { initialMs: 200, maxMs: 2000 };

/** A connection that lasted at least this long was healthy: the next failure starts from the initial delay. */
export const HEALTHY_CONNECTION_MS = 1000;

/** The delay before reconnect attempt n (1-based) after the last healthy connection. */
export function reconnectDelay(attempt: number, backoff: ReconnectBackoff = EVENT_STREAM_BACKOFF): number {
  return Math.min(backoff.initialMs * 2 ** Math.max(0, attempt - 1), backoff.maxMs);
}

export interface EventFollowerOptions {
  /** Opens one stream of newline-delimited JSON messages; rejects when the engine cannot be reached. */
  open: () => Promise<Readable>;
  onMessage: (message: any) => void;
  onStatus?: (status: RuntimeStreamStatus) => void;
  clock: Clock;
  log: Logger;
  backoff?: ReconnectBackoff;
}

export class EventFollower {
  private stopped = false;
  private current: Readable | undefined;
  private retry: TimerHandle | undefined;
  private status: RuntimeStreamStatus | undefined;
  /** Failed attempts since the last healthy connection. */
  private failures = 0;

  constructor(private readonly opts: EventFollowerOptions) {}

  start(): this {
    void this.connect();
    return this;
  }

  stop(): void {
    this.stopped = true;
    this.opts.clock.clearTimeout(this.retry);
    this.current?.destroy();
  }

  private async connect(): Promise<void> {
    const { clock, log } = this.opts;
    let connectedAt: number | undefined;
    try {
      const stream = await this.opts.open();
      if (this.stopped) return void stream.destroy();
      this.current = stream;
      connectedAt = clock.now();
      this.report('connected');
      await readJsonLines(stream, (m) => {
        if (this.stopped) return;
        try {
          this.opts.onMessage(m);
        } catch (err) {
          log.error({ err: (err as Error).message }, 'runtime event handler failed');
        }
      });
      if (!this.stopped) log.warn('container runtime closed its event stream');
    } catch (err) {
      if (!this.stopped && this.failures === 0)
        log.warn({ err: (err as Error).message }, 'event stream failed');
      else log.debug({ err: (err as Error).message }, 'event stream failed');
    }
    this.current = undefined;
    if (this.stopped) return;
    this.report('disconnected');
    if (connectedAt !== undefined && clock.now() - connectedAt >= HEALTHY_CONNECTION_MS) this.failures = 0;
    this.failures++;
    const delay = reconnectDelay(this.failures, this.opts.backoff);
    this.retry = clock.setTimeout(() => void this.connect(), delay);
  }

  private report(status: RuntimeStreamStatus): void {
    if (this.status === status) return;
    this.status = status;
    try {
      this.opts.onStatus?.(status);
    } catch (err) {
      this.opts.log.error({ err: (err as Error).message, status }, 'event stream status handler failed');
    }
  }
}
