import { describe, expect, it } from 'vitest';
import { dueAt, duePeriods } from '#lib/digests/periods.ts';

const at = (iso: string) => Date.parse(iso);

describe('due digest periods', () => {
  it('dates a daily digest at the digest hour of the next local day, a weekly one on the Monday after the week', () => {
    expect(new Date(dueAt('daily', '2026-11-22', 'Asia/Ho_Chi_Minh', 8)).toISOString()).toBe('2026-11-23T01:00:00.000Z');
    expect(new Date(dueAt('weekly', '2026-W47', 'Asia/Ho_Chi_Minh', 8)).toISOString()).toBe('2026-11-23T01:00:00.000Z'); // W47 = Nov 16..22
    expect(new Date(dueAt('daily', '2026-11-22', 'Europe/Berlin', 7)).toISOString()).toBe('2026-11-23T06:00:00.000Z'); // UTC+1 in winter
  });

  it('lists what fell due in the last 24 hours', () => {
    expect(duePeriods(at('2026-11-23T00:59:59Z'), 'Asia/Ho_Chi_Minh', 8)).toEqual([{ period: 'daily', periodKey: '2026-11-21' }]);
    expect(duePeriods(at('2026-11-23T01:00:00Z'), 'Asia/Ho_Chi_Minh', 8)).toEqual([
      { period: 'daily', periodKey: '2026-11-22' },
      { period: 'weekly', periodKey: '2026-W47' },
    ]);
    expect(duePeriods(at('2026-11-24T00:59:00Z'), 'Asia/Ho_Chi_Minh', 8)).toEqual([
      { period: 'daily', periodKey: '2026-11-22' },
      { period: 'weekly', periodKey: '2026-W47' },
    ]);
    expect(duePeriods(at('2026-11-24T01:00:00Z'), 'Asia/Ho_Chi_Minh', 8)).toEqual([{ period: 'daily', periodKey: '2026-11-23' }]);
  });

  it('follows the shop zone across a year boundary (week 53)', () => {
    // 2026-12-28 is the Monday of 2026-W53; its digest is due Monday 2027-01-04 at 06:00 in Los Angeles (UTC-8)
    expect(duePeriods(at('2027-01-04T14:00:00Z'), 'America/Los_Angeles', 6)).toEqual([
      { period: 'daily', periodKey: '2027-01-03' },
      { period: 'weekly', periodKey: '2026-W53' },
    ]);
  });
});
