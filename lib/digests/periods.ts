import { addDays, isoWeek, isoWeekStart, localParts, weekdayOf, zonedToUtc } from '#lib/time/zone.ts';

export type DigestPeriod = 'daily' | 'weekly';

/** The range a digest covers: the previous local day, or the previous ISO week. */
export function digestRange(period: DigestPeriod, periodKey: string): { from: string; to: string } {
  if (period === 'daily') return { from: periodKey, to: periodKey };
  const from = isoWeekStart(periodKey);
  return { from, to: addDays(from, 6) };
}

/**
 * How long after its due hour a digest is still sent when the runs before
 * missed it (a failed or skipped hourly run, an outage): each hourly run
 * queues every digest that fell due within this window and is not yet sent.
 * Past it, a daily digest would arrive beside the next day's.
 */
export const CATCH_UP_HOURS = 24;

/** The instant a period's digest falls due: the shop's digest hour on the day after the period ends. */
export function dueAt(period: DigestPeriod, periodKey: string, tz: string, digestHour: number): number {
  const lastDay = digestRange(period, periodKey).to;
  return zonedToUtc(addDays(lastDay, 1), digestHour * 60, tz);
}

/**
 * Every digest due at instant `ms` in zone `tz`: the daily digests of the
 * days, and the weekly digests of the ISO weeks, whose due hour
 * (`digestHour` the next local day; Monday for a week) is at most
 * `CATCH_UP_HOURS` ago. Oldest first.
 */
export function duePeriods(ms: number, tz: string, digestHour: number, catchUpHours = CATCH_UP_HOURS): Array<{ period: DigestPeriod; periodKey: string }> {
  const today = localParts(ms, tz).date;
  const windowDays = Math.ceil(catchUpHours / 24) + 1;
  const candidates: Array<{ period: DigestPeriod; periodKey: string }> = [];
  for (let back = windowDays; back >= 1; back--) candidates.push({ period: 'daily', periodKey: addDays(today, -back) });
  const monday = addDays(today, 1 - weekdayOf(today));
  for (let weeks = Math.ceil(windowDays / 7) + 1; weeks >= 1; weeks--) candidates.push({ period: 'weekly', periodKey: isoWeek(addDays(monday, -7 * weeks)) });
  return candidates.filter((c) => {
    const due = dueAt(c.period, c.periodKey, tz, digestHour);
    return due <= ms && ms - due < catchUpHours * 3_600_000;
  });
}
