import { addDays, localDate, parseHm, weekdayOf, zonedToUtc } from '#lib/time/zone.ts';
import { DAY_NAMES } from '#lib/shops/schema.ts';

/**
 * Working-hour rules as a shop configures them (`workingHours`): any number
 * of windows per weekday (split shifts such as 08:00–11:30 and 13:30–21:00).
 * A window whose end is before its start runs overnight into the next day
 * (`days` names the day it starts on). Overlapping windows count once.
 */
export type WorkingHours = Array<{ days: ReadonlyArray<(typeof DAY_NAMES)[number]>; start: string; end: string }>;
export type Shift = { name: string; start: string; end: string };
/** Local dates (`YYYY-MM-DD`) the shop is closed all day (Tết, holidays): no working time on them. */
export type ClosedDates = ReadonlyArray<string>;

const closedSets = new WeakMap<ClosedDates, ReadonlySet<string>>();
function closedSet(closed: ClosedDates): ReadonlySet<string> {
  let s = closedSets.get(closed);
  if (!s) closedSets.set(closed, (s = new Set(closed)));
  return s;
}

/** The windows that start on one local date, [start, end) in UTC ms, sorted by start (they may overlap). */
function windowsStartingOn(date: string, wh: WorkingHours, tz: string): Array<[number, number]> {
  const dayName = DAY_NAMES[weekdayOf(date) - 1];
  const out: Array<[number, number]> = [];
  for (const rule of wh) {
    if (!dayName || !rule.days.includes(dayName)) continue;
    const s = parseHm(rule.start);
    const e = parseHm(rule.end);
    if (e === s || s >= 1440) continue;
    const start = zonedToUtc(date, s, tz);
    // end ≥ 24:00 is the next midnight; end < start runs overnight into the next day
    const end = e >= 1440 ? zonedToUtc(addDays(date, 1), 0, tz) : e < s ? zonedToUtc(addDays(date, 1), e, tz) : zonedToUtc(date, e, tz);
    if (end > start) out.push([start, end]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/**
 * Working time as disjoint segments in time order, from the windows starting
 * on `firstDate` for `days` days, with every closed date cut out (an
 * overnight window into a closed date stops at its midnight).
 */
function* segments(firstDate: string, days: number, wh: WorkingHours, tz: string, closed: ClosedDates): Generator<[number, number]> {
  const shut = closedSet(closed);
  let cursor = Number.NEGATIVE_INFINITY;
  for (let i = 0, date = firstDate; i < days; i++, date = addDays(date, 1)) {
    for (const [s0, e] of windowsStartingOn(date, wh, tz)) {
      const s = Math.max(s0, cursor);
      if (e <= s) continue;
      cursor = e;
      if (shut.size === 0) {
        yield [s, e];
        continue;
      }
      // a window spans at most two local dates: split at midnight, drop closed dates
      const midnight = zonedToUtc(addDays(date, 1), 0, tz);
      const pieces: Array<[number, number, string]> = e <= midnight || s >= midnight ? [[s, e, s >= midnight ? addDays(date, 1) : date]] : [[s, midnight, date], [midnight, e, addDays(date, 1)]];
      for (const [a, b, d] of pieces) if (!shut.has(d) && b > a) yield [a, b];
    }
  }
}

/** Seconds of working time between two instants (`end` before `start` gives 0). */
export function workingSecondsBetween(startMs: number, endMs: number, wh: WorkingHours, tz: string, closed: ClosedDates = []): number {
  if (endMs <= startMs) return 0;
  let total = 0;
  const first = addDays(localDate(startMs, tz), -1); // an overnight window of the day before may cover the start
  const days = Math.round((Date.parse(localDate(endMs, tz)) - Date.parse(first)) / 86_400_000) + 1;
  for (const [s, e] of segments(first, days, wh, tz, closed)) {
    if (s >= endMs) break;
    const lo = Math.max(s, startMs);
    const hi = Math.min(e, endMs);
    if (hi > lo) total += hi - lo;
  }
  return Math.floor(total / 1000);
}

/**
 * The instant at which `seconds` of working time have passed since `startMs`
 * (e.g. when a response SLA expires). Looks ahead at most 62 days; returns
 * Infinity when the shop has no working time in that horizon. With 0
 * seconds it is the first working instant at or after `startMs`.
 */
export function addWorkingSeconds(startMs: number, seconds: number, wh: WorkingHours, tz: string, closed: ClosedDates = []): number {
  let remaining = seconds * 1000;
  for (const [s, e] of segments(addDays(localDate(startMs, tz), -1), 63, wh, tz, closed)) {
    const lo = Math.max(s, startMs);
    if (e <= lo) continue;
    if (e - lo >= remaining) return lo + remaining;
    remaining -= e - lo;
  }
  return Number.POSITIVE_INFINITY;
}

/** The shift whose local window contains a minute of the day (0–1439), or `other`. */
export function shiftAt(minuteOfDay: number, shifts: Shift[]): string {
  for (const s of shifts) {
    const a = parseHm(s.start);
    const b = parseHm(s.end);
    const inside = a <= b ? minuteOfDay >= a && minuteOfDay < b : minuteOfDay >= a || minuteOfDay < b;
    if (inside) return s.name;
  }
  return 'other';
}
