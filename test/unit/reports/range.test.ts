import { describe, expect, it } from 'vitest';
import { coverRange, dayPieces, monthOfPiece, previousRange, runsOf } from '#lib/reports/range.ts';

const keys = (from: string, to: string, opts = {}) => coverRange(from, to, opts).pieces.map((p) => `${p.period}:${p.key}`);

describe('coverRange', () => {
  it('is one exact piece for a calendar day, an ISO week and a calendar month', () => {
    expect(coverRange('2026-11-17', '2026-11-17')).toEqual({ pieces: [{ period: 'D', key: '2026-11-17', from: '2026-11-17', to: '2026-11-17' }], exactDistinct: true });
    // Mon 16 … Sun 22 Nov 2026 is ISO week 47 (week 1 starts Mon 2025-12-29; 16 Nov is 322 days = 46 weeks later)
    expect(coverRange('2026-11-16', '2026-11-22')).toEqual({ pieces: [{ period: 'W', key: '2026-W47', from: '2026-11-16', to: '2026-11-22' }], exactDistinct: true });
    expect(coverRange('2026-11-01', '2026-11-30')).toEqual({ pieces: [{ period: 'M', key: '2026-11', from: '2026-11-01', to: '2026-11-30' }], exactDistinct: true });
    expect(coverRange('2026-02-01', '2026-02-28').pieces).toHaveLength(1);
  });

  it('uses the ISO week-year at a year boundary (Mon 28 Dec 2026 … Sun 3 Jan 2027 is 2026-W53)', () => {
    expect(keys('2026-12-28', '2027-01-03')).toEqual(['W:2026-W53']);
  });

  it('is several pieces, not exact, for two days or two weeks', () => {
    expect(coverRange('2026-11-16', '2026-11-17')).toMatchObject({ exactDistinct: false });
    expect(keys('2026-11-16', '2026-11-17')).toEqual(['D:2026-11-16', 'D:2026-11-17']);
    expect(keys('2026-11-16', '2026-11-29')).toEqual(['W:2026-W47', 'W:2026-W48']);
    expect(coverRange('2026-11-16', '2026-11-29').exactDistinct).toBe(false);
  });

  it('mixes days, a month and weeks: Wed 30 Sep … Sun 15 Nov 2026', () => {
    // Sep 30 (Wed) as a day, all of October, Nov 1 (Sun) as a day, then W45 (Mon 2 – Sun 8) and W46 (9–15)
    expect(keys('2026-09-30', '2026-11-15')).toEqual(['D:2026-09-30', 'M:2026-10', 'D:2026-11-01', 'W:2026-W45', 'W:2026-W46']);
  });

  it('prefers more weeks to a month when that makes fewer pieces: Wed 28 Oct … Sun 20 Dec 2026', () => {
    // with November whole: Oct 28–31 (4 days) + M + Dec 1–6 (6 days) + W50 + W51 = 13 pieces;
    // without it: Oct 28 – Nov 1 (5 days, Nov 1 is a Sunday) + W45 … W51 (7 weeks) = 12 pieces
    expect(keys('2026-10-28', '2026-12-20')).toEqual([
      'D:2026-10-28', 'D:2026-10-29', 'D:2026-10-30', 'D:2026-10-31', 'D:2026-11-01',
      'W:2026-W45', 'W:2026-W46', 'W:2026-W47', 'W:2026-W48', 'W:2026-W49', 'W:2026-W50', 'W:2026-W51',
    ]);
  });

  it('breaks ties toward the larger first piece: Mon 28 Sep … Sun 15 Nov 2026 is seven weeks', () => {
    // 3 days + October + Nov 1 + W45 + W46 = 7 pieces = W40 … W46
    expect(keys('2026-09-28', '2026-11-15')).toEqual(['W:2026-W40', 'W:2026-W41', 'W:2026-W42', 'W:2026-W43', 'W:2026-W44', 'W:2026-W45', 'W:2026-W46']);
  });

  it('is minimal where taking the first whole week greedily is not', () => {
    // Mon 29 Sep … Fri 31 Oct 2025: greedy = W40 + W41–W43 + 27–31 Oct = 9 pieces; minimal = 2 days + October = 3
    expect(keys('2025-09-29', '2025-10-31')).toEqual(['D:2025-09-29', 'D:2025-09-30', 'M:2025-10']);
  });

  it('keeps each piece inside one month when asked (monthly series)', () => {
    // Mon 31 Aug … Sun 6 Sep 2026 is ISO week 36, but it crosses a month: 7 days instead
    expect(keys('2026-08-31', '2026-09-06')).toEqual(['W:2026-W36']);
    expect(keys('2026-08-31', '2026-09-06', { withinMonths: true })).toEqual([
      'D:2026-08-31', 'D:2026-09-01', 'D:2026-09-02', 'D:2026-09-03', 'D:2026-09-04', 'D:2026-09-05', 'D:2026-09-06',
    ]);
    // Mon 23 Feb … Sun 1 Mar 2026 also crosses; without the option it is W09
    expect(keys('2026-02-23', '2026-03-01')).toEqual(['W:2026-W09']);
  });
});

