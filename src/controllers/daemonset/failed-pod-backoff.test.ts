import { describe, expect, it } from 'vitest';
import { FailedPodBackoff, failedPodBackoffKey } from './failed-pod-backoff.js';

describe('FailedPodBackoff', () => {
  it('doubles from 1 s up to 15 min, and resets after 30 quiet minutes', () => {
    const b = new FailedPodBackoff();
    const k = failedPodBackoffKey('uid', 2, 'n1');
    expect(k).toBe('uid/2/n1');
    expect(b.remaining(k, 0)).toBe(0);
    b.next(k, 0);
    expect(b.remaining(k, 400)).toBe(600);
    b.next(k, 1000);
    expect(b.remaining(k, 1000)).toBe(2000);
    let t = 1000;
    for (let i = 0; i < 20; i++) b.next(k, (t += 1000));
    expect(b.remaining(k, t)).toBe(15 * 60 * 1000);
    t += 31 * 60 * 1000;
    b.next(k, t);
    expect(b.remaining(k, t)).toBe(1000);
    b.gc(t + 31 * 60 * 1000);
    expect(b.remaining(k, t)).toBe(0);
  });
});
