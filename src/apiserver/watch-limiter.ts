// How many watches the API server keeps open over HTTP, per client address and in all (in the spirit of
// kube-apiserver's --max-requests-inflight for long-running requests). A watch past either limit is refused with
// 429 TooManyRequests and `Retry-After: 1`, which informers and kubectl retry; the master's own controllers
// watch in-process and are not counted.
import { ApiError } from '../common/errors.js';

export interface WatchLimits {
  /** Open watches one client address may hold. */
  perClient: number;
  /** Open watches in all. */
  total: number;
}

export const DEFAULT_WATCH_LIMITS: WatchLimits = { perClient: 100, total: 10_000 };

function tooMany(why: string): ApiError {
  return new ApiError(429, 'TooManyRequests', `Too many requests, please try again later: ${why}`, {
    retryAfterSeconds: 1,
  });
}

export class WatchLimiter {
  private readonly byClient = new Map<string, number>();
  private open = 0;

  constructor(readonly limits: WatchLimits = DEFAULT_WATCH_LIMITS) {}

  /** Takes a slot for `client`, or throws 429. The returned function gives the slot back (once). */
  acquire(client: string): () => void {
    const mine = this.byClient.get(client) ?? 0;
    if (mine >= this.limits.perClient) {
      throw tooMany(`${mine} watches are open from ${client} (limit ${this.limits.perClient})`);
    }
    if (this.open >= this.limits.total) {
      throw tooMany(`${this.open} watches are open (limit ${this.limits.total})`);
    }
    this.byClient.set(client, mine + 1);
    this.open++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open--;
      const left = (this.byClient.get(client) ?? 1) - 1;
      if (left > 0) this.byClient.set(client, left);
      else this.byClient.delete(client);
    };
  }

  /** Open watches, of one client or in all. */
  count(client?: string): number {
    return client === undefined ? this.open : (this.byClient.get(client) ?? 0);
  }
}