describe('previousRange', () => {
  it('is the range of equal length just before', () => {
    expect(previousRange('2026-11-16', '2026-11-22')).toEqual({ from: '2026-11-09', to: '2026-11-15' });
    expect(previousRange('2026-11-17', '2026-11-17')).toEqual({ from: '2026-11-16', to: '2026-11-16' });
    // 31 days that are not a calendar month → the 31 days before
    expect(previousRange('2026-03-02', '2026-04-01')).toEqual({ from: '2026-01-30', to: '2026-03-01' });
    // across a year: 1–10 Jan 2027 → 22–31 Dec 2026
    expect(previousRange('2027-01-01', '2027-01-10')).toEqual({ from: '2026-12-22', to: '2026-12-31' });
  });
});

describe('previousRange of a calendar period (SPEC §3 previous)', () => {
  it('is the previous calendar month for a calendar month, whatever the lengths', () => {
    // November (30 days) → all of October (31), not 2 Oct … 31 Oct
    expect(previousRange('2026-11-01', '2026-11-30')).toEqual({ from: '2026-10-01', to: '2026-10-31' });
    // March (31) → February (28 in 2026, 29 in 2028), not 29 Jan … 28 Feb
    expect(previousRange('2026-03-01', '2026-03-31')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(previousRange('2028-03-01', '2028-03-31')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    // across a year
    expect(previousRange('2027-01-01', '2027-01-31')).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    // and both are one exact piece each
    const prev = previousRange('2026-11-01', '2026-11-30');
    expect(coverRange(prev.from, prev.to).exactDistinct).toBe(true);
  });

  it('is the previous ISO week for an ISO week, across a year (2027-W01 → 2026-W53)', () => {
    expect(previousRange('2027-01-04', '2027-01-10')).toEqual({ from: '2026-12-28', to: '2027-01-03' });
    expect(coverRange('2026-12-28', '2027-01-03').pieces.map((p) => p.key)).toEqual(['2026-W53']);
  });

  it('is the day before for a day, across a month', () => {
    expect(previousRange('2026-12-01', '2026-12-01')).toEqual({ from: '2026-11-30', to: '2026-11-30' });
  });
});

describe('runsOf, dayPieces, monthOfPiece', () => {
  it('groups contiguous pieces of one period type into one query range', () => {
    const runs = runsOf(coverRange('2026-09-29', '2026-11-15').pieces).map((r) => [r.period, r.fromKey, r.toKey, r.keys.size]);
    // Tue 29 Sep … Sun 15 Nov: Sep 29–30 as days, October, Nov 1, W45–W46
    // (from Mon 28 Sep, W40 + six more weeks would tie at 7 pieces, and the larger first piece wins)
    expect(runs).toEqual([
      ['D', '2026-09-29', '2026-09-30', 2],
      ['M', '2026-10', '2026-10', 1],
      ['D', '2026-11-01', '2026-11-01', 1],
      ['W', '2026-W45', '2026-W46', 2],
    ]);
  });

  it('lists days and the month of a piece', () => {
    expect(dayPieces('2026-02-27', '2026-03-01').map((p) => p.key)).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(monthOfPiece({ period: 'W', key: '2026-W36', from: '2026-08-31', to: '2026-09-06' })).toBe('2026-08');
    expect(monthOfPiece({ period: 'D', key: '2026-09-01', from: '2026-09-01', to: '2026-09-01' })).toBe('2026-09');
  });
});
