// Cron schedules as Kubernetes' CronJob controller reads them (github.com/robfig/cron/v3, cron.ParseStandard):
// five fields (minute hour day-of-month month day-of-week) or a descriptor (@hourly, @every 5m, ...), an optional
// `TZ=`/`CRON_TZ=` prefix, IANA time zones. node-cron validates and expands each field; the "next activation
// after T" walk is robfig's (node-cron can only tell the next run after the wall clock's *now*, and it ANDs
// day-of-month with day-of-week where cron ORs them when both are restricted). Everything here is pure: the
// caller passes the time, so schedules are tested with a fake clock and never start a timer.
import { validateDetailed } from 'node-cron';

export interface CronSchedule {
  /** The IANA zone the fields are read in. */
  readonly timeZone: string;
  /** The first activation strictly after `afterMs` (ms since the epoch), or undefined if none within ~5 years. */
  next(afterMs: number): number | undefined;
}

export type CronParseResult =
  { schedule: CronSchedule; error?: undefined } | { schedule?: undefined; error: string };

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

// ---- time zones ---------------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Go's time.LoadLocation error, or undefined for a zone Intl knows under exactly this name. */
export function timeZoneError(timeZone: string): string | undefined {
  if (timeZone === 'UTC') return undefined;
  try {
    const resolved = formatter(timeZone).resolvedOptions().timeZone;
    // Intl matches names case-insensitively; Go reads the zoneinfo file and does not.
    if (resolved !== timeZone && resolved.toLowerCase() === timeZone.toLowerCase()) throw new RangeError();
    return undefined;
  } catch {
    formatters.delete(timeZone);
    return `unknown time zone ${timeZone}`;
  }
}

export function isValidTimeZone(timeZone: string): boolean {
  return timeZoneError(timeZone) === undefined;
}

export interface WallClock {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
}

/** The wall clock in `timeZone` at instant `ms`. */
export function wallClock(ms: number, timeZone: string): WallClock {
  let w: Omit<WallClock, 'weekday'>;
  if (timeZone === 'UTC') {
    const d = new Date(ms);
    w = {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
    };
  } else {
    const p: Record<string, number> = {};
    for (const part of formatter(timeZone).formatToParts(ms)) {
      if (part.type !== 'literal') p[part.type] = Number(part.value);
    }
    w = { year: p.year, month: p.month, day: p.day, hour: p.hour % 24, minute: p.minute, second: p.second };
  }
  return { ...w, weekday: new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() };
}

/** How far the zone's wall clock is ahead of UTC at `ms`. */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / SECOND) * SECOND;
}

/**
 * The instant of a wall-clock time (out-of-range parts roll over), like Go's time.Date: in a DST gap the
 * offset from after the transition applies (02:30 in a skipped hour is 01:30 standard time); an ambiguous time
 * takes the first (daylight) instant.
 */
export function fromWallClock(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): number {
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  if (timeZone === 'UTC') return local;
  const first = offsetAt(local, timeZone);
  const candidate = local - first;
  const second2 = offsetAt(candidate, timeZone);
  return second2 === first ? candidate : local - second2;
}

