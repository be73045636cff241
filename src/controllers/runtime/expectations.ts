// ControllerExpectations (kubernetes pkg/controller/controller_utils.go): a controller records the creates and
// deletes it has just issued for a key, and skips reconciling that key until its informer has observed them
// (or they expire), so a lagging cache never makes it create or delete the same pods twice.
import { systemClock, type Clock } from '../../common/clock.js';

/** Expectations older than this are considered satisfied: a lost watch event must not wedge a controller. */
export const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

export interface Expectation {
  add: number;
  del: number;
  /** When the expectations were set (Clock ms). */
  timestamp: number;
}

export class ControllerExpectations {
  private readonly store = new Map<string, Expectation>();
  private readonly clock: Clock;
  private readonly ttlMs: number;

  constructor(opts: { clock?: Clock; ttlMs?: number } = {}) {
    this.clock = opts.clock ?? systemClock;
    this.ttlMs = opts.ttlMs ?? EXPECTATIONS_TTL_MS;
  }

  /** Replaces the key's expectations: `add` creates and `del` deletes are about to be issued. */
  setExpectations(key: string, add: number, del: number): void {
    this.store.set(key, { add, del, timestamp: this.clock.now() });
  }

  expectCreations(key: string, n: number): void {
    this.setExpectations(key, n, 0);
  }

  expectDeletions(key: string, n: number): void {
    this.setExpectations(key, 0, n);
  }

  raiseExpectations(key: string, add: number, del: number): void {
    const e = this.store.get(key);
    if (e) {
      e.add += add;
      e.del += del;
    } else this.setExpectations(key, add, del);
  }

  lowerExpectations(key: string, add: number, del: number): void {
    const e = this.store.get(key);
    if (!e) return;
    e.add -= add;
    e.del -= del;
  }

  /** The informer saw one of the expected creates (or a create failed and will not be observed). */
  creationObserved(key: string): void {
    this.lowerExpectations(key, 1, 0);
  }

  deletionObserved(key: string): void {
    this.lowerExpectations(key, 0, 1);
  }

  /** True when the key may be reconciled: no expectations, all observed, or expired. */
  satisfied(key: string): boolean {
    const e = this.store.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.clock.now() - e.timestamp > this.ttlMs;
  }

  get(key: string): Expectation | undefined {
    const e = this.store.get(key);
    return e ? { ...e } : undefined;
  }

  /** Forget the key (its object was deleted). */
  deleteExpectations(key: string): void {
    this.store.delete(key);
  }
}
