import type { ShopRules } from '#lib/ingest/context.ts';
import { addWorkingSeconds, workingSecondsBetween } from '#lib/time/business.ts';

/**
 * A wait's clock in the shop's working time (SPEC §3, §4.4): how many
 * working minutes it has run, how many are left before `responseSlaMinutes`,
 * and the instants at which it reaches the alert thresholds. Pure: the
 * waiting list, the timers and the alerts all read the same clock.
 */

export type Threshold = 'warning' | 'breach';
export const THRESHOLDS: readonly Threshold[] = ['warning', 'breach'];

export type ClockRules = Pick<ShopRules, 'tz' | 'workingHours' | 'closedDates' | 'slaSeconds'>;

/** Working minutes waited (whole minutes) and minutes left before the SLA (negative once it is missed). */
export function waitClock(openedAt: number, now: number, rules: ClockRules): { workingMinutesWaited: number; minutesLeft: number } {
  const waited = workingSecondsBetween(openedAt, now, rules.workingHours, rules.tz, rules.closedDates);
  const workingMinutesWaited = Math.floor(waited / 60);
  return { workingMinutesWaited, minutesLeft: Math.ceil((rules.slaSeconds - waited) / 60) };
}

/**
 * The thresholds a wait opened at `openedAt` will reach, in order, with the
 * instant each is reached: `warning` at `responseSlaMinutes −
 * warnBeforeMinutes` working minutes (only when a warning is set), `breach`
 * at `responseSlaMinutes`. A wait opened outside working hours starts
 * counting at the next opening. Infinity when the shop has no working time
 * in the next 62 days.
 */
export function thresholdsOf(openedAt: number, rules: ClockRules, warnBeforeMinutes: number | undefined): Array<{ threshold: Threshold; at: number }> {
  const at = (seconds: number) => addWorkingSeconds(openedAt, seconds, rules.workingHours, rules.tz, rules.closedDates);
  const out: Array<{ threshold: Threshold; at: number }> = [];
  if (warnBeforeMinutes !== undefined && warnBeforeMinutes * 60 < rules.slaSeconds) out.push({ threshold: 'warning', at: at(rules.slaSeconds - warnBeforeMinutes * 60) });
  out.push({ threshold: 'breach', at: at(rules.slaSeconds) });
  return out;
}
