// When a CronJob should run (kubernetes pkg/controller/cronjob/utils.go), pure: the most recent schedule time
// since lastScheduleTime (or creation) that is not after now, how many were missed, how long until the next one,
// and the deterministic Job name for a schedule time. All state comes from the API object, so a restarted master
// picks up missed runs exactly like a running one.
import type { CronJob } from '../../api/types.js';
import { parseCronSchedule, type CronSchedule } from '../../common/cron.js';
import { parseTime } from '../job/job-util.js';

/** Syncs are queued this long after a schedule time, so the time has certainly passed. */
export const NEXT_SCHEDULE_DELTA_MS = 100;
/** More missed runs than this are reported (TooManyMissedTimes) and only the latest is started. */
export const MANY_MISSED = 100;

export type MissedSchedules = 'none' | 'few' | 'many';

export interface MostRecent {
  /** lastScheduleTime, else the creation time (moved up to now − startingDeadlineSeconds when asked). */
  earliest: number;
  /** The latest schedule time in (earliest, now], if any. */
  mostRecent?: number;
  missed: MissedSchedules;
  error?: string;
}

export function mostRecentScheduleTime(
  cj: CronJob,
  now: number,
  schedule: CronSchedule,
  includeStartingDeadline: boolean,
): MostRecent {
  let earliest = parseTime(cj.status?.lastScheduleTime) ?? parseTime(cj.metadata.creationTimestamp) ?? now;
  const sds = cj.spec.startingDeadlineSeconds;
  if (includeStartingDeadline && sds !== undefined && sds !== null) {
    // The controller will not start anything older than the deadline.
    earliest = Math.max(earliest, now - sds * 1000);
  }
  const t1 = schedule.next(earliest);
  const t2 = t1 === undefined ? undefined : schedule.next(t1);
  if (t1 !== undefined && now < t1) return { earliest, missed: 'none' };
  if (t1 !== undefined && t2 !== undefined && now < t2) return { earliest, mostRecent: t1, missed: 'none' };
  // A schedule that never fires (e.g. "0 0 31 2 *") has no interval at all.
  const between = t1 === undefined || t2 === undefined ? 0 : Math.round((t2 - t1) / 1000);
  if (between < 1) {
    return { earliest, missed: 'none', error: 'time difference between two schedules is less than 1 second' };
  }
  // Estimate how many runs fit between t1 and now, then walk the last stretch exactly (irregular schedules).
  const elapsed = Math.trunc((now - t1!) / 1000);
  const numberMissed = Math.floor(elapsed / between) + 1;
  const potentialEarliest = t1! + (numberMissed - 2) * between * 1000;
  let mostRecent: number | undefined;
  for (let t = schedule.next(potentialEarliest); t !== undefined && t <= now; t = schedule.next(t))
    mostRecent = t;
  const missed: MissedSchedules = numberMissed > MANY_MISSED ? 'many' : numberMissed > 0 ? 'few' : 'none';
  return { earliest, mostRecent, missed };
}

/** The unmet schedule time to start now (respecting startingDeadlineSeconds), if any. */
export function nextScheduleTime(
  cj: CronJob,
  now: number,
  schedule: CronSchedule,
): { time?: number; missed: MissedSchedules; error?: string } {
  const r = mostRecentScheduleTime(cj, now, schedule, true);
  if (r.error) return { missed: r.missed, error: r.error };
  if (r.mostRecent === undefined || r.mostRecent > now) return { missed: r.missed };
  return { time: r.mostRecent, missed: r.missed };
}

/** How long until the next sync is due: the schedule time after the most recent one, plus a small delta. */
export function nextScheduleTimeDuration(
  cj: CronJob,
  now: number,
  schedule: CronSchedule,
): number | undefined {
  const r = mostRecentScheduleTime(cj, now, schedule, false);
  let from: number;
  if (r.error) from = now;
  else if (r.mostRecent !== undefined) from = r.mostRecent;
  else from = r.missed === 'none' ? r.earliest : now;
  const next = schedule.next(from);
  return next === undefined ? undefined : next + NEXT_SCHEDULE_DELTA_MS - now;
}

/** `<cronjob>-<scheduled time in minutes since the epoch>`: the same run always gets the same name. */
export function jobNameFor(cj: CronJob, scheduledTime: number): string {
  return `${cj.metadata.name}-${Math.floor(scheduledTime / 60_000)}`;
}

/**
 * The schedule as the controller reads it: with spec.timeZone (UTC when unset), or with the TZ=/CRON_TZ= prefix
 * written in the schedule itself (deprecated; then `tzInSchedule` is true and spec.timeZone is ignored).
 */
export function cronJobSchedule(cj: CronJob): {
  schedule?: CronSchedule;
  error?: string;
  tzInSchedule: boolean;
} {
  const tzInSchedule = cj.spec.schedule.includes('TZ');
  const parsed = parseCronSchedule(cj.spec.schedule, tzInSchedule ? 'UTC' : (cj.spec.timeZone ?? 'UTC'));
  return { schedule: parsed.schedule, error: parsed.error, tzInSchedule };
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.RFC1123Z in UTC, as the MissSchedule event prints it: "Thu, 01 Jan 2026 00:05:00 +0000". */
export function formatRfc1123Z(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAY_NAMES[d.getUTCDay()]}, ${p(d.getUTCDate())} ${MONTH_NAMES[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`
  );
}