/** RFC 3339 in the zone, as Go formats time.RFC3339: 2026-01-01T01:05:00+01:00, or ...Z for UTC. */
export function formatRfc3339InZone(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  const pad = (n: number, len = 2) => String(n).padStart(len, '0');
  const base = `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
  const off = Math.round(offsetAt(ms, timeZone) / MINUTE);
  if (off === 0) return `${base}Z`;
  const sign = off < 0 ? '-' : '+';
  return `${base}${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
}

// ---- parsing --------------------------------------------------------------------------------------------

interface FieldBounds {
  min: number;
  max: number;
  names?: string[];
  /** Where the field sits in a six-field node-cron expression whose other fields are always satisfiable. */
  probe: (f: string) => string;
  pick: (fields: NonNullable<ReturnType<typeof validateDetailed>['fields']>) => (number | string)[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const FIELDS: FieldBounds[] = [
  { min: 0, max: 59, probe: (f) => `0 ${f} * * * *`, pick: (x) => x.minute },
  { min: 0, max: 23, probe: (f) => `0 0 ${f} * * *`, pick: (x) => x.hour },
  { min: 1, max: 31, probe: (f) => `0 0 0 ${f} * *`, pick: (x) => x.dayOfMonth },
  { min: 1, max: 12, names: MONTHS, probe: (f) => `0 0 0 1 ${f} *`, pick: (x) => x.month },
  { min: 0, max: 6, names: DAYS, probe: (f) => `0 0 0 * * ${f}`, pick: (x) => x.dayOfWeek },
];

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

class ParseError extends Error {}

function parseNumber(s: string, bounds: FieldBounds): number {
  const name = bounds.names?.indexOf(s.toLowerCase()) ?? -1;
  if (name >= 0) return name + bounds.min;
  if (!/^-?\d+$/.test(s)) throw new ParseError(`failed to parse int from ${s}: invalid syntax`);
  const n = Number(s);
  if (n < 0) throw new ParseError(`negative number (${n}) not allowed: ${s}`);
  return n;
}

/** One comma-separated part, checked like robfig's getRange; returns node-cron's `a-b/step` and the star bit. */
function parseRange(expr: string, b: FieldBounds): { range: string; star: boolean } {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    [start, end, star] = [b.min, b.max, true];
  } else {
    start = parseNumber(lowAndHigh[0], b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseNumber(lowAndHigh[1], b);
    else throw new ParseError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseNumber(rangeAndStep[1], { ...b, names: undefined });
    if (lowAndHigh.length === 1) end = b.max; // "N/step" means "N-max/step"
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new ParseError(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new ParseError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new ParseError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end)
    throw new ParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new ParseError(`step of range should be a positive number: ${expr}`);
  return { range: `${start}-${end}/${step}`, star };
}

function parseField(field: string, b: FieldBounds): { values: Set<number>; star: boolean } {
  const parts = field.split(',').map((p) => parseRange(p, b));
  const result = validateDetailed(b.probe(parts.map((p) => p.range).join(',')));
  if (!result.valid || !result.fields)
    throw new ParseError(result.errors[0]?.message ?? `invalid field ${field}`);
  const values = new Set(b.pick(result.fields).filter((v): v is number => typeof v === 'number'));
  return { values, star: parts.some((p) => p.star) };
}

/** Go's time.ParseDuration for `@every`: 1h30m, 90s, 1.5h, 500ms. */
function parseGoDuration(s: string): number {
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: SECOND,
    m: MINUTE,
    h: HOUR,
  };
  const m = /^([-+]?)((?:\d*\.?\d*(?:ns|us|µs|ms|s|m|h))+|0)$/.exec(s);
  if (!m) throw new ParseError(`time: invalid duration "${s}"`);
  if (m[2] === '0') return 0;
  let total = 0;
  for (const [, num, unit] of m[2].matchAll(/(\d*\.?\d*)(ns|us|µs|ms|s|m|h)/g)) {
    if (num === '' || num === '.') throw new ParseError(`time: invalid duration "${s}"`);
    total += Number(num) * units[unit];
  }
  return m[1] === '-' ? -total : total;
}

class SpecSchedule implements CronSchedule {
  constructor(
    readonly timeZone: string,
    private readonly minute: Set<number>,
    private readonly hour: Set<number>,
    private readonly dom: { values: Set<number>; star: boolean },
    private readonly month: Set<number>,
    private readonly dow: { values: Set<number>; star: boolean },
  ) {}

  /** robfig's SpecSchedule.Next: walk month → day → hour → minute → second, wrapping when a field rolls over. */
  next(afterMs: number): number | undefined {
    const tz = this.timeZone;
    const wall = (ms: number) => wallClock(ms, tz);
    let t = Math.floor(afterMs / SECOND) * SECOND + SECOND;
    let added = false;
    const yearLimit = wall(t).year + 5;
    wrap: for (;;) {
      let w = wall(t);
      if (w.year > yearLimit) return undefined;
      while (!this.month.has(w.month)) {
        if (!added) {
          added = true;
          t = fromWallClock(tz, w.year, w.month, 1);
          w = wall(t);
        }
        t = fromWallClock(tz, w.year, w.month + 1, w.day, w.hour, w.minute, w.second);
        w = wall(t);
        if (w.month === 1) continue wrap;
      }
      while (!this.dayMatches(w)) {
        if (!added) {
          added = true;
          t = fromWallClock(tz, w.year, w.month, w.day);
          w = wall(t);
        }
        t = fromWallClock(tz, w.year, w.month, w.day + 1, w.hour, w.minute, w.second);
        w = wall(t);
        // Midnight may not exist on a DST day: land on the hour nearest to it.
        if (w.hour !== 0) {
          t += (w.hour > 12 ? 24 - w.hour : -w.hour) * HOUR;
          w = wall(t);
        }
        if (w.day === 1) continue wrap;
      }
      while (!this.hour.has(w.hour)) {
        if (!added) {
          added = true;
          t = fromWallClock(tz, w.year, w.month, w.day, w.hour);
        }
        t += HOUR;
        w = wall(t);
        if (w.hour === 0) continue wrap;
      }
      while (!this.minute.has(w.minute)) {
        if (!added) {
          added = true;
          t -= t % MINUTE;
        }
        t += MINUTE;
        w = wall(t);
        if (w.minute === 0) continue wrap;
      }
      if (w.second !== 0) {
        // The seconds field of a standard schedule is always 0: go to the next whole minute and re-check.
        t = t - (t % MINUTE) + MINUTE;
        added = true;
        continue wrap;
      }
      return t;
    }
  }

  private dayMatches(w: WallClock): boolean {
    const domMatch = this.dom.values.has(w.day);
    const dowMatch = this.dow.values.has(w.weekday);
    return this.dom.star || this.dow.star ? domMatch && dowMatch : domMatch || dowMatch;
  }
}

class ConstantDelaySchedule implements CronSchedule {
  constructor(
    readonly timeZone: string,
    private readonly delayMs: number,
  ) {}

  next(afterMs: number): number {
    return Math.floor(afterMs / SECOND) * SECOND + this.delayMs;
  }
}

/**
 * Parses a schedule as cron.ParseStandard does. Without a `TZ=` prefix the fields are read in `timeZone`
 * (Kubernetes: the CronJob's spec.timeZone, else the controller manager's local zone; skiff uses UTC then).
 */
export function parseCronSchedule(spec: string, timeZone = 'UTC'): CronParseResult {
  try {
    if (spec.length === 0) throw new ParseError('empty spec string');
    let tz = timeZone;
    let rest = spec;
    if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
      const space = spec.indexOf(' ');
      if (space < 0) throw new ParseError(`missing schedule after time zone: ${spec}`);
      tz = spec.slice(spec.indexOf('=') + 1, space);
      rest = spec.slice(space).trim();
      const err = timeZoneError(tz);
      if (err) throw new ParseError(`provided bad location ${tz}: ${err}`);
    } else {
      const err = timeZoneError(tz);
      if (err) throw new ParseError(err);
    }
    if (rest.startsWith('@')) {
      if (rest.startsWith('@every ')) {
        const d = parseGoDuration(rest.slice('@every '.length).trim());
        // robfig: at least one second, whole seconds only.
        return { schedule: new ConstantDelaySchedule(tz, Math.max(SECOND, d - (d % SECOND))) };
      }
      const expanded = DESCRIPTORS[rest];
      if (!expanded) throw new ParseError(`unrecognized descriptor: ${rest}`);
      rest = expanded;
    }
    const fields = rest.split(/\s+/).filter((f) => f.length > 0);
    if (fields.length !== 5)
      throw new ParseError(`expected exactly 5 fields, found ${fields.length}: ${rest}`);
    const [minute, hour, dom, month, dow] = fields.map((f, i) => parseField(f, FIELDS[i]));
    return { schedule: new SpecSchedule(tz, minute.values, hour.values, dom, month.values, dow) };
  } catch (err) {
    if (err instanceof ParseError) return { error: err.message };
    throw err;
  }
}

export interface CronFieldError {
  field: 'schedule' | 'timeZone';
  message: string;
}

/**
 * What Kubernetes' CronJob validation says about a schedule and time zone (pkg/apis/batch/validation):
 * the schedule must parse, may not carry TZ/CRON_TZ (unless the old object already did), and timeZone must
 * name an explicit IANA zone.
 */
export function cronScheduleErrors(
  schedule: string,
  timeZone?: string,
  allowTzInSchedule = false,
): CronFieldError[] {
  const errors: CronFieldError[] = [];
  const parsed = parseCronSchedule(schedule);
  if (parsed.error) errors.push({ field: 'schedule', message: parsed.error });
  if (schedule.includes('TZ')) {
    if (!allowTzInSchedule) {
      errors.push({
        field: 'schedule',
        message: 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
      });
    } else if (timeZone !== undefined) {
      errors.push({
        field: 'schedule',
        message: 'cannot use both timeZone field and TZ or CRON_TZ in schedule',
      });
    }
  }
  if (timeZone !== undefined) {
    if (timeZone.length === 0) {
      errors.push({ field: 'timeZone', message: 'timeZone must be nil or non-empty string' });
    } else if (
      timeZone
        .split('/')
        .some((p) => p === '.' || p === '..' || p.startsWith('-') || !/^[A-Za-z.\-_0-9+]{1,14}$/.test(p))
    ) {
      errors.push({ field: 'timeZone', message: `unknown time zone ${timeZone}` });
    } else if (timeZone.toLowerCase() === 'local') {
      errors.push({
        field: 'timeZone',
        message: 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
      });
    } else {
      const err = timeZoneError(timeZone);
      if (err) errors.push({ field: 'timeZone', message: err });
    }
  }
  return errors;
}
