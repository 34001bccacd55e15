import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  isoWeek,
  isoWeekStart,
  isValidDate,
  localDate,
  localParts,
  monthEnd,
  monthOf,
  offsetMs,
  parseHm,
  weekdayOf,
  zonedToUtc,
} from '#lib/time/zone.ts';

/**
 * 2026 transitions used below (worked out from the zone rules, not from the code):
 * - America/New_York: DST starts Sun 2026-03-08 02:00 EST → 03:00 EDT (07:00Z);
 *   ends Sun 2026-11-01 02:00 EDT → 01:00 EST (06:00Z).
 * - Europe/Berlin: DST starts Sun 2026-03-29 02:00 CET → 03:00 CEST (01:00Z);
 *   ends Sun 2026-10-25 03:00 CEST → 02:00 CET (01:00Z).
 * - Australia/Lord_Howe (30-minute DST, +10:30 / +11): DST ends Sun 2026-04-05 02:00 → 01:30
 *   (2026-04-04T15:00Z); starts Sun 2026-10-04 02:00 → 02:30 (2026-10-03T15:30Z).
 * - Asia/Ho_Chi_Minh +07:00 and Asia/Kathmandu +05:45 all year, UTC ±0.
 */
const ms = (iso: string) => Date.parse(iso);
const H = 3_600_000;
const M = 60_000;
const wall = (t: number, tz: string) => {
  const p = localParts(t, tz);
  return `${p.date} ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}:${String(p.second).padStart(2, '0')} ${p.weekday}`;
};

describe('localParts', () => {
  it.each([
    // [instant, zone, wall clock "date hh:mm:ss isoWeekday"]
    ['2026-11-20T03:00:00Z', 'Asia/Ho_Chi_Minh', '2026-11-20 10:00:00 5'],
    ['2026-11-20T16:59:59Z', 'Asia/Ho_Chi_Minh', '2026-11-20 23:59:59 5'],
    ['2026-11-20T17:00:00Z', 'Asia/Ho_Chi_Minh', '2026-11-21 00:00:00 6'],
    ['2026-12-31T17:00:00Z', 'Asia/Ho_Chi_Minh', '2027-01-01 00:00:00 5'],
    // New York spring forward: 01:59:59 EST is followed by 03:00:00 EDT
    ['2026-03-08T06:59:59Z', 'America/New_York', '2026-03-08 01:59:59 7'],
    ['2026-03-08T07:00:00Z', 'America/New_York', '2026-03-08 03:00:00 7'],
    // New York fall back: 01:59:59 EDT is followed by 01:00:00 EST; 01:30 happens twice
    ['2026-11-01T05:30:00Z', 'America/New_York', '2026-11-01 01:30:00 7'],
    ['2026-11-01T05:59:59Z', 'America/New_York', '2026-11-01 01:59:59 7'],
    ['2026-11-01T06:00:00Z', 'America/New_York', '2026-11-01 01:00:00 7'],
    ['2026-11-01T06:30:00Z', 'America/New_York', '2026-11-01 01:30:00 7'],
    // Berlin
    ['2026-03-29T00:59:59Z', 'Europe/Berlin', '2026-03-29 01:59:59 7'],
    ['2026-03-29T01:00:00Z', 'Europe/Berlin', '2026-03-29 03:00:00 7'],
    ['2026-10-25T00:30:00Z', 'Europe/Berlin', '2026-10-25 02:30:00 7'],
    ['2026-10-25T00:59:59Z', 'Europe/Berlin', '2026-10-25 02:59:59 7'],
    ['2026-10-25T01:00:00Z', 'Europe/Berlin', '2026-10-25 02:00:00 7'],
    ['2026-10-25T01:30:00Z', 'Europe/Berlin', '2026-10-25 02:30:00 7'],
    // Lord Howe: back by 30 minutes in April, forward by 30 minutes in October
    ['2026-04-04T14:59:59Z', 'Australia/Lord_Howe', '2026-04-05 01:59:59 7'],
    ['2026-04-04T15:00:00Z', 'Australia/Lord_Howe', '2026-04-05 01:30:00 7'],
    ['2026-10-03T15:29:59Z', 'Australia/Lord_Howe', '2026-10-04 01:59:59 7'],
    ['2026-10-03T15:30:00Z', 'Australia/Lord_Howe', '2026-10-04 02:30:00 7'],
    // Kathmandu +05:45: local midnight is 18:15Z
    ['2026-11-20T18:14:59Z', 'Asia/Kathmandu', '2026-11-20 23:59:59 5'],
    ['2026-11-20T18:15:00Z', 'Asia/Kathmandu', '2026-11-21 00:00:00 6'],
    ['2026-12-31T23:59:59Z', 'UTC', '2026-12-31 23:59:59 4'],
    ['2027-01-01T00:00:00Z', 'UTC', '2027-01-01 00:00:00 5'],
  ])('%s in %s is %s', (iso, tz, expected) => {
    expect(wall(ms(iso), tz)).toBe(expected);
  });

  it('gives the local calendar day through localDate', () => {
    expect(localDate(ms('2026-11-20T17:00:00Z'), 'Asia/Ho_Chi_Minh')).toBe('2026-11-21');
    expect(localDate(ms('2026-11-20T17:00:00Z'), 'America/New_York')).toBe('2026-11-20');
    expect(localDate(ms('2026-11-20T18:14:00Z'), 'Asia/Kathmandu')).toBe('2026-11-20');
  });
});

