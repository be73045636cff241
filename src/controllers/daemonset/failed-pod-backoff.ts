// The DaemonSet controller's backoff for deleting failed daemon pods (client-go flowcontrol.Backoff, 1 s doubling to
// 15 min, as kube-controller-manager configures it), keyed by DaemonSet uid, generation and node: a kubelet that
// keeps rejecting a daemon pod must not make the controller delete and recreate it in a hot loop.
// Pure bookkeeping: the caller passes the time.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const FAILED_POD_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 15 * 60 * 1000 };

interface Entry {
  delayMs: number;
  lastUpdate: number;
}

export class FailedPodBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: BackoffOptions = FAILED_POD_BACKOFF) {}

  /** IsInBackOffSinceUpdate: ms left in the current backoff window (0 when not backing off). */
  remaining(key: string, now: number): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    return Math.max(0, e.lastUpdate + e.delayMs - now);
  }

  /** Next: a failure now; the window starts at initialMs and doubles up to maxMs (reset after 2·maxMs of quiet). */
  next(key: string, now: number): void {
    const e = this.entries.get(key);
    const delayMs =
      !e || now - e.lastUpdate > 2 * this.opts.maxMs
        ? this.opts.initialMs
        : Math.min(e.delayMs * 2, this.opts.maxMs);
    this.entries.set(key, { delayMs, lastUpdate: now });
  }

  /** Forgets entries quiet for 2·maxMs (the GC Kubernetes runs every minute). */
  gc(now: number): void {
    for (const [k, e] of this.entries) if (now - e.lastUpdate > 2 * this.opts.maxMs) this.entries.delete(k);
  }
}

/** failedPodsBackoffKey: `<ds uid>/<observedGeneration>/<node>`. */
export function failedPodBackoffKey(
  uid: string,
  observedGeneration: number | undefined,
  node: string,
): string {
  return `${uid}/${observedGeneration ?? 0}/${node}`;
}
