import { addDays, isoWeek, isoWeekStart, localParts } from '#lib/time/zone.ts';

/** The range a digest covers: the previous local day, or the previous ISO week. */
export function digestRange(period: 'daily' | 'weekly', periodKey: string): { from: string; to: string } {
  if (period === 'daily') return { from: periodKey, to: periodKey };
  const from = isoWeekStart(periodKey);
  return { from, to: addDays(from, 6) };
}

/** Period key of the digest that is due at instant `ms` in zone `tz`. */
export function previousPeriodKey(period: 'daily' | 'weekly', ms: number, tz: string): string {
  const today = localParts(ms, tz).date;
  return period === 'daily' ? addDays(today, -1) : isoWeek(addDays(today, -7));
}

/** Which digests are due for a shop at this instant (its local digest hour; weekly on Mondays). */
export function dueDigests(ms: number, tz: string, digestHour: number): Array<'daily' | 'weekly'> {
  const p = localParts(ms, tz);
  if (p.hour !== digestHour) return [];
  return p.weekday === 1 ? ['daily', 'weekly'] : ['daily'];
}
