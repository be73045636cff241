import { describe, expect, it } from 'vitest';
import { cronScheduleErrors, formatRfc3339InZone, fromWallClock, parseCronSchedule } from './cron.js';

const T = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function nextTimes(spec: string, fromIso: string, n: number, tz?: string): (string | undefined)[] {
  const parsed = parseCronSchedule(spec, tz);
  if (!parsed.schedule) throw new Error(parsed.error);
  const out: (string | undefined)[] = [];
  let t: number | undefined = T(fromIso);
  for (let i = 0; i < n && t !== undefined; i++) {
    t = parsed.schedule.next(t);
    out.push(iso(t));
  }
  return out;
}

describe('parseCronSchedule: next schedule times', () => {
  it.each([
    {
      name: 'every minute, strictly after the given time',
      spec: '* * * * *',
      from: '2026-01-01T00:00:00.000Z',
      want: ['2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z'],
    },
    {
      name: 'every minute from the middle of a minute',
      spec: '* * * * *',
      from: '2026-01-01T00:00:30.500Z',
      want: ['2026-01-01T00:01:00.000Z'],
    },
    {
      name: 'every five minutes',
      spec: '*/5 * * * *',
      from: '2026-01-01T00:03:00Z',
      want: ['2026-01-01T00:05:00.000Z', '2026-01-01T00:10:00.000Z'],
    },
    {
      name: 'N/step means N-max/step',
      spec: '5/15 * * * *',
      from: '2026-01-01T00:00:00Z',
      want: ['2026-01-01T00:05:00.000Z', '2026-01-01T00:20:00.000Z', '2026-01-01T00:35:00.000Z'],
    },
    {
      name: 'specific hours',
      spec: '0 9,17 * * *',
      from: '2026-01-01T10:00:00Z',
      want: ['2026-01-01T17:00:00.000Z', '2026-01-02T09:00:00.000Z'],
    },
    {
      name: 'weekdays only (day of month is *, so both must match)',
      spec: '0 0 * * 1-5',
      from: '2026-01-02T12:00:00Z', // a Friday
      want: ['2026-01-05T00:00:00.000Z'],
    },
    {
      name: 'day of month OR day of week when both are restricted (cron, not node-cron)',
      spec: '0 0 13 * 5',
      from: '2026-01-01T00:00:00Z', // Thursday; Friday the 2nd comes first
      want: ['2026-01-02T00:00:00.000Z', '2026-01-09T00:00:00.000Z', '2026-01-13T00:00:00.000Z'],
    },
    {
      name: 'month and weekday names',
      spec: '0 0 1 jul,DEC *',
      from: '2026-01-01T00:00:00Z',
      want: ['2026-07-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z', '2027-07-01T00:00:00.000Z'],
    },
    {
      name: 'leap day',
      spec: '0 0 29 2 *',
      from: '2026-01-01T00:00:00Z',
      want: ['2028-02-29T00:00:00.000Z'],
    },
    { name: '@hourly', spec: '@hourly', from: '2026-01-01T00:59:59Z', want: ['2026-01-01T01:00:00.000Z'] },
    {
      name: '@every 90s counts from the given time',
      spec: '@every 90s',
      from: '2026-01-01T00:00:10.400Z',
      want: ['2026-01-01T00:01:40.000Z', '2026-01-01T00:03:10.000Z'],
    },
  ])('$name', ({ spec, from, want }) => {
    expect(nextTimes(spec, from, want.length)).toEqual(want);
  });

  it('returns undefined for a schedule that never fires', () => {
    expect(nextTimes('0 0 31 2 *', '2026-01-01T00:00:00Z', 1)).toEqual([undefined]);
  });
});

