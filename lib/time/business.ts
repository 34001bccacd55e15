import { addDays, localDate, parseHm, weekdayOf, zonedToUtc } from '#lib/time/zone.ts';
import { DAY_NAMES } from '#lib/shops/schema.ts';

/** Working-hour rules as a shop configures them (`workingHours`). */
export type WorkingHours = Array<{ days: ReadonlyArray<(typeof DAY_NAMES)[number]>; start: string; end: string }>;
export type Shift = { name: string; start: string; end: string };

/** The working intervals [start, end) in UTC ms of one local calendar date. */
function intervalsOn(date: string, wh: WorkingHours, tz: string): Array<[number, number]> {
  const dayName = DAY_NAMES[weekdayOf(date) - 1];
  const out: Array<[number, number]> = [];
  for (const rule of wh) {
    if (!dayName || !rule.days.includes(dayName)) continue;
    const s = parseHm(rule.start);
    const e = parseHm(rule.end);
    if (e <= s) continue;
    out.push([zonedToUtc(date, s, tz), e >= 1440 ? zonedToUtc(addDays(date, 1), 0, tz) : zonedToUtc(date, e, tz)]);
  }
  out.sort((a, b) => a[0] - b[0]);
  // merge overlaps so two rules covering the same minutes count once
  const merged: Array<[number, number]> = [];
  for (const iv of out) {
    const last = merged[merged.length - 1];
    if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
    else merged.push([iv[0], iv[1]]);
  }
  return merged;
}

/** Seconds of working time between two instants (`end` before `start` gives 0). */
export function workingSecondsBetween(startMs: number, endMs: number, wh: WorkingHours, tz: string): number {
  if (endMs <= startMs) return 0;
  let total = 0;
  const last = localDate(endMs, tz);
  for (let d = addDays(localDate(startMs, tz), -1); d <= last; d = addDays(d, 1)) {
    for (const [s, e] of intervalsOn(d, wh, tz)) {
      const lo = Math.max(s, startMs);
      const hi = Math.min(e, endMs);
      if (hi > lo) total += hi - lo;
    }
  }
  return Math.floor(total / 1000);
}

/**
 * The instant at which `seconds` of working time have passed since `startMs`
 * (e.g. when a response SLA expires). Looks ahead at most 60 days; returns
 * Infinity when the shop has no working time in that horizon.
 */
export function addWorkingSeconds(startMs: number, seconds: number, wh: WorkingHours, tz: string): number {
  let remaining = seconds * 1000;
  let d = addDays(localDate(startMs, tz), -1);
  for (let i = 0; i < 62; i++, d = addDays(d, 1)) {
    for (const [s, e] of intervalsOn(d, wh, tz)) {
      const lo = Math.max(s, startMs);
      if (e <= lo) continue;
      if (e - lo >= remaining) return lo + remaining;
      remaining -= e - lo;
    }
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
