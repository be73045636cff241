import { describe, expect, it } from 'vitest';
import { newBackoffRecord, podFinishedTime, remainingBackoffMs } from './backoff.js';
import { at, makeJob, makePod } from './test-fixtures.js';

const job = makeJob();
const failedAt = (name: string, iso: string) => makePod(job, name, { phase: 'Failed', finishedAt: iso });
const succeededAt = (name: string, iso: string) =>
  makePod(job, name, { phase: 'Succeeded', finishedAt: iso });

describe('remainingBackoffMs (10 s doubling per failure since the last success, at most 10 min)', () => {
  const last = at('2026-01-01T00:00:00Z');
  it.each([
    { failures: 0, elapsed: 0, want: 0 },
    { failures: 1, elapsed: 0, want: 10_000 },
    { failures: 1, elapsed: 4_000, want: 6_000 },
    { failures: 1, elapsed: 10_000, want: 0 },
    { failures: 2, elapsed: 0, want: 20_000 },
    { failures: 3, elapsed: 0, want: 40_000 },
    { failures: 6, elapsed: 0, want: 320_000 },
    { failures: 7, elapsed: 0, want: 600_000 },
    { failures: 30, elapsed: 100_000, want: 500_000 },
  ])('$failures failures, $elapsed ms later → $want ms', ({ failures, elapsed, want }) => {
    expect(
      remainingBackoffMs({ failuresAfterLastSuccess: failures, lastFailureTime: last }, last + elapsed),
    ).toBe(want);
  });
});

describe('newBackoffRecord', () => {
  it('adds new failures and remembers the latest failure time', () => {
    const r = newBackoffRecord(
      { failuresAfterLastSuccess: 1, lastFailureTime: at('2026-01-01T00:00:00Z') },
      [],
      [failedAt('b', '2026-01-01T00:00:20Z'), failedAt('a', '2026-01-01T00:00:10Z')],
    );
    expect(r).toEqual({ failuresAfterLastSuccess: 3, lastFailureTime: at('2026-01-01T00:00:20Z') });
  });

  it('a success resets it; only failures after the success count', () => {
    const prev = { failuresAfterLastSuccess: 4, lastFailureTime: at('2026-01-01T00:00:00Z') };
    expect(newBackoffRecord(prev, [succeededAt('s', '2026-01-01T00:00:30Z')], [])).toEqual({
      failuresAfterLastSuccess: 0,
    });
    expect(
      newBackoffRecord(
        prev,
        [succeededAt('s', '2026-01-01T00:00:30Z')],
        [failedAt('before', '2026-01-01T00:00:20Z'), failedAt('after', '2026-01-01T00:00:40Z')],
      ),
    ).toEqual({ failuresAfterLastSuccess: 1, lastFailureTime: at('2026-01-01T00:00:40Z') });
  });

  it('keeps the record when nothing new finished', () => {
    const prev = { failuresAfterLastSuccess: 2, lastFailureTime: 5 };
    expect(newBackoffRecord(prev, [], [])).toEqual(prev);
    expect(newBackoffRecord(undefined, [], [])).toEqual({ failuresAfterLastSuccess: 0 });
  });
});

describe('podFinishedTime', () => {
  it('prefers container termination, then Ready=False, then deletion minus grace, then creation', () => {
    expect(podFinishedTime(failedAt('a', '2026-01-01T00:00:07Z'))).toBe(at('2026-01-01T00:00:07Z'));
    const notReady = makePod(job, 'b', { ready: false, created: '2026-01-01T00:00:03Z' });
    expect(podFinishedTime(notReady)).toBe(at('2026-01-01T00:00:03Z'));
    const deleted = makePod(job, 'c', { deleting: '2026-01-01T00:01:00Z' });
    deleted.metadata.deletionGracePeriodSeconds = 30;
    expect(podFinishedTime(deleted)).toBe(at('2026-01-01T00:00:30Z'));
    expect(podFinishedTime(makePod(job, 'd', { created: '2026-01-01T00:00:01Z' }))).toBe(
      at('2026-01-01T00:00:01Z'),
    );
  });
});