describe('offsetMs', () => {
  it.each([
    ['2026-06-01T00:00:00Z', 'Asia/Ho_Chi_Minh', 7 * H],
    ['2026-01-01T00:00:00Z', 'Asia/Ho_Chi_Minh', 7 * H],
    ['2026-06-01T00:00:00Z', 'Asia/Kathmandu', 5 * H + 45 * M],
    ['2026-06-01T00:00:00Z', 'UTC', 0],
    ['2026-03-08T06:59:59Z', 'America/New_York', -5 * H],
    ['2026-03-08T07:00:00Z', 'America/New_York', -4 * H],
    ['2026-11-01T05:59:59Z', 'America/New_York', -4 * H],
    ['2026-11-01T06:00:00Z', 'America/New_York', -5 * H],
    ['2026-03-29T00:59:59Z', 'Europe/Berlin', 1 * H],
    ['2026-03-29T01:00:00Z', 'Europe/Berlin', 2 * H],
    ['2026-10-25T00:59:59Z', 'Europe/Berlin', 2 * H],
    ['2026-10-25T01:00:00Z', 'Europe/Berlin', 1 * H],
    ['2026-04-04T14:59:59Z', 'Australia/Lord_Howe', 11 * H],
    ['2026-04-04T15:00:00Z', 'Australia/Lord_Howe', 10 * H + 30 * M],
    ['2026-10-03T15:29:59Z', 'Australia/Lord_Howe', 10 * H + 30 * M],
    ['2026-10-03T15:30:00Z', 'Australia/Lord_Howe', 11 * H],
  ])('at %s in %s is %d ms', (iso, tz, expected) => {
    expect(offsetMs(ms(iso), tz)).toBe(expected);
  });

  it('ignores the milliseconds of the instant', () => {
    expect(offsetMs(ms('2026-11-20T03:00:00.999Z'), 'Asia/Ho_Chi_Minh')).toBe(7 * H);
  });
});

