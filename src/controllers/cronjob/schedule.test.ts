import { describe, expect, it } from 'vitest';
import { parseCronSchedule } from '../../common/cron.js';
import { at, makeCronJob } from '../job/test-fixtures.js';
import {
  formatRfc1123Z,
  jobNameFor,
  mostRecentScheduleTime,
  nextScheduleTime,
  nextScheduleTimeDuration,
} from './schedule.js';

const sched = (spec: string, tz?: string) => parseCronSchedule(spec, tz).schedule!;
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('mostRecentScheduleTime', () => {
  it.each([
    {
      name: 'created after the last tick, before the next: nothing yet',
      spec: '* * * * *',
      created: '2026-01-01T00:00:10Z',
      last: undefined,
      now: '2026-01-01T00:00:50Z',
      want: { mostRecent: undefined, missed: 'none' },
    },
    {
      name: 'one tick since creation',
      spec: '* * * * *',
      created: '2026-01-01T00:00:10Z',
      last: undefined,
      now: '2026-01-01T00:01:00.100Z',
      want: { mostRecent: '2026-01-01T00:01:00.000Z', missed: 'none' },
    },
    {
      name: 'five ticks missed since lastScheduleTime: the latest one',
      spec: '* * * * *',
      created: '2026-01-01T00:00:10Z',
      last: '2026-01-01T00:05:00Z',
      now: '2026-01-01T00:10:30Z',
      want: { mostRecent: '2026-01-01T00:10:00.000Z', missed: 'few' },
    },
    {
      name: 'more than 100 missed',
      spec: '* * * * *',
      created: '2026-01-01T00:00:10Z',
      last: '2026-01-01T00:00:00Z',
      now: '2026-01-01T02:00:30Z',
      want: { mostRecent: '2026-01-01T02:00:00.000Z', missed: 'many' },
    },
    {
      name: 'irregular schedule (weekday office hours every 4 h) after a long weekend',
      spec: '30 6-16/4 * * 1-5',
      created: '2025-12-01T00:00:00Z',
      last: '2026-01-02T14:30:00Z', // Friday
      now: '2026-01-05T12:00:00Z', // Monday
      want: { mostRecent: '2026-01-05T10:30:00.000Z', missed: 'few' },
    },
  ])('$name', ({ spec, created, last, now, want }) => {
    const cj = makeCronJob({ schedule: spec }, { created, status: last ? { lastScheduleTime: last } : {} });
    const r = mostRecentScheduleTime(cj, at(now), sched(spec), false);
    expect({ mostRecent: iso(r.mostRecent), missed: r.missed }).toEqual(want);
  });

  it('only looks back startingDeadlineSeconds when asked to', () => {
    const cj = makeCronJob(
      { startingDeadlineSeconds: 200 },
      { status: { lastScheduleTime: '2026-01-01T00:00:00Z' } },
    );
    const now = at('2026-01-01T12:00:30Z');
    const withDeadline = mostRecentScheduleTime(cj, now, sched('* * * * *'), true);
    expect(iso(withDeadline.earliest)).toBe('2026-01-01T11:57:10.000Z');
    expect(iso(withDeadline.mostRecent)).toBe('2026-01-01T12:00:00.000Z');
    expect(withDeadline.missed).toBe('few');
    expect(mostRecentScheduleTime(cj, now, sched('* * * * *'), false).missed).toBe('many');
  });

  it('reports a schedule that never fires as an error', () => {
    const cj = makeCronJob({ schedule: '0 0 31 2 *' });
    expect(mostRecentScheduleTime(cj, at('2026-06-01T00:00:00Z'), sched('0 0 31 2 *'), false).error).toBe(
      'time difference between two schedules is less than 1 second',
    );
  });
});

describe('nextScheduleTime', () => {
  it('skips runs older than startingDeadlineSeconds', () => {
    const cj = makeCronJob(
      { startingDeadlineSeconds: 30 },
      { status: { lastScheduleTime: '2026-01-01T00:05:00Z' } },
    );
    expect(nextScheduleTime(cj, at('2026-01-01T00:10:45Z'), sched('* * * * *')).time).toBeUndefined();
    expect(iso(nextScheduleTime(cj, at('2026-01-01T00:10:20Z'), sched('* * * * *')).time)).toBe(
      '2026-01-01T00:10:00.000Z',
    );
  });
});

describe('nextScheduleTimeDuration', () => {
  it.each([
    {
      name: 'right after a run: the next tick plus 100 ms',
      last: '2026-01-01T00:01:00Z',
      now: '2026-01-01T00:01:00.500Z',
      want: 59_600,
    },
    { name: 'before the first tick', last: undefined, now: '2026-01-01T00:00:30Z', want: 30_100 },
    {
      name: 'a tick is unmet (e.g. skipped by Forbid): the tick after it',
      last: '2026-01-01T00:01:00Z',
      now: '2026-01-01T00:02:00.100Z',
      want: 60_000,
    },
    {
      name: 'many missed: counted from now',
      last: '2026-01-01T00:00:00Z',
      now: '2026-01-01T03:00:30Z',
      want: 30_100,
    },
  ])('$name', ({ last, now, want }) => {
    const cj = makeCronJob({}, { status: last ? { lastScheduleTime: last } : {} });
    expect(nextScheduleTimeDuration(cj, at(now), sched('* * * * *'))).toBe(want);
  });

  it('waits for the next time in the CronJob time zone', () => {
    const cj = makeCronJob(
      { schedule: '0 9 * * *', timeZone: 'Asia/Tokyo' },
      { created: '2026-01-01T00:00:00Z' },
    );
    // 09:00 JST is 00:00Z: from 2026-01-01T01:00Z the next one is 2026-01-02T00:00Z.
    expect(nextScheduleTimeDuration(cj, at('2026-01-01T01:00:00Z'), sched('0 9 * * *', 'Asia/Tokyo'))).toBe(
      23 * 3600_000 + 100,
    );
  });
});

describe('jobNameFor / formatRfc1123Z', () => {
  it('names a run after its schedule time in minutes since the epoch', () => {
    const t = at('2026-01-01T00:05:00Z');
    expect(jobNameFor(makeCronJob(), t)).toBe(`backup-${t / 60_000}`);
    expect(jobNameFor(makeCronJob(), t)).toBe('backup-29453765');
  });

  it('formats times as Go RFC1123Z in UTC', () => {
    expect(formatRfc1123Z(at('2026-01-01T00:05:00Z'))).toBe('Thu, 01 Jan 2026 00:05:00 +0000');
    expect(formatRfc1123Z(at('2026-07-19T13:45:09Z'))).toBe('Sun, 19 Jul 2026 13:45:09 +0000');
  });
});
