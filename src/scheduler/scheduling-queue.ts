// The queue of pods waiting for a node (kube-scheduler's SchedulingQueue, reduced). New pods wait in `active`
// (FIFO). A pod that did not fit goes to `unschedulable`; it comes back when the cluster changes (a node added or
// updated, a pod removed) once its backoff (1 s doubling to 10 s per attempt) has passed, and in any case after
// 30 s, so nothing waits forever on a missed event.
export interface SchedulingQueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Unschedulable pods are retried at least this often. */
  unschedulableTimeoutMs?: number;
}

interface Waiting {
  attempts: number;
  lastAttemptMs: number;
  /** The cluster changed since the last attempt: retry as soon as the backoff allows. */
  moveRequested: boolean;
}

export class SchedulingQueue {
  /** Insertion-ordered, so iteration order is FIFO. */
  private readonly active = new Set<string>();
  private readonly unschedulable = new Map<string, Waiting>();
  private readonly attempts = new Map<string, number>();
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly timeoutMs: number;

  constructor(opts: SchedulingQueueOptions = {}) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.timeoutMs = opts.unschedulableTimeoutMs ?? 30_000;
  }

  /** A pod that needs scheduling; a no-op if it is already queued or waiting. Returns true if it became active. */
  add(key: string): boolean {
    if (this.active.has(key) || this.unschedulable.has(key)) return false;
    this.active.add(key);
    return true;
  }

  /** The pod itself changed (spec, labels): an unschedulable pod is retried as soon as its backoff allows. */
  podChanged(key: string): void {
    const w = this.unschedulable.get(key);
    if (w) w.moveRequested = true;
  }

  /** Something that may let unschedulable pods fit happened. */
  clusterChanged(): void {
    for (const w of this.unschedulable.values()) w.moveRequested = true;
  }

  pop(): string | undefined {
    const first = this.active.values().next();
    if (first.done) return undefined;
    this.active.delete(first.value);
    return first.value;
  }

  /** The pod did not fit (or its binding failed): it waits in `unschedulable`. */
  markUnschedulable(key: string, nowMs: number, moveRequested = false): void {
    const attempts = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempts);
    this.active.delete(key);
    this.unschedulable.set(key, { attempts, lastAttemptMs: nowMs, moveRequested });
  }

  /** The pod is bound, deleted or no longer ours: forget it entirely. */
  remove(key: string): void {
    this.active.delete(key);
    this.unschedulable.delete(key);
    this.attempts.delete(key);
  }

  has(key: string): boolean {
    return this.active.has(key) || this.unschedulable.has(key);
  }

  isUnschedulable(key: string): boolean {
    return this.unschedulable.has(key);
  }

  activeCount(): number {
    return this.active.size;
  }

  unschedulableCount(): number {
    return this.unschedulable.size;
  }

  backoffMs(attempts: number): number {
    return Math.min(this.initialBackoffMs * 2 ** Math.max(0, attempts - 1), this.maxBackoffMs);
  }

  /** Moves every unschedulable pod whose time has come back to `active`; returns how many moved. */
  flush(nowMs: number): number {
    let moved = 0;
    for (const [key, w] of this.unschedulable) {
      if (this.eligibleAt(w) <= nowMs) {
        this.unschedulable.delete(key);
        this.active.add(key);
        moved++;
      }
    }
    return moved;
  }

  /** The earliest time a flush could move something, or undefined when nothing is waiting. */
  nextFlushAt(): number | undefined {
    let next: number | undefined;
    for (const w of this.unschedulable.values()) {
      const at = this.eligibleAt(w);
      if (next === undefined || at < next) next = at;
    }
    return next;
  }

  private eligibleAt(w: Waiting): number {
    const backoffDone = w.lastAttemptMs + this.backoffMs(w.attempts);
    return w.moveRequested ? backoffDone : Math.max(backoffDone, w.lastAttemptMs + this.timeoutMs);
  }
}
