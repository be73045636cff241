// Time is a host effect: everything that reads the time or waits goes through a Clock, so loops and
// backoffs are tested with test/fakes/fake-clock.ts instead of real sleeps.

export interface TimerHandle {
  /** Opaque; pass back to clearTimeout. */
  readonly id: unknown;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { id: t };
  },
  clearTimeout(handle) {
    if (handle) clearTimeout(handle.id as NodeJS.Timeout);
  },
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** RFC 3339 with second precision, as Kubernetes writes timestamps: 2026-11-30T04:45:59Z. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
