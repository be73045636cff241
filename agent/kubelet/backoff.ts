// Kubernetes' restart back-off (CrashLoopBackOff, ImagePullBackOff). A crashed container is restarted at once
// the first time, then after 10 s, 20 s, 40 s, … up to 5 min (the kubelet's doBackOff: no entry yet → no wait);
// a failed image pull waits 10 s from the first failure. A container that ran for 10 min before failing starts over.
// nextBackoff is pure; BackoffTracker keeps one entry per key (pod uid + container name, or pod uid + image) and
// counts each failure once however often a sync looks at it.

export interface BackoffConfig {
  baseMs: number;
  maxMs: number;
  /** A run (or a quiet spell) at least this long resets the delay to baseMs. */
  resetAfterMs: number;
  /** Retry the first failure (and the first after a reset) at once; baseMs applies from the second. */
  firstRetryImmediate?: boolean;
}

/** Crashed containers. */
export const DEFAULT_BACKOFF: BackoffConfig = {
  baseMs: 10_000,
  maxMs: 300_000,
  resetAfterMs: 600_000,
  firstRetryImmediate: true,
};

export interface BackoffEntry {
  /** The wait imposed after the last failure. */
  delayMs: number;
  /** When that failure happened (a container's finishedAt, a failed pull's time). */
  failedAt: number;
  /** What failed (a container instance), when known: one instance counts once, however it is seen. */
  id?: string;
}

export interface Failure {
  failedAt: number;
  /** How long the container ran before failing, when known. */
  ranMs?: number;
  /** The failed container instance; a probe kill and its exit are one failure. */
  id?: string;
}

export function nextBackoff(
  prev: BackoffEntry | undefined,
  failure: Failure,
  cfg: BackoffConfig,
): BackoffEntry {
  const ranLong = (failure.ranMs ?? 0) >= cfg.resetAfterMs;
  // Quiet since the retry was allowed for long enough: the earlier trouble no longer counts.
  const quiet = prev !== undefined && failure.failedAt - (prev.failedAt + prev.delayMs) >= cfg.resetAfterMs;
  const id = failure.id !== undefined ? { id: failure.id } : {};
  if (!prev || ranLong || quiet)
    return {
      delayMs: cfg.firstRetryImmediate ? 0 : Math.min(cfg.baseMs, cfg.maxMs),
      failedAt: failure.failedAt,
      ...id,
    };
  const delayMs = prev.delayMs === 0 ? cfg.baseMs : prev.delayMs * 2;
  return { delayMs: Math.min(delayMs, cfg.maxMs), failedAt: failure.failedAt, ...id };
}

/** When the next try is allowed. */
export function retryAt(entry: BackoffEntry): number {
  return entry.failedAt + entry.delayMs;
}

export function inBackoff(entry: BackoffEntry | undefined, now: number): boolean {
  return entry !== undefined && now < retryAt(entry);
}

export class BackoffTracker {
  private readonly entries = new Map<string, BackoffEntry>();

  constructor(readonly config: BackoffConfig = DEFAULT_BACKOFF) {}

  /** Records a failure; the same failure (same instance, or same failedAt when unknown) seen again changes nothing. */
  observe(key: string, failure: Failure): BackoffEntry {
    const prev = this.entries.get(key);
    const same =
      prev !== undefined &&
      (failure.id !== undefined && prev.id !== undefined
        ? prev.id === failure.id
        : prev.failedAt === failure.failedAt);
    if (same) return prev;
    const next = nextBackoff(prev, failure, this.config);
    this.entries.set(key, next);
    return next;
  }

  get(key: string): BackoffEntry | undefined {
    return this.entries.get(key);
  }

  /** Drops every key starting with prefix (a pod's keys, once the pod is gone). */
  forget(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}

/** Go's time.Duration format for whole seconds, as Kubernetes prints back-off delays: 10s, 1m20s, 5m0s. */
export function goDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
