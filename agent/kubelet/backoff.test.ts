import { describe, expect, it } from 'vitest';
import { BackoffTracker, DEFAULT_BACKOFF, goDuration, inBackoff, nextBackoff, retryAt } from './backoff.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('crash-loop back-off', () => {
  it('restarts at once after the first crash, then waits 10 s, doubling up to 5 min (the kubelet)', () => {
    const tracker = new BackoffTracker();
    const delays: number[] = [];
    let t = T0;
    for (let i = 0; i < 9; i++) {
      // Each restart runs 1 s, then fails again.
      const entry = tracker.observe('uid/app', { failedAt: t, ranMs: 1000 });
      delays.push(entry.delayMs / 1000);
      t = retryAt(entry) + 1000;
    }
    expect(delays).toEqual([0, 10, 20, 40, 80, 160, 300, 300, 300]);
  });

  it('counts one failure once, however often it is observed', () => {
    const tracker = new BackoffTracker();
    tracker.observe('uid/app', { failedAt: T0 });
    tracker.observe('uid/app', { failedAt: T0 });
    expect(tracker.get('uid/app')).toEqual({ delayMs: 0, failedAt: T0 });
    expect(tracker.observe('uid/app', { failedAt: T0 + 1_000 }).delayMs).toBe(10_000);
  });

  it('resets when the container ran for 10 minutes before failing', () => {
    let e = nextBackoff(undefined, { failedAt: T0 }, DEFAULT_BACKOFF);
    e = nextBackoff(e, { failedAt: T0 + 2_000, ranMs: 1_000 }, DEFAULT_BACKOFF);
    e = nextBackoff(e, { failedAt: T0 + 20_000, ranMs: 5_000 }, DEFAULT_BACKOFF);
    expect(e.delayMs).toBe(20_000);
    e = nextBackoff(e, { failedAt: T0 + 700_000, ranMs: 600_000 }, DEFAULT_BACKOFF);
    expect(e.delayMs).toBe(0);
  });

  it('resets after a quiet spell of 10 minutes past the allowed retry', () => {
    const e = nextBackoff(
      { delayMs: 160_000, failedAt: T0 },
      { failedAt: T0 + 160_000 + 600_000 },
      DEFAULT_BACKOFF,
    );
    expect(e.delayMs).toBe(0);
  });

  it('waits the base delay after the first failed image pull (ErrImagePull, then ImagePullBackOff)', () => {
    const pulls = new BackoffTracker({ ...DEFAULT_BACKOFF, firstRetryImmediate: false });
    expect(pulls.observe('uid/img', { failedAt: T0 }).delayMs).toBe(10_000);
    expect(pulls.observe('uid/img', { failedAt: T0 + 10_000 }).delayMs).toBe(20_000);
  });

  it('is configurable (tests shorten it) and keyed per pod and container', () => {
    const tracker = new BackoffTracker({ baseMs: 500, maxMs: 2_000, resetAfterMs: 60_000 });
    expect(tracker.observe('u1/a', { failedAt: T0 }).delayMs).toBe(500);
    expect(tracker.observe('u1/a', { failedAt: T0 + 1 }).delayMs).toBe(1000);
    expect(tracker.observe('u1/a', { failedAt: T0 + 2 }).delayMs).toBe(2000);
    expect(tracker.observe('u1/a', { failedAt: T0 + 3 }).delayMs).toBe(2000);
    expect(tracker.observe('u1/b', { failedAt: T0 }).delayMs).toBe(500);
    tracker.forget('u1/');
    expect(tracker.get('u1/a')).toBeUndefined();
    expect(tracker.get('u1/b')).toBeUndefined();
  });

  it('tells whether a retry is allowed yet', () => {
    const e = { delayMs: 10_000, failedAt: T0 };
    expect(inBackoff(e, T0 + 9_999)).toBe(true);
    expect(inBackoff(e, T0 + 10_000)).toBe(false);
    expect(inBackoff(undefined, T0)).toBe(false);
  });

  it('prints delays like Go durations', () => {
    expect([10_000, 20_000, 80_000, 160_000, 300_000, 3_600_000].map(goDuration)).toEqual([
      '10s',
      '20s',
      '1m20s',
      '2m40s',
      '5m0s',
      '1h0m0s',
    ]);
  });
});