describe('parseCronSchedule: time zones', () => {
  it('reads the fields in the time zone: 09:00 Berlin is 08:00Z in winter, 07:00Z in summer', () => {
    expect(nextTimes('0 9 * * *', '2026-01-10T00:00:00Z', 1, 'Europe/Berlin')).toEqual([
      '2026-01-10T08:00:00.000Z',
    ]);
    expect(nextTimes('0 9 * * *', '2026-07-10T00:00:00Z', 1, 'Europe/Berlin')).toEqual([
      '2026-07-10T07:00:00.000Z',
    ]);
    expect(nextTimes('0 9 * * *', '2026-07-10T00:00:00Z', 1)).toEqual(['2026-07-10T09:00:00.000Z']);
  });

  it('takes a TZ= / CRON_TZ= prefix over the given zone', () => {
    expect(nextTimes('TZ=Asia/Tokyo 0 9 * * *', '2026-01-10T01:00:00Z', 1, 'Europe/Berlin')).toEqual([
      '2026-01-11T00:00:00.000Z',
    ]);
    expect(nextTimes('CRON_TZ=Asia/Kolkata 30 5 * * *', '2026-01-10T01:00:00Z', 1)).toEqual([
      '2026-01-11T00:00:00.000Z',
    ]);
  });

  it('DST spring forward: a time inside the skipped hour does not run that day (like robfig/cron)', () => {
    // 2026-03-08 02:00 EST jumps to 03:00 EDT in New York.
    expect(nextTimes('30 2 * * *', '2026-03-07T08:00:00Z', 2, 'America/New_York')).toEqual([
      '2026-03-09T06:30:00.000Z',
      '2026-03-10T06:30:00.000Z',
    ]);
    expect(nextTimes('0 * * * *', '2026-03-08T06:00:00Z', 1, 'America/New_York')).toEqual([
      '2026-03-08T07:00:00.000Z', // 01:00 EST → 03:00 EDT
    ]);
  });

  it('DST fall back: a time inside the repeated hour runs in both of them (like robfig/cron)', () => {
    // 2026-11-01 02:00 EDT falls back to 01:00 EST.
    expect(nextTimes('30 1 * * *', '2026-11-01T00:00:00Z', 3, 'America/New_York')).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T06:30:00.000Z', // 01:30 EST
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('converts wall-clock times like Go time.Date, including gaps and repeats', () => {
    expect(iso(fromWallClock('America/New_York', 2026, 3, 8, 2, 30))).toBe('2026-03-08T06:30:00.000Z');
    expect(iso(fromWallClock('America/New_York', 2026, 11, 1, 1, 30))).toBe('2026-11-01T05:30:00.000Z');
    expect(iso(fromWallClock('UTC', 2026, 13, 1))).toBe('2027-01-01T00:00:00.000Z');
  });

  it('formats RFC 3339 in the zone', () => {
    const t = T('2026-01-01T00:05:00Z');
    expect(formatRfc3339InZone(t, 'UTC')).toBe('2026-01-01T00:05:00Z');
    expect(formatRfc3339InZone(t, 'Europe/Berlin')).toBe('2026-01-01T01:05:00+01:00');
    expect(formatRfc3339InZone(t, 'America/New_York')).toBe('2025-12-31T19:05:00-05:00');
    expect(formatRfc3339InZone(t, 'Asia/Kolkata')).toBe('2026-01-01T05:35:00+05:30');
  });
});

describe('parseCronSchedule: errors (cron.ParseStandard wording)', () => {
  it.each([
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: * * * *'],
    ['0 * * * * *', 'expected exactly 5 fields, found 6: 0 * * * * *'],
    ['61 * * * *', 'end of range (61) above maximum (59): 61'],
    ['5-2 * * * *', 'beginning of range (5) beyond end of range (2): 5-2'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['0 0 L * *', 'failed to parse int from L: invalid syntax'],
    ['0 0 * * 7', 'end of range (7) above maximum (6): 7'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
    ['TZ=Mars/Olympus 0 * * * *', 'provided bad location Mars/Olympus: unknown time zone Mars/Olympus'],
  ])('%j → %s', (spec, error) => {
    expect(parseCronSchedule(spec).error).toBe(error);
  });

  it('rejects an unknown default time zone', () => {
    expect(parseCronSchedule('* * * * *', 'Nowhere/Land').error).toBe('unknown time zone Nowhere/Land');
    expect(parseCronSchedule('* * * * *', 'europe/berlin').error).toBe('unknown time zone europe/berlin');
  });
});

describe('cronScheduleErrors (CronJob validation)', () => {
  it.each([
    { schedule: '*/5 * * * *', timeZone: undefined, want: [] },
    { schedule: '*/5 * * * *', timeZone: 'Europe/Berlin', want: [] },
    {
      schedule: 'TZ=UTC */5 * * * *',
      timeZone: undefined,
      want: [
        { field: 'schedule', message: 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead' },
      ],
    },
    {
      schedule: 'bad',
      timeZone: undefined,
      want: [{ field: 'schedule', message: 'expected exactly 5 fields, found 1: bad' }],
    },
    {
      schedule: '* * * * *',
      timeZone: '',
      want: [{ field: 'timeZone', message: 'timeZone must be nil or non-empty string' }],
    },
    {
      schedule: '* * * * *',
      timeZone: 'Local',
      want: [
        {
          field: 'timeZone',
          message: 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
        },
      ],
    },
    {
      schedule: '* * * * *',
      timeZone: '../etc/passwd',
      want: [{ field: 'timeZone', message: 'unknown time zone ../etc/passwd' }],
    },
    {
      schedule: '* * * * *',
      timeZone: 'Nowhere/Land',
      want: [{ field: 'timeZone', message: 'unknown time zone Nowhere/Land' }],
    },
  ])('$schedule / $timeZone', ({ schedule, timeZone, want }) => {
    expect(cronScheduleErrors(schedule, timeZone)).toEqual(want);
  });

  it('allows TZ in the schedule on update of an object that already had it, unless timeZone is set too', () => {
    expect(cronScheduleErrors('TZ=UTC * * * * *', undefined, true)).toEqual([]);
    expect(cronScheduleErrors('TZ=UTC * * * * *', 'UTC', true)).toEqual([
      { field: 'schedule', message: 'cannot use both timeZone field and TZ or CRON_TZ in schedule' },
    ]);
  });
});
