/**
 * Calendar arithmetic in a shop's IANA time zone, with no dependency: Intl
 * gives the wall-clock parts of an instant, and `zonedToUtc` inverts that.
 */

export type LocalParts = { date: string; hour: number; minute: number; second: number; weekday: number };

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Wall-clock parts of an instant in `tz`; weekday is ISO (Mon = 1 … Sun = 7). */
export function localParts(ms: number, tz: string): LocalParts {
  const parts = formatter(tz).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    second: Number(get('second')),
    weekday: WEEKDAYS[get('weekday')] ?? 0,
  };
}

/** The local calendar day (YYYY-MM-DD) of an instant. */
export function localDate(ms: number, tz: string): string {
  return localParts(ms, tz).date;
}

/** Offset of `tz` from UTC at instant `ms`, in milliseconds. */
export function offsetMs(ms: number, tz: string): number {
  const p = localParts(ms, tz);
  const [y, mo, d] = p.date.split('-').map(Number) as [number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `tz` shows `date` `hh:mm`.
 * In a spring-forward gap (a time that does not exist) the instant after the
 * change is returned (the wall time read with the offset before it); in a
 * fall-back overlap (a time that happens twice) the earlier one.
 */
export function zonedToUtc(date: string, minutesOfDay: number, tz: string): number {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const naive = Date.UTC(y, mo - 1, d) + minutesOfDay * 60_000;
  // offsets in force half a day before and after: clock changes are months apart
  const before = naive - offsetMs(naive - 12 * 3_600_000, tz);
  const after = naive - offsetMs(naive + 12 * 3_600_000, tz);
  const shows = (t: number) => t + offsetMs(t, tz) === naive;
  const valid = [before, after].filter(shows);
  if (valid.length > 0) return Math.min(...valid);
  return before;
}

/** Adds days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Whole days from `a` to `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  const [y1, m1, d1] = a.split('-').map(Number) as [number, number, number];
  const [y2, m2, d2] = b.split('-').map(Number) as [number, number, number];
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / 86_400_000);
}

/** ISO weekday of a calendar date (Mon = 1 … Sun = 7). */
export function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return wd === 0 ? 7 : wd;
}

/** ISO-8601 week of a calendar date, e.g. `2026-W48`. */
export function isoWeek(date: string): string {
  const thursday = addDays(date, 4 - weekdayOf(date));
  const year = Number(thursday.slice(0, 4));
  const week = Math.floor(daysBetween(`${year}-01-01`, thursday) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Monday of an ISO week key. */
export function isoWeekStart(week: string): string {
  const [yearPart, wPart] = week.split('-W') as [string, string];
  const jan4 = `${yearPart}-01-04`;
  const mondayOfWeek1 = addDays(jan4, 1 - weekdayOf(jan4));
  return addDays(mondayOfWeek1, (Number(wPart) - 1) * 7);
}

/** The calendar month of a date, e.g. `2026-11`. */
export function monthOf(date: string): string {
  return date.slice(0, 7);
}

/** Last day of a month key. */
export function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** Dates the service computes with: 2000-01-01 … 2099-12-31 (JavaScript maps years 0–99 to the 1900s, and ranges must stay within four-digit years). */
export const FIRST_DATE = '2000-01-01';
export const LAST_DATE = '2099-12-31';
export const DATE_RULE = `expected a date YYYY-MM-DD from ${FIRST_DATE} to ${LAST_DATE}`;
export const isValidDate = (s: string): boolean => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || s < FIRST_DATE || s > LAST_DATE) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
};

/** Parses `HH:MM` into minutes of the day (`24:00` is 1440). */
export function parseHm(hm: string): number {
  const [h, m] = hm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** An instant as ISO-8601 on the wall clock of `tz` with its offset: `2026-11-20T09:00:00+07:00` (seconds precision). */
export function isoInZone(ms: number, tz: string): string {
  const p = localParts(ms, tz);
  const off = Math.round(offsetMs(ms, tz) / 60_000);
  const abs = Math.abs(off);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.date}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${off < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