describe('zonedToUtc', () => {
  it.each([
    ['2026-11-20', 10 * 60, 'Asia/Ho_Chi_Minh', '2026-11-20T03:00:00.000Z'],
    ['2026-11-21', 0, 'Asia/Ho_Chi_Minh', '2026-11-20T17:00:00.000Z'],
    ['2026-11-21', 0, 'Asia/Kathmandu', '2026-11-20T18:15:00.000Z'],
    ['2026-11-20', 22 * 60, 'Asia/Kathmandu', '2026-11-20T16:15:00.000Z'],
    ['2026-11-20', 22 * 60, 'UTC', '2026-11-20T22:00:00.000Z'],
    ['2026-03-07', 8 * 60, 'America/New_York', '2026-03-07T13:00:00.000Z'],
    ['2026-03-08', 8 * 60, 'America/New_York', '2026-03-08T12:00:00.000Z'],
    ['2026-03-08', 0, 'America/New_York', '2026-03-08T05:00:00.000Z'],
    ['2026-11-01', 0, 'America/New_York', '2026-11-01T04:00:00.000Z'],
    ['2026-11-01', 8 * 60, 'America/New_York', '2026-11-01T13:00:00.000Z'],
    ['2026-03-29', 0, 'Europe/Berlin', '2026-03-28T23:00:00.000Z'],
    ['2026-03-29', 8 * 60, 'Europe/Berlin', '2026-03-29T06:00:00.000Z'],
    ['2026-10-25', 0, 'Europe/Berlin', '2026-10-24T22:00:00.000Z'],
    ['2026-10-25', 22 * 60, 'Europe/Berlin', '2026-10-25T21:00:00.000Z'],
    ['2026-04-05', 0, 'Australia/Lord_Howe', '2026-04-04T13:00:00.000Z'],
    ['2026-04-05', 8 * 60, 'Australia/Lord_Howe', '2026-04-04T21:30:00.000Z'],
    ['2026-10-04', 8 * 60, 'Australia/Lord_Howe', '2026-10-03T21:00:00.000Z'],
    // 24:00 of a day is 00:00 of the next
    ['2026-11-20', 1440, 'Asia/Ho_Chi_Minh', '2026-11-20T17:00:00.000Z'],
  ])('%s + %d min in %s is %s', (date, minutes, tz, expected) => {
    expect(new Date(zonedToUtc(date, minutes, tz)).toISOString()).toBe(expected);
  });

  // Every 5 minutes of every DST-switch day (plus a plain day) of each zone: the
  // wall clock localParts shows maps back to an instant showing that same wall
  // clock; it is the instant itself except in a fall-back overlap, where it is
  // the other occurrence of that wall clock.
  const sweep = (tz: string, date: string) => {
    const from = ms(`${date}T00:00:00Z`) - 16 * H;
    const to = ms(`${date}T00:00:00Z`) + 40 * H;
    let exact = 0;
    for (let t = from; t < to; t += 5 * M) {
      const p = localParts(t, tz);
      const back = zonedToUtc(p.date, p.hour * 60 + p.minute, tz);
      expect(wall(back, tz)).toBe(wall(t, tz));
      if (back === t) exact++;
      else expect(Math.abs(back - t)).toBeLessThanOrEqual(H); // the other occurrence in an overlap
    }
    // outside the (at most one hour long) overlap every instant maps back to itself
    expect(exact).toBeGreaterThanOrEqual((to - from) / (5 * M) - 12);
  };
  it.each([
    ['Asia/Ho_Chi_Minh', '2026-11-20'],
    ['Asia/Kathmandu', '2026-11-20'],
    ['UTC', '2026-12-31'],
    ['America/New_York', '2026-03-08'],
    ['Europe/Berlin', '2026-10-25'],
    ['Australia/Lord_Howe', '2026-04-05'],
  ])('inverts localParts on every 5 minutes around %s %s', sweep);

  // Regression (was a bug, fixed in lib/time/zone.ts zonedToUtc): the first guess takes the offset in force
  // at the *naive* instant (the wall clock read as UTC). Between that instant and
  // the real one a transition can lie even when the wall-clock time is not in a
  // gap or overlap; the second guess then differs and `Math.min` keeps the wrong
  // one. Unambiguous wall-clock times come out one DST step early:
  //   New York 2026-11-01 02:00–05:59 (after fall-back) → 1 h early,
  //   Berlin 2026-03-29 01:00–01:59 (before spring-forward) → 1 h early,
  //   Lord Howe 2026-10-03 15:30 … 2026-10-04 01:59 (before spring-forward) → 30 min early,
  //   and likewise Australia/Sydney 2026-10-03 16:00–24:00, Pacific/Auckland 2026-09-26 14:00–24:00.
  for (const [tz, date] of [
    ['America/New_York', '2026-11-01'],
    ['Europe/Berlin', '2026-03-29'],
    ['Australia/Lord_Howe', '2026-10-04'],
  ] as const) {
    it(`inverts localParts on every 5 minutes around ${tz} ${date}`, () => sweep(tz, date));
  }
  it.each([
    // [date, minutes, zone, expected]: none of these wall-clock times is ambiguous
    ['2026-11-01', 2 * 60, 'America/New_York', '2026-11-01T07:00:00.000Z'], // 02:00 EST; code: 06:00Z (01:00 EST)
    ['2026-11-01', 5 * 60, 'America/New_York', '2026-11-01T10:00:00.000Z'], // 05:00 EST; code: 09:00Z
    ['2026-03-29', 90, 'Europe/Berlin', '2026-03-29T00:30:00.000Z'], // 01:30 CET; code: 23:30Z the day before
    ['2026-10-03', 22 * 60, 'Australia/Lord_Howe', '2026-10-03T11:30:00.000Z'], // 22:00 +10:30; code: 11:00Z (21:30)
    ['2026-10-03', 22 * 60, 'Australia/Sydney', '2026-10-03T12:00:00.000Z'], // 22:00 AEST; code: 11:00Z (21:00)
    ['2026-09-26', 22 * 60, 'Pacific/Auckland', '2026-09-26T10:00:00.000Z'], // 22:00 NZST; code: 09:00Z (21:00)
  ])('%s + %d min in %s (unambiguous, near a transition) is %s', (date, minutes, tz, expected) => {
    expect(new Date(zonedToUtc(date, minutes, tz)).toISOString()).toBe(expected);
  });

  // Fall-back overlap: the TSDoc promises the earlier of the two instants.
  it('New York 2026-11-01 01:30 (overlap) is the earlier instant, 01:30 EDT = 05:30Z', () => {
    expect(new Date(zonedToUtc('2026-11-01', 90, 'America/New_York')).toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });
  // Regression (was a bug, fixed in lib/time/zone.ts zonedToUtc): for zones east of UTC the first guess is
  // already taken with the post-transition offset, so the overlap resolves to the
  // LATER instant (02:30 CET = 01:30Z), contrary to the TSDoc ("in a fall-back
  // overlap the earlier one"): expected 02:30 CEST = 00:30Z.
  it('Berlin 2026-10-25 02:30 (overlap) is the earlier instant, 02:30 CEST = 00:30Z', () => {
    expect(new Date(zonedToUtc('2026-10-25', 150, 'Europe/Berlin')).toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });
  // Regression (was a bug, fixed in same cause): Lord Howe 01:45 on 2026-04-05 happens at +11 (14:45Z) and at
  // +10:30 (15:15Z); the code returns 15:15Z, the later one.
  it('Lord Howe 2026-04-05 01:45 (30-minute overlap) is the earlier instant, 01:45 +11:00 = 14:45Z', () => {
    expect(new Date(zonedToUtc('2026-04-05', 105, 'Australia/Lord_Howe')).toISOString()).toBe('2026-04-04T14:45:00.000Z');
  });

  // Spring-forward gap: the TSDoc promises "the later valid instant"; the usual
  // reading (java.time, Temporal 'compatible') moves the wall clock forward by the
  // length of the gap: NY 02:30 → 03:30 EDT = 07:30Z, Berlin 02:30 → 03:30 CEST =
  // 01:30Z, Lord Howe 02:15 → 02:45 +11:00 = 15:45Z. In any reading the result
  // must not lie before the transition.
  // Regression (was a bug, fixed in lib/time/zone.ts zonedToUtc): `Math.min(guess, second)` picks the EARLIER
  // candidate, an instant before the gap whose wall clock is 01:30 EST / 01:30 CET /
  // 01:45 +10:30, i.e. one hour (30 min) before the requested time.
  it('New York 2026-03-08 02:30 (gap) is after the transition: 03:30 EDT = 07:30Z', () => {
    const t = zonedToUtc('2026-03-08', 150, 'America/New_York');
    expect(t).toBeGreaterThanOrEqual(ms('2026-03-08T07:00:00Z'));
    expect(new Date(t).toISOString()).toBe('2026-03-08T07:30:00.000Z');
  });
  it('Berlin 2026-03-29 02:30 (gap) is after the transition: 03:30 CEST = 01:30Z', () => {
    const t = zonedToUtc('2026-03-29', 150, 'Europe/Berlin');
    expect(t).toBeGreaterThanOrEqual(ms('2026-03-29T01:00:00Z'));
    expect(new Date(t).toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });
  it('Lord Howe 2026-10-04 02:15 (30-minute gap) is after the transition: 02:45 +11:00 = 15:45Z', () => {
    const t = zonedToUtc('2026-10-04', 135, 'Australia/Lord_Howe');
    expect(t).toBeGreaterThanOrEqual(ms('2026-10-03T15:30:00Z'));
    expect(new Date(t).toISOString()).toBe('2026-10-03T15:45:00.000Z');
  });
});

describe('calendar arithmetic', () => {
  it('adds days across month, year and leap-day boundaries', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-11-20', 0)).toBe('2026-11-20');
    expect(addDays('2026-11-20', 41)).toBe('2026-12-31');
  });

  it('counts whole calendar days, unaffected by DST', () => {
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
    expect(daysBetween('2026-10-24', '2026-10-26')).toBe(2);
    expect(daysBetween('2026-12-31', '2026-01-01')).toBe(-364);
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
  });

  it('gives ISO weekdays', () => {
    expect(weekdayOf('2026-01-01')).toBe(4); // Thursday
    expect(weekdayOf('2026-11-20')).toBe(5); // Friday
    expect(weekdayOf('2026-11-22')).toBe(7); // Sunday
    expect(weekdayOf('2026-11-23')).toBe(1); // Monday
    expect(weekdayOf('2027-01-01')).toBe(5); // Friday
  });

  /*
   * ISO 8601: week 1 is the week (Mon–Sun) holding the year's first Thursday; a
   * date belongs to the ISO year of the Thursday of its week.
   * - 2026-01-01 is a Thursday, so 2026-W01 = Mon 2025-12-29 … Sun 2026-01-04, and
   *   2026 (a common year starting on Thursday) has 53 weeks.
   * - 2026-12-31 (Thu) → 2026-W53 (Mon 2026-12-28 … Sun 2027-01-03).
   * - 2027-01-01 (Fri): the Thursday of its week is 2026-12-31 → 2026-W53.
   * - 2027-01-04 (Mon) → 2027-W01.
   * - 2024-12-30 (Mon): 2025-01-01 is a Wednesday, so that week holds the first
   *   Thursday of 2025 → 2025-W01.
   * - 2020 (leap, starts Wed) has 53 weeks: 2021-01-03 (Sun) → 2020-W53.
   * - 2026-11-20 is day 324 of 2026, 326 days after Mon 2025-12-29 = 46 weeks + 4 → W47.
   */
  it.each([
    ['2025-12-29', '2026-W01'],
    ['2026-01-01', '2026-W01'],
    ['2026-01-04', '2026-W01'],
    ['2026-01-05', '2026-W02'],
    ['2026-11-20', '2026-W47'],
    ['2026-11-23', '2026-W48'],
    ['2026-12-28', '2026-W53'],
    ['2026-12-31', '2026-W53'],
    ['2027-01-01', '2026-W53'],
    ['2027-01-03', '2026-W53'],
    ['2027-01-04', '2027-W01'],
    ['2024-12-29', '2024-W52'],
    ['2024-12-30', '2025-W01'],
    ['2020-12-31', '2020-W53'],
    ['2021-01-03', '2020-W53'],
    ['2021-01-04', '2021-W01'],
  ])('isoWeek(%s) is %s', (date, week) => {
    expect(isoWeek(date)).toBe(week);
  });

  it.each([
    ['2026-W01', '2025-12-29'],
    ['2026-W47', '2026-11-16'],
    ['2026-W48', '2026-11-23'],
    ['2026-W53', '2026-12-28'],
    ['2027-W01', '2027-01-04'],
    ['2025-W01', '2024-12-30'],
    ['2020-W53', '2020-12-28'],
  ])('isoWeekStart(%s) is Monday %s', (week, monday) => {
    expect(isoWeekStart(week)).toBe(monday);
  });

  it('round-trips every date of 2019–2028 through isoWeek and isoWeekStart', () => {
    for (let d = '2019-01-01'; d <= '2028-12-31'; d = addDays(d, 1)) {
      const week = isoWeek(d);
      const monday = isoWeekStart(week);
      expect(weekdayOf(monday)).toBe(1);
      expect(daysBetween(monday, d)).toBe(weekdayOf(d) - 1);
      expect(isoWeek(monday)).toBe(week);
      expect(isoWeek(addDays(monday, 6))).toBe(week);
    }
  });

  it.each([
    ['2024-02', '2024-02-29'], // leap
    ['2026-02', '2026-02-28'],
    ['2000-02', '2000-02-29'], // divisible by 400
    ['2100-02', '2100-02-28'], // divisible by 100, not 400
    ['2026-04', '2026-04-30'],
    ['2026-11', '2026-11-30'],
    ['2026-12', '2026-12-31'],
    ['2027-01', '2027-01-31'],
  ])('monthEnd(%s) is %s', (month, end) => {
    expect(monthEnd(month)).toBe(end);
  });

  it('takes the month of a date', () => {
    expect(monthOf('2026-11-20')).toBe('2026-11');
    expect(monthOf('2027-01-01')).toBe('2027-01');
  });

  it('validates dates strictly', () => {
    expect(isValidDate('2024-02-29')).toBe(true);
    expect(isValidDate('2026-12-31')).toBe(true);
    expect(isValidDate('2026-02-29')).toBe(false);
    expect(isValidDate('2026-02-30')).toBe(false);
    expect(isValidDate('2026-11-31')).toBe(false);
    expect(isValidDate('2026-1-01')).toBe(false);
    expect(isValidDate('2026-11-20T00:00')).toBe(false);
  });

  // Regression (was a bug, fixed in lib/time/zone.ts isValidDate): a month or day the Date parser rejects
  // outright gives an Invalid Date whose toISOString() throws RangeError instead
  // of returning false. The zod refinements in lib/reports/query.ts,
  // lib/admin/rebuild.ts and lib/digests/dispatch.ts call it, so `from=2026-13-01`
  // becomes an unhandled RangeError (a 500) instead of a 400 validation error.
  it.each(['2026-13-01', '2026-00-10', '2026-11-32', '2026-11-00'])('isValidDate(%s) is false, not a throw', (s) => {
    expect(isValidDate(s)).toBe(false);
  });

  it('parses HH:MM to minutes of the day', () => {
    expect(parseHm('00:00')).toBe(0);
    expect(parseHm('08:05')).toBe(485);
    expect(parseHm('22:00')).toBe(1320);
    expect(parseHm('24:00')).toBe(1440);
  });
});
