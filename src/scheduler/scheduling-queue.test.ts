import { describe, expect, it } from 'vitest';
import { SchedulingQueue } from './scheduling-queue.js';

describe('SchedulingQueue', () => {
  it('hands out new pods FIFO, once', () => {
    const q = new SchedulingQueue();
    expect(q.add('a')).toBe(true);
    expect(q.add('b')).toBe(true);
    expect(q.add('a')).toBe(false);
    expect([q.pop(), q.pop(), q.pop()]).toEqual(['a', 'b', undefined]);
  });

  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [4, 8000],
    [5, 10_000],
    [50, 10_000],
  ])('backoff after %i attempts is %i ms', (attempts, ms) => {
    expect(new SchedulingQueue().backoffMs(attempts)).toBe(ms);
  });

  it('retries an unschedulable pod after a cluster change once its backoff passed', () => {
    const q = new SchedulingQueue();
    q.add('p');
    q.pop();
    q.markUnschedulable('p', 0);
    expect(q.add('p')).toBe(false); // waiting, not re-added by an update
    expect(q.nextFlushAt()).toBe(30_000);
    q.clusterChanged();
    expect(q.nextFlushAt()).toBe(1000);
    expect(q.flush(999)).toBe(0);
    expect(q.flush(1000)).toBe(1);
    expect(q.pop()).toBe('p');
    q.markUnschedulable('p', 5000); // 2nd attempt: 2 s backoff
    q.podChanged('p');
    expect(q.nextFlushAt()).toBe(7000);
  });

  it('retries every unschedulable pod after 30 s without any event', () => {
    const q = new SchedulingQueue({ unschedulableTimeoutMs: 30_000 });
    q.markUnschedulable('p', 0);
    expect(q.flush(29_999)).toBe(0);
    expect(q.flush(30_000)).toBe(1);
    expect(q.unschedulableCount()).toBe(0);
    expect(q.activeCount()).toBe(1);
  });

  it('remove forgets a pod and its attempts', () => {
    const q = new SchedulingQueue();
    q.markUnschedulable('p', 0);
    q.markUnschedulable('p', 0);
    q.remove('p');
    expect(q.has('p')).toBe(false);
    q.markUnschedulable('p', 0);
    expect(q.nextFlushAt()).toBe(30_000);
    q.clusterChanged();
    expect(q.nextFlushAt()).toBe(1000); // back to the first backoff step
    expect(q.isUnschedulable('p')).toBe(true);
  });
});
