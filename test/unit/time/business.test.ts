import { describe, expect, it } from 'vitest';
import { addWorkingSeconds, shiftAt, workingSecondsBetween, type Shift, type WorkingHours } from '#lib/time/business.ts';
import { DAY_NAMES, DEFAULT_SHIFTS, DEFAULT_WORKING_HOURS } from '#lib/shops/schema.ts';

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();
const ALL = [...DAY_NAMES];
const DEFAULT: WorkingHours = DEFAULT_WORKING_HOURS; // Mon–Sun 08:00–22:00
const WEEKDAYS_9_18: WorkingHours = [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' }];
const ROUND_THE_CLOCK: WorkingHours = [{ days: ALL, start: '00:00', end: '24:00' }];
const HCM = 'Asia/Ho_Chi_Minh';

describe('workingSecondsBetween', () => {
  it.each([
    // [from, to, expected seconds, hand computation]
    ['2026-11-20T10:00:00+07:00', '2026-11-20T10:05:00+07:00', 300, 'inside hours: 5 min'],
    ['2026-11-20T21:55:00+07:00', '2026-11-21T08:05:00+07:00', 600, '5 min before 22:00 close + 5 min after 08:00 open'],
    ['2026-11-20T06:00:00+07:00', '2026-11-20T08:30:00+07:00', 1800, 'before opening: only 08:00–08:30'],
    ['2026-11-20T21:30:00+07:00', '2026-11-20T23:00:00+07:00', 1800, 'after closing: only 21:30–22:00'],
    ['2026-11-20T22:30:00+07:00', '2026-11-21T07:59:00+07:00', 0, 'entirely in the night'],
    ['2026-11-20T22:00:00+07:00', '2026-11-21T08:00:00+07:00', 0, 'exactly close to open'],
    ['2026-11-16T10:00:00+07:00', '2026-11-18T10:00:00+07:00', 2 * 14 * 3600, 'two whole working days of 14 h'],
    ['2026-11-20T10:00:00.000+07:00', '2026-11-20T10:00:01.999+07:00', 1, 'whole seconds, rounded down'],
  ])('%s → %s is %d s (%s)', (from, to, expected) => {
    expect(workingSecondsBetween(ms(from), ms(to), DEFAULT, HCM)).toBe(expected);
  });

  it('is 0 when the end is before or at the start', () => {
    expect(workingSecondsBetween(ms('2026-11-20T10:05:00+07:00'), ms('2026-11-20T10:00:00+07:00'), DEFAULT, HCM)).toBe(0);
    expect(workingSecondsBetween(ms('2026-11-20T10:00:00+07:00'), ms('2026-11-20T10:00:00+07:00'), DEFAULT, HCM)).toBe(0);
  });

  it('skips a weekend with Mon–Fri rules', () => {
    // Fri 2026-11-20 17:00 → Mon 2026-11-23 10:00: Fri 17–18 (1 h) + Mon 09–10 (1 h)
    expect(workingSecondsBetween(ms('2026-11-20T17:00:00+07:00'), ms('2026-11-23T10:00:00+07:00'), WEEKDAYS_9_18, HCM)).toBe(7200);
    // Sat 10:00 → Sun 20:00: nothing
    expect(workingSecondsBetween(ms('2026-11-21T10:00:00+07:00'), ms('2026-11-22T20:00:00+07:00'), WEEKDAYS_9_18, HCM)).toBe(0);
  });

  it('adds split shifts on the same day', () => {
    const split: WorkingHours = [
      { days: ALL, start: '08:00', end: '12:00' },
      { days: ALL, start: '14:00', end: '20:00' },
    ];
    // 11:00 → 15:00: 11–12 and 14–15
    expect(workingSecondsBetween(ms('2026-11-20T11:00:00+07:00'), ms('2026-11-20T15:00:00+07:00'), split, HCM)).toBe(7200);
    // the lunch break itself counts nothing
    expect(workingSecondsBetween(ms('2026-11-20T12:10:00+07:00'), ms('2026-11-20T13:50:00+07:00'), split, HCM)).toBe(0);
  });

  it('counts overlapping rules once', () => {
    const overlapping: WorkingHours = [
      { days: ALL, start: '08:00', end: '12:00' },
      { days: ALL, start: '10:00', end: '14:00' },
      { days: ALL, start: '08:00', end: '12:00' }, // the same rule twice
    ];
    // 07:00 → 15:00: union 08:00–14:00 = 6 h, not 4 + 4 + 4
    expect(workingSecondsBetween(ms('2026-11-20T07:00:00+07:00'), ms('2026-11-20T15:00:00+07:00'), overlapping, HCM)).toBe(6 * 3600);
    const weekendLonger: WorkingHours = [...DEFAULT, { days: ['sat', 'sun'], start: '10:00', end: '23:00' }];
    // Sat 2026-11-21 21:00 → 23:30: union 08:00–23:00 → 21:00–23:00 = 2 h
    expect(workingSecondsBetween(ms('2026-11-21T21:00:00+07:00'), ms('2026-11-21T23:30:00+07:00'), weekendLonger, HCM)).toBe(7200);
  });

  it('treats 24:00 as the end of the day and adjacent rules as continuous', () => {
    const late: WorkingHours = [
      { days: ALL, start: '20:00', end: '24:00' },
      { days: ALL, start: '00:00', end: '02:00' },
    ];
    // 23:00 → 01:00 next day: 1 h + 1 h
    expect(workingSecondsBetween(ms('2026-11-20T23:00:00+07:00'), ms('2026-11-21T01:00:00+07:00'), late, HCM)).toBe(7200);
  });

  it('ignores a rule whose end is not after its start', () => {
    const empty: WorkingHours = [{ days: ALL, start: '10:00', end: '10:00' }];
    expect(workingSecondsBetween(ms('2026-11-20T00:00:00+07:00'), ms('2026-11-22T00:00:00+07:00'), empty, HCM)).toBe(0);
  });

  it('uses the zone of the shop: Kathmandu +05:45 and UTC', () => {
    expect(workingSecondsBetween(ms('2026-11-20T21:55:00+05:45'), ms('2026-11-21T08:05:00+05:45'), DEFAULT, 'Asia/Kathmandu')).toBe(600);
    expect(workingSecondsBetween(ms('2026-11-20T21:55:00Z'), ms('2026-11-21T08:05:00Z'), DEFAULT, 'UTC')).toBe(600);
    // the same instants seen from Ho Chi Minh City are 04:55 → 15:05 local: 08:00–15:05 = 7 h 5 min
    expect(workingSecondsBetween(ms('2026-11-20T21:55:00Z'), ms('2026-11-21T08:05:00Z'), DEFAULT, HCM)).toBe(7 * 3600 + 300);
  });

  describe('DST days', () => {
    it('Berlin spring-forward day: round-the-clock hours give 23 h, default hours still 14 h', () => {
      // local 2026-03-29 00:00 CET = 03-28T23:00Z; 2026-03-30 00:00 CEST = 03-29T22:00Z → 23 h
      expect(workingSecondsBetween(ms('2026-03-28T23:00:00Z'), ms('2026-03-29T22:00:00Z'), ROUND_THE_CLOCK, 'Europe/Berlin')).toBe(23 * 3600);
      expect(workingSecondsBetween(ms('2026-03-28T23:00:00Z'), ms('2026-03-29T22:00:00Z'), DEFAULT, 'Europe/Berlin')).toBe(14 * 3600);
      // 01:30 CET (00:30Z) → 03:30 CEST (01:30Z) is one real hour
      expect(workingSecondsBetween(ms('2026-03-29T00:30:00Z'), ms('2026-03-29T01:30:00Z'), ROUND_THE_CLOCK, 'Europe/Berlin')).toBe(3600);
      // Sat 21:30 CET → Sun 08:30 CEST: 30 min + 30 min
      expect(workingSecondsBetween(ms('2026-03-28T21:30:00+01:00'), ms('2026-03-29T08:30:00+02:00'), DEFAULT, 'Europe/Berlin')).toBe(3600);
    });

    it('Berlin fall-back day: round-the-clock hours give 25 h', () => {
      // local 2026-10-25 00:00 CEST = 10-24T22:00Z; 2026-10-26 00:00 CET = 10-25T23:00Z → 25 h
      expect(workingSecondsBetween(ms('2026-10-24T22:00:00Z'), ms('2026-10-25T23:00:00Z'), ROUND_THE_CLOCK, 'Europe/Berlin')).toBe(25 * 3600);
      // 02:30 CEST (00:30Z) → 02:30 CET (01:30Z): one real hour although the wall clock did not move
      expect(workingSecondsBetween(ms('2026-10-25T00:30:00Z'), ms('2026-10-25T01:30:00Z'), ROUND_THE_CLOCK, 'Europe/Berlin')).toBe(3600);
      expect(workingSecondsBetween(ms('2026-10-24T22:00:00Z'), ms('2026-10-25T23:00:00Z'), DEFAULT, 'Europe/Berlin')).toBe(14 * 3600);
    });

    it('New York spring-forward night: Sat 21:00 EST → Sun 09:00 EDT is 1 h + 1 h', () => {
      expect(workingSecondsBetween(ms('2026-03-07T21:00:00-05:00'), ms('2026-03-08T09:00:00-04:00'), DEFAULT, 'America/New_York')).toBe(7200);
    });

    it('Lord Howe 30-minute DST: round-the-clock days of 24.5 h and 23.5 h', () => {
      // 2026-04-05 00:00 +11 = 04-04T13:00Z; 2026-04-06 00:00 +10:30 = 04-05T13:30Z → 24 h 30 min
      expect(workingSecondsBetween(ms('2026-04-04T13:00:00Z'), ms('2026-04-05T13:30:00Z'), ROUND_THE_CLOCK, 'Australia/Lord_Howe')).toBe(24.5 * 3600);
      // 2026-10-04 00:00 +10:30 = 10-03T13:30Z; 2026-10-05 00:00 +11 = 10-04T13:00Z → 23 h 30 min
      expect(workingSecondsBetween(ms('2026-10-03T13:30:00Z'), ms('2026-10-04T13:00:00Z'), ROUND_THE_CLOCK, 'Australia/Lord_Howe')).toBe(23.5 * 3600);
    });

    // Regression (was a bug, fixed in lib/time/zone.ts zonedToUtc, see zone.test.ts): on the eve of a
    // spring-forward in a zone east of UTC, 22:00 local resolves 30 min (Lord Howe)
    // or 1 h (Sydney, Auckland) early, so the default working day is cut short.
    // Sat 2026-10-03 08:00–22:00 +10:30 in Lord Howe = 14 h; code gives 13.5 h.
    it('Lord Howe Sat 2026-10-03 (eve of DST) has a whole 14 h working day', () => {
      expect(workingSecondsBetween(ms('2026-10-03T08:00:00+10:30'), ms('2026-10-03T23:00:00+10:30'), DEFAULT, 'Australia/Lord_Howe')).toBe(14 * 3600);
    });
    // Sydney Sat 2026-10-03: a wait 21:30 → 23:00 AEST counts 21:30–22:00 = 1800 s; code gives 0.
    it('Sydney Sat 2026-10-03 (eve of DST): 21:30 → 23:00 counts 30 working minutes', () => {
      expect(workingSecondsBetween(ms('2026-10-03T21:30:00+10:00'), ms('2026-10-03T23:00:00+10:00'), DEFAULT, 'Australia/Sydney')).toBe(1800);
    });
  });
});

describe('addWorkingSeconds (SLA expiry)', () => {
  it.each([
    ['2026-11-20T10:00:00+07:00', 900, '2026-11-20T03:15:00.000Z', 'inside hours: 10:15'],
    ['2026-11-20T21:45:00+07:00', 900, '2026-11-20T15:00:00.000Z', 'expires exactly at the 22:00 close'],
    ['2026-11-20T21:50:00+07:00', 900, '2026-11-21T01:05:00.000Z', '10 min before close + 5 min after 08:00 → 08:05 next day'],
    ['2026-11-20T23:00:00+07:00', 900, '2026-11-21T01:15:00.000Z', 'opened at night: 08:15 next day'],
    ['2026-11-20T06:00:00+07:00', 900, '2026-11-20T01:15:00.000Z', 'opened before opening: 08:15'],
    ['2026-11-20T10:00:00+07:00', 0, '2026-11-20T03:00:00.000Z', 'zero seconds: the start itself'],
    ['2026-11-20T10:00:00+07:00', 14 * 3600, '2026-11-21T03:00:00.000Z', 'a whole working day: 10:00 next day'],
  ])('%s + %d s is %s (%s)', (from, seconds, expected) => {
    expect(iso(addWorkingSeconds(ms(from), seconds, DEFAULT, HCM))).toBe(expected);
  });

  it('jumps the weekend with Mon–Fri rules', () => {
    // Fri 2026-11-20 17:50 + 15 min: 10 min on Friday, 5 min from Mon 09:00 → Mon 09:05
    expect(iso(addWorkingSeconds(ms('2026-11-20T17:50:00+07:00'), 900, WEEKDAYS_9_18, HCM))).toBe('2026-11-23T02:05:00.000Z');
  });

  it('jumps the lunch break between split shifts', () => {
    const split: WorkingHours = [
      { days: ALL, start: '08:00', end: '12:00' },
      { days: ALL, start: '14:00', end: '20:00' },
    ];
    // 11:55 + 15 min: 5 min before 12:00, 10 min after 14:00 → 14:10
    expect(iso(addWorkingSeconds(ms('2026-11-20T11:55:00+07:00'), 900, split, HCM))).toBe('2026-11-20T07:10:00.000Z');
  });

  it('crosses the Berlin spring-forward night', () => {
    // Sat 2026-03-28 21:50 CET + 15 min: 10 min, then Sun 08:05 CEST = 06:05Z
    expect(iso(addWorkingSeconds(ms('2026-03-28T21:50:00+01:00'), 900, DEFAULT, 'Europe/Berlin'))).toBe('2026-03-29T06:05:00.000Z');
  });

  it('is Infinity when the shop never works', () => {
    expect(addWorkingSeconds(ms('2026-11-20T10:00:00+07:00'), 900, [{ days: ALL, start: '10:00', end: '10:00' }], HCM)).toBe(Number.POSITIVE_INFINITY);
  });

  it('is the inverse of workingSecondsBetween on whole working seconds', () => {
    const starts = ['2026-11-20T07:00:00+07:00', '2026-11-20T13:37:11+07:00', '2026-11-20T21:59:59+07:00', '2026-11-22T23:30:00+07:00'];
    for (const s of starts)
      for (const secs of [1, 59, 900, 3600, 14 * 3600, 3 * 14 * 3600 + 17]) {
        const end = addWorkingSeconds(ms(s), secs, DEFAULT, HCM);
        expect(workingSecondsBetween(ms(s), end, DEFAULT, HCM)).toBe(secs);
      }
  });
});

describe('shiftAt', () => {
  const hm = (h: number, m = 0) => h * 60 + m;
  it.each([
    [hm(8), 'morning'],
    [hm(11, 59), 'morning'],
    [hm(12), 'afternoon'],
    [hm(17, 59), 'afternoon'],
    [hm(18), 'evening'],
    [hm(21, 59), 'evening'],
    [hm(22), 'other'], // shift ends are exclusive
    [hm(7, 59), 'other'],
    [0, 'other'],
  ])('default shifts: minute %d is %s', (minute, shift) => {
    expect(shiftAt(minute, DEFAULT_SHIFTS)).toBe(shift);
  });

  const withNight: Shift[] = [
    { name: 'night', start: '22:00', end: '06:00' },
    { name: 'day', start: '06:00', end: '22:00' },
  ];
  it.each([
    [hm(22), 'night'],
    [hm(23, 59), 'night'],
    [0, 'night'],
    [hm(5, 59), 'night'],
    [hm(6), 'day'],
    [hm(21, 59), 'day'],
  ])('a shift over midnight 22:00–06:00: minute %d is %s', (minute, shift) => {
    expect(shiftAt(minute, withNight)).toBe(shift);
  });

  it('is other outside every shift, and the first listed shift wins on overlap', () => {
    const onlyNight: Shift[] = [{ name: 'night', start: '22:00', end: '06:00' }];
    expect(shiftAt(hm(6), onlyNight)).toBe('other');
    expect(shiftAt(hm(12), onlyNight)).toBe('other');
    const overlapping: Shift[] = [
      { name: 'a', start: '08:00', end: '14:00' },
      { name: 'b', start: '12:00', end: '18:00' },
    ];
    expect(shiftAt(hm(13), overlapping)).toBe('a');
    expect(shiftAt(hm(14), overlapping)).toBe('b');
  });

  it('covers the whole day with 00:00–24:00', () => {
    const all: Shift[] = [{ name: 'all', start: '00:00', end: '24:00' }];
    expect(shiftAt(0, all)).toBe('all');
    expect(shiftAt(1439, all)).toBe('all');
  });
});

describe('overnight windows and closed dates', () => {
  const NIGHT: WorkingHours = [{ days: ALL, start: '20:00', end: '02:00' }]; // a night shop: 20:00 → 02:00 next day

  it('counts an overnight window across midnight', () => {
    // Fri 23:00 → Sat 01:30: all inside 20:00–02:00 = 2 h 30 min
    expect(workingSecondsBetween(ms('2026-11-20T23:00:00+07:00'), ms('2026-11-21T01:30:00+07:00'), NIGHT, HCM)).toBe(9000);
    // Sat 01:00 → Sat 21:00: 01:00–02:00 (Friday's window) + 20:00–21:00 (Saturday's) = 2 h
    expect(workingSecondsBetween(ms('2026-11-21T01:00:00+07:00'), ms('2026-11-21T21:00:00+07:00'), NIGHT, HCM)).toBe(7200);
  });

  it('counts minutes covered by an overnight window and the next day’s window once', () => {
    const overlapping: WorkingHours = [...NIGHT, { days: ALL, start: '00:00', end: '08:00' }];
    // Fri 23:00 → Sat 09:00: covered 23:00 → 08:00 = 9 h (00:00–02:00 is in both windows, counted once)
    expect(workingSecondsBetween(ms('2026-11-20T23:00:00+07:00'), ms('2026-11-21T09:00:00+07:00'), overlapping, HCM)).toBe(32400);
  });

  it('has no working time on a closed date', () => {
    const closed = ['2026-11-21']; // Saturday closed
    // Fri 21:00 → Sun 09:00 with 08:00–22:00: Fri 21–22 (1 h) + Sun 08–09 (1 h); Saturday's 14 h do not count
    expect(workingSecondsBetween(ms('2026-11-20T21:00:00+07:00'), ms('2026-11-22T09:00:00+07:00'), DEFAULT, HCM, closed)).toBe(7200);
    expect(workingSecondsBetween(ms('2026-11-20T21:00:00+07:00'), ms('2026-11-22T09:00:00+07:00'), DEFAULT, HCM)).toBe(7200 + 14 * 3600);
    // an overnight window into a closed date stops at its midnight: Fri 21:00 → 24:00 = 3 h; Sat 00–02 and 20–24 closed
    expect(workingSecondsBetween(ms('2026-11-20T21:00:00+07:00'), ms('2026-11-22T00:00:00+07:00'), NIGHT, HCM, closed)).toBe(10800);
  });

  it('moves an SLA expiry over closed dates and overnight windows', () => {
    // Fri 21:50 + 15 working min, Saturday closed: 10 min Friday, then Sunday 08:00 + 5 min
    expect(iso(addWorkingSeconds(ms('2026-11-20T21:50:00+07:00'), 900, DEFAULT, HCM, ['2026-11-21']))).toBe(iso(ms('2026-11-22T08:05:00+07:00')));
    // Sat 01:55 + 15 min in a 20:00–02:00 shop: 5 min until 02:00, then 20:00 + 10 min
    expect(iso(addWorkingSeconds(ms('2026-11-21T01:55:00+07:00'), 900, NIGHT, HCM))).toBe(iso(ms('2026-11-21T20:10:00+07:00')));
    // 0 s is the first working instant: a message at 23:00 with 08:00–22:00 hours starts counting at 08:00
    expect(iso(addWorkingSeconds(ms('2026-11-20T23:00:00+07:00'), 0, DEFAULT, HCM))).toBe(iso(ms('2026-11-21T08:00:00+07:00')));
  });
});
